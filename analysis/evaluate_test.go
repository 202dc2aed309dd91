package analysis_test

import (
	"reflect"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// TestLeanJudgesAlike: releasing the inputs' JSON changes no edge and no
// finding, and happens only when no edge can hang on a missing fact (the
// seed without its Namespace objects keeps the JSON its alternatives are
// rebuilt from).
func TestLeanJudgesAlike(t *testing.T) {
	for _, tc := range []struct {
		name     string
		set      func() source.Set
		released bool
	}{
		{"seed", func() source.Set { return readSeed(t, "../examples/seed") }, true},
		{"seed without namespaces", func() source.Set {
			return readSeed(t, "../examples/seed/apps.yaml", "../examples/seed/istio-security.yaml", "../examples/seed/otel-collector.yaml")
		}, false},
		{"synth", func() source.Set {
			return source.Parse("s.yaml", synth.Cluster(synth.Shape{Namespaces: 12, WorkloadsPerNS: 3}))
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := analysis.Run(inventory.Build(tc.set(), "default"), analysis.Options{})
			inv := inventory.Build(tc.set(), "default")
			got := analysis.Run(inv, analysis.Options{Lean: true})
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("lean run differs: %+v, want %+v", got.Summary, want.Summary)
			}
			released := true
			for _, o := range inv.Input.Objects {
				released = released && o.JSON == nil
			}
			if released != tc.released {
				t.Fatalf("JSON released: %v, want %v", released, tc.released)
			}
		})
	}
}
