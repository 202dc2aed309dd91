package analysis_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

func readSeed(t *testing.T, paths ...string) source.Set {
	t.Helper()
	set, err := source.ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func edgeNames(r analysis.Result) []string {
	var out []string
	for _, e := range r.Edges {
		out = append(out, e.Client.Namespace+"/"+e.Client.Workload+" → "+e.Server.Namespace+"/"+e.Server.Service+" "+string(e.Outcome))
	}
	return out
}

// -n is what to judge: the edges whose client or server is in the
// namespace, decided by everything read.
func TestScopeJudgesEdgesTouchingTheNamespace(t *testing.T) {
	inv := inventory.Build(readSeed(t, "../examples/seed"), "default")
	for _, tc := range []struct {
		scope analysis.Scope
		edges int
	}{
		{analysis.Scope{}, 6},
		{analysis.Namespaces("staging-webs"), 6},
		{analysis.Namespaces("monitoring"), 4}, // the clients calling into it
		{analysis.Namespaces("istio-system"), 0},
	} {
		r := analysis.Run(inv, analysis.Options{Scope: tc.scope})
		if len(r.Edges) != tc.edges || r.Summary.Edges != tc.edges {
			t.Errorf("%v: %d edges %v", tc.scope.Namespaces, len(r.Edges), edgeNames(r))
		}
		if tc.edges == 4 && r.Summary.Failing != 4 {
			t.Errorf("monitoring: %v", edgeNames(r))
		}
		for _, f := range r.Findings {
			if f.Code == "MD0402" && tc.scope.Namespaces != nil && tc.scope.Namespaces[0] == "istio-system" {
				t.Errorf("istio-system: finding about staging-webs: %s", f.Message)
			}
		}
	}
}

// Local objects over the live state: every edge they can change.
func TestLocalChangesScope(t *testing.T) {
	live := readSeed(t, "../examples/seed")
	for i := range live.Objects {
		live.Objects[i].Origin.File = "cluster:" + live.Objects[i].Kind
	}
	for _, tc := range []struct {
		name, yaml string
		want       []string // nil: every namespace
	}{
		{"a DR in monitoring for its collector", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: otel, namespace: monitoring}
spec: {host: otel-collector.monitoring.svc.cluster.local, trafficPolicy: {tls: {mode: DISABLE}}}
`, []string{"monitoring"}},
		{"a DR in staging-webs for the collector", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: otel, namespace: staging-webs}
spec: {host: otel-collector.monitoring.svc.cluster.local}
`, []string{"monitoring", "staging-webs"}},
		{"a wildcard DR", `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: all, namespace: monitoring}
spec: {host: "*.local"}
`, nil},
		{"a root-namespace policy", `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: PERMISSIVE}}
`, nil},
	} {
		set := live
		set.Objects = slices.Clone(live.Objects)
		set.Add(source.Parse("fix.yaml", []byte(tc.yaml)))
		got := analysis.LocalChanges(inventory.Build(set, "default"))
		if !slices.Equal(got.Namespaces, tc.want) || got.All() != (tc.want == nil) {
			t.Errorf("%s: scope %v, want %v", tc.name, got.Namespaces, tc.want)
		}
	}
	// The seed's fix lives in monitoring; the edges it repairs start in staging-webs.
	fix, err := os.ReadFile("../examples/seed-fix/destinationrule.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set := live
	set.Objects = slices.Clone(live.Objects)
	set.Add(source.Parse("fix.yaml", fix))
	inv := inventory.Build(set, "default")
	r := analysis.Run(inv, analysis.Options{Scope: analysis.LocalChanges(inv)})
	if len(r.Edges) != 4 || r.Summary.Failing != 0 || !strings.HasPrefix(r.Edges[0].Client.Namespace, "staging-webs") {
		t.Errorf("with the fix: %v", edgeNames(r))
	}
}
