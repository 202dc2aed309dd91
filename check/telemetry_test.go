package check_test

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// TestTelemetryChecks runs the telemetry package's scenarios through the
// whole pipeline. The archive comment holds "findings:" lines, "CODE [object
// name]" that must be reported ("!CODE [name]" that must not), and "want:"
// lines "<ns>/<client> -> <service>.<ns>:<port> <outcome>".
func TestTelemetryChecks(t *testing.T) {
	scenario.Run(t, "../telemetry/testdata", "..", func(t *testing.T, c scenario.Case) {
		res := analysis.Run(inventory.Build(c.Set, "default"), analysis.Options{})
		for _, f := range c.Sections["findings"] {
			scenario.CheckFinding(t, res, f)
		}
		for _, w := range c.Sections["want"] {
			scenario.CheckEdge(t, res, w)
		}
	})
}
