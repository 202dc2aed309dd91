package report

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// seedResult analyzes examples/seed (4 failing OTLP edges, 2 mTLS edges).
func seedResult(t *testing.T, paths ...string) analysis.Result {
	t.Helper()
	if len(paths) == 0 {
		paths = []string{"../examples/seed"}
	}
	set, err := source.ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return analysis.Run(inventory.Build(set, "default"), analysis.Options{})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report/ -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./report/ -update rewrites it); got:\n%s", path, got)
	}
}

func TestGolden(t *testing.T) {
	r := seedResult(t)
	for _, c := range []struct {
		file   string
		render func(*bytes.Buffer) error
	}{
		{"seed.md", func(b *bytes.Buffer) error { return Markdown(b, r, MarkdownOptions{}) }},
		{"seed.dot", func(b *bytes.Buffer) error { return DOT(b, r) }},
		{"seed.mmd", func(b *bytes.Buffer) error { return Mermaid(b, r) }},
	} {
		t.Run(c.file, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := c.render(&a); err != nil {
				t.Fatal(err)
			}
			if err := c.render(&b); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renders of the same result differ")
			}
			golden(t, c.file, a.Bytes())
		})
	}
}

func TestMarkdownCap(t *testing.T) {
	r := seedResult(t)
	var full, capped bytes.Buffer
	if err := Markdown(&full, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	// The seed's four failing edges fail one way: one <details> for the four.
	if !strings.Contains(full.String(), "WRONG_VERSION_NUMBER") || strings.Count(full.String(), "<details>") != 1 || !strings.Contains(full.String(), "<b>4 edges</b> fail this way") {
		t.Fatalf("want one <details> for 4 edges with the symptom:\n%s", full.String())
	}
	if err := Markdown(&capped, r, MarkdownOptions{MaxBytes: 2500}); err != nil {
		t.Fatal(err)
	}
	out := capped.String()
	if len(out) > 2500 {
		t.Errorf("capped report is %d bytes, over 2500", len(out))
	}
	if !strings.Contains(out, "edge details and") || !strings.Contains(out, "omitted") {
		t.Errorf("capped report does not say what it omitted:\n%s", out)
	}
	if strings.Count(out, "<details>") != strings.Count(out, "</details>") {
		t.Errorf("a <details> block was cut in half:\n%s", out)
	}
}

// A cause with few edges is shown beside one with thousands: the report is
// grouped by cause, not cut off after the first cause's edges.
func TestMarkdownEveryCause(t *testing.T) {
	var es []verdict.Edge
	for i := range 3000 {
		es = append(es, verdict.Edge{Client: verdict.Client{Namespace: fmt.Sprintf("ns%d", i), Workload: "app"},
			Server: verdict.Server{Host: "db.data.svc.cluster.local", Port: 5432}, Outcome: verdict.Fail, Cause: "cause A: DestinationRule DISABLE"})
	}
	es = append(es, verdict.Edge{Client: verdict.Client{Namespace: "x", Workload: "y"}, Server: verdict.Server{Host: "q.data.svc.cluster.local", Port: 80},
		Outcome: verdict.Fail, Cause: "cause B: namespace DISABLE"})
	r := analysis.Result{Edges: es, Summary: analysis.Summary{Edges: len(es), Failing: len(es)}}
	var b bytes.Buffer
	if err := Markdown(&b, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "cause A") || !strings.Contains(out, "cause B") || !strings.Contains(out, "<b>3000 edges</b>") {
		t.Errorf("want both causes, the first one for 3000 edges:\n%.3000s", out)
	}
	if len(out) > MarkdownMaxBytes {
		t.Errorf("report is %d bytes, over %d", len(out), MarkdownMaxBytes)
	}
}

func TestGraphPassingExample(t *testing.T) {
	r := seedResult(t, "../examples/seed", "../examples/seed-fix")
	var dot, mmd bytes.Buffer
	if err := DOT(&dot, r); err != nil {
		t.Fatal(err)
	}
	if err := Mermaid(&mmd, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dot.String(), "FAIL") || strings.Contains(mmd.String(), "FAIL") {
		t.Errorf("seed + seed-fix passes, yet the graph draws a failing edge:\n%s", dot.String())
	}
}
