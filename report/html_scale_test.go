package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// The 20,000-workload mesh of the README's Speed section.
var bigShape = synth.Shape{Namespaces: 1000, WorkloadsPerNS: 20}

// htmlSizeLimit is the bound the README states for that mesh's page.
const htmlSizeLimit = 10 << 20

// bigResults caches the mesh's results, analyzed once per test binary.
var bigResults = map[bool]*analysis.Result{}

func bigResult(t *testing.T, allPairs bool) analysis.Result {
	t.Helper()
	if r := bigResults[allPairs]; r != nil {
		return *r
	}
	set := source.Parse("big.yaml", synth.Cluster(bigShape))
	r := analysis.Run(inventory.Build(set, "default"), analysis.Options{AllPairs: allPairs})
	bigResults[allPairs] = &r
	return r
}

// TestHTMLDataBounds: the page's data, without a browser. Every edge of
// the 20,000-workload mesh is counted in the namespace pairs, failing edges
// are all embedded, the bound drops only working edges and says how many,
// and each embedded row reads back as the edge it stands for.
func TestHTMLDataBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("analyzes the 20,000-workload mesh")
	}
	r := bigResult(t, false)
	d := buildHTMLData(r)
	if len(d.Edges) != htmlMaxEdges || d.Bounds.DroppedEdges["ok"] != len(r.Edges)-htmlMaxEdges || len(d.Bounds.DroppedEdges) != 1 {
		t.Errorf("embedded %d edges, dropped %v; want %d and %d ok", len(d.Edges), d.Bounds.DroppedEdges, htmlMaxEdges, len(r.Edges)-htmlMaxEdges)
	}
	var counted, failing int
	for _, p := range d.NSPairs {
		counted += p[2] + p[3] + p[4] + p[5]
		failing += p[2]
	}
	if counted != len(r.Edges) || failing != r.Summary.Failing || failing == 0 {
		t.Errorf("namespace pairs count %d edges (%d failing), want %d (%d)", counted, failing, len(r.Edges), r.Summary.Failing)
	}
	rowFails := 0
	for _, row := range d.Edges {
		if d.Str[row[eOutcome]] == string(verdict.Fail) {
			rowFails++
		}
	}
	if rowFails != r.Summary.Failing {
		t.Errorf("%d failing edges embedded, want all %d", rowFails, r.Summary.Failing)
	}
	// The first row is the result's first edge, field by field.
	e, row := r.Edges[0], d.Edges[0]
	if d.Str[row[eClientWl]] != e.Client.Workload || d.Str[row[eHost]] != e.Server.Host || row[ePort] != int(e.Server.Port) ||
		d.Str[row[eSymptom]] != e.Symptom || d.Str[row[eCause]] != e.Cause || len(row)-edgeRefs != len(e.DecidedBy) ||
		d.Str[d.Refs[row[edgeRefs]][2]] != e.DecidedBy[0].Name || d.Refs[row[edgeRefs]][4] != e.DecidedBy[0].Line {
		t.Errorf("row 0 does not read back as %s", e.ID())
	}
	// Findings repeat per workload: grouped, each group counted.
	n := d.Bounds.EdgeFailsFindings
	for _, f := range d.Findings {
		n += f.Count
		if len(f.At) > htmlMaxFindingAt {
			t.Errorf("%s lists %d locations", f.Code, len(f.At))
		}
	}
	if n != len(r.Findings) || len(d.Findings) > 10 {
		t.Errorf("%d finding groups count %d findings, want %d in a few groups", len(d.Findings), n, len(r.Findings))
	}
	var a, b bytes.Buffer
	if err := HTML(&a, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two renders of the same result differ")
	}
	if a.Len() > htmlSizeLimit {
		t.Errorf("page is %d bytes, over the %d bound", a.Len(), htmlSizeLimit)
	}
	t.Logf("20,000-workload page: %d bytes", a.Len())
}

