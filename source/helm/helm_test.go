package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
)

const (
	javaChart   = "testdata/common-charts/apps/java-service"
	otelChart   = "testdata/common-charts/infra/monitoring/otel-collector"
	istioChart  = "testdata/common-charts/infra/istio-security"
	appValues   = "testdata/staging/values/values.yaml"
	istioValues = "testdata/staging/values/values-istio-security.yaml"
)

// seedCharts are the seed incident's three releases, as ArgoCD installs them.
func seedCharts(otelSet ...string) []Chart {
	return []Chart{
		{Path: istioChart, ValueFiles: []string{istioValues}, Namespace: "istio-system"},
		{Path: javaChart, ValueFiles: []string{appValues}, Namespace: "staging-webs"},
		{Path: otelChart, Set: otelSet, Namespace: "monitoring"},
	}
}

func renderAll(t *testing.T, charts []Chart) source.Set {
	t.Helper()
	var set source.Set
	start := time.Now()
	for _, c := range charts {
		s, err := Render(c)
		if err != nil {
			t.Fatal(err)
		}
		set.Add(s)
	}
	t.Logf("rendered %d charts (%d objects) in %s", len(charts), len(set.Objects), time.Since(start))
	if len(set.Problems) > 0 {
		t.Fatalf("problems: %v", set.Problems)
	}
	return set
}

func ids(set source.Set) []string {
	var out []string
	for _, o := range set.Objects {
		out = append(out, fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name))
	}
	sort.Strings(out)
	return out
}

func edge(t *testing.T, res analysis.Result, client, server string) verdict.Edge {
	t.Helper()
	for _, e := range res.Edges {
		if e.Client.Namespace+"/"+e.Client.Workload == client &&
			fmt.Sprintf("%s.%s:%d", e.Server.Service, e.Server.Namespace, e.Server.Port) == server {
			return e
		}
	}
	t.Fatalf("no edge %s -> %s in %d edges", client, server, len(res.Edges))
	return verdict.Edge{}
}

