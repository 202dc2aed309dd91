package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// pairsOnlyResult is testdata/pairs-only.yaml as analyze --all-pairs
// reports a mesh beyond analysis.MaxPairs: the declared edge works, the
// pairs are judged by class — legacy's sidecar-less clients fail into
// STRICT, ghost's (a namespace not in the inputs) are unknown.
func pairsOnlyResult(t *testing.T) analysis.Result {
	t.Helper()
	set, err := source.ReadPaths([]string{"testdata/pairs-only.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	inv := inventory.Build(set, "default")
	r := analysis.Run(inv, analysis.Options{})
	r.AllPairs = analysis.RunAllPairs(mesh.New(inv), nil)
	r.Summary.Pairs, r.Summary.FailingPairs = &r.AllPairs.Pairs, &r.AllPairs.FailingPairs
	if r.Summary.Failing != 0 || r.AllPairs.FailingPairs == 0 || r.AllPairs.UnknownPairs == 0 {
		t.Fatalf("fixture: want no failing edge, failing and unknown pairs; got %+v, %d failing, %d unknown pairs",
			r.Summary, r.AllPairs.FailingPairs, r.AllPairs.UnknownPairs)
	}
	return r
}

// TestTextPairsAtScale: each cause says how its pairs split within and
// across namespaces and names its largest class pair as such; unknown
// causes give the example pair's alternatives; the heaviest namespace
// pairs are listed.
func TestTextPairsAtScale(t *testing.T) {
	r := pairsOnlyResult(t)
	var b bytes.Buffer
	if err := Text(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "pairs-only.txt", b.Bytes())
	out := b.String()
	for _, want := range []string{
		"; 10 pairs judged, 4 failing\n",
		"  FAIL 4 pairs (all across namespaces), in 1 class pair\n",
		"All pairs: 10 pairs judged by class (3 client classes × 1 Service-port class): 4 failing, 2 unknown\n",
		"      largest:   4 pairs across namespaces, from a class of 2 clients (legacy/batch (Deployment), legacy/cron (Deployment)) to a class of 2 Service ports (pay/api:8080, shop/web:8080)\n",
		"      client:    sends unknown — namespace ghost is not in the inputs",
		"      if:        not judged per alternative for pairs at this scale",
		"Namespace pairs with the most failing (then unknown) pairs, client namespace → Service namespace:\n",
		"  ghost → pay: 0 failing, 1 unknown\n",
		"  legacy → pay: 2 failing\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "(across namespaces; ") {
		t.Error("the example's class sizes must not read as the group's")
	}
}

// TestMarkdownPairsAtScale: pairs that fail where no declared edge does
// make the headline a failure, and the body lists them by cause with the
// heaviest namespace pairs; undecided pairs are no all-clear either.
func TestMarkdownPairsAtScale(t *testing.T) {
	r := pairsOnlyResult(t)
	var b bytes.Buffer
	if err := Markdown(&b, r, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	golden(t, "pairs-only.md", b.Bytes())
	out := b.String()
	for _, want := range []string{
		"## meshdoctor: ❌ 4 of 10 pairs fail; declared edges: no edge fails\n",
		"**10** judged by class (3 client classes × 1 Service-port class): **4 failing**, 2 unknown",
		"### Failing and undecided pairs by cause",
		"<summary>❌ <b>4 pairs</b> fail this way (all across namespaces, in 1 class pair)",
		"<summary>❔ <b>2 pairs</b> are undecided this way",
		"- **Example pair:** legacy/batch → api.pay:8080, decided by:\n  - PeerAuthentication `istio-system/default` — `testdata/pairs-only.yaml:7`",
		"| legacy | pay | 2 | 0 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	// Below analysis.MaxPairs every pair is an edge of the table.
	small := r
	small.AllPairs = nil
	b.Reset()
	if err := Markdown(&b, small, MarkdownOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "All pairs (every workload × Service port): 10 judged, each an edge in the table: 4 failing."; !strings.Contains(b.String(), want) {
		t.Errorf("markdown lacks %q", want)
	}
	for _, c := range []struct {
		failing, unknown int
		want             string
	}{
		{0, 2, "## meshdoctor: ❔ no edge or pair fails for certain; 2 of 10 pairs undecided"},
		{0, 0, "## meshdoctor: ✅ no edge or pair fails (10 pairs judged)"},
	} {
		ap := *r.AllPairs
		ap.FailingPairs, ap.UnknownPairs, ap.Causes, ap.Groups = c.failing, c.unknown, nil, nil
		r2 := r
		r2.AllPairs = &ap
		b.Reset()
		if err := Markdown(&b, r2, MarkdownOptions{}); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(b.String(), "\n"); first != c.want {
			t.Errorf("%d failing, %d unknown pairs: %q, want %q", c.failing, c.unknown, first, c.want)
		}
	}
}

// TestSARIFPairsAtScale: failing pairs are results at error level (a
// code-scanning gate fails on them as on failing edges), one per cause,
// with the counts, located at the example pair's deciding policy; the log
// still validates.
func TestSARIFPairsAtScale(t *testing.T) {
	r := pairsOnlyResult(t)
	var buf bytes.Buffer
	if err := SARIF(&buf, r, SARIFOptions{ToolVersion: "0.0.0-test"}); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := loadSARIFSchema(t).Validate(inst); err != nil {
		t.Fatalf("SARIF does not validate: %v\n%s", err, buf.String())
	}
	var log struct {
		Runs []struct {
			Results []struct {
				RuleID, Level string
				Message       struct{ Text string }
				Locations     []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	var errors, undecided int
	for _, res := range log.Runs[0].Results {
		switch {
		case res.RuleID == "MD0101" && res.Level == "error":
			errors++
			want := "4 pairs (of 10 judged, every workload × Service port) fail this way (all across namespaces, in 1 class pair): plaintext"
			if !strings.HasPrefix(res.Message.Text, want) || !strings.Contains(res.Message.Text, "Example: Deployment legacy/batch → api.pay.svc.cluster.local:8080.") {
				t.Errorf("failing pairs' message: %q", res.Message.Text)
			}
			if len(res.Locations) != 1 || res.Locations[0].PhysicalLocation.ArtifactLocation.URI != "testdata/pairs-only.yaml" || res.Locations[0].PhysicalLocation.Region.StartLine != 7 {
				t.Errorf("failing pairs located at %+v, want the PeerAuthentication at testdata/pairs-only.yaml:7", res.Locations)
			}
		case res.RuleID == "MD0102" && strings.HasPrefix(res.Message.Text, "2 pairs"):
			undecided++
		}
	}
	if errors != 1 || undecided != 1 {
		t.Errorf("want one error result for the failing pairs and one for the undecided, got %d and %d:\n%s", errors, undecided, buf.String())
	}
}
