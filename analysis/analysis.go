// Package analysis wires the pipeline once — inventory → mesh model → edges
// → verdicts → checks — so that analyze, explain, fix and diff all judge the
// same way.
package analysis

import (
	"slices"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Result is the output of analyze: the public JSON contract.
type Result struct {
	Edges    []verdict.Edge  `json:"edges"`
	Findings []check.Finding `json:"findings"`
	Summary  Summary         `json:"summary"`
	// AllPairs holds, with --all-pairs on more than MaxPairs pairs, every
	// pair by class (Edges then lists the declared edges only).
	AllPairs *AllPairs `json:"allPairs,omitempty"`
}

// Summary counts what the result holds.
type Summary struct {
	Edges   int `json:"edges"`
	Failing int `json:"failing"`
	Unknown int `json:"unknown"`
	// UnknownMayFail counts the unknown edges that fail under some
	// alternative: the ones to settle first.
	UnknownMayFail int `json:"unknownMayFail"`
	MTLS           int `json:"mtls"`
	Errors         int `json:"errors"`
	Warnings       int `json:"warnings"`
	// Pairs and FailingPairs: with --all-pairs (and only then, when both are
	// present even if 0), the workload × Service-port pairs judged and how
	// many of them fail, however the edges are grouped.
	Pairs        *int `json:"pairs,omitempty"`
	FailingPairs *int `json:"failingPairs,omitempty"`
	// Skipped counts input objects of kinds the model does not read.
	Skipped map[string]int `json:"skipped,omitempty"`
	// SuppressedFindings and FindingsBelowMinSeverity count the findings the
	// output controls took out (-S or the suppress annotation, then
	// --min-severity), so a report never reads cleaner without saying why.
	SuppressedFindings       int `json:"suppressedFindings,omitempty"`
	FindingsBelowMinSeverity int `json:"findingsBelowMinSeverity,omitempty"`
}

// Options tune the run.
type Options struct {
	AllPairs bool
	// Scope limits the edges judged and reported (the zero Scope: all).
	Scope Scope
	// NoAlternatives skips re-judging edges under each value of the facts
	// the inputs lack (fix's candidate checks, where only failing edges count).
	NoAlternatives bool
	// Lean says the caller reads nothing of inv.Input's objects after Run
	// (analyze): when no edge can hang on a missing fact, whose alternatives
	// rebuild the inventory from them, they are released at once.
	Lean bool
}

// Run analyzes an inventory.
func Run(inv *inventory.Inventory, opt Options) Result {
	if opt.Lean && !mayLackFacts(inv) {
		releaseJSON(inv)
	}
	m := mesh.New(inv)
	// Up to MaxPairs pairs each is listed as an edge; beyond, pairs are
	// judged by class and the edges are the declared ones.
	atScale := opt.AllPairs && Pairs(inv) > MaxPairs
	// listed is what is judged edge by edge: at scale, the declared edges
	// only — also under each alternative, which judges the inputs again (it
	// judged every pair per assumption set: 3 GB for 400 workloads).
	listed := opt
	listed.AllPairs = opt.AllPairs && !atScale
	warm := warmUp(m)
	found := opt.Scope.candidates(edges.Discover(inv, edges.Options{AllPairs: listed.AllPairs}))
	<-warm
	es := evaluateAll(m, found.Candidates)
	found.Candidates = nil // judged: no check reads them, and they are 10 MB on the 20k mesh
	if !opt.NoAlternatives {
		alternatives(inv, listed, es)
	}
	verdict.Sort(es)
	fs := opt.Scope.findings(check.Run(m, es, found), es, inv.Mesh.RootNamespace)
	if fs == nil {
		fs = []check.Finding{}
	}
	r := Result{Edges: es, Findings: fs, Summary: Summary{Edges: len(es), Skipped: inv.Skipped}}
	for _, e := range es {
		switch {
		case e.Outcome == verdict.Fail:
			r.Summary.Failing++
		case e.Outcome == verdict.Unknown:
			r.Summary.Unknown++
			if slices.ContainsFunc(e.Alternatives, func(a verdict.Alternative) bool { return a.Outcome == verdict.Fail }) {
				r.Summary.UnknownMayFail++
			}
		case e.MTLS:
			r.Summary.MTLS++
		}
	}
	for _, f := range fs {
		switch f.Severity {
		case check.Error:
			r.Summary.Errors++
		case check.Warning:
			r.Summary.Warnings++
		}
	}
	if len(r.Summary.Skipped) == 0 {
		r.Summary.Skipped = nil
	}
	if opt.AllPairs {
		ap := RunAllPairs(m, opt.Scope.admits)
		ap.countDeclared(inv, es)
		r.Summary.Pairs, r.Summary.FailingPairs = &ap.Pairs, &ap.FailingPairs
		if atScale {
			r.AllPairs = ap
		}
	}
	return r
}

// MaxPairs bounds the per-edge listing of --all-pairs: beyond it every pair
// is still judged, by class, and reported grouped (AllPairs).
const MaxPairs = 200_000

// Pairs counts what --all-pairs would judge: workloads × Service ports.
func Pairs(inv *inventory.Inventory) int {
	ports := 0
	for _, s := range inv.Services {
		ports += len(s.Spec.Ports)
	}
	return len(inv.Workloads) * ports
}

// Problems reports whether the result should make analyze exit 1.
func (r Result) Problems() bool {
	return r.Summary.Failing > 0 || r.Summary.Errors > 0 || (r.Summary.FailingPairs != nil && *r.Summary.FailingPairs > 0)
}
