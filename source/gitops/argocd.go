package gitops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	jsonpatch "github.com/evanphx/json-patch"
	"github.com/gobwas/glob"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/source/kustomize"
	sigsyaml "sigs.k8s.io/yaml"
)

// The ArgoCD types below hold the fields of
// pkg/apis/application/v1alpha1/types.go that change what is rendered.
// Source-level blocks are decoded strictly: a field not listed is refused.

type application struct {
	Metadata struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
	Spec struct {
		Project     string `json:"project"`
		Destination struct {
			Namespace string `json:"namespace"`
		} `json:"destination"`
		Source  *appSource  `json:"source"`
		Sources []appSource `json:"sources"`
	} `json:"spec"`
}

type appSource struct {
	RepoURL        string          `json:"repoURL"`
	Path           string          `json:"path"`
	TargetRevision string          `json:"targetRevision"`
	Chart          string          `json:"chart"`
	Ref            string          `json:"ref"`
	Name           string          `json:"name"`
	Helm           json.RawMessage `json:"helm"`
	Kustomize      json.RawMessage `json:"kustomize"`
	Directory      json.RawMessage `json:"directory"`
	Plugin         json.RawMessage `json:"plugin"`
}

type appHelm struct {
	ValueFiles              []string        `json:"valueFiles"`
	Values                  string          `json:"values"`
	ValuesObject            json.RawMessage `json:"valuesObject"`
	Parameters              []helmParameter `json:"parameters"`
	FileParameters          json.RawMessage `json:"fileParameters"`
	ReleaseName             string          `json:"releaseName"`
	Namespace               string          `json:"namespace"`
	Version                 string          `json:"version"`
	IgnoreMissingValueFiles bool            `json:"ignoreMissingValueFiles"`
	PassCredentials         bool            `json:"passCredentials"`
	SkipCrds                bool            `json:"skipCrds"`
	SkipTests               bool            `json:"skipTests"`
	SkipSchemaValidation    bool            `json:"skipSchemaValidation"`
	KubeVersion             string          `json:"kubeVersion"`
	APIVersions             []string        `json:"apiVersions"`
}

type helmParameter struct {
	Name        string `json:"name"`
	Value       string `json:"value"`
	ForceString bool   `json:"forceString"`
}

type appDirectory struct {
	Recurse                bool            `json:"recurse"`
	Include                string          `json:"include"`
	Exclude                string          `json:"exclude"`
	Jsonnet                json.RawMessage `json:"jsonnet"`
	DisableExtensionFilter bool            `json:"disableExtensionFilter"`
}