// TestSeedFromCharts reproduces the seed incident from the charts alone:
// the same objects as examples/seed, and the failing 4317 edge.
func TestSeedFromCharts(t *testing.T) {
	set := renderAll(t, seedCharts())
	seed, err := source.ReadPaths([]string{"../../examples/seed"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(ids(set), "\n"), strings.Join(ids(seed), "\n"); got != want {
		t.Errorf("charts render\n%s\nwant the objects of examples/seed\n%s", got, want)
	}
	res := analysis.Run(inventory.Build(set, "default"), analysis.Options{})
	for _, app := range []string{"auth-guard", "order-core", "queue", "seat"} {
		e := edge(t, res, "staging-webs/"+app, "otel-collector.monitoring:4317")
		if e.Outcome != verdict.Fail {
			t.Errorf("%s -> collector:4317 = %s, want fail (cause: %s)", app, e.Outcome, e.Cause)
		}
		for _, ref := range e.DecidedBy {
			if !strings.HasPrefix(ref.File, "chart/") {
				t.Errorf("decided by %s, want a chart template origin", ref.File)
			}
		}
	}
	// The seed's fix, switched on in the collector chart, makes it pass.
	fixed := renderAll(t, seedCharts("mtlsException.enabled=true"))
	res = analysis.Run(inventory.Build(fixed, "default"), analysis.Options{})
	if e := edge(t, res, "staging-webs/auth-guard", "otel-collector.monitoring:4317"); e.Outcome != verdict.OK {
		t.Errorf("after the fix: %s, want ok (cause: %s)", e.Outcome, e.Cause)
	}
}

// TestOriginsAndNamespaces: lines are those of the rendered template
// (what `helm template --show-only` prints), counted from 1.
func TestOriginsAndNamespaces(t *testing.T) {
	set := renderAll(t, seedCharts())
	want := map[string]string{
		"Deployment staging-webs/auth-guard":      "chart/java-service/templates/deployment.yaml:3",
		"Deployment staging-webs/order-core":      "chart/java-service/templates/deployment.yaml:39",
		"Service staging-webs/seat":               "chart/java-service/templates/service.yaml:39",
		"PeerAuthentication istio-system/default": "chart/istio-security/templates/peerauthentication.yaml:2",
		"Namespace /monitoring":                   "chart/istio-security/templates/namespaces.yaml:15",
		"Service monitoring/otel-collector":       "chart/otel-collector/charts/opentelemetry-collector/templates/service.yaml:1",
	}
	got := map[string]string{}
	for _, o := range set.Objects {
		got[fmt.Sprintf("%s %s/%s", o.Kind, o.Namespace, o.Name)] = o.Origin.String()
		if strings.Contains(o.Origin.File, "NOTES") || strings.Contains(o.Name, "test-connection") {
			t.Errorf("%s: NOTES.txt and test hooks are not objects", o.Origin)
		}
	}
	for id, origin := range want {
		if got[id] != origin {
			t.Errorf("%s: origin %q, want %q", id, got[id], origin)
		}
	}
	// The java-service templates name no namespace: the release's is written in.
	for _, o := range set.Objects {
		if o.Kind == "Service" && o.Name == "seat" && !strings.Contains(string(o.JSON), `"namespace":"staging-webs"`) {
			t.Errorf("namespace not written into the object: %s", o.JSON)
		}
	}
}

func TestValuesOrderAndSetAndRelease(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.yaml")
	b := filepath.Join(dir, "b.yaml")
	os.WriteFile(a, []byte("apps: [{name: one}]\notel: {collectorEndpoint: http://a:4317}\n"), 0o644)
	os.WriteFile(b, []byte("otel: {collectorEndpoint: http://b:4317}\n"), 0o644)
	set, err := Render(Chart{Path: javaChart, ValueFiles: []string{a, b}, Set: []string{"port=9090"}})
	if err != nil {
		t.Fatal(err)
	}
	js := string(set.Objects[0].JSON)
	for _, want := range []string{`"value":"http://b:4317"`, `"containerPort":9090`, `"namespace":"default"`} {
		if !strings.Contains(js, want) {
			t.Errorf("missing %s in %s", want, js)
		}
	}
	// Release name drives the collector chart's names and instance label.
	set, err = Render(Chart{Path: otelChart, Release: "otel", Set: []string{"opentelemetry-collector.fullnameOverride="}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(set); !contains(got, "Service default/otel-opentelemetry-collector") {
		t.Errorf("release name not used: %v", got)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestPackagedChart(t *testing.T) {
	ch, err := loader.Load(javaChart)
	if err != nil {
		t.Fatal(err)
	}
	tgz, err := chartutil.Save(ch, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	set, err := Render(Chart{Path: tgz, ValueFiles: []string{appValues}, Namespace: "staging-webs"})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 8 || set.Objects[0].Origin.File != "chart/java-service/templates/deployment.yaml" {
		t.Errorf("packaged chart: %d objects, first at %v", len(set.Objects), set.Objects[0].Origin)
	}
}

func TestErrorsNameChartAndTemplate(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "broken", "templates"), 0o755)
	os.WriteFile(filepath.Join(dir, "broken", "Chart.yaml"), []byte("apiVersion: v2\nname: broken\nversion: 0.1.0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "broken", "templates", "cm.yaml"), []byte("kind: ConfigMap\n{{ .Values.x.y.z }}\n"), 0o644)
	_, err := Render(Chart{Path: filepath.Join(dir, "broken")})
	if err == nil || !strings.Contains(err.Error(), "chart broken") || !strings.Contains(err.Error(), "broken/templates/cm.yaml") {
		t.Errorf("error = %v, want chart and template named", err)
	}
	// A dependency that is declared but not vendored.
	os.WriteFile(filepath.Join(dir, "broken", "Chart.yaml"), []byte("apiVersion: v2\nname: broken\nversion: 0.1.0\ndependencies: [{name: redis, version: 1.0.0, repository: https://example.com}]\n"), 0o644)
	// Offline, with an empty cache: never the internet from a test.
	offline := Remote{Offline: true, RepositoryCache: t.TempDir(), RepositoryConfig: filepath.Join(dir, "none.yaml")}
	if _, err := Render(Chart{Path: filepath.Join(dir, "broken"), Remote: offline}); err == nil || !strings.Contains(err.Error(), "redis") {
		t.Errorf("missing dependency: %v", err)
	}
	if _, err := Render(Chart{Path: filepath.Join(dir, "nope")}); err == nil {
		t.Error("missing chart: no error")
	}
	if _, err := Render(Chart{Path: javaChart, ValueFiles: []string{"http://example.com/values.yaml"}}); err == nil {
		t.Error("remote values file: no error")
	}
}
