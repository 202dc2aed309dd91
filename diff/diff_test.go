package diff

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/verdict"
)

func edge(client string, outcome verdict.Outcome, mtls bool) verdict.Edge {
	return verdict.Edge{Client: verdict.Client{Namespace: "a", Workload: client, Kind: "Deployment"},
		Server: verdict.Server{Namespace: "b", Service: "s", Port: 80, Workload: "s"}, Outcome: outcome, MTLS: mtls,
		ClientSends: "istio-mtls", ServerAccepts: "istio-mtls"}
}

func TestCompare(t *testing.T) {
	before := analysis.Result{Edges: []verdict.Edge{
		edge("breaks", verdict.OK, true), edge("heals", verdict.Fail, false),
		edge("weakens", verdict.OK, true), edge("gone", verdict.OK, false), edge("same", verdict.OK, true)}}
	after := analysis.Result{Edges: []verdict.Edge{
		edge("breaks", verdict.Fail, false), edge("heals", verdict.OK, true),
		edge("weakens", verdict.OK, false), edge("new", verdict.Fail, false), edge("same", verdict.OK, true)}}
	ports := func(accepts string) []analysis.PortAcceptance {
		return []analysis.PortAcceptance{{Namespace: "b", Workload: "s", Kind: "Deployment", TargetPort: 8080, Accepts: accepts}}
	}
	r := Compare(before, after, ports("istio-mtls"), ports("istio-mtls+plaintext"))
	count := map[string]int{"start": len(r.StartFailing), "stop": len(r.StopFailing), "lost": len(r.LostMTLS),
		"added": len(r.Added), "removed": len(r.Removed), "ports": len(r.Ports), "changed": len(r.Changed)}
	want := map[string]int{"start": 2, "stop": 1, "lost": 1, "added": 1, "removed": 1, "ports": 1, "changed": 0}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("%s = %d, want %d (%+v)", k, count[k], v, r)
		}
	}
	if !r.Breaks() || !r.Weakens() || !r.Ports[0].Weakens {
		t.Errorf("breaks=%v weakens=%v", r.Breaks(), r.Weakens())
	}
	if e := Compare(before, before, ports("x"), ports("x")); !e.Empty() || e.Breaks() || e.Weakens() {
		t.Errorf("an unchanged input must compare empty: %+v", e)
	}
}

// A change that introduces an error finding (say, an agent upgrade that
// switches the OTLP protocol) breaks the check even when no edge moves.
func TestNewErrorFindingBreaks(t *testing.T) {
	f := check.Finding{Code: "MD0701", Severity: check.Error, Object: check.Object{Kind: "Deployment", Namespace: "a", Name: "app"}, Message: "x (old/file.yaml:1)"}
	moved := f
	moved.Message = "x (new/file.yaml:1)"
	r := Compare(analysis.Result{}, analysis.Result{Findings: []check.Finding{f}}, nil, nil)
	if len(r.NewFindings) != 1 || !r.Breaks() {
		t.Fatalf("new error finding: %+v", r)
	}
	if r := Compare(analysis.Result{Findings: []check.Finding{f}}, analysis.Result{Findings: []check.Finding{moved}}, nil, nil); !r.Empty() {
		t.Fatalf("the same finding in another folder is not new: %+v", r.NewFindings)
	}
}

// An edge that worked and is undecided after the change, with a failing
// possibility (or none listed), may break: a gate must not pass it. One whose
// every possibility works, or that was undecided-may-fail already, is not new.
func TestMayStartFailing(t *testing.T) {
	unknown := func(client string, alts ...verdict.Outcome) verdict.Edge {
		e := edge(client, verdict.Unknown, false)
		for _, o := range alts {
			e.Alternatives = append(e.Alternatives, verdict.Alternative{Assume: []string{"x"}, Outcome: o})
		}
		return e
	}
	before := analysis.Result{Edges: []verdict.Edge{
		edge("may-break", verdict.OK, true), edge("open", verdict.OK, false), edge("fine", verdict.OK, false),
		unknown("was-undecided", verdict.OK, verdict.Fail)}}
	after := analysis.Result{Edges: []verdict.Edge{
		unknown("may-break", verdict.OK, verdict.Fail), unknown("open"), unknown("fine", verdict.OK, verdict.OK),
		unknown("was-undecided", verdict.Fail, verdict.OK), unknown("new", verdict.Fail)}}
	r := Compare(before, after, nil, nil)
	var got []string
	for _, c := range r.MayStartFailing {
		got = append(got, c.Edge)
	}
	want := []string{"a/may-break Deployment → b/s:80 (s)", "a/new Deployment → b/s:80 (s)", "a/open Deployment → b/s:80 (s)"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || !r.MayBreak() || r.Breaks() {
		t.Errorf("may start failing: %q (want %q); MayBreak %v Breaks %v", got, want, r.MayBreak(), r.Breaks())
	}
}
