package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/inventory"
)

// PAOrderDependent: oldest-wins decided by creation order the inputs lack (§1.4).
var PAOrderDependent = &Check{
	Code:     "MD0304",
	Name:     "pa-order-dependent",
	Severity: Warning,
	Doc: `several PeerAuthentications compete at one level and the winner depends on creation order

The oldest wins; without creationTimestamps the model used Istio's tie-break (name, then namespace), which a real apply order may contradict.`,
	Run: func(p *Pass) {
		ix := p.Model.PeerAuth
		for _, pa := range ix.Shadowed {
			winner := ix.Namespace(pa.Namespace)
			if pa.Namespace == p.Model.Inv.Mesh.RootNamespace {
				winner = ix.Mesh()
			}
			p.Report(pa.Ref(), fmt.Sprintf("ignored: %s/%s is older (or wins the tie-break) at the same level; only one mesh- or namespace-level policy survives per namespace", winner.Namespace, winner.Name))
		}
		seen := map[*inventory.PeerAuthentication]bool{}
		for _, w := range p.Model.Inv.Workloads {
			e := ix.For(w.Namespace, w.Template.Labels)
			for _, pa := range e.OrderDependent[min(1, len(e.OrderDependent)):] {
				if !seen[pa] {
					seen[pa] = true
					p.Report(pa.Ref(), fmt.Sprintf("also selects %s %s, where %s wins only by name order; the oldest by creation time wins in a cluster", w.Kind, w.Name, e.Workload.Name))
				}
			}
		}
	},
}
