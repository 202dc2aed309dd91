package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/verdict"
)

func TestHTMLSelfContained(t *testing.T) {
	r := seedResult(t)
	// A hostile string in the data must not close the data's <script> element.
	r.Edges[0].Cause += " </script><script>alert(1)</script>"
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if n := strings.Count(strings.ToLower(page), "</script"); n != 3 {
		t.Errorf("page has %d </script tags, want 3 (data, library, app)", n)
	}
	if m := regexp.MustCompile(`(?i)<(script|link|img|iframe)[^>]+(src|href)=`).FindString(page); m != "" {
		t.Errorf("page loads an external resource: %s", m)
	}
	if !strings.Contains(page, "Content-Security-Policy") || !strings.Contains(page, "WRONG_VERSION_NUMBER") {
		t.Error("page lacks its CSP or the embedded data")
	}
	d := pageData(t, page)
	if got := d.Str[d.Edges[0][eCause]]; got != r.Edges[0].Cause {
		t.Errorf("embedded data does not round-trip: cause %q, want %q", got, r.Edges[0].Cause)
	}
}

// pageData decodes the data the page embeds.
func pageData(t *testing.T, page string) htmlData {
	t.Helper()
	start := strings.Index(page, `id="meshdoctor-data">`) + len(`id="meshdoctor-data">`)
	end := strings.Index(page[start:], "</script>")
	var d htmlData
	if err := json.Unmarshal([]byte(page[start:start+end]), &d); err != nil {
		t.Fatalf("embedded data: %v", err)
	}
	return d
}

// TestHTMLInBrowser opens the seed report in headless Chromium, clicks a
// failing edge on the canvas and reads the detail panel.
func TestHTMLInBrowser(t *testing.T) {
	b := startBrowser(t)
	r := seedResult(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "mesh.html")
	var buf bytes.Buffer
	if err := HTML(&buf, r); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("seed page: %d bytes", buf.Len())

	for _, m := range []string{"Network.enable", "Page.enable", "Runtime.enable", "Log.enable"} {
		b.call(t, "", m, map[string]any{}, nil)
	}
	b.call(t, "", "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 860, "deviceScaleFactor": 1, "mobile": false}, nil)
	url := "file://" + filepath.ToSlash(file)
	began := time.Now()
	b.call(t, "", "Page.navigate", map[string]any{"url": url}, nil)
	b.waitFor(t, `document.body && document.body.getAttribute('data-ready') === 'true'`, 15*time.Second)
	t.Logf("seed page rendered in %s", time.Since(began).Round(time.Millisecond))

	// Click the middle of the first failing edge, as a person would.
	var at struct {
		X, Y float64
		ID   string
	}
	// The point is one where the edge, and no other element, is nearest.
	b.eval(t, `(() => { const cy = meshdoctor.cy, r = cy.container().getBoundingClientRect(), pan = cy.pan(), z = cy.zoom();
		for (const e of cy.edges('.fail')) for (const f of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
			const a = e.sourceEndpoint(), b = e.targetEndpoint(), x = a.x + (b.x - a.x) * f, y = a.y + (b.y - a.y) * f;
			const n = cy.renderer().findNearestElement(x, y, true, false);
			if (n && n.id() === e.id()) return {x: x * z + pan.x + r.left, y: y * z + pan.y + r.top, id: e.id()};
		} return {}; })()`, &at)
	if at.ID == "" {
		t.Fatal("no point of a failing edge is clickable")
	}
	b.click(t, at.X, at.Y)
	b.waitFor(t, `document.querySelector('#detail .symptom')`, 5*time.Second)
	var panel string
	b.eval(t, `document.getElementById('detail').innerText`, &panel)
	for _, want := range []string{"WRONG_VERSION_NUMBER", "default-mtls", "istio-security.yaml:13", "Client sends", "istio-mtls", "Server accepts", "plaintext (app, no proxy)", "Cause"} {
		if !strings.Contains(panel, want) {
			t.Errorf("detail panel after clicking %s lacks %q:\n%s", at.ID, want, panel)
		}
	}

	// The search box and the failing-only filter narrow the graph.
	var counts []int
	b.eval(t, `(async () => {
		// Each action ends in a rebuild of the graph (the search box's after
		// its debounce): wait for that, frame by frame, not for a fixed time.
		const out = [], cy = meshdoctor.cy;
		const rebuilt = act => { const n = meshdoctor.builds(); act(); return new Promise(r => { const f = () => meshdoctor.builds() > n ? r() : requestAnimationFrame(f); f(); }); };
		out.push(cy.edges('.fail,.mtls,.plaintext,.unknown').length);
		const f = document.getElementById('failing'); await rebuilt(() => f.click());
		out.push(cy.edges('.mtls').length); await rebuilt(() => f.click());
		const s = document.getElementById('search'); await rebuilt(() => { s.value = 'queue'; s.dispatchEvent(new Event('input')); });
		out.push(cy.edges('.fail,.mtls,.plaintext,.unknown').length);
		await rebuilt(() => { s.value = ''; s.dispatchEvent(new Event('input')); });
		meshdoctor.showEdge(`+at.ID[1:]+`); return out; })()`, &counts)
	fails := 0
	for _, e := range r.Edges {
		if e.Outcome == verdict.Fail {
			fails++
		}
	}
	if len(counts) != 3 || counts[0] != len(r.Edges) || counts[1] != 0 || counts[2] != 2 {
		t.Errorf("edges drawn (all, mTLS under failing-only, matching 'queue') = %v, want [%d 0 2] (%d failing)", counts, len(r.Edges), fails)
	}

	b.screenshot(t, "report-seed.png")

	// No network request at all: the only request is the page's own file.
	for _, ev := range b.eventsNamed("Network.requestWillBeSent") {
		var p struct{ Request struct{ URL string } }
		json.Unmarshal(ev.Params, &p)
		if u := p.Request.URL; u != url && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") {
			t.Errorf("the page requested %s", u)
		}
	}
	if ex := b.eventsNamed("Runtime.exceptionThrown"); len(ex) > 0 {
		t.Errorf("page threw: %s", b.describeEvents("Runtime.exceptionThrown"))
	}
	for _, ev := range b.eventsNamed("Log.entryAdded") {
		if s := string(ev.Params); strings.Contains(s, `"level":"error"`) {
			t.Errorf("browser logged an error: %s", s)
		}
	}
}

