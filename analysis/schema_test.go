package analysis_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaFile = "testdata/analyze-output.schema.json"

// TestSchemaCopyIsCurrent keeps the vendored contract equal to the spec's.
func TestSchemaCopyIsCurrent(t *testing.T) {
	spec, err := os.ReadFile("../../shared/spec/analyze-output.schema.json")
	if err != nil {
		t.Skip("the spec folder is not beside the repository:", err)
	}
	ours, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(spec, ours) {
		t.Fatal("testdata/analyze-output.schema.json differs from ../shared/spec: copy the spec's version")
	}
}

// TestJSONMatchesSchema validates analyze -o json for the bundled examples
// (failing, passing, and all-pairs) against the public contract.
func TestJSONMatchesSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	f, err := os.Open(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("analyze-output.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("analyze-output.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	// The validator must reject a broken document, or this test proves nothing.
	bad, _ := jsonschema.UnmarshalJSON(strings.NewReader(`{"edges":[{"outcome":"maybe"}],"findings":[]}`))
	if sch.Validate(bad) == nil {
		t.Fatal("schema accepted an invalid document")
	}
	for _, tc := range []struct {
		name  string
		paths []string
		opt   analysis.Options
	}{
		{"seed", []string{"../examples/seed"}, analysis.Options{}},
		{"seed+fix", []string{"../examples/seed", "../examples/seed-fix"}, analysis.Options{}},
		{"seed all pairs", []string{"../examples/seed"}, analysis.Options{AllPairs: true}},
		{"empty", nil, analysis.Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set, err := source.ReadPaths(tc.paths, nil)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := report.JSON(&buf, analysis.Run(inventory.Build(set, "default"), tc.opt)); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if err := sch.Validate(inst); err != nil {
				t.Fatalf("output violates the contract: %v", err)
			}
			var m map[string]any
			_ = json.Unmarshal(buf.Bytes(), &m)
		})
	}
}
