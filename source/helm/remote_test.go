package helm

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm/helmtest"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// A small app chart: a Deployment whose OTLP endpoint and a Service whose
// port come from values, so value precedence shows in the objects.
func appChart(name, version string) *chart.Chart {
	return helmtest.Chart(name, version,
		map[string]any{"port": 4317, "endpoint": "http://otel-collector.monitoring:4317"},
		map[string]string{
			"deploy.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: {{ .Release.Name }}-{{ .Chart.Name }}}
spec:
  selector: {matchLabels: {app: {{ .Chart.Name }}}}
  template:
    metadata: {labels: {app: {{ .Chart.Name }}}}
    spec:
      containers:
      - name: app
        image: app:{{ .Chart.Version }}
        env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: {{ .Values.endpoint | quote }}}]
`,
			"svc.yaml": `apiVersion: v1
kind: Service
metadata: {name: {{ .Release.Name }}-{{ .Chart.Name }}, namespace: {{ .Release.Namespace }}}
spec:
  selector: {app: {{ .Chart.Name }}}
  ports: [{name: grpc, port: {{ .Values.port }}}]
`,
		})
}

// parentChart writes a chart folder whose two dependencies come from a
// chart repository and an OCI registry; nothing is vendored.
func parentChart(t *testing.T, repoURL, ociURL string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "parent")
	ch := helmtest.Chart("parent", "1.0.0", map[string]any{"leaf": map[string]any{"port": 4318}}, map[string]string{
		"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-parent}\ndata: {a: b}\n",
	},
		&chart.Dependency{Name: "leaf", Version: "~1.2.0", Repository: repoURL},
		&chart.Dependency{Name: "oleaf", Version: "0.3.0", Repository: ociURL},
	)
	if err := chartutil.SaveDir(ch, filepath.Dir(dir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func objectIDs(set source.Set) []string {
	var out []string
	for _, o := range set.Objects {
		out = append(out, o.Kind+" "+o.Namespace+"/"+o.Name+" "+o.Origin.File)
	}
	return out
}

func TestDependenciesFromRepositoryAndRegistry(t *testing.T) {
	repo := helmtest.ServeRepo(t, appChart("leaf", "1.1.0"), appChart("leaf", "1.2.3"), appChart("leaf", "2.0.0"))
	reg := helmtest.ServeRegistry(t, appChart("oleaf", "0.3.0"))
	dir := parentChart(t, repo.URL, reg.URL())
	before, _ := os.ReadDir(dir)
	remote := Remote{
		RepositoryConfig: filepath.Join(t.TempDir(), "repositories.yaml"), // none: both are unmanaged, as in most charts
		RepositoryCache:  t.TempDir(),
		RegistryConfig:   filepath.Join(t.TempDir(), "config.json"),
		PlainHTTP:        true,
	}
	set, err := Render(Chart{Path: dir, Release: "r", Namespace: "apps", Remote: remote})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Deployment apps/r-leaf chart/parent/charts/leaf/templates/deploy.yaml",
		"Service apps/r-leaf chart/parent/charts/leaf/templates/svc.yaml",
		"Deployment apps/r-oleaf chart/parent/charts/oleaf/templates/deploy.yaml",
		"Service apps/r-oleaf chart/parent/charts/oleaf/templates/svc.yaml",
		"ConfigMap apps/r-parent chart/parent/templates/cm.yaml",
	}
	if got := objectIDs(set); !reflect.DeepEqual(got, want) {
		t.Fatalf("objects:\n got %q\nwant %q", got, want)
	}
	// ~1.2.0 picks 1.2.3, as helm dependency build resolves it; the
	// parent's values reach the subchart.
	js := string(set.Objects[0].JSON)
	if !strings.Contains(js, "app:1.2.3") {
		t.Errorf("leaf version: %s", js)
	}
	if !strings.Contains(string(set.Objects[1].JSON), "4318") {
		t.Errorf("parent values not applied to the subchart: %s", set.Objects[1].JSON)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("the chart folder was written to: %d entries before, %d after", len(before), len(after))
	}

	// The network off: both servers stop; offline the cache still renders
	// the same objects, and online the failure says the cache would serve.
	repo.Close()
	reg.Close()
	off := remote
	off.Offline = true
	again, err := Render(Chart{Path: dir, Release: "r", Namespace: "apps", Remote: off})
	if err != nil {
		t.Fatalf("offline: %v", err)
	}
	if !reflect.DeepEqual(objectIDs(again), want) || string(again.Objects[0].JSON) != js {
		t.Errorf("offline render differs: %q", objectIDs(again))
	}
	// An empty cache offline fails clearly instead of rendering less.
	empty := off
	empty.RepositoryCache = t.TempDir()
	if _, err := Render(Chart{Path: dir, Remote: empty}); err == nil || !strings.Contains(err.Error(), "leaf") {
		t.Errorf("offline with an empty cache: %v", err)
	}
}

func TestChartFromRepositoryAndRegistry(t *testing.T) {
	leaf := appChart("leaf", "1.2.3")
	repo := helmtest.ServeRepo(t, appChart("leaf", "1.1.0"), leaf)
	reg := helmtest.ServeRegistry(t, appChart("oleaf", "0.3.0"))
	cache := t.TempDir()
	remote := Remote{
		RepositoryConfig: helmtest.RepositoriesFile(t, map[string]string{"loop": repo.URL}),
		RepositoryCache:  cache,
		RegistryConfig:   filepath.Join(t.TempDir(), "config.json"),
		PlainHTTP:        true,
	}
	helmtest.RepoUpdate(t, "loop", repo.URL, cache)

	// The same chart rendered directly from its archive is the reference.
	direct, err := Render(Chart{Path: filepath.Join(repo.Dir, "leaf-1.2.3.tgz"), ValueFiles: nil, Set: []string{"port=9"}, Namespace: "apps"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []Chart{
		{Path: "loop/leaf", Version: "1.2.3"},
		{Path: "leaf", Version: "1.2.3", RepoURL: repo.URL},
		{Path: "leaf", RepoURL: repo.URL}, // latest
	} {
		c.Set, c.Namespace, c.Remote = []string{"port=9"}, "apps", remote
		got, err := Render(c)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		if !sameObjects(got, direct) {
			t.Errorf("%s %s: differs from rendering the archive:\n%q\n%q", c.Path, c.Version, objectIDs(got), objectIDs(direct))
		}
	}
	oci, err := Render(Chart{Path: reg.URL() + "/oleaf", Version: "0.3.0", Namespace: "apps", Remote: remote})
	if err != nil {
		t.Fatal(err)
	}
	if len(oci.Objects) != 2 || oci.Objects[0].Name != "oleaf-oleaf" {
		t.Errorf("oci: %q", objectIDs(oci))
	}

	repo.Close()
	reg.Close()
	remote.Offline = true
	for _, c := range []Chart{{Path: "loop/leaf", Version: "1.2.3"}, {Path: reg.URL() + "/oleaf", Version: "0.3.0"}} {
		c.Set, c.Namespace, c.Remote = []string{"port=9"}, "apps", remote
		if _, err := Render(c); err != nil {
			t.Errorf("offline %s: %v", c.Path, err)
		}
	}
	remote.Offline = false
	if _, err := Render(Chart{Path: "loop/leaf", Version: "1.2.3", Remote: remote}); err == nil || !strings.Contains(err.Error(), "--offline") {
		t.Errorf("network off, online: %v (want a hint at --offline)", err)
	}
}

func sameObjects(a, b source.Set) bool {
	if len(a.Objects) != len(b.Objects) {
		return false
	}
	for i := range a.Objects {
		x, y := a.Objects[i], b.Objects[i]
		if x.Kind != y.Kind || x.Namespace != y.Namespace || x.Name != y.Name || string(x.JSON) != string(y.JSON) {
			return false
		}
	}
	return true
}