// screenshot saves the page as name in $MESHDOCTOR_ARTIFACTS (else a temp dir).
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	var shot struct{ Data string }
	b.call(t, "", "Page.captureScreenshot", map[string]any{"format": "png"}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("MESHDOCTOR_ARTIFACTS")
	if out == "" {
		out = t.TempDir()
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(out, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// TestHTMLDataUnknown: an undecided edge carries its alternatives into the
// page, failures first, one per line; the seed's data is bounded by nothing.
func TestHTMLDataUnknown(t *testing.T) {
	r := seedResult(t, "../examples/seed/apps.yaml", "../examples/seed/otel-collector.yaml", "../examples/seed/istio-security.yaml")
	d := buildHTMLData(r)
	if len(d.Edges) != len(r.Edges) || len(d.Bounds.DroppedEdges) != 0 || d.Bounds.DroppedNSPairs != 0 {
		t.Fatalf("embedded %d of %d edges, dropped %v", len(d.Edges), len(r.Edges), d.Bounds)
	}
	row := d.Edges[0]
	if d.Str[row[eOutcome]] != "unknown" || row[eAlternatives] < 0 {
		t.Fatalf("first edge %s: %s without alternatives", r.Edges[0].ID(), d.Str[row[eOutcome]])
	}
	alt := d.Str[row[eAlternatives]]
	if !strings.HasPrefix(alt, "FAIL (WRONG_VERSION_NUMBER) if namespace monitoring: no istio-injection label") || !strings.Contains(alt, "\nok (mTLS) if ") {
		t.Errorf("alternatives:\n%s", alt)
	}
}
