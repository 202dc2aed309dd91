package edges_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/source/kustomize"
	"github.com/meshdoctor/meshdoctor/verdict"
)

var update = flag.Bool("update", false, "rewrite testdata/realworld/*.golden")

const rw = "../../shared/realworld"

// input is one real deployment under one overlay.
type input struct {
	name   string
	ns     string   // -n
	paths  []string // files and folders, in order
	charts []helm.Chart
	kust   []string
	// check asserts what the issue asks of this overlay, beyond the golden file.
	check func(t *testing.T, r analysis.Result)
}

func (in input) read(t *testing.T) *inventory.Inventory {
	t.Helper()
	var set source.Set
	if len(in.paths) > 0 {
		s, err := source.ReadPaths(in.paths, nil)
		if err != nil {
			t.Fatal(err)
		}
		set.Add(s)
	}
	for _, c := range in.charts {
		s, err := helm.Render(c)
		if err != nil {
			t.Fatal(err)
		}
		set.Add(s)
	}
	for _, k := range in.kust {
		s, err := kustomize.Build(k)
		if err != nil {
			t.Fatal(err)
		}
		set.Add(s)
	}
	if len(set.Problems) > 0 {
		t.Fatalf("input problems: %v", set.Problems)
	}
	// Later inputs replace earlier objects of the same kind/namespace/name (overlays).
	return inventory.Build(set, in.ns)
}

