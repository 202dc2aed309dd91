package helm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/cli"
	"helm.sh/helm/v3/pkg/downloader"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
)

// Remote says where charts that are not local files come from: Helm's own
// configuration and cache, as `helm template` and `helm dependency build`
// use them. The zero value is Helm's defaults (HELM_* variables, then
// ~/.config/helm and ~/.cache/helm).
type Remote struct {
	RepositoryConfig string // repositories.yaml (helm --repository-config)
	RepositoryCache  string // index and chart cache (helm --repository-cache)
	RegistryConfig   string // OCI registry credentials (helm --registry-config)
	PlainHTTP        bool   // OCI registries over plain HTTP (helm --plain-http)
	// Offline never touches the network: repository indexes are used as
	// cached (helm dependency build --skip-refresh) and every download is
	// replayed from what an earlier run fetched.
	Offline bool
}

func (r Remote) settings() *cli.EnvSettings {
	s := cli.New()
	if r.RepositoryConfig != "" {
		s.RepositoryConfig = r.RepositoryConfig
	}
	if r.RepositoryCache != "" {
		s.RepositoryCache = r.RepositoryCache
	}
	if r.RegistryConfig != "" {
		s.RegistryConfig = r.RegistryConfig
	}
	return s
}

// client holds what one chart's fetches share: Helm's getters (wrapped by
// the replay cache) and its OCI registry client.
type client struct {
	remote   Remote
	settings *cli.EnvSettings
	getters  getter.Providers
	registry *registry.Client
}

func (r Remote) client() (*client, error) {
	s := r.settings()
	opts := []registry.ClientOption{
		registry.ClientOptCredentialsFile(s.RegistryConfig),
		registry.ClientOptWriter(io.Discard),
		registry.ClientOptEnableCache(true),
	}
	if r.PlainHTTP {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	rc, err := registry.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("registry client: %w", err)
	}
	c := &client{remote: r, settings: s, registry: rc}
	for _, p := range getter.All(s) {
		c.getters = append(c.getters, getter.Provider{Schemes: p.Schemes, New: c.wrap(p.New)})
	}
	return c, nil
}

// IsRemote reports whether ref names a chart to fetch rather than a local
// path: oci://…, http(s)://…/x.tgz, or repo/name (helm's forms). A ref that
// exists on disk is local, as Helm prefers it (helm issue #7862).
func IsRemote(ref string) bool {
	if _, err := os.Stat(ref); err == nil {
		return false
	}
	if registry.IsOCI(ref) || strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		return true
	}
	if filepath.IsAbs(ref) || strings.HasPrefix(ref, ".") {
		return false
	}
	return strings.Count(ref, "/") == 1
}

// locate fetches a remote chart into Helm's repository cache, as
// action.ChartPathOptions.LocateChart does for `helm template REF`, and
// returns the archive's path. repoURL set means REF is a chart name in that
// repository (helm --repo, ArgoCD's chart sources, Flux's HelmRepository).
func (c *client) locate(ref, version, repoURL string) (string, error) {
	if repoURL != "" {
		u, err := c.chartURL(ref, version, repoURL)
		if err != nil {
			return "", err
		}
		ref, version = u, ""
		if registry.IsOCI(u) {
			ref, version = splitTag(u)
		}
	}
	dl := downloader.ChartDownloader{
		Out:              io.Discard,
		Getters:          c.getters,
		RepositoryConfig: c.settings.RepositoryConfig,
		RepositoryCache:  c.settings.RepositoryCache,
		RegistryClient:   c.registry,
		Options:          []getter.Option{getter.WithPlainHTTP(c.remote.PlainHTTP)},
	}
	if registry.IsOCI(ref) {
		dl.Options = append(dl.Options, getter.WithRegistryClient(c.registry))
	}
	if err := os.MkdirAll(c.settings.RepositoryCache, 0o755); err != nil {
		return "", err
	}
	file, _, err := dl.DownloadTo(ref, version, c.settings.RepositoryCache)
	if err != nil {
		return "", fmt.Errorf("fetching %s %s: %w", ref, version, err)
	}
	return file, nil
}

// chartURL finds chart name at version in the repository at repoURL. An
// OCI repository is a reference prefix; an HTTP repository is read through
// its index — the cached one when repositories.yaml names that URL (as
// Helm's dependency manager does), else freshly downloaded and cached under
// Helm's name for an unmanaged repository.
func (c *client) chartURL(name, version, repoURL string) (string, error) {
	if registry.IsOCI(repoURL) {
		u := strings.TrimSuffix(repoURL, "/") + "/" + name
		if version != "" {
			u += ":" + version
		}
		return u, nil
	}
	if f, err := repo.LoadFile(c.settings.RepositoryConfig); err == nil {
		for _, e := range f.Repositories {
			if strings.TrimSuffix(e.URL, "/") == strings.TrimSuffix(repoURL, "/") {
				return e.Name + "/" + name, nil
			}
		}
	}
	cr, err := repo.NewChartRepository(&repo.Entry{Name: managedName(repoURL), URL: repoURL}, c.getters)
	if err != nil {
		return "", err
	}
	cr.CachePath = c.settings.RepositoryCache
	idxFile := filepath.Join(cr.CachePath, cr.Config.Name+"-index.yaml")
	if !c.remote.Offline {
		if idxFile, err = cr.DownloadIndexFile(); err != nil {
			return "", fmt.Errorf("repository %s: %w", repoURL, err)
		}
	}
	idx, err := repo.LoadIndexFile(idxFile)
	if err != nil {
		return "", fmt.Errorf("repository %s index: %w", repoURL, err)
	}
	cv, err := idx.Get(name, version)
	if err != nil {
		return "", fmt.Errorf("chart %s %s in %s: %w", name, version, repoURL, err)
	}
	if len(cv.URLs) == 0 {
		return "", fmt.Errorf("chart %s %s in %s has no download URL", name, version, repoURL)
	}
	return repo.ResolveReferenceURL(repoURL, cv.URLs[0])
}

