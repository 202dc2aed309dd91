package analysis

import (
	"fmt"
	"testing"

	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// BenchmarkAnalyze measures the whole pipeline (parse → inventory → model →
// edges → verdicts → checks) on synthetic clusters up to 20,000 workloads.
func BenchmarkAnalyze(b *testing.B) {
	for _, s := range []synth.Shape{{Namespaces: 10, WorkloadsPerNS: 100}, {Namespaces: 50, WorkloadsPerNS: 100}, {Namespaces: 200, WorkloadsPerNS: 100}} {
		data := synth.Cluster(s)
		b.Run(fmt.Sprintf("workloads=%d", s.Workloads()), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				r := Run(inventory.Build(source.Parse("big.yaml", data), "default"), Options{})
				if r.Summary.Edges == 0 {
					b.Fatal("no edges")
				}
			}
		})
	}
}

// TestSynthOutcomes keeps the generator honest: every outcome occurs.
func TestSynthOutcomes(t *testing.T) {
	r := Run(inventory.Build(source.Parse("s.yaml", synth.Cluster(synth.Shape{Namespaces: 7, WorkloadsPerNS: 3})), "default"), Options{})
	if r.Summary.Failing == 0 || r.Summary.MTLS == 0 || r.Summary.Edges == r.Summary.Failing+r.Summary.MTLS {
		t.Fatalf("want failing, mTLS and plaintext-ok edges, got %+v", r.Summary)
	}
}