// TestRealWorldTelemetry pins every edge of the published OpenTelemetry
// deployments (issue 14): the demo's Kubernetes manifest and Helm chart, the
// opentelemetry-collector chart with two apps, and Istio's OpenTelemetry
// sample, each under the overlays the issue names. Golden files hold one
// line per edge; each overlay also asserts its rule.
func TestRealWorldTelemetry(t *testing.T) {
	if _, err := os.Stat(rw); err != nil {
		t.Skipf("skipping: %s is absent (the shared real-world inputs are beside the repository)", rw)
	}
	k8s := rw + "/otel-demo-k8s/input"
	ov := func(names ...string) []string {
		out := []string{k8s}
		for _, n := range names {
			out = append(out, rw+"/otel-demo-k8s/overlays/"+n+".yaml")
		}
		return out
	}
	chart := func(values map[string]any) helm.Chart {
		return helm.Chart{Path: rw + "/otel-demo-chart/opentelemetry-demo", Release: "opentelemetry-demo", Namespace: "otel-demo", Values: values}
	}
	noSidecar := map[string]any{"opentelemetry-collector": map[string]any{"podLabels": map[string]any{"sidecar.istio.io/inject": "false"}}}
	demoNS := "testdata/realworld/otel-demo-namespace.yaml"
	collector := helm.Chart{Path: rw + "/otel-collector-chart/opentelemetry-collector", Release: "otel", Namespace: "monitoring",
		ValueFiles: []string{rw + "/otel-collector-chart/opentelemetry-collector/ci/deployment-values.yaml"}}
	istio := rw + "/istio-otel-sample"
	provider := "testdata/realworld/istio-mesh-otel-provider.yaml"
	for _, in := range []input{
		{name: "otel-demo-k8s-no-policy", ns: "otel-demo", paths: ov(), check: demoNoPolicy},
		{name: "otel-demo-k8s-strict", ns: "otel-demo", paths: ov("10-inject-namespace", "20-mesh-strict"), check: allMutualTLS},
		{name: "otel-demo-k8s-collector-no-sidecar", ns: "otel-demo", paths: ov("10-inject-namespace", "20-mesh-strict", "30-collector-no-sidecar"), check: collectorNoSidecar("otel-collector", true)},
		{name: "otel-demo-k8s-dr-istio-mutual", ns: "otel-demo", paths: ov("10-inject-namespace", "20-mesh-strict", "30-collector-no-sidecar", "40-dr-star-local-istio-mutual"), check: drIstioMutual("otel-collector")},
		{name: "otel-demo-chart-no-policy", ns: "otel-demo", charts: []helm.Chart{chart(nil)}, paths: []string{demoNS}, check: demoNoPolicy},
		{name: "otel-demo-chart-strict", ns: "otel-demo", charts: []helm.Chart{chart(nil)}, paths: []string{rw + "/otel-demo-k8s/overlays/10-inject-namespace.yaml", rw + "/otel-demo-k8s/overlays/20-mesh-strict.yaml"}, check: allMutualTLS},
		{name: "otel-demo-chart-collector-no-sidecar", ns: "otel-demo", charts: []helm.Chart{chart(noSidecar)}, paths: []string{rw + "/otel-demo-k8s/overlays/10-inject-namespace.yaml", rw + "/otel-demo-k8s/overlays/20-mesh-strict.yaml"}, check: collectorNoSidecar("otel-collector", true)},
		{name: "otel-demo-chart-dr-istio-mutual", ns: "otel-demo", charts: []helm.Chart{chart(noSidecar)}, paths: []string{rw + "/otel-demo-k8s/overlays/10-inject-namespace.yaml", rw + "/otel-demo-k8s/overlays/20-mesh-strict.yaml", rw + "/otel-demo-k8s/overlays/40-dr-star-local-istio-mutual.yaml"}, check: drIstioMutual("otel-collector")},
		{name: "otel-collector-chart-apps", ns: "monitoring", charts: []helm.Chart{collector}, paths: []string{rw + "/otel-collector-chart/overlays/apps-staging.yaml"}, check: collectorChartApps},
		{name: "otel-collector-chart-apps-strict-dr", ns: "monitoring", charts: []helm.Chart{collector}, paths: []string{rw + "/otel-collector-chart/overlays/apps-staging.yaml", rw + "/otel-collector-chart/overlays/mesh-strict-dr.yaml"}, check: drIstioMutual("otel-opentelemetry-collector")},
		{name: "istio-otel-sample-collector-no-sidecar", ns: "default", kust: []string{istio + "/kustomize"}, paths: []string{istio + "/overlays/mesh-strict.yaml", provider}, check: all(collectorNoSidecar("opentelemetry-collector", false), proxyEdges)},
		{name: "istio-otel-sample-collector-no-sidecar-dr", ns: "default", kust: []string{istio + "/kustomize"}, paths: []string{istio + "/overlays/mesh-strict.yaml", istio + "/overlays/dr-star-local-istio-mutual.yaml", provider}, check: all(drIstioMutual("opentelemetry-collector"), proxyEdges)},
		{name: "istio-otel-sample-collector-sidecar", ns: "default", kust: []string{"testdata/realworld/istio-otel-sidecar"}, paths: []string{istio + "/overlays/mesh-strict.yaml", istio + "/overlays/dr-star-local-istio-mutual.yaml", provider}, check: all(allMutualTLS, proxyEdges)},
	} {
		t.Run(in.name, func(t *testing.T) {
			res := analysis.Run(in.read(t), analysis.Options{})
			golden(t, in.name, render(res))
			in.check(t, res)
		})
	}
}

