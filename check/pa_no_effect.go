package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// PANoEffect: a workload PA whose workloads have no sidecar.
var PANoEffect = &Check{
	Code:     "MD0305",
	Name:     "pa-no-effect",
	Severity: Info,
	Doc: `PeerAuthentication selects only workloads without a sidecar: it has no effect

PeerAuthentication is enforced by the server's sidecar (or ztunnel); without one the app receives whatever is sent.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, pa := range inv.PeerAuthentications {
			ws := selected(inv, pa)
			if len(ws) == 0 || len(pa.Spec.GetSelector().GetMatchLabels()) == 0 {
				continue
			}
			none := true
			for _, w := range ws {
				if k := p.Model.Proxy(w).Kind; k != mesh.ProxyNone {
					none = false
				}
			}
			if none {
				p.Report(pa.Ref(), fmt.Sprintf("selects %s, which has no sidecar: the policy changes nothing", names(ws)))
			}
		}
	},
}
