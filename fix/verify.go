package fix

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/diff"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/telemetry"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// compare runs the model on the patched set and diffs it against st.
func (st *state) compare(patched source.Set) (diff.Report, analysis.Result) {
	return st.compareInv(inventory.Build(patched, st.defNS))
}

// compareInv is compare on the patched set's inventory.
func (st *state) compareInv(inv *inventory.Inventory) (diff.Report, analysis.Result) {
	after := analysis.Run(inv, analysis.Options{NoAlternatives: true})
	return diff.Compare(st.result, after, st.ports, analysis.Ports(inv)), after
}

func (st *state) verify(t *Target, c Candidate) Verification {
	patched := inventory.Build(Apply(st.set, st.defNS, c.Changes), st.defNS)
	d, after := st.compareInv(patched)
	v := Verification{Fixes: []string{}, Breaks: keys(d.StartFailing), Weakened: keys(d.LostMTLS),
		Strengthened: keys(d.GainedMTLS), PlaintextPorts: []string{}, Changed: len(d.Changed)}
	fixed := map[string]bool{}
	afterEdges := map[string]verdict.Edge{}
	for _, e := range after.Edges {
		afterEdges[e.Key()] = e
	}
	for _, ch := range d.StopFailing {
		if strings.HasPrefix(ch.After, "ok") {
			fixed[ch.Edge] = true
			v.Fixes = append(v.Fixes, ch.Edge)
		}
		if strings.HasPrefix(ch.After, string(verdict.Unknown)) {
			// Not still failing: the fix did its part and the model cannot
			// say more without the missing fact. Not fixed either.
			fixed[ch.Edge] = true
			v.Undecided = append(v.Undecided, ch.Edge+": "+ch.Cause)
			// The mesh layer is decided: mutual TLS there counts for the
			// ranking as it would on an edge that works.
			if e := afterEdges[ch.Edge]; e.ClientSends == mesh.SendsIstioMTLS || e.ClientSends == mesh.SendsHBONE {
				v.Strengthened = append(v.Strengthened, ch.Edge)
			}
		}
		if strings.HasSuffix(ch.After, "mTLS") {
			v.Strengthened = append(v.Strengthened, ch.Edge)
		}
	}
	for _, p := range d.Ports {
		if p.Weakens {
			v.PlaintextPorts = append(v.PlaintextPorts, fmt.Sprintf("%s: %s → %s", p.Port, p.Before, p.After))
		}
	}
	for _, e := range t.Edges {
		if k := e.Key(); !fixed[k] {
			v.StillFailing = append(v.StillFailing, k)
		}
	}
	v.Unjudged = st.unjudged(patched)
	// A change is redundant when the model says the object has no effect.
	for _, f := range after.Findings {
		if f.Code != check.PANoEffect.Code {
			continue
		}
		for _, ch := range c.Changes {
			if ch.Kind == f.Object.Kind && ch.Namespace == f.Object.Namespace && ch.Name == f.Object.Name {
				v.Redundant = append(v.Redundant, fmt.Sprintf("%s %s/%s: %s", ch.Kind, ch.Namespace, ch.Name, f.Message))
			}
		}
	}
	return v
}

// Outcome of applying the top option of every failing target, in turn.
type Outcome struct {
	Changes []Change `json:"changes"`
	// Applied names the chosen candidate per target.
	Applied []string `json:"applied"`
	// Unfixed lists targets no candidate could fix without breaking another edge.
	Unfixed []string `json:"unfixed"`
	// Undecided lists edges the chosen changes take from failing to unknown.
	Undecided []string `json:"undecided,omitempty"`
	// Result is the model's verdict on the input with every change applied.
	Result diff.Report `json:"result"`
}

