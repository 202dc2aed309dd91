package report

import (
	"bufio"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// big20k is the 20,000-workload mesh of issue #18 when it is on this
// machine; otherwise a synthetic mesh of 2,000 workloads stands in.
const big20k = "/tmp/big20k.yaml"

var benchResult = sync.OnceValue(func() analysis.Result {
	path, data := big20k, []byte(nil)
	if b, err := os.ReadFile(big20k); err == nil {
		data = b
	} else {
		path, data = "synth.yaml", synth.Cluster(synth.Shape{Namespaces: 100, WorkloadsPerNS: 20})
	}
	return analysis.Run(inventory.Build(source.Parse(path, data), "default"), analysis.Options{})
})

// BenchmarkJSONResult renders analyze -o json of the whole result.
func BenchmarkJSONResult(b *testing.B) {
	r := benchResult()
	defer reportCPU(b)()
	for b.Loop() {
		if err := JSON(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkJSONEdges renders the edges array alone, by appendEdge and by
// encoding/json plus the indenter (what it replaced).
func BenchmarkJSONEdges(b *testing.B) {
	r := benchResult()
	_, ids := explanations(r.Edges)
	bw := bufio.NewWriterSize(io.Discard, 1<<16)
	b.Run("appender", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			_ = items(bw, "edges", len(r.Edges), func() appender {
				return func(dst []byte, i int) ([]byte, error) { return appendEdge(dst, &r.Edges[i], ids[i]), nil }
			})
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		defer reportCPU(b)()
		for b.Loop() {
			_ = array(bw, "edges", len(r.Edges), func(i int) any { return wireEdge{Edge: r.Edges[i], Explanation: ids[i]} })
		}
	})
}
