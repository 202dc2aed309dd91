package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestGraphsSayPairs: with pairs judged at scale the DOT and Mermaid
// headers count them and say the graph draws the declared edges only.
func TestGraphsSayPairs(t *testing.T) {
	r := pairsOnlyResult(t)
	want := "all pairs: 10 judged, 4 failing, 2 unknown — the graph draws the declared edges only"
	for name, render := range map[string]func(*bytes.Buffer) error{
		"dot":     func(b *bytes.Buffer) error { return DOT(b, r) },
		"mermaid": func(b *bytes.Buffer) error { return Mermaid(b, r) },
	} {
		var b bytes.Buffer
		if err := render(&b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s lacks %q:\n%s", name, want, b.String())
		}
	}
}

// TestMermaidBounded: 400 edges are more than Mermaid draws by default
// (500 links, 50,000 characters): the failing and unknown edges are drawn
// first and the header says what was left out, by outcome.
func TestMermaidBounded(t *testing.T) {
	r := scaleResult() // 102 failing, 10 unknown, 288 mTLS edges
	var b bytes.Buffer
	if err := Mermaid(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	links := strings.Count(out, "\n  linkStyle ")
	if utf16Len(out) > 50000 || links > 500 {
		t.Errorf("mermaid is %d bytes with %d links; Mermaid's defaults draw up to 50000 characters and 500 links", len(out), links)
	}
	if n := strings.Count(out, "✗ 8080 FAIL"); n != 102 {
		t.Errorf("%d failing edges drawn, want all 102", n)
	}
	if want := "not drawn: 277 of 400 edges (0 failing, 0 unknown, 277 mutual TLS, 0 plaintext), beyond 123 drawn"; !strings.Contains(out, want) {
		t.Errorf("mermaid lacks %q:\n%s", want, out[:min(len(out), 800)])
	}
	b.Reset()
	if err := DOT(&b, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "not drawn") || strings.Count(b.String(), "8080 FAIL") != 102 {
		t.Error("DOT draws up to 2000 edges: all 400 here")
	}
}
