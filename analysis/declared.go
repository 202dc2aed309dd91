package analysis

import (
	"fmt"
	"slices"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// countDeclared makes the pair counts agree with the judged edges: a pair's
// class is judged as if nothing were known of what the app sends, while an
// edge from the app's own references knows the name it dials and the bytes
// (the Host header of the port-80 rule, the OTLP protocol), and replaces
// the pair's unreferenced candidate in the listing. Such a pair counts as
// its edges say — the worst of them — so failingPairs never reads 0 beside
// a failing edge, nor counts a pair failing on bytes its references show
// the app does not send.
func (r *AllPairs) countDeclared(es []verdict.Edge) {
	if r.outcome == nil {
		return
	}
	type pair struct{ client, port string }
	worst := map[pair]verdict.Outcome{}
	var order []pair
	for _, e := range es {
		p := pair{workloadKey(e.Client.Namespace, e.Client.Kind, e.Client.Workload), portKey(e.Server.Namespace, e.Server.Service, e.Server.Port)}
		o, seen := worst[p]
		if !seen {
			order = append(order, p)
		}
		if !seen || rank(e.Outcome) > rank(o) {
			worst[p] = e.Outcome
		}
	}
	for _, p := range order {
		w, sp, ok := r.workload[p.client], servicePort{}, false
		if w != nil {
			sp, ok = r.port[p.port]
		}
		if !ok || !r.admits(w.Namespace, sp.svc.Namespace) {
			continue
		}
		d, c := worst[p], r.outcome(w, sp)
		if d == c {
			continue
		}
		i, _ := slices.BinarySearch(r.Namespaces.Names, w.Namespace)
		j, _ := slices.BinarySearch(r.Namespaces.Names, sp.svc.Namespace)
		r.move(i, j, c, -1)
		r.move(i, j, d, +1)
	}
}

// move adds n pairs of outcome o to the counts of cell (i, j).
func (r *AllPairs) move(i, j int, o verdict.Outcome, n int32) {
	switch o {
	case verdict.Fail:
		r.FailingPairs += int(n)
		r.Namespaces.Failing[i][j] += n
	case verdict.Unknown:
		r.UnknownPairs += int(n)
		if r.Namespaces.Unknown == nil {
			r.Namespaces.Unknown = make([][]int32, len(r.Namespaces.Names))
			for k := range r.Namespaces.Unknown {
				r.Namespaces.Unknown[k] = make([]int32, len(r.Namespaces.Names))
			}
		}
		r.Namespaces.Unknown[i][j] += n
	}
}

func rank(o verdict.Outcome) int {
	switch o {
	case verdict.Fail:
		return 2
	case verdict.Unknown:
		return 1
	}
	return 0
}

func workloadKey(ns, kind, name string) string { return ns + "/" + kind + "/" + name }

func portKey(ns, svc string, port int32) string { return fmt.Sprintf("%s/%s:%d", ns, svc, port) }
