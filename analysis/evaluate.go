package analysis

import (
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/internal/parallel"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// evalBlock is how many candidates are judged between two appends: enough
// to keep every core busy, few enough that their edges are a small copy.
const evalBlock = 2048

// evaluateAll judges every candidate on every core, the edges in candidate
// order (as judging them one by one gives), and clears cs as it goes. Most candidates make one edge,
// so the slice is sized for that and rarely grows.
// What edges repeat — the explanation texts, hosts, the objects that decided
// them, the OTLP summary — is kept once (shared, read-only): on the 20k mesh
// the 60,000 edges held 20 MB of decidedBy and 7 MB of OTLP copies.
func evaluateAll(m *mesh.Model, cs []edges.Candidate) []verdict.Edge {
	es := make([]verdict.Edge, 0, len(cs))
	var in interner
	judgeEach(m, cs, func(i int, judged []verdict.Edge) {
		for j := range judged {
			in.edge(&judged[j])
		}
		es = append(es, judged...)
		// Judged: what the candidate holds beyond the edges' own strings (its
		// OTLP links, hosts, source lists) goes while the rest are judged.
		cs[i] = edges.Candidate{}
	})
	return es
}

// judgeEach judges the candidates on every core, block by block, and hands
// each one's edges to each on the calling goroutine, in candidate order.
// The edges are in a buffer reused for the next block: each copies what it
// keeps. Most candidates make one edge.
func judgeEach(m *mesh.Model, cs []edges.Candidate, each func(i int, judged []verdict.Edge)) {
	per := make([][]verdict.Edge, min(evalBlock, len(cs)))
	for lo := 0; lo < len(cs); lo += evalBlock {
		block := cs[lo:min(lo+evalBlock, len(cs))]
		parallel.For(len(block), func(i int) { per[i] = verdict.EvaluateInto(per[i][:0], m, block[i]) })
		for i := range block {
			each(lo+i, per[i])
		}
	}
}

// warmUp fills the model's caches that judging reads — each workload's
// proxy, each Service's backends — on another core while the edges are
// discovered (one core's work, 0.5 s on the 20k mesh); the channel closes
// when done. The caches are safe on every core; only the timing changes.
func warmUp(m *mesh.Model) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, w := range m.Inv.Workloads {
			m.Proxy(w)
		}
		for _, s := range m.Inv.Services {
			m.Inv.Backends(s)
		}
	}()
	return done
}

// mayLackFacts reports whether an edge can hang on a fact the inputs lack
// (facts.of): a namespace with workloads but no Namespace object, or a kind
// a reader could not see.
func mayLackFacts(inv *inventory.Inventory) bool {
	if len(inv.Input.Unread) > 0 || mesh.AnyMissingGateway(inv) {
		return true
	}
	for _, w := range inv.Workloads {
		if inv.Namespace(w.Namespace) == nil {
			return true
		}
	}
	return false
}

// releaseJSON drops the objects read, decoded into the inventory already:
// on a 20,000-workload mesh their JSON is 26 MB and their headers 8 MB, held
// to the end for nothing. (The caller's Set shares the array, which is
// cleared; the caller reads nothing of it after Run: Options.Lean.)
func releaseJSON(inv *inventory.Inventory) {
	clear(inv.Input.Objects)
	inv.Input.Objects = nil
}
