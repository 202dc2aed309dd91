package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
)

// TestJSONStreamIsEncoding: the streamed result is byte for byte what
// encoding its whole wire form writes, with and without all pairs.
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
			_ = enc.Encode(toWire(r))
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

// TestJSONExplanations: each edge names its explanation by index, the table
// tells each once, and resolving the index gives the edge's own texts.
func TestJSONExplanations(t *testing.T) {
	res := analysis.Run(inventory.Build(source.Parse("s.yaml", synth.Cluster(synth.Shape{Namespaces: 12, WorkloadsPerNS: 3})), "default"), analysis.Options{})
	var buf bytes.Buffer
	if err := JSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Edges []struct {
			Cause       *string `json:"cause"`
			Explanation int     `json:"explanation"`
		} `json:"edges"`
		Explanations []Explanation `json:"explanations"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Edges) != len(res.Edges) || len(got.Explanations) == 0 || len(got.Explanations) >= len(got.Edges) {
		t.Fatalf("%d edges, %d explanations", len(got.Edges), len(got.Explanations))
	}
	seen := map[Explanation]bool{}
	for _, x := range got.Explanations {
		if seen[x] {
			t.Fatalf("explanation told twice: %+v", x)
		}
		seen[x] = true
	}
	for i, e := range got.Edges {
		want := Explanation{res.Edges[i].Cause, res.Edges[i].ClientReason, res.Edges[i].ServerReason}
		if e.Cause != nil || got.Explanations[e.Explanation] != want {
			t.Fatalf("edge %d: cause %v, explanation %+v, want %+v", i, e.Cause, got.Explanations[e.Explanation], want)
		}
	}
	back, err := ReadResult(buf.Bytes())
	if err != nil || !reflect.DeepEqual(back.Edges, res.Edges) {
		t.Fatalf("ReadResult does not give the edges back (%v)", err)
	}
	if _, err := ReadResult([]byte(`{"edges":[{"explanation":1}],"explanations":[{}]}`)); err == nil {
		t.Fatal("ReadResult took an explanation index outside the table")
	}
}

// TestAppendIndentIsIndent: the indenter writes what json.Indent writes.
func TestAppendIndentIsIndent(t *testing.T) {
	for _, src := range []string{`{}`, `[]`, `{"a":[],"b":{},"c":[1,{"d":"x\"y\\","e":[[]]}],"f":"{[,:]}"}`, `"s"`, `[{"a":{"b":[1,2]}}]`, `{"u":"\u2028 é"}`} {
		var want bytes.Buffer
		if err := json.Indent(&want, []byte(src), "    ", "  "); err != nil {
			t.Fatal(err)
		}
		if got := string(appendIndent(nil, []byte(src), "    ", "  ")); got != want.String() {
			t.Errorf("%s:\ngot  %s\nwant %s", src, got, want.String())
		}
	}
}

func FuzzAppendIndent(f *testing.F) {
	f.Add(`{"a":[],"b":{"c":"\\\""}}`)
	f.Fuzz(func(t *testing.T, s string) {
		var compact bytes.Buffer
		if json.Compact(&compact, []byte(s)) != nil {
			return
		}
		var want bytes.Buffer
		_ = json.Indent(&want, compact.Bytes(), "  ", "  ")
		if got := string(appendIndent(nil, compact.Bytes(), "  ", "  ")); got != want.String() {
			t.Fatalf("%q:\ngot  %q\nwant %q", compact.String(), got, want.String())
		}
	})
}
