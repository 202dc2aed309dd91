package check_test

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// TestEdgeUndecidedGrouped: MD0102 is reported once per undecided server and
// reason, not once per client (issue 14 item 7).
func TestEdgeUndecidedGrouped(t *testing.T) {
	c, err := scenario.Load("testdata/edge-undecided/selectorless-all-pairs.txtar", "..")
	if err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(inventory.Build(c.Set, "default"), analysis.Options{AllPairs: true})
	var got []string
	for _, f := range res.Findings {
		if f.Code == "MD0102" && strings.Contains(f.Message, "external-db") {
			got = append(got, f.Message)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "4 clients (") || !strings.Contains(got[0], "and 1 more") {
		t.Errorf("MD0102 for the selector-less Service: %d findings, want one naming 4 clients:\n%s", len(got), strings.Join(got, "\n"))
	}
}