// managedName is the name Helm's dependency manager gives a repository
// that repositories.yaml does not list ("helm-manager-" + sha256 of the
// URL; downloader/manager.go key()).
func managedName(u string) string {
	sum := sha256.Sum256([]byte(u))
	return "helm-manager-" + hex.EncodeToString(sum[:])
}

func splitTag(ociRef string) (string, string) {
	i := strings.LastIndex(ociRef, ":")
	if i <= len("oci://") || strings.Contains(ociRef[i:], "/") {
		return ociRef, ""
	}
	return ociRef[:i], ociRef[i+1:]
}

// buildDependencies fetches the dependencies of the chart folder dir that
// are not vendored, as `helm dependency build` does, into a copy of the
// chart (nothing is written into dir), and returns the copy's path.
func (c *client) buildDependencies(dir string, ch *chart.Chart) (string, func(), error) {
	tmp, err := os.MkdirTemp("", "meshdoctor-chart-")
	if err != nil {
		return "", nil, err
	}
	done := func() { os.RemoveAll(tmp) }
	dst := filepath.Join(tmp, filepath.Base(dir))
	if err := os.CopyFS(dst, os.DirFS(dir)); err != nil {
		done()
		return "", nil, fmt.Errorf("copying chart: %w", err)
	}
	var out strings.Builder
	m := downloader.Manager{
		Out:              &out,
		ChartPath:        dst,
		Getters:          c.getters,
		RegistryClient:   c.registry,
		RepositoryConfig: c.settings.RepositoryConfig,
		RepositoryCache:  c.settings.RepositoryCache,
		SkipUpdate:       c.remote.Offline,
	}
	if err := m.Build(); err != nil {
		done()
		return "", nil, fmt.Errorf("helm dependency build (%s): %w", strings.Join(missing(ch), ", "), err)
	}
	return dst, done, nil
}

// missing lists the dependencies ch declares that charts/ lacks, each
// with where it comes from.
func missing(ch *chart.Chart) []string {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var out []string
	for _, d := range ch.Metadata.Dependencies {
		if !have[d.Name] {
			out = append(out, fmt.Sprintf("%s %s from %s", d.Name, d.Version, d.Repository))
		}
	}
	return out
}

// fetchable reports whether ch declares a dependency that is missing from
// charts/ and comes from a repository (so dependency build can fetch it).
// file:// dependencies are not fetched: they resolve against the chart's
// own folder, and the build runs in a copy (they must be vendored).
func fetchable(ch *chart.Chart) bool {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	for _, d := range ch.Metadata.Dependencies {
		if !have[d.Name] && d.Repository != "" && !strings.HasPrefix(d.Repository, "file://") {
			return true
		}
	}
	return false
}

// wrap puts the replay cache around one of Helm's getters: online, every
// download is also kept under the repository cache, keyed by its URL;
// offline, it is served from there and the network is never used.
func (c *client) wrap(next getter.Constructor) getter.Constructor {
	return func(opts ...getter.Option) (getter.Getter, error) {
		g, err := next(opts...)
		if err != nil {
			return nil, err
		}
		return replay{next: g, dir: filepath.Join(c.settings.RepositoryCache, "meshdoctor-replay"), offline: c.remote.Offline}, nil
	}
}

type replay struct {
	next    getter.Getter
	dir     string
	offline bool
}

// ErrNotCached is returned offline for a download no earlier run made.
var ErrNotCached = errors.New("not in the cache (run once without --offline to fetch it)")

func (r replay) Get(u string, opts ...getter.Option) (*bytes.Buffer, error) {
	file := filepath.Join(r.dir, cacheKey(u))
	if r.offline {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("offline: %s: %w", redact(u), ErrNotCached)
		}
		return bytes.NewBuffer(data), nil
	}
	b, err := r.next.Get(u, opts...)
	if err != nil {
		if _, serr := os.Stat(file); serr == nil {
			return nil, fmt.Errorf("%w (an earlier download is cached: --offline uses it)", err)
		}
		return nil, err
	}
	if err := writeAtomic(file, b.Bytes()); err != nil {
		return nil, fmt.Errorf("caching %s: %w", redact(u), err)
	}
	return b, nil
}

// cacheKey names a download by its URL (without credentials) and keeps
// the URL's last element readable.
func cacheKey(u string) string {
	sum := sha256.Sum256([]byte(redact(u)))
	base := path.Base(u)
	base = strings.Map(func(r rune) rune {
		if r == '/' || r == ':' || r == '\\' || r == '?' || r == '*' {
			return '_'
		}
		return r
	}, base)
	return hex.EncodeToString(sum[:8]) + "-" + base
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.User == nil {
		return u
	}
	p.User = nil
	return p.String()
}

func writeAtomic(file string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), file)
}
