package check_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// TestChecks runs each check's cases, testdata/<check name>/*.txtar,
// through the whole pipeline: "findings:" lines "CODE [object name]" must be
// reported ("!CODE [name]" must not), "want:" lines are edge expectations
// (package scenario), "namespace:" is -n and "options:" may say all-pairs.
//
// It is also the catalogue's coverage test: a check without a folder, or
// whose cases never assert that its code fires, fails here.
func TestChecks(t *testing.T) {
	dirs := map[string]bool{}
	for _, c := range check.All {
		dirs[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			dir := filepath.Join("testdata", c.Name)
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("%s %s has no cases: add %s/<case>.txtar with a manifest that fires it", c.Code, c.Name, dir)
			}
			fires := false
			scenario.Run(t, dir, "..", func(t *testing.T, sc scenario.Case) {
				fires = fires || sc.Expects(c.Code)
				res := analysis.Run(inventory.Build(sc.Set, sc.Namespace()), sc.Options())
				for _, f := range sc.Sections["findings"] {
					scenario.CheckFinding(t, res, f)
				}
				for _, w := range sc.Sections["want"] {
					scenario.CheckEdge(t, res, w)
				}
			})
			if !fires {
				t.Errorf("%s %s: no case in %s asserts that it fires", c.Code, c.Name, dir)
			}
		})
	}
	// A folder for a check that no longer exists would test nothing.
	entries, _ := os.ReadDir("testdata")
	for _, e := range entries {
		if e.IsDir() && !dirs[e.Name()] {
			t.Errorf("testdata/%s names no check", e.Name())
		}
	}
}