// appKustomize holds what ArgoCD applies with `kustomize edit` before the
// build (util/kustomize/kustomize.go Build).
type appKustomize struct {
	NamePrefix        string            `json:"namePrefix"`
	NameSuffix        string            `json:"nameSuffix"`
	Images            []string          `json:"images"`
	Namespace         string            `json:"namespace"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	Patches           []map[string]any  `json:"patches"`
	Version           string            `json:"version"`
}

// ReadArgoCD renders every Application and ApplicationSet in file. Other
// objects in the file are ignored (a file of Applications often holds an
// AppProject too).
func ReadArgoCD(file string, o Options) (source.Set, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return source.Set{}, err
	}
	return renderEach(file, source.Parse(file, data), "ArgoCD Application or ApplicationSet", func(obj source.Object) (source.Set, bool, error) {
		if !strings.HasPrefix(obj.APIVersion, "argoproj.io/") {
			return source.Set{}, false, nil
		}
		switch obj.Kind {
		case "Application":
			set, err := renderApplication(obj.JSON, obj.Origin, o)
			return set, true, err
		case "ApplicationSet":
			set, err := renderApplicationSet(obj, o)
			return set, true, err
		}
		return source.Set{}, false, nil
	})
}

// renderEach renders the objects of one file that render says are its
// kind; an error names the object, and a file with none of them is one.
func renderEach(file string, in source.Set, kinds string, render func(source.Object) (source.Set, bool, error)) (source.Set, error) {
	out := source.Set{Problems: in.Problems}
	found := 0
	for _, obj := range in.Objects {
		set, ok, err := render(obj)
		if !ok {
			continue
		}
		found++
		if err != nil {
			return out, fmt.Errorf("%s: %s %s: %w", obj.Origin, obj.Kind, obj.Name, err)
		}
		out.Add(set)
	}
	if found == 0 {
		return out, fmt.Errorf("%s: no %s", file, kinds)
	}
	return out, nil
}

func renderApplication(js []byte, at source.Origin, o Options) (source.Set, error) {
	var app application
	if err := json.Unmarshal(js, &app); err != nil {
		return source.Set{}, err
	}
	sources := app.Spec.Sources
	multi := len(sources) > 0
	if !multi {
		if app.Spec.Source == nil {
			return source.Set{}, fmt.Errorf("spec.source or spec.sources is required")
		}
		sources = []appSource{*app.Spec.Source}
	}
	var gitURLs []string
	for _, s := range sources {
		if s.Chart == "" && !isOCI(s.RepoURL) {
			gitURLs = append(gitURLs, s.RepoURL)
		}
	}
	if err := o.oneRepo(gitURLs); err != nil {
		return source.Set{}, err
	}
	refs := map[string]string{} // "$name" -> checkout
	for _, s := range sources {
		if s.Ref == "" {
			continue
		}
		if s.Chart != "" {
			return source.Set{}, unsupported("source %q: ref on a chart source (refs are git repositories)", s.Ref)
		}
		dir, err := o.checkout(s.RepoURL)
		if err != nil {
			return source.Set{}, err
		}
		refs["$"+s.Ref] = dir
	}
	ns := app.Spec.Destination.Namespace
	if ns == "" {
		ns = "default" // kubectl's namespace when the destination names none
	}
	var out source.Set
	for i, s := range sources {
		// controller: a ref-only source of a multi-source app yields nothing
		// (reposerver/repository/repository.go GenerateManifest).
		if multi && s.Path == "" && s.Chart == "" && !isOCI(s.RepoURL) && s.Ref != "" {
			continue
		}
		set, err := renderSource(app, s, ns, refs, o)
		if err != nil {
			if multi {
				return out, fmt.Errorf("source %d (%s): %w", i+1, s.RepoURL, err)
			}
			return out, err
		}
		out.Add(setNamespace(set, ns))
	}
	return out, nil
}

func isOCI(u string) bool { return strings.HasPrefix(u, "oci://") }

// env is ArgoCD's build environment (repository.go newEnv) for the values
// it substitutes. Revisions are not known from a checkout: they are empty.
func env(app application, s appSource) map[string]string {
	return map[string]string{
		"ARGOCD_APP_NAME":                   app.Metadata.Name,
		"ARGOCD_APP_NAMESPACE":              app.Spec.Destination.Namespace,
		"ARGOCD_APP_PROJECT_NAME":           app.Spec.Project,
		"ARGOCD_APP_SOURCE_REPO_URL":        s.RepoURL,
		"ARGOCD_APP_SOURCE_PATH":            s.Path,
		"ARGOCD_APP_SOURCE_TARGET_REVISION": s.TargetRevision,
	}
}

// envsubst is ArgoCD's Env.Envsubst: os.Expand, $$ is a dollar, an
// unknown variable is empty.
func envsubst(e map[string]string, s string) string {
	return os.Expand(s, func(k string) string {
		if k == "$" {
			return "$"
		}
		return e[k]
	})
}

func renderSource(app application, s appSource, ns string, refs map[string]string, o Options) (source.Set, error) {
	owner := "Application/" + app.Metadata.Name
	if len(s.Plugin) > 0 {
		return source.Set{}, unsupported("config management plugins")
	}
	if s.Chart != "" || isOCI(s.RepoURL) {
		return renderHelm(app, s, ns, "", "", refs, o)
	}
	root, err := o.checkout(s.RepoURL)
	if err != nil {
		return source.Set{}, err
	}
	appPath, err := within(root, s.Path)
	if err != nil {
		return source.Set{}, err
	}
	if st, err := os.Stat(appPath); err != nil || !st.IsDir() {
		return source.Set{}, fmt.Errorf("path %q is not a folder of the checkout %s", s.Path, root)
	}
	if s, err = mergeSourceParameters(s, appPath, app.Metadata.Name); err != nil {
		return source.Set{}, err
	}
	kind, err := sourceType(s, appPath)
	if err != nil {
		return source.Set{}, err
	}
	switch kind {
	case "Helm":
		return renderHelm(app, s, ns, root, appPath, refs, o)
	case "Kustomize":
		set, err := renderKustomize(app, s, appPath)
		return relabel(set, owner, root), err
	default:
		set, err := renderDirectory(s, appPath, root)
		return relabel(set, owner, root), err
	}
}

// mergeSourceParameters applies .argocd-source.yaml and
// .argocd-source-<app>.yaml from the app's folder as JSON merge patches,
// keeping repoURL, path, chart and targetRevision (repository.go).
func mergeSourceParameters(s appSource, appPath, appName string) (appSource, error) {
	files := []string{filepath.Join(appPath, ".argocd-source.yaml")}
	if appName != "" {
		files = append(files, filepath.Join(appPath, ".argocd-source-"+appName+".yaml"))
	}
	merged := s
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil || st.IsDir() {
			continue
		}
		data, err := json.Marshal(merged)
		if err != nil {
			return s, err
		}
		patch, err := os.ReadFile(f)
		if err != nil {
			return s, err
		}
		if patch, err = sigsyaml.YAMLToJSON(patch); err != nil {
			return s, fmt.Errorf("%s: %w", f, err)
		}
		if data, err = jsonpatch.MergePatch(data, patch); err != nil {
			return s, fmt.Errorf("%s: %w", f, err)
		}
		merged = appSource{}
		if err := json.Unmarshal(data, &merged); err != nil {
			return s, fmt.Errorf("%s: %w", f, err)
		}
	}
	merged.Chart, merged.Path, merged.RepoURL, merged.TargetRevision = s.Chart, s.Path, s.RepoURL, s.TargetRevision
	return merged, nil
}

// sourceType is ArgoCD's: the block that is set, else discovery in the
// app folder itself — a kustomization wins over a Chart.yaml, and nothing
// is a Directory (util/app/discovery/discovery.go AppType).
func sourceType(s appSource, appPath string) (string, error) {
	var set []string
	for name, raw := range map[string]json.RawMessage{"Helm": s.Helm, "Kustomize": s.Kustomize, "Directory": s.Directory} {
		if len(raw) > 0 && string(raw) != "null" {
			set = append(set, name)
		}
	}
	if len(set) > 1 {
		sort.Strings(set)
		return "", fmt.Errorf("multiple application sources defined: %s", strings.Join(set, ", "))
	}
	if len(set) == 1 {
		return set[0], nil
	}
	entries, err := os.ReadDir(appPath)
	if err != nil {
		return "", err
	}
	kind := "Directory"
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		if strings.HasSuffix(e.Name(), "Chart.yaml") && kind != "Kustomize" {
			kind = "Helm"
		}
		switch e.Name() {
		case "kustomization.yaml", "kustomization.yml", "Kustomization":
			kind = "Kustomize"
		}
	}
	return kind, nil
}

// renderHelm is repository.go helmTemplate: release name = helm.releaseName
// or the app's name; .Release.Namespace = helm.namespace or the
// destination; value files, then values/valuesObject as one more file,
// then parameters (--set / --set-string), each value env-substituted.
func renderHelm(app application, s appSource, ns, root, appPath string, refs map[string]string, o Options) (source.Set, error) {
	var h appHelm
	if err := decodeStrict(s.Helm, &h, "helm"); err != nil {
		return source.Set{}, err
	}
	if len(h.FileParameters) > 0 && string(h.FileParameters) != "null" {
		return source.Set{}, unsupported("helm.fileParameters")
	}
	if h.KubeVersion != "" || len(h.APIVersions) > 0 {
		// Charts read them through .Capabilities: rendering with Helm's
		// defaults instead would be a different rendering.
		return source.Set{}, unsupported("helm.kubeVersion and helm.apiVersions (rendered with Helm's default capabilities)")
	}
	e := env(app, s)
	c := helm.Chart{
		Release:         app.Metadata.Name,
		Namespace:       ns,
		ObjectNamespace: ns,
		Remote:          o.Remote,
	}
	if h.ReleaseName != "" {
		c.Release = h.ReleaseName
	}
	if h.Namespace != "" {
		c.Namespace = h.Namespace
	}
	owner := "Application/" + app.Metadata.Name
	if s.Chart != "" && !strings.Contains(s.RepoURL, "://") {
		// ArgoCD reads such a URL as an OCI Helm repository when its
		// repository secret says enableOCI, which a checkout does not show.
		return source.Set{}, unsupported("chart repoURL %s without a scheme: write it oci://%s for an OCI registry", s.RepoURL, s.RepoURL)
	}
	if s.Chart != "" || isOCI(s.RepoURL) {
		c.Path, c.Version = s.Chart, s.TargetRevision
		c.RepoURL = s.RepoURL
		if isOCI(s.RepoURL) && s.Chart == "" {
			c.Path, c.RepoURL = s.RepoURL, ""
		}
		if h.Version != "" && c.Version == "" {
			c.Version = h.Version
		}
		c.Origin = owner + ":chart/" + s.Chart
	} else {
		c.Path = appPath
		rel, _ := filepath.Rel(root, appPath)
		c.Origin = owner + ":" + filepath.ToSlash(rel)
	}
	files, err := valueFiles(h, e, appPath, root, refs)
	if err != nil {
		return source.Set{}, err
	}
	c.ValueFiles = files
	if len(h.ValuesObject) > 0 && string(h.ValuesObject) != "null" {
		if err := json.Unmarshal(h.ValuesObject, &c.Values); err != nil {
			return source.Set{}, fmt.Errorf("helm.valuesObject: %w", err)
		}
	} else if strings.TrimSpace(h.Values) != "" {
		if err := sigsyaml.Unmarshal([]byte(h.Values), &c.Values); err != nil {
			return source.Set{}, fmt.Errorf("helm.values: %w", err)
		}
	}
	for _, p := range h.Parameters {
		kv := p.Name + "=" + cleanSetParameter(envsubst(e, p.Value))
		if p.ForceString {
			c.SetString = append(c.SetString, kv)
		} else {
			c.Set = append(c.Set, kv)
		}
	}
	return helm.Render(c)
}

// cleanSetParameter escapes commas as ArgoCD does before --set
// (util/helm/cmd.go cleanSetParameters), except in {a,b} lists.
func cleanSetParameter(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	var prev rune
	for _, r := range v {
		if r == ',' && prev != '\\' {
			b.WriteString(`\,`)
		} else {
			b.WriteRune(r)
		}
		prev = r
	}
	return b.String()
}

// valueFiles resolves helm.valueFiles as repository.go
// getResolvedValueFiles does: "$ref/..." in the ref source's checkout,
// an absolute path from the repository root, anything else from the app
// folder; globs expand in lexical order (an explicitly listed file keeps
// its own place); a missing file is an error unless
// ignoreMissingValueFiles. Remote (URL) value files are not fetched.
func valueFiles(h appHelm, e map[string]string, appPath, root string, refs map[string]string) ([]string, error) {
	resolve := func(raw string) (string, error) {
		if strings.HasPrefix(raw, "$") {
			name := strings.SplitN(raw, "/", 2)[0]
			dir, ok := refs[name]
			if !ok {
				return "", fmt.Errorf("value file %s: no source with ref %q", raw, strings.TrimPrefix(name, "$"))
			}
			return within(dir, envsubst(e, strings.TrimPrefix(raw, name)))
		}
		raw = envsubst(e, raw)
		if strings.Contains(raw, "://") {
			return "", unsupported("remote value file %s (only files in the checkout are read)", raw)
		}
		if appPath == "" {
			return "", unsupported("value file %s of a chart from a Helm repository (only $ref files are read)", raw)
		}
		if filepath.IsAbs(raw) {
			return within(root, raw)
		}
		p := filepath.Join(appPath, raw)
		return within(root, mustRel(root, p))
	}
	explicit := map[string]bool{}
	for _, raw := range h.ValueFiles {
		if p, err := resolve(raw); err == nil && !isGlob(p) {
			explicit[p] = true
		}
	}
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, raw := range h.ValueFiles {
		p, err := resolve(raw)
		if err != nil {
			return nil, err
		}
		if isGlob(p) {
			matches, err := doublestar.FilepathGlob(p)
			if err != nil {
				return nil, fmt.Errorf("value file glob %q: %w", raw, err)
			}
			if len(matches) == 0 {
				if h.IgnoreMissingValueFiles {
					continue
				}
				return nil, fmt.Errorf("value file glob %q matched no files", raw)
			}
			for _, m := range matches {
				if !explicit[m] {
					add(m)
				}
			}
			continue
		}
		if _, err := os.Stat(p); os.IsNotExist(err) {
			if h.IgnoreMissingValueFiles {
				continue
			}
			return nil, fmt.Errorf("value file %s: %s does not exist", raw, p)
		}
		add(p)
	}
	return out, nil
}

func mustRel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return r
}

func isGlob(p string) bool { return strings.ContainsAny(p, "*?[") }

// renderDirectory is repository.go findManifests: *.yaml, *.yml, *.json
// in the folder (and below it with recurse), matched against include and
// exclude (gobwas globs on the path relative to the folder, no separator
// special), skipping files marked +argocd:skip-file-rendering.
func renderDirectory(s appSource, appPath, root string) (source.Set, error) {
	var d appDirectory
	if err := decodeStrict(s.Directory, &d, "directory"); err != nil {
		return source.Set{}, err
	}
	if len(d.Jsonnet) > 0 && string(d.Jsonnet) != "null" && string(d.Jsonnet) != "{}" {
		return source.Set{}, unsupported("directory.jsonnet")
	}
	var include, exclude glob.Glob
	var err error
	if d.Include != "" {
		if include, err = glob.Compile(d.Include); err != nil {
			return source.Set{}, fmt.Errorf("directory.include: %w", err)
		}
	}
	if d.Exclude != "" {
		if exclude, err = glob.Compile(d.Exclude); err != nil {
			return source.Set{}, fmt.Errorf("directory.exclude: %w", err)
		}
	}
	var out source.Set
	err = filepath.Walk(appPath, func(p string, f os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if f.IsDir() {
			if p != appPath && !d.Recurse {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(appPath, p)
		ext := strings.ToLower(filepath.Ext(f.Name()))
		if !d.DisableExtensionFilter && ext != ".yaml" && ext != ".yml" && ext != ".json" && ext != ".jsonnet" {
			return nil
		}
		if exclude != nil && exclude.Match(rel) || include != nil && !include.Match(rel) {
			return nil
		}
		if ext == ".jsonnet" {
			return unsupported("jsonnet file %s", rel)
		}
		real, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil // a dangling link is skipped, with ArgoCD's warning
		}
		if r, err := filepath.Rel(root, real); err != nil || strings.HasPrefix(r, "..") {
			return fmt.Errorf("illegal filepath in symlink at %q", rel)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), "+argocd:skip-file-rendering") {
			return nil
		}
		out.Add(source.Parse(p, data))
		return nil
	})
	return out, err
}

// renderKustomize builds the folder with ArgoCD's kustomize options
// applied as its `kustomize edit` commands would change the kustomization.
func renderKustomize(app application, s appSource, appPath string) (source.Set, error) {
	var k appKustomize
	if err := decodeStrict(s.Kustomize, &k, "kustomize"); err != nil {
		return source.Set{}, err
	}
	if k.Version != "" {
		return source.Set{}, unsupported("kustomize.version (a named kustomize binary)")
	}
	e := env(app, s)
	if k.NamePrefix == "" && k.NameSuffix == "" && len(k.Images) == 0 && k.Namespace == "" &&
		len(k.CommonLabels) == 0 && len(k.CommonAnnotations) == 0 && len(k.Patches) == 0 {
		return kustomize.Build(appPath)
	}
	return kustomize.BuildEdited(appPath, func(m map[string]any) (map[string]any, error) {
		if m == nil {
			return nil, fmt.Errorf("no kustomization in %s", appPath)
		}
		setNames(m, k.Namespace, k.NamePrefix, k.NameSuffix)
		for _, img := range k.Images {
			if err := setImage(m, envsubst(e, img)); err != nil {
				return nil, err
			}
		}
		if len(k.CommonLabels) > 0 {
			m["commonLabels"] = addAll(m["commonLabels"], k.CommonLabels, func(v string) string { return envsubst(e, v) })
		}
		if len(k.CommonAnnotations) > 0 {
			m["commonAnnotations"] = addAll(m["commonAnnotations"], k.CommonAnnotations, func(v string) string { return envsubst(e, v) })
		}
		appendList(m, "patches", k.Patches)
		return m, nil
	})
}

// addAll is `kustomize edit add label|annotation --force`: the map gains
// (or overwrites) each key; ArgoCD substitutes its environment in values.
func addAll(old any, add map[string]string, sub func(string) string) map[string]any {
	m, _ := old.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	for k, v := range add {
		m[k] = sub(v)
	}
	return m
}

// setImage is `kustomize edit set image` for one argument: name=new:tag,
// name:tag, name@digest or name=new@digest; an existing entry for the
// name is replaced.
func setImage(m map[string]any, arg string) error {
	name, target := arg, arg
	if i := strings.Index(arg, "="); i >= 0 {
		name, target = arg[:i], arg[i+1:]
	}
	entry := map[string]any{}
	newName, tag, digest := target, "", ""
	if i := strings.Index(target, "@"); i >= 0 {
		newName, digest = target[:i], target[i+1:]
	} else if i := strings.LastIndex(target, ":"); i > strings.LastIndex(target, "/") {
		newName, tag = target[:i], target[i+1:]
	}
	if j := strings.Index(name, "@"); j >= 0 {
		name = name[:j]
	} else if j := strings.LastIndex(name, ":"); j > strings.LastIndex(name, "/") {
		name = name[:j]
	}
	if name == "" || newName == "" {
		return fmt.Errorf("kustomize.images: %q is not an image", arg)
	}
	entry["name"] = name
	if newName != name {
		entry["newName"] = newName
	}
	if tag != "" {
		entry["newTag"] = tag
	}
	if digest != "" {
		entry["digest"] = digest
	}
	list, _ := m["images"].([]any)
	for i, x := range list {
		if im, ok := x.(map[string]any); ok && im["name"] == name {
			list[i] = entry
			m["images"] = list
			return nil
		}
	}
	m["images"] = append(list, entry)
	return nil
}