// TopChanges applies, target by target, the best candidate that fixes it and
// breaks nothing, re-planning after each so later fixes see earlier ones.
func TopChanges(set source.Set, defNS string, f Filter) Outcome {
	var out Outcome
	cur := set
	skipped := map[string]bool{}
	for round := 0; round < 64; round++ {
		plans := PlanAll(cur, defNS, f)
		var chosen *Candidate
		var target string
		for _, p := range plans {
			if skipped[p.Target] {
				continue
			}
			for i := range p.Candidates {
				c := p.Candidates[i]
				if f.NewObjectsOnly && !newObjectsOnly(c) {
					continue
				}
				if len(c.Verification.Breaks) == 0 && len(c.Verification.StillFailing) == 0 {
					chosen, target = &c, p.Target
					break
				}
			}
			if chosen == nil {
				skipped[p.Target] = true
				out.Unfixed = append(out.Unfixed, p.Target)
				continue
			}
			break
		}
		if chosen == nil {
			break
		}
		out.Applied = append(out.Applied, fmt.Sprintf("%s: %s — %s", target, chosen.Strategy, chosen.Title))
		out.Undecided = append(out.Undecided, chosen.Verification.Undecided...)
		out.Changes = merge(out.Changes, chosen.Changes)
		cur = Apply(set, defNS, out.Changes)
	}
	out.Result, _ = newState(set, defNS, f.Scope).compare(cur)
	return out
}

func keys(cs []diff.EdgeChange) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.Edge)
	}
	return out
}

// merge keeps the latest change per object key, in first-seen order.
func merge(acc, more []Change) []Change {
	at := map[string]int{}
	for i, c := range acc {
		at[c.Key()] = i
	}
	for _, c := range more {
		if i, ok := at[c.Key()]; ok {
			if strings.HasPrefix(c.Replaces, "fix:") {
				// Still replaces the original input (or is still new).
				c.Replaces, c.original = acc[i].Replaces, acc[i].original
			}
			acc[i] = c
			continue
		}
		at[c.Key()] = len(acc)
		acc = append(acc, c)
	}
	return acc
}

// newObjectsOnly: every change creates an object (what a chart's templates
// folder can hold); replacements and deletions belong to other templates.
// Extending an object an earlier fix created still creates it.
func newObjectsOnly(c Candidate) bool {
	for _, ch := range c.Changes {
		if ch.Action != "apply" || ch.Replaces != "" && !strings.HasPrefix(ch.Replaces, "fix:") {
			return false
		}
	}
	return true
}

// Undecided counts the edges of f's scope that the inputs leave unknown,
// and how many of those fail under some alternative: where nothing fails,
// "nothing to fix" must not read as an all-clear.
func Undecided(set source.Set, defNS string, f Filter) (unknown, mayFail int) {
	s := analysis.Run(inventory.Build(set, defNS), analysis.Options{Scope: f.Scope}).Summary
	return s.Unknown, s.UnknownMayFail
}

// unjudged lists the exports of workloads that have no sidecar now and get
// one in after, toward an address that names no Service in the inputs: the
// model judged no edge for them before (the app's bytes left as they were)
// and cannot judge the sidecar's (no server to judge it against).
func (st *state) unjudged(after *inventory.Inventory) []string {
	am := mesh.New(after)
	gained := map[string]bool{}
	for _, w := range after.Workloads {
		if am.Proxy(w).Kind != mesh.ProxySidecar {
			continue
		}
		if b := st.inv.Workload(w.Kind, w.Namespace, w.Name); b != nil && st.model.Proxy(b).Kind != mesh.ProxySidecar {
			gained[w.Key()] = true
		}
	}
	if len(gained) == 0 {
		return nil
	}
	var out []string
	for _, l := range telemetry.Build(after).Links {
		if l.Local || l.Service != nil || !gained[l.Sender.Workload.Key()] {
			continue
		}
		out = append(out, fmt.Sprintf("%s %s → %s:%d (%s): its export would leave through the new sidecar, and %s names no Service in the inputs, so no edge can be judged (under an ISTIO_MUTUAL DestinationRule toward a server without a sidecar it fails as the target did)",
			l.Sender.Workload.Kind, l.Sender.Workload.Key(), l.Host, l.Port, l.SignalList(), l.Host))
	}
	return out
}