// TestHTMLAtScaleInBrowser opens the 20,000-workload report (declared
// edges, and --all-pairs) in headless Chromium: it must be ready in
// seconds, open on the namespace graph with the failing namespace pairs
// drawn, and expand a namespace into its workloads on a click.
func TestHTMLAtScaleInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("analyzes the 20,000-workload mesh")
	}
	b := startBrowser(t)
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable"} {
		b.call(t, "", m, map[string]any{}, nil)
	}
	b.call(t, "", "Emulation.setDeviceMetricsOverride", map[string]any{"width": 1400, "height": 860, "deviceScaleFactor": 1, "mobile": false}, nil)
	for _, allPairs := range []bool{false, true} {
		name := map[bool]string{false: "declared", true: "all-pairs"}[allPairs]
		r := bigResult(t, allPairs)
		var buf bytes.Buffer
		if err := HTML(&buf, r); err != nil {
			t.Fatal(err)
		}
		if buf.Len() > htmlSizeLimit {
			t.Errorf("%s: page is %d bytes, over the %d bound", name, buf.Len(), htmlSizeLimit)
		}
		file := filepath.Join(t.TempDir(), "big.html")
		if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		began := time.Now()
		b.call(t, "", "Page.navigate", map[string]any{"url": "file://" + filepath.ToSlash(file)}, nil)
		b.waitFor(t, `document.body && document.body.getAttribute('data-ready') === 'true'`, 60*time.Second)
		var readyMs, drawnMs int
		b.eval(t, `meshdoctor.readyMs`, &readyMs)
		// Two animation frames after ready: the graph has been painted.
		b.eval(t, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(Math.round(performance.now())))))`, &drawnMs)
		var timing map[string]float64
		b.eval(t, `meshdoctor.timing`, &timing)
		t.Logf("%s: %d bytes; script done %d ms, painted %d ms after navigation began (%s from the navigate command here); script start %.0f, JSON parsed %.0f, hydrated %.0f, cytoscape %.0f, graph %.0f, overview %.0f ms",
			name, buf.Len(), readyMs, drawnMs, time.Since(began).Round(time.Millisecond),
			timing["start"], timing["parsed"], timing["hydrated"], timing["cytoscape"], timing["graph"], timing["overview"])
		if readyMs > 20000 {
			t.Errorf("%s: ready after %d ms, not in seconds", name, readyMs)
		}

		// The namespace graph: every namespace a box, failing pairs as edges.
		var g struct{ Boxes, Pairs, FailPairs, Drawn int }
		b.eval(t, `(() => { const cy = meshdoctor.cy, d = meshdoctor.data;
			return {boxes: cy.nodes('.ns').length, pairs: cy.edges('.nspair').length, failPairs: cy.edges('.nspair.fail').length,
				drawn: d.nsPairs.filter(p => p[2] + p[6] + p[3] + p[7] > 0).length}; })()`, &g)
		want := g.Drawn
		if want > 1000 {
			want = 1000
		}
		if g.Boxes != bigShape.Namespaces+1 || g.Pairs != want || g.FailPairs == 0 {
			t.Errorf("%s: namespace graph has %d boxes and %d pair edges (%d failing), want %d boxes and %d", name, g.Boxes, g.Pairs, g.FailPairs, bigShape.Namespaces+1, want)
		}
		checkLoopsPainted(t, b, name)

		var notice string
		b.eval(t, `document.getElementById('notice').textContent`, &notice)
		if !strings.Contains(notice, "40000 more not embedded") || allPairs && !strings.Contains(notice, "namespace pairs not embedded") {
			t.Errorf("%s: the notice does not say what was left out: %q", name, notice)
		}

		// Click the first failing namespace, as a person would: it opens
		// into its workloads and Services with their edges.
		var at struct {
			X, Y float64
			NS   string
		}
		// (A namespace with failing edges of its own; with --all-pairs the
		// first ones fail by pairs only. Centred first, as a person scrolls.)
		b.eval(t, `(() => { const cy = meshdoctor.cy, d = meshdoctor.data, r = cy.container().getBoundingClientRect();
			const p = d.nsPairs.find(p => p[0] === p[1] && p[2] > 0), n = cy.getElementById('ns:' + d.namespaces[p[0]]);
			cy.center(n); const q = n.renderedPosition(); return {x: q.x + r.left, y: q.y + r.top, ns: n.data('ns')}; })()`, &at)
		b.click(t, at.X, at.Y)
		b.waitFor(t, `meshdoctor.cy.getElementById('ns:`+at.NS+`').hasClass('nsbox')`, 10*time.Second)
		var open struct{ Kids, Edges, Fails int }
		b.eval(t, `(() => { const cy = meshdoctor.cy, box = cy.getElementById('ns:`+at.NS+`');
			const own = cy.edges('.fail,.mtls,.plaintext,.unknown').filter(e => !e.hasClass('agg'));
			return {kids: box.children().length, edges: own.length, fails: own.filter(e => e.hasClass('fail')).length}; })()`, &open)
		wantFails := 0
		for _, e := range r.Edges {
			if e.Outcome == verdict.Fail && e.Client.Namespace == at.NS && e.Server.Namespace == at.NS {
				wantFails++
			}
		}
		if open.Kids == 0 || open.Fails != wantFails || wantFails == 0 {
			t.Errorf("%s: namespace %s expanded into %d nodes and %d edges (%d failing), want its %d failing edges", name, at.NS, open.Kids, open.Edges, open.Fails, wantFails)
		}

		b.screenshot(t, "report-20k-"+name+".png")

		// "expand all" at this size opens the failing namespaces only.
		if !allPairs {
			start := time.Now()
			var ex struct{ Open, Closed int }
			b.eval(t, `(() => { document.getElementById('expand').click(); const cy = meshdoctor.cy;
				return {open: cy.nodes('.nsbox').length, closed: cy.nodes('.ns').length}; })()`, &ex)
			t.Logf("%s: expand all opened %d namespaces in %s", name, ex.Open, time.Since(start).Round(time.Millisecond))
			bad := map[int]bool{}
			for _, p := range buildHTMLData(r).NSPairs {
				if p[2]+p[3]+p[6]+p[7] > 0 {
					bad[p[0]], bad[p[1]] = true, true
				}
			}
			if ex.Open != len(bad) || ex.Closed != bigShape.Namespaces+1-len(bad) {
				t.Errorf("%s: expand all opened %d namespaces and left %d closed; want the %d with failing or unknown edges open", name, ex.Open, ex.Closed, len(bad))
			}
		}
	}
	if ex := b.eventsNamed("Runtime.exceptionThrown"); len(ex) > 0 {
		t.Errorf("page threw: %s", b.describeEvents("Runtime.exceptionThrown"))
	}
}

// loopPaint counts, on the page's own canvases, the pixels a loop edge
// (a namespace pair within one namespace) painted: its two legs above its
// box, in the line's colour, and its label above them, in the label's.
const loopPaint = `(async () => {
	const cy = meshdoctor.cy, W = cy.width(), H = cy.height(), z = cy.zoom(), dpr = devicePixelRatio || 1;
	const frames = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
	// Cross-namespace edges hidden while counting: they may cross a loop's area.
	const others = cy.edges(':simple');
	others.style('visibility', 'hidden');
	await frames();
	const layers = Array.from(cy.container().querySelectorAll('canvas')).map(c => c.getContext('2d'));
	const rgb = s => s.match(/\d+/g).map(Number);
	function count(x1, y1, x2, y2, colour) {
		const c = rgb(colour);
		x1 = Math.max(0, Math.floor(x1 * dpr)); y1 = Math.max(0, Math.floor(y1 * dpr));
		const w = Math.ceil(x2 * dpr) - x1, h = Math.ceil(y2 * dpr) - y1;
		if (w <= 0 || h <= 0) return 0;
		let n = 0;
		for (const g of layers) {
			const d = g.getImageData(x1, y1, w, h).data;
			for (let i = 0; i < d.length; i += 4)
				// Ink: nearer the colour than the white page (text and
				// thin lines are blended with white where antialiased).
				if (d[i + 3] > 100 && Math.abs(d[i] - c[0]) + Math.abs(d[i + 1] - c[1]) + Math.abs(d[i + 2] - c[2]) <
					Math.abs(d[i] - 255) + Math.abs(d[i + 1] - 255) + Math.abs(d[i + 2] - 255)) n++;
		}
		return n;
	}
	const out = {loops: 0, inView: 0, bad: []};
	cy.edges(':loop').forEach(e => {
		out.loops++;
		const box = e.source().renderedBoundingBox({includeLabels: false, includeOverlays: false});
		const line = e.renderedBoundingBox({includeLabels: false, includeOverlays: false});
		const all = e.renderedBoundingBox({includeOverlays: false});
		if (Math.min(box.x1, all.x1, box.y1 - 80 * z) < 0 || Math.max(box.x2, all.x2) > W || box.y2 > H) return; // not in view
		out.inView++;
		const legs = count(line.x1, (line.y1 + line.y2) / 2, line.x2, box.y1 - 1, e.style('line-color'));
		const label = count(all.x1, all.y1, all.x2, line.y1, e.style('color'));
		const px = parseFloat(e.style('font-size')) * z;
		if (legs < 10 || label < 10 || px < 9 || e.style('label') !== e.data('label'))
			out.bad.push(e.id() + ' on ' + e.source().id() + ': ' + legs + ' line pixels above the box, ' + label + ' label pixels, label ' +
				JSON.stringify(e.style('label')) + ' at ' + px.toFixed(1) + ' px');
	});
	others.removeStyle('visibility');
	await frames();
	return out;
})()`

// checkLoopsPainted: every within-namespace pair the page draws is a loop
// painted on its box, with its count label legible at the opening zoom
// (data that holds the loops is not enough: cytoscape silently skips an
// edge whose end it cannot place on the box's border).
func checkLoopsPainted(t *testing.T, b *browser, name string) {
	t.Helper()
	var lp struct {
		Loops, InView int
		Bad           []string
	}
	b.eval(t, loopPaint, &lp)
	t.Logf("%s: %d loops drawn, %d in view, %d not painted", name, lp.Loops, lp.InView, len(lp.Bad))
	if lp.InView == 0 || len(lp.Bad) > 0 {
		t.Errorf("%s: %d of %d loops in view not painted:\n%s", name, len(lp.Bad), lp.InView, strings.Join(lp.Bad, "\n"))
	}
}
