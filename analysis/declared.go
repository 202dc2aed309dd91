package analysis

import (
	"slices"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// portOf is one Service port, by number.
type portOf struct {
	svc  *inventory.Service
	port int32
}

// pairKey is one client workload × Service port.
type pairKey struct {
	w *inventory.Workload
	p portOf
}

// countDeclared makes the pair counts agree with the judged edges: a pair's
// class is judged as if nothing were known of what the app sends, while an
// edge from the app's own references knows the name it dials and the bytes
// (the Host header of the port-80 rule, the OTLP protocol), and replaces
// the pair's unreferenced candidate in the listing. Such a pair counts as
// its edges say — the worst of them — so failingPairs never reads 0 beside
// a failing edge, nor counts a pair failing on bytes its references show
// the app does not send.
func (r *AllPairs) countDeclared(inv *inventory.Inventory, es []verdict.Edge) {
	if r.outcome == nil {
		return
	}
	worst := map[pairKey]verdict.Outcome{}
	var order []pairKey
	for _, e := range es {
		p, ok := pairOf(inv, e)
		if !ok {
			continue
		}
		o, seen := worst[p]
		if !seen {
			order = append(order, p)
			o = e.Outcome
		}
		worst[p] = worse(o, e.Outcome)
	}
	for _, p := range order {
		c, ok := r.outcome(p.w, p.p)
		if !ok || !r.admits(p.w.Namespace, p.p.svc.Namespace) {
			continue
		}
		d := worst[p]
		if d == c {
			continue
		}
		i, _ := slices.BinarySearch(r.Namespaces.Names, p.w.Namespace)
		j, _ := slices.BinarySearch(r.Namespaces.Names, p.p.svc.Namespace)
		r.move(i, j, c, -1)
		r.move(i, j, d, +1)
	}
}

// pairOf finds an edge's client workload and Kubernetes Service port in
// the inventory (false for a ServiceEntry host or an object not read).
func pairOf(inv *inventory.Inventory, e verdict.Edge) (pairKey, bool) {
	var out pairKey
	if out.w = inv.Workload(e.Client.Kind, e.Client.Namespace, e.Client.Workload); out.w == nil {
		return out, false
	}
	for _, s := range inv.ServicesIn(e.Server.Namespace) {
		if s.Name == e.Server.Service && s.External == nil {
			out.p = portOf{s, e.Server.Port}
			return out, true
		}
	}
	return out, false
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