// render is one line per edge, then the exit status analyze would give.
func render(r analysis.Result) string {
	var b strings.Builder
	for _, e := range r.Edges {
		srv := fmt.Sprintf("%s.%s:%d", e.Server.Service, e.Server.Namespace, e.Server.Port)
		if e.Server.Subset != "" {
			srv += "@" + e.Server.Subset
		}
		line := fmt.Sprintf("%-7s %s/%s -> %s (%s) %s→%s", e.Outcome, e.Client.Namespace, e.Client.Workload, srv, e.Server.Workload, e.ClientSends, e.ServerAccepts)
		if e.MTLS {
			line += " mtls"
		}
		if e.Category != "" {
			line += " " + string(e.Category)
		}
		if e.Telemetry {
			line += " otlp"
			if e.OTLP != nil {
				line += " " + strings.Join(e.OTLP.Protocols, ",")
			}
		}
		for _, a := range e.Alternatives {
			o := string(a.Outcome)
			if a.MTLS {
				o += " mtls"
			}
			line += fmt.Sprintf(" [%s if %s]", o, strings.Join(a.Assume, "; "))
		}
		b.WriteString(line + "\n")
	}
	exit := 0
	if r.Summary.Failing > 0 || r.Summary.Errors > 0 {
		exit = 1
	}
	fmt.Fprintf(&b, "exit %d: %d edges, %d failing, %d unknown, %d mutual TLS, %d errors\n", exit, r.Summary.Edges, r.Summary.Failing, r.Summary.Unknown, r.Summary.MTLS, r.Summary.Errors)
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "realworld", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./edges/ -run TestRealWorldTelemetry -update)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./edges/ -run TestRealWorldTelemetry -update):\n%s", path, diffLines(string(want), got))
	}
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var out []string
	for _, l := range w {
		if !slices.Contains(g, l) {
			out = append(out, "- "+l)
		}
	}
	for _, l := range g {
		if !slices.Contains(w, l) {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}

// toCollector reports whether the edge is an export to the named collector.
func toCollector(e verdict.Edge, name string) bool { return e.Server.Service == name && e.Telemetry }

func fromCollector(e verdict.Edge, name string) bool {
	return strings.HasPrefix(e.Client.Workload, name) && e.Server.Service != name
}

// demoNoPolicy: the demo works as published — nothing fails, exit 0, and the
// exporter → collector edges (17 or more), the collector → backend edges and
// the app → app edges from *_ADDR and host/port pairs are all there.
func demoNoPolicy(t *testing.T, r analysis.Result) {
	if r.Summary.Failing > 0 || r.Summary.Errors > 0 {
		t.Errorf("the demo works as published, yet %d edges fail and %d error findings", r.Summary.Failing, r.Summary.Errors)
	}
	count := func(f func(verdict.Edge) bool) int {
		n := 0
		for _, e := range r.Edges {
			if f(e) {
				n++
			}
		}
		return n
	}
	if n := count(func(e verdict.Edge) bool { return toCollector(e, "otel-collector") }); n < 17 {
		t.Errorf("%d exporter → collector edges, want 17 or more", n)
	}
	if n := count(func(e verdict.Edge) bool { return fromCollector(e, "otel-collector") }); n < 3 {
		t.Errorf("%d collector → backend edges, want the jaeger, prometheus and opensearch exporters at least", n)
	}
	for _, want := range []string{"checkout -> cart:8080", "frontend -> ad:8080", "cart -> flagd:8013", "frontend-proxy -> flagd:8013"} {
		client, server, _ := strings.Cut(want, " -> ")
		svc, port, _ := strings.Cut(server, ":")
		if count(func(e verdict.Edge) bool {
			return e.Client.Workload == client && e.Server.Service == svc && fmt.Sprint(e.Server.Port) == port && e.Outcome == verdict.OK
		}) == 0 {
			t.Errorf("no ok edge %s", want)
		}
	}
}

// allMutualTLS: with injection and mesh-wide STRICT every edge is mutual TLS
// (an edge left unknown only for an undetermined OTLP protocol still sends istio mTLS).
func allMutualTLS(t *testing.T, r analysis.Result) {
	for _, e := range r.Edges {
		if e.Outcome == verdict.Fail || e.ClientSends != "istio-mtls" || e.Outcome == verdict.OK && !e.MTLS {
			t.Errorf("%s/%s → %s:%d: %s, sends %s, mtls %v (%s)", e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port, e.Outcome, e.ClientSends, e.MTLS, e.Cause)
		}
	}
}

// collectorNoSidecar: the collector has no sidecar under STRICT — its own
// calls to STRICT backends fail plaintext-to-tls; the apps reach it in
// plaintext (auto mTLS sees no sidecar there).
func collectorNoSidecar(name string, backends bool) func(*testing.T, analysis.Result) {
	return func(t *testing.T, r analysis.Result) {
		in, out := 0, 0
		for _, e := range r.Edges {
			switch {
			case toCollector(e, name):
				in++
				if e.Outcome == verdict.Fail || e.ClientSends != "plaintext" && e.ClientSends != "unknown" {
					t.Errorf("app → collector %s/%s: %s, sends %s, want plaintext and not failing (%s)", e.Client.Namespace, e.Client.Workload, e.Outcome, e.ClientSends, e.Cause)
				}
			case fromCollector(e, name) && e.Server.Proxy == "sidecar":
				out++
				if e.Outcome != verdict.Fail || e.Category != "plaintext-to-tls" {
					t.Errorf("collector → %s:%d: %s %s, want fail plaintext-to-tls", e.Server.Host, e.Server.Port, e.Outcome, e.Category)
				}
			}
		}
		if in == 0 {
			t.Error("no app → collector edge")
		}
		if backends && out == 0 {
			t.Error("no collector → sidecar backend edge")
		}
	}
}

// drIstioMutual: a *.local ISTIO_MUTUAL DestinationRule makes the apps'
// sidecars originate istio mTLS to the sidecar-less collector: tls-to-plaintext,
// decided by that rule.
func drIstioMutual(name string) func(*testing.T, analysis.Result) {
	return func(t *testing.T, r analysis.Result) {
		n := 0
		for _, e := range r.Edges {
			if !toCollector(e, name) || e.Client.Proxy != "sidecar" {
				continue
			}
			n++
			byRule := slices.ContainsFunc(e.DecidedBy, func(ref inventory.Ref) bool { return ref.Kind == "DestinationRule" && ref.Name == "default-mtls" })
			if e.Outcome != verdict.Fail || e.Category != "tls-to-plaintext" || !byRule {
				t.Errorf("%s/%s → collector:%d: %s %s, decided by the DR: %v, want fail tls-to-plaintext by default-mtls", e.Client.Namespace, e.Client.Workload, e.Server.Port, e.Outcome, e.Category, byRule)
			}
		}
		if n == 0 {
			t.Error("no sidecar app → collector edge")
		}
	}
}

// collectorChartApps: the collector chart in deployment mode with two apps in
// an injected namespace and no policy: both exporters reach it.
func collectorChartApps(t *testing.T, r analysis.Result) {
	n := 0
	for _, e := range r.Edges {
		if toCollector(e, "otel-opentelemetry-collector") {
			n++
			if e.Outcome != verdict.OK {
				t.Errorf("%s → collector:%d: %s (%s)", e.Client.Workload, e.Server.Port, e.Outcome, e.Cause)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d app → collector edges, want 2 (orders grpc :4317, payments http :4318)", n)
	}
}

func all(checks ...func(*testing.T, analysis.Result)) func(*testing.T, analysis.Result) {
	return func(t *testing.T, r analysis.Result) {
		for _, c := range checks {
			c(t, r)
		}
	}
}

// proxyEdges: Istio's own telemetry (issue 14 item 6). The sample's Telemetry
// selects the otel-tracing provider for namespace sample, the root
// namespace's the envoyOtelAls one for every proxy: each helloworld proxy is
// a client of the collector's :4317, with the Telemetry as provenance.
func proxyEdges(t *testing.T, r analysis.Result) {
	for _, w := range []string{"helloworld-v1", "helloworld-v2"} {
		found := false
		for _, e := range r.Edges {
			if e.Client.Workload == w && e.Server.Service == "opentelemetry-collector" && e.Server.Port == 4317 {
				found = true
				if !strings.Contains(e.Source, "Telemetry sample/otel-demo") || !strings.Contains(e.Source, "Telemetry istio-system/mesh-default") {
					t.Errorf("%s → collector: source does not name both Telemetry resources: %s", w, e.Source)
				}
			}
		}
		if !found {
			t.Errorf("no proxy edge %s → opentelemetry-collector:4317", w)
		}
	}
}
