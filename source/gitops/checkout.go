// Package gitops renders GitOps objects — ArgoCD Applications and
// ApplicationSets, Flux HelmReleases and Kustomizations — from a local
// checkout of the repositories they name, exactly as the controllers would
// render them, into a source.Set. Nothing is written into the checkout; a
// shape this package does not render is an error that says so, never
// something else rendered in its place.
package gitops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm"
)

// Options say where the repositories are and how remote charts are found.
type Options struct {
	// Root is the checkout of the git repository the objects name (when
	// they name one only); ByURL maps repository URLs to checkouts.
	Root  string
	ByURL map[string]string
	// Remote is how charts from Helm repositories and OCI registries are
	// fetched (Helm's configuration and cache).
	Remote helm.Remote
	// Namespace is where objects without a namespace are (the -n default).
	Namespace string
}

// ErrUnsupported marks a shape this package does not render.
var ErrUnsupported = fmt.Errorf("unsupported")

func unsupported(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, fmt.Sprintf(format, a...))
}

// checkout returns the local folder of the git repository at url.
func (o Options) checkout(url string) (string, error) {
	key := NormalizeGitURL(url)
	for u, dir := range o.ByURL {
		if NormalizeGitURL(u) == key {
			return dir, nil
		}
	}
	if o.Root != "" {
		return o.Root, nil
	}
	return "", fmt.Errorf("no checkout for repository %s (give --repo-root DIR, or --repo-root %s=DIR)", url, url)
}

// oneRepo refuses to map several different repositories onto one --repo-root.
func (o Options) oneRepo(urls []string) error {
	seen := map[string]bool{}
	var unmapped []string
	for _, u := range urls {
		k := NormalizeGitURL(u)
		if seen[k] {
			continue
		}
		seen[k] = true
		mapped := false
		for m := range o.ByURL {
			mapped = mapped || NormalizeGitURL(m) == k
		}
		if !mapped {
			unmapped = append(unmapped, u)
		}
	}
	if len(unmapped) > 1 {
		sort.Strings(unmapped)
		return fmt.Errorf("the sources name %d git repositories (%s): say which checkout is which with --repo-root URL=DIR", len(unmapped), strings.Join(unmapped, ", "))
	}
	return nil
}

// NormalizeGitURL makes equal the spellings of one repository: scheme,
// user, scp-like ssh (git@host:org/repo), ".git", case, trailing slash —
// as ArgoCD's git.NormalizeGitURL compares them.
func NormalizeGitURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else if at := strings.Index(u, "@"); at >= 0 && strings.Contains(u[at:], ":") {
		u = strings.Replace(u[at+1:], ":", "/", 1)
	}
	if at := strings.Index(u, "@"); at >= 0 && at < strings.Index(u+"/", "/") {
		u = u[at+1:]
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	return u
}

// within joins rel onto root and refuses a path that leaves root (ArgoCD's
// and Flux's checks against traversal out of the repository).
func within(root, rel string) (string, error) {
	p := filepath.Join(root, filepath.FromSlash(rel))
	r, err := filepath.Rel(root, p)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("path %s is outside the repository", rel)
	}
	return p, nil
}

// relabel rewrites origins under root to paths relative to it, prefixed
// with the GitOps object that rendered them ("Application/x:path").
func relabel(set source.Set, owner, root string) source.Set {
	abs, _ := filepath.Abs(root)
	cwd, _ := os.Getwd()
	fix := func(f string) string {
		a := f
		if !filepath.IsAbs(a) {
			a = filepath.Join(cwd, f)
		}
		if r, err := filepath.Rel(abs, a); err == nil && !strings.HasPrefix(r, "..") {
			f = filepath.ToSlash(r)
		}
		return owner + ":" + f
	}
	for i := range set.Objects {
		set.Objects[i].Origin.File = fix(set.Objects[i].Origin.File)
	}
	for i := range set.Problems {
		set.Problems[i].Origin.File = fix(set.Problems[i].Origin.File)
	}
	return set
}

// decodeStrict reads raw into v and refuses fields v does not know: a field
// this package does not read would change the rendering silently.
func decodeStrict(raw json.RawMessage, v any, what string) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if strings.Contains(err.Error(), "unknown field") {
			return unsupported("%s: %s", what, strings.TrimPrefix(err.Error(), "json: "))
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// setNamespace puts objects without a namespace into ns, as a controller
// applying them to a namespace does; cluster-scoped kinds keep none.
func setNamespace(set source.Set, ns string) source.Set {
	for i, o := range set.Objects {
		if o.Namespace == "" && !helm.ClusterScoped(o.Kind) {
			set.Objects[i] = source.WithNamespace(o, ns)
		}
	}
	return set
}
