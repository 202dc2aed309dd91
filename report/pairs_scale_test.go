package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
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
