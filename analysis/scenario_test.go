package analysis_test

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// TestScenarios runs every testdata/scenarios/*.txtar through the whole
// pipeline with all pairs. The archive comment names the rule (spec section
// or Istio task step); "use:" paths are relative to the repository root;
// "want" holds edge expectations and "findings" codes that must (or, with
// "!", must not) be reported — see package scenario for the syntax.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata/scenarios", "..", func(t *testing.T, c scenario.Case) {
		res := analysis.Run(inventory.Build(c.Set, "default"), analysis.Options{AllPairs: true})
		for _, w := range c.Sections["want"] {
			scenario.CheckEdge(t, res, w)
		}
		for _, f := range c.Sections["findings"] {
			scenario.CheckFinding(t, res, f)
		}
	})
}
