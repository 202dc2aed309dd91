package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
)

// The markdown headline is an all-clear only when every edge was decided
// and some were judged: the seed without its Namespace objects (every OTLP
// edge undecided, four failing under some alternative) and an input with no
// edge are not a pass.
func TestMarkdownHeadlineNeverFalseAllClear(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    analysis.Result
		want string
	}{
		{"undecided", seedResult(t, "../examples/seed/apps.yaml", "../examples/seed/otel-collector.yaml", "../examples/seed/istio-security.yaml"),
			"## meshdoctor: ❔ no edge fails for certain; 4 of 6 undecided edges fail under some alternative"},
		{"nothing judged", analysis.Result{}, "## meshdoctor: ❔ no edge judged"},
		{"decided", seedResult(t, "../examples/seed", "../examples/seed-fix"), "## meshdoctor: ✅ no edge fails"},
	} {
		var b bytes.Buffer
		if err := Markdown(&b, tc.r, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(b.String(), "\n"); first != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, first, tc.want)
		}
	}
}
