package mesh

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
)

// entryTakesPort is the ServiceEntry host whose wildcard listener takes a
// sidecar's connection on port p to an address it has no listener of its
// own for (a Service hidden from it, §3.4), nil when none does (§10.8).
// A ServiceEntry without addresses binds its opaque TCP ports to
// 0.0.0.0:port (networking/core/listener.go buildSidecarOutboundListeners:
// no VIP, so the wildcard address), and every connection on that port the
// more specific listeners miss goes to its cluster — its own endpoints
// (DNS, STATIC), not the address dialled. HTTP ports match by Host header
// and TLS ports by SNI, so they take nothing else; resolution NONE
// forwards to the original destination, and STATIC endpoints given by
// address are matched as the destinations (istio-diff seed 40236), so
// neither is counted here.
func entryTakesPort(hosts []*inventory.Service, p int32, clientNs string, sc *inventory.Sidecar, mc inventory.MeshConfig) *inventory.Service {
	for _, h := range hosts {
		se := h.External.Entry
		if se == nil || len(se.Spec.GetAddresses()) > 0 || se.Spec.GetResolution() == networking.ServiceEntry_NONE {
			continue
		}
		if se.Spec.GetResolution() == networking.ServiceEntry_STATIC && len(se.Spec.GetEndpoints()) > 0 {
			// Its listener matches the endpoints' own addresses as destinations.
			continue
		}
		for _, sp := range se.Spec.GetPorts() {
			if int32(sp.GetNumber()) != p {
				continue
			}
			switch strings.ToUpper(sp.GetProtocol()) {
			case "TCP", "MONGO", "REDIS", "MYSQL":
				if VisibilityOf(h, clientNs, sc, mc).Visible {
					return h
				}
			}
		}
	}
	return nil
}
