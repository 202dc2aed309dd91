package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
)

// TestJSONStreamIsEncoding: the streamed result is byte for byte what
// encoding the whole value writes, with and without all pairs.
func TestJSONStreamIsEncoding(t *testing.T) {
	data := synth.Cluster(synth.Shape{Namespaces: 12, WorkloadsPerNS: 3})
	for _, opt := range []analysis.Options{{}, {AllPairs: true}} {
		inv := inventory.Build(source.Parse("s.yaml", data), "default")
		res := analysis.Run(inv, opt)
		for _, r := range []analysis.Result{res, {}} {
			var got, want bytes.Buffer
			if err := JSON(&got, r); err != nil {
				t.Fatal(err)
			}
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			_ = enc.Encode(r)
			if got.String() != want.String() {
				t.Fatalf("streamed JSON differs from encoding:\n%s\nwant\n%s", got.String()[:min(2000, got.Len())], want.String()[:min(2000, want.Len())])
			}
		}
	}
}

// TestJSONAllPairs: the all-pairs section is valid JSON and holds the
// namespace matrix under allPairs.namespaces.
func TestJSONAllPairs(t *testing.T) {
	inv := inventory.Build(source.Parse("s.yaml", synth.Cluster(synth.Shape{Namespaces: 12, WorkloadsPerNS: 3})), "default")
	res := analysis.Run(inv, analysis.Options{})
	res.AllPairs = analysis.RunAllPairs(mesh.New(inv), nil)
	var buf bytes.Buffer
	if err := JSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var got struct {
		AllPairs struct {
			FailingPairs int `json:"failingPairs"`
			Namespaces   struct {
				Names   []string  `json:"names"`
				Failing [][]int32 `json:"failing"`
			} `json:"namespaces"`
		} `json:"allPairs"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, buf.String())
	}
	sum := 0
	for _, r := range got.AllPairs.Namespaces.Failing {
		for _, n := range r {
			sum += int(n)
		}
	}
	if got.AllPairs.FailingPairs == 0 || sum != got.AllPairs.FailingPairs || len(got.AllPairs.Namespaces.Names) != 13 {
		t.Fatalf("matrix sums to %d of %d failing pairs over %d namespaces", sum, got.AllPairs.FailingPairs, len(got.AllPairs.Namespaces.Names))
	}
}
