package check_test

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// TestOTLPInjectionUnresolved reads its cases with -n staging: objects
// without a namespace, Operator resources included, land there.
func TestOTLPInjectionUnresolved(t *testing.T) {
	scenario.Run(t, "testdata/otlp-injection-unresolved", "..", func(t *testing.T, c scenario.Case) {
		res := analysis.Run(inventory.Build(c.Set, "staging"), analysis.Options{})
		for _, f := range c.Sections["findings"] {
			scenario.CheckFinding(t, res, f)
		}
		for _, w := range c.Sections["want"] {
			scenario.CheckEdge(t, res, w)
		}
	})
}
