// Package diff compares the model of two inputs edge by edge: edges that
// start or stop failing, lose or gain mutual TLS, and server ports whose
// accepted modes change. It is the pull-request check for GitOps repos.
package diff

import (
	"fmt"
	"sort"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// EdgeChange is one edge whose judgement differs.
type EdgeChange struct {
	Edge   string `json:"edge"`
	Before string `json:"before"`
	After  string `json:"after"`
	// Cause is the after-side cause (why it fails or works now).
	Cause string `json:"cause,omitempty"`
}

// PortChange is a server port whose accepted modes differ.
type PortChange struct {
	Port    string `json:"port"`
	Before  string `json:"before"`
	After   string `json:"after"`
	Weakens bool   `json:"weakens"`
}

// Report is the comparison; every list is sorted.
type Report struct {
	StartFailing []EdgeChange `json:"startFailing"`
	// MayStartFailing are edges that were not failing and are now undecided
	// with a failing possibility (or no short list of them): what the
	// inputs lack decides whether they break, so a gate must not pass them.
	MayStartFailing []EdgeChange `json:"mayStartFailing"`
	StopFailing     []EdgeChange `json:"stopFailing"`
	LostMTLS        []EdgeChange `json:"lostMTLS"`
	GainedMTLS      []EdgeChange `json:"gainedMTLS"`
	// Changed are other edges whose client or server behaviour changes.
	Changed []EdgeChange `json:"changed"`
	Added   []EdgeChange `json:"added"`
	Removed []EdgeChange `json:"removed"`
	Ports   []PortChange `json:"ports"`
	// NewFindings are error and warning findings the change introduces
	// (e.g. an exporter that now speaks the wrong protocol).
	NewFindings []check.Finding `json:"newFindings"`
}

// Breaks reports edges that start failing, or new error findings.
func (r Report) Breaks() bool {
	for _, f := range r.NewFindings {
		if f.Severity == check.Error {
			return true
		}
	}
	return len(r.StartFailing) > 0
}

// MayBreak reports edges that may start failing: undecided after the
// change, with a failing possibility, where they did not fail before.
func (r Report) MayBreak() bool { return len(r.MayStartFailing) > 0 }

// mayFail: failing, or undecided with a failing possibility or with none
// listed (an open-ended missing fact).
func mayFail(e verdict.Edge) bool {
	if e.Outcome == verdict.Fail {
		return true
	}
	if e.Outcome != verdict.Unknown {
		return false
	}
	if len(e.Alternatives) == 0 {
		return true
	}
	for _, a := range e.Alternatives {
		if a.Outcome != verdict.OK {
			return true
		}
	}
	return false
}

// Weakens reports lost mutual TLS or ports that start accepting plaintext.
func (r Report) Weakens() bool {
	for _, p := range r.Ports {
		if p.Weakens {
			return true
		}
	}
	return len(r.LostMTLS) > 0
}

// Empty reports no change at all.
func (r Report) Empty() bool {
	return len(r.StartFailing)+len(r.MayStartFailing)+len(r.StopFailing)+len(r.LostMTLS)+len(r.GainedMTLS)+len(r.Changed)+len(r.Added)+len(r.Removed)+len(r.Ports)+len(r.NewFindings) == 0
}

func state(e verdict.Edge) string {
	s := fmt.Sprintf("%s (%s → %s)", e.Outcome, e.ClientSends, e.ServerAccepts)
	if e.MTLS {
		s += " mTLS"
	}
	return s
}

// Compare diffs two analyses and their port tables.
func Compare(before, after analysis.Result, portsBefore, portsAfter []analysis.PortAcceptance) Report {
	var r Report
	old := map[string]verdict.Edge{}
	for _, e := range before.Edges {
		old[e.Key()] = e
	}
	seen := map[string]bool{}
	for _, e := range after.Edges {
		k := e.Key()
		seen[k] = true
		b, ok := old[k]
		ch := EdgeChange{Edge: k, After: state(e), Cause: e.Cause}
		if !ok {
			ch.Before = "absent"
			r.Added = append(r.Added, ch)
			if e.Outcome == verdict.Fail {
				r.StartFailing = append(r.StartFailing, ch)
			} else if mayFail(e) {
				r.MayStartFailing = append(r.MayStartFailing, ch)
			}
			continue
		}
		ch.Before = state(b)
		switch {
		case !mayFail(b) && e.Outcome == verdict.Unknown && mayFail(e):
			r.MayStartFailing = append(r.MayStartFailing, ch)
		case b.Outcome != verdict.Fail && e.Outcome == verdict.Fail:
			r.StartFailing = append(r.StartFailing, ch)
		case b.Outcome == verdict.Fail && e.Outcome != verdict.Fail:
			r.StopFailing = append(r.StopFailing, ch)
		case b.MTLS && !e.MTLS:
			r.LostMTLS = append(r.LostMTLS, ch)
		case !b.MTLS && e.MTLS:
			r.GainedMTLS = append(r.GainedMTLS, ch)
		case ch.Before != ch.After:
			r.Changed = append(r.Changed, ch)
		}
	}
	for _, b := range before.Edges {
		if k := b.Key(); !seen[k] {
			r.Removed = append(r.Removed, EdgeChange{Edge: k, Before: state(b), After: "absent"})
		}
	}
	r.Ports = comparePorts(portsBefore, portsAfter)
	r.NewFindings = newFindings(before.Findings, after.Findings)
	r.normalize()
	for _, l := range [][]EdgeChange{r.StartFailing, r.MayStartFailing, r.StopFailing, r.LostMTLS, r.GainedMTLS, r.Changed, r.Added, r.Removed} {
		sort.Slice(l, func(i, j int) bool { return l[i].Edge < l[j].Edge })
	}
	return r
}

func comparePorts(before, after []analysis.PortAcceptance) []PortChange {
	was := map[string]analysis.PortAcceptance{}
	for _, p := range before {
		was[p.Key()] = p
	}
	var out []PortChange
	for _, p := range after {
		b, ok := was[p.Key()]
		if !ok || b.Accepts == p.Accepts {
			continue
		}
		out = append(out, PortChange{Port: p.Key(), Before: b.Accepts, After: p.Accepts,
			Weakens: p.AcceptsPlaintext() && !b.AcceptsPlaintext()})
	}
	return out
}

// normalize turns nil lists into empty ones: the JSON says [] rather than null.
func (r *Report) normalize() {
	for _, l := range []*[]EdgeChange{&r.StartFailing, &r.MayStartFailing, &r.StopFailing, &r.LostMTLS, &r.GainedMTLS, &r.Changed, &r.Added, &r.Removed} {
		if *l == nil {
			*l = []EdgeChange{}
		}
	}
	if r.Ports == nil {
		r.Ports = []PortChange{}
	}
	if r.NewFindings == nil {
		r.NewFindings = []check.Finding{}
	}
}

// newFindings lists error and warning findings of after whose code and
// object before lacks (messages name files, which differ between the two).
func newFindings(before, after []check.Finding) []check.Finding {
	key := func(f check.Finding) string {
		return f.Code + "|" + f.Object.Kind + "|" + f.Object.Namespace + "|" + f.Object.Name
	}
	had := map[string]bool{}
	for _, f := range before {
		had[key(f)] = true
	}
	var out []check.Finding
	for _, f := range after {
		if f.Severity != check.Info && f.Code != check.EdgeFails.Code && !had[key(f)] {
			out = append(out, f)
		}
	}
	return out
}
