package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
)

// Zero judged edges is not a pass: the text says why none were judged and
// how to judge every pair.
func TestTextNoEdgesSaysAllPairs(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, analysis.Result{}, Style{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "--all-pairs") {
		t.Errorf("no hint for zero edges:\n%s", b.String())
	}
}
