package analysis

import (
	"fmt"
	"io"
	"testing"

	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
)

// benchShapes are the three sizes of the scaling table: 1,000, 5,000 and
// 20,000 workloads in namespaces of 20 apps (cmd/gencluster/scaling.sh runs the binary at the same sizes).
var benchShapes = []synth.Shape{{Namespaces: 50, WorkloadsPerNS: 20}, {Namespaces: 250, WorkloadsPerNS: 20}, {Namespaces: 1000, WorkloadsPerNS: 20}}

func forShapes(b *testing.B, f func(b *testing.B, data []byte)) {
	for _, s := range benchShapes {
		data := synth.Cluster(s)
		b.Run(fmt.Sprintf("workloads=%d", s.Workloads()), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			f(b, data)
		})
	}
}

// BenchmarkLoad: YAML split and decode into the inventory.
func BenchmarkLoad(b *testing.B) {
	forShapes(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			inventory.Build(source.Parse("big.yaml", data), "default")
		}
	})
}

// BenchmarkModel: the mesh model and edge discovery on a built inventory.
func BenchmarkModel(b *testing.B) {
	forShapes(b, func(b *testing.B, data []byte) {
		inv := inventory.Build(source.Parse("big.yaml", data), "default")
		for b.Loop() {
			mesh.New(inv)
			edges.Discover(inv, edges.Options{})
		}
	})
}

// BenchmarkDeclared: the whole pipeline of declared edges (parse → inventory
// → model → edges → verdicts → checks).
func BenchmarkDeclared(b *testing.B) {
	forShapes(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			r := Run(inventory.Build(source.Parse("big.yaml", data), "default"), Options{})
			if r.Summary.Edges == 0 {
				b.Fatal("no edges")
			}
		}
	})
}

// BenchmarkAllPairs: every workload × Service-port pair, by class (2,004,002,
// 50,020,002 and 800,080,002 pairs).
func BenchmarkAllPairs(b *testing.B) {
	forShapes(b, func(b *testing.B, data []byte) {
		inv := inventory.Build(source.Parse("big.yaml", data), "default")
		for b.Loop() {
			ap := RunAllPairs(mesh.New(inv), nil)
			b.ReportMetric(float64(ap.Pairs), "pairs")
		}
	})
}

var _ = io.Discard

// TestSynthOutcomes keeps the generator honest: every outcome occurs.
func TestSynthOutcomes(t *testing.T) {
	r := Run(inventory.Build(source.Parse("s.yaml", synth.Cluster(synth.Shape{Namespaces: 18, WorkloadsPerNS: 3})), "default"), Options{})
	if r.Summary.Failing == 0 || r.Summary.MTLS == 0 || r.Summary.Edges == r.Summary.Failing+r.Summary.MTLS {
		t.Fatalf("want failing, mTLS and plaintext-ok edges, got %+v", r.Summary)
	}
}
