package analysis

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Edges that repeat a value share one copy, and sharing never lets one
// edge's append reach another's.
func TestInternerShares(t *testing.T) {
	var in interner
	refs := func() []inventory.Ref {
		return append(make([]inventory.Ref, 0, 8), inventory.Ref{Kind: "Namespace", Name: "a", File: "f", Line: 1},
			inventory.Ref{Kind: "Deployment", Namespace: "a", Name: "w", File: "f", Line: 9})
	}
	otlp := func() *verdict.OTLP { return &verdict.OTLP{Signals: []string{"traces"}, Protocols: []string{"grpc"}} }
	a := verdict.Edge{Cause: "c" + string([]byte("x")), DecidedBy: refs(), OTLP: otlp()}
	b := verdict.Edge{Cause: "c" + string([]byte("x")), DecidedBy: refs(), OTLP: otlp()}
	c := verdict.Edge{DecidedBy: refs()[:1], OTLP: &verdict.OTLP{Signals: []string{"traces"}, Protocols: []string{}}}
	d := verdict.Edge{OTLP: &verdict.OTLP{Signals: []string{"traces"}}}
	for _, e := range []*verdict.Edge{&a, &b, &c, &d} {
		in.edge(e)
	}
	if &a.DecidedBy[0] != &b.DecidedBy[0] || a.OTLP != b.OTLP || a.Cause != b.Cause {
		t.Fatal("equal values not shared")
	}
	if &c.DecidedBy[0] == &a.DecidedBy[0] || c.OTLP == a.OTLP || c.OTLP == d.OTLP {
		t.Fatal("different values shared (a prefix, or an empty list against nil)")
	}
	a.DecidedBy = append(a.DecidedBy, inventory.Ref{Kind: "Service"})
	if len(b.DecidedBy) != 2 || cap(b.DecidedBy) != 2 {
		t.Fatalf("an append reached the shared list: %v", b.DecidedBy)
	}
}
