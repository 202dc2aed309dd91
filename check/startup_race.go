package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// StartupRace is §6: without native sidecars or holdApplicationUntilProxyStarts
// the app may call out before Envoy has its configuration.
var StartupRace = &Check{
	Code:     "MD0402",
	Name:     "startup-race",
	Severity: Info,
	Doc: `a client with a sidecar may start calling before its proxy is ready

Without native sidecars (Istio ≥ 1.28 on Kubernetes ≥ 1.33, or sidecar.istio.io/nativeSidecar) or
holdApplicationUntilProxyStarts, early connections are refused or reset: a transient failure at
startup, not a TLS mismatch. Set holdApplicationUntilProxyStarts if the app fails when its first calls fail.`,
	Run: func(p *Pass) {
		m := p.Model
		seen := map[string]bool{}
		for _, e := range p.Edges {
			k := e.Client.Kind + "/" + e.Client.Namespace + "/" + e.Client.Workload
			if seen[k] || e.Client.Proxy != mesh.ProxySidecar {
				continue
			}
			seen[k] = true
			w := m.Inv.Workload(e.Client.Kind, e.Client.Namespace, e.Client.Workload)
			if w == nil || holds(w, m.Inv.Mesh) {
				continue
			}
			p.Report(w.Ref(), fmt.Sprintf("%s %s calls out (e.g. %s:%d) and neither holdApplicationUntilProxyStarts nor native sidecars are set in the inputs: its first calls may fail while the sidecar starts",
				w.Kind, w.Key(), e.Server.Host, e.Server.Port))
		}
	},
}

func holds(w *inventory.Workload, mc inventory.MeshConfig) bool {
	a := w.Template.Annotations
	if mc.HoldApplicationUntilProxyStarts || a["sidecar.istio.io/nativeSidecar"] == "true" {
		return true
	}
	return strings.Contains(strings.ReplaceAll(a["proxy.istio.io/config"], " ", ""), "holdApplicationUntilProxyStarts:true")
}
