package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// GatewaySelectsNoWorkload: a Gateway whose routes apply to a gateway the
// inputs do not hold (§10.7).
var GatewaySelectsNoWorkload = &Check{
	Code:     "MD0502",
	Name:     "gateway-selects-no-workload",
	Severity: Info,
	Doc: `a Gateway's selector picks no gateway workload in the inputs, so the routes bound to it are not judged

pilot gives a Gateway's servers, and the VirtualServices bound to it, to the gateway proxies (pods of the
gateway injection template) whose labels its selector matches, in any namespace (push_context.go
mergeGateways). With none in the inputs, the edges those routes make — gateway → each destination — are
not judged at all. Add the gateway's Deployment (the istio-ingressgateway chart's render, or the live
cluster) to the inputs; a sidecar pod the selector happens to match takes no gateway listeners.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		if len(inv.Gateways) == 0 {
			return
		}
		selected := map[string]bool{}
		for _, w := range inv.Workloads {
			if p.Model.Proxy(w).Kind != mesh.ProxyGateway {
				continue
			}
			for _, g := range mesh.GatewaysFor(inv, w) {
				selected[g.Key()] = true
			}
		}
		for _, g := range inv.Gateways {
			if selected[g.Key()] {
				continue
			}
			var bound []string
			for _, vs := range inv.VirtualServices {
				if slices.ContainsFunc(vs.Spec.GetGateways(), func(n string) bool { return mesh.GatewayName(n, vs.Namespace) == g.Key() }) {
					bound = append(bound, vs.Key())
				}
			}
			what := "no VirtualService is bound to it"
			if len(bound) > 0 {
				what = fmt.Sprintf("the routes of VirtualService %s are not judged", strings.Join(bound, ", "))
			}
			p.Report(g.Ref(), fmt.Sprintf("selector %v matches no gateway workload of the inputs: %s; add the gateway's Deployment to the inputs, or read the live cluster",
				g.Spec.GetSelector(), what))
		}
	},
}
