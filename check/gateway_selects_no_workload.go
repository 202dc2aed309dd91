package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
	"k8s.io/apimachinery/pkg/labels"
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
cluster) to the inputs; a sidecar pod the selector happens to match takes no gateway listeners (the message
names it: a selector copied from an app's labels picks the app, not the gateway).`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		if len(inv.Gateways) == 0 {
			return
		}
		selected := map[string]bool{}
		others := map[string][]string{} // Gateway → the non-gateway workloads it selects
		for _, w := range inv.Workloads {
			kind := p.Model.Proxy(w).Kind
			for _, g := range mesh.GatewaysFor(inv, w) {
				if kind == mesh.ProxyGateway {
					selected[g.Key()] = true
				} else {
					others[g.Key()] = append(others[g.Key()], w.Kind+" "+w.Key()+" ("+string(kind)+")")
				}
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
			sel := "{} (every gateway)"
			if len(g.Spec.GetSelector()) > 0 {
				sel = labels.SelectorFromSet(g.Spec.GetSelector()).String()
			}
			// A selector naming an app's labels is the usual slip: say which
			// workloads it picks (an empty one picks every pod, which says nothing).
			if ws := others[g.Key()]; len(ws) > 0 && len(g.Spec.GetSelector()) > 0 {
				which := "which is not a gateway proxy"
				if len(ws) > 1 {
					which = "which are not gateway proxies"
				}
				if len(ws) > 3 {
					ws = append(ws[:3:3], fmt.Sprintf("… and %d more", len(ws)-3))
				}
				p.Report(g.Ref(), fmt.Sprintf("selector %s matches no gateway workload of the inputs: it matches %s, %s (a sidecar or plain pod takes no Gateway listeners); %s; point the selector at the gateway pods' labels, or add the gateway's Deployment to the inputs",
					sel, strings.Join(ws, ", "), which, what))
				continue
			}
			p.Report(g.Ref(), fmt.Sprintf("selector %s matches no gateway workload of the inputs: %s; add the gateway's Deployment to the inputs, or read the live cluster",
				sel, what))
		}
	},
}
