package analysis_test

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// TestScenarios runs every testdata/scenarios/*.txtar through the whole
// pipeline with all pairs. The archive comment names the rule (spec section
// or Istio task step); "use:" paths are relative to the repository root;
// "want" holds edge expectations and "findings" codes that must (or, with
// "!", must not) be reported — see package scenario for the syntax.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata/scenarios", "..", func(t *testing.T, c scenario.Case) {
		inv := inventory.Build(c.Set, "default")
		ports := servicePorts(inv)
		res := analysis.Run(inv, analysis.Options{AllPairs: true})
		for _, w := range c.Sections["want"] {
			scenario.CheckEdge(t, res, w)
		}
		for _, f := range c.Sections["findings"] {
			scenario.CheckFinding(t, res, f)
		}
		checkPairCounts(t, res, ports)
	})
}

// checkPairCounts: below MaxPairs every pair is an edge, so the pairs the
// classes count failing are exactly the pairs with a failing edge.
func checkPairCounts(t *testing.T, res analysis.Result, ports map[string]bool) {
	t.Helper()
	if res.Summary.FailingPairs == nil || res.AllPairs != nil {
		return
	}
	failing := map[string]bool{}
	for _, e := range res.Edges {
		if e.Outcome == verdict.Fail && ports[fmt.Sprintf("%s/%s:%d", e.Server.Namespace, e.Server.Service, e.Server.Port)] {
			failing[fmt.Sprintf("%s/%s/%s → %s/%s:%d", e.Client.Namespace, e.Client.Kind, e.Client.Workload, e.Server.Namespace, e.Server.Service, e.Server.Port)] = true
		}
	}
	if got := *res.Summary.FailingPairs; got != len(failing) {
		t.Errorf("summary.failingPairs = %d, but %d pairs have a failing edge: %v", got, len(failing), slices.Sorted(maps.Keys(failing)))
	}
}

// servicePorts is ns/service:port of every Kubernetes Service port: the
// pairs' servers (ServiceEntry hosts are edges, not pairs).
func servicePorts(inv *inventory.Inventory) map[string]bool {
	out := map[string]bool{}
	for _, s := range inv.Services {
		if s.External != nil {
			continue
		}
		for _, p := range s.Spec.Ports {
			out[fmt.Sprintf("%s/%s:%d", s.Namespace, s.Name, p.Port)] = true
		}
	}
	return out
}
