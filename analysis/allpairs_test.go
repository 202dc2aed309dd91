package analysis

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// pairByPair judges every workload × Service port on its own: the
// reference the classes must agree with, cell by namespace cell.
func pairByPair(m *mesh.Model) (pairs int, cells map[[2]string][2]int) {
	cells = map[[2]string][2]int{}
	for _, w := range m.Inv.Workloads {
		for _, s := range m.Inv.Services {
			if s.External != nil {
				continue
			}
			for _, p := range s.Spec.Ports {
				pairs++
				o := outcomeOf(verdict.Evaluate(m, edges.Candidate{Client: w, Service: s, Port: p, Sources: []string{"all-pairs"}}))
				c := cells[[2]string{w.Namespace, s.Namespace}]
				switch o {
				case verdict.Fail:
					c[0]++
				case verdict.Unknown:
					c[1]++
				}
				if c != [2]int{} {
					cells[[2]string{w.Namespace, s.Namespace}] = c
				}
			}
		}
	}
	return pairs, cells
}

func checkClasses(t *testing.T, name string, data []byte) {
	t.Helper()
	inv := inventory.Build(source.Parse(name, data), "default")
	want, wantCells := pairByPair(mesh.New(inv))
	got := RunAllPairs(mesh.New(inv), nil)
	gotCells := map[[2]string][2]int{}
	for _, a := range got.Namespaces.Names {
		for _, b := range got.Namespaces.Names {
			if f, u := got.Namespaces.Cell(a, b); f+u > 0 {
				gotCells[[2]string{a, b}] = [2]int{f, u}
			}
		}
	}
	if got.Pairs != want || fmt.Sprint(gotCells) != fmt.Sprint(wantCells) {
		t.Fatalf("%s: classes judged %d pairs, %v (failing, unknown per namespace pair); pair by pair %d, %v\n%s", name, got.Pairs, gotCells, want, wantCells, data)
	}
	// Every failing and unknown pair is in one group and its cause: the
	// report lists them by cause (self pairs were counted but not grouped).
	groups, causes := map[verdict.Outcome]int{}, map[verdict.Outcome]int{}
	for _, g := range got.Groups {
		groups[got.Causes[g.Cause].Outcome] += g.Pairs
	}
	for _, c := range got.Causes {
		causes[c.Outcome] += c.Pairs
	}
	for o, n := range map[verdict.Outcome]int{verdict.Fail: got.FailingPairs, verdict.Unknown: got.UnknownPairs} {
		if groups[o] != n || causes[o] != n {
			t.Fatalf("%s: %d %s pairs, but the groups hold %d and the causes %d\n%s", name, n, o, groups[o], causes[o], data)
		}
	}
}

// TestAllPairsClassesMatchPairByPair is the property: on random meshes, the
// class result equals judging each pair on its own.
func TestAllPairsClassesMatchPairByPair(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 60
	}
	for seed := range n {
		r := rand.New(rand.NewPCG(uint64(seed), 18))
		checkClasses(t, fmt.Sprintf("seed%d.yaml", seed), synth.Random(r))
	}
}

// TestAllPairsSynth: the generator's mesh, with every level of policy.
func TestAllPairsSynth(t *testing.T) {
	data := synth.Cluster(synth.Shape{Namespaces: 40, WorkloadsPerNS: 4})
	checkClasses(t, "synth.yaml", data)
	got := RunAllPairs(mesh.New(inventory.Build(source.Parse("synth.yaml", data), "default")), nil)
	if len(got.ClientClasses) >= 40*4 || got.FailingPairs == 0 {
		t.Fatalf("want fewer classes than workloads and failing pairs: %d client classes, %d failing", len(got.ClientClasses), got.FailingPairs)
	}
}

// TestAllPairsAtScaleAlternativesJudgeListedEdges: beyond MaxPairs the edges
// listed are the declared ones, and so are the edges judged again under
// each alternative. Without Namespace objects every edge has alternatives;
// they judged every pair of the mesh once per assumption set (400
// workloads: 3 GB and 24 s). Allocation volume is the measure, not time.
func TestAllPairsAtScaleAlternativesJudgeListedEdges(t *testing.T) {
	inv := inventory.Build(source.Parse("nons.yaml", synth.WithoutKind(synth.Cluster(synth.Shape{Namespaces: 20, WorkloadsPerNS: 20}), "Namespace")), "default")
	if Pairs(inv) <= MaxPairs {
		t.Fatalf("want a mesh beyond MaxPairs, got %d pairs", Pairs(inv))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := Run(inv, Options{AllPairs: true})
	runtime.ReadMemStats(&after)
	if r.AllPairs == nil || r.Summary.Unknown == 0 {
		t.Fatalf("want pairs judged by class and unknown declared edges (no namespace labels): %+v", r.Summary)
	}
	withAlternatives := 0
	for _, e := range r.Edges {
		if e.Alternatives != nil {
			withAlternatives++
		}
	}
	if withAlternatives == 0 {
		t.Fatal("want the declared edges judged under each alternative")
	}
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 500 {
		t.Fatalf("Run allocated %d MB for %d workloads: the alternatives judge more than the listed edges", mb, len(inv.Workloads))
	}
}
