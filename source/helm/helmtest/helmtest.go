// Package helmtest serves real chart sources on loopback for tests: a Helm
// chart repository (index.yaml and packaged charts, built with the Helm
// SDK) and an OCI registry (go-containerregistry's registry) holding charts
// pushed with Helm's own registry client. Nothing here reaches the network.
package helmtest

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli"
	"helm.sh/helm/v3/pkg/getter"
	helmregistry "helm.sh/helm/v3/pkg/registry"
	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// Chart builds a chart in memory: name, version, and templates by file name.
func Chart(name, version string, values map[string]any, templates map[string]string, deps ...*chart.Dependency) *chart.Chart {
	ch := &chart.Chart{
		Metadata: &chart.Metadata{APIVersion: chart.APIVersionV2, Name: name, Version: version, Dependencies: deps},
		Values:   values,
	}
	// chartutil.Save writes values.yaml from the raw file, not from Values.
	raw, err := yaml.Marshal(values)
	if err != nil {
		panic(err)
	}
	ch.Raw = append(ch.Raw, &chart.File{Name: chartutil.ValuesfileName, Data: raw})
	for f, t := range templates {
		ch.Templates = append(ch.Templates, &chart.File{Name: "templates/" + f, Data: []byte(t)})
	}
	return ch
}

// Repo is a chart repository on loopback.
type Repo struct {
	URL    string
	Dir    string // index.yaml and the .tgz files it serves
	server *httptest.Server
}

// ServeRepo packages charts into a folder, indexes it as `helm repo index`
// does and serves it. It stops when the test ends (or on Close).
func ServeRepo(t testing.TB, charts ...*chart.Chart) *Repo {
	t.Helper()
	r := &Repo{Dir: t.TempDir()}
	for _, ch := range charts {
		if _, err := chartutil.Save(ch, r.Dir); err != nil {
			t.Fatal(err)
		}
	}
	r.server = httptest.NewServer(http.FileServer(http.Dir(r.Dir)))
	t.Cleanup(r.server.Close)
	r.URL = r.server.URL
	idx, err := repo.IndexDirectory(r.Dir, r.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(filepath.Join(r.Dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}

// Close stops serving (the network is "off" for this repository).
func (r *Repo) Close() { r.server.Close() }

// Registry is an OCI registry on loopback, plain HTTP.
type Registry struct {
	Host   string // 127.0.0.1:port
	server *httptest.Server
}

// ServeRegistry starts a registry and pushes each chart to
// oci://HOST/charts/NAME:VERSION with Helm's registry client.
func ServeRegistry(t testing.TB, charts ...*chart.Chart) *Registry {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(discard())))
	t.Cleanup(srv.Close)
	r := &Registry{Host: strings.TrimPrefix(srv.URL, "http://"), server: srv}
	client, err := helmregistry.NewClient(helmregistry.ClientOptPlainHTTP(), helmregistry.ClientOptWriter(io.Discard),
		helmregistry.ClientOptCredentialsFile(filepath.Join(t.TempDir(), "config.json")))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, ch := range charts {
		tgz, err := chartutil.Save(ch, dir)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(tgz)
		if err != nil {
			t.Fatal(err)
		}
		ref := fmt.Sprintf("%s/charts/%s:%s", r.Host, ch.Name(), ch.Metadata.Version)
		if _, err := client.Push(data, ref, helmregistry.PushOptStrictMode(true)); err != nil {
			t.Fatalf("push %s: %v", ref, err)
		}
	}
	return r
}

// URL is the OCI repository prefix charts were pushed under.
func (r *Registry) URL() string { return "oci://" + r.Host + "/charts" }

// Close stops serving.
func (r *Registry) Close() { r.server.Close() }

// RepositoriesFile writes a Helm repositories.yaml naming each repository
// (name → URL) and returns its path.
func RepositoriesFile(t testing.TB, repos map[string]string) string {
	t.Helper()
	f := repo.NewFile()
	for name, u := range repos {
		f.Update(&repo.Entry{Name: name, URL: u})
	}
	p := filepath.Join(t.TempDir(), "repositories.yaml")
	if err := f.WriteFile(p, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func discard() *log.Logger { return log.New(io.Discard, "", 0) }

// RepoUpdate downloads the repository's index into cache as
// `helm repo add NAME URL` (and `helm repo update`) does.
func RepoUpdate(t testing.TB, name, u, cache string) {
	t.Helper()
	cr, err := repo.NewChartRepository(&repo.Entry{Name: name, URL: u}, getter.All(cli.New()))
	if err != nil {
		t.Fatal(err)
	}
	cr.CachePath = cache
	if _, err := cr.DownloadIndexFile(); err != nil {
		t.Fatal(err)
	}
}
