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
// forwards to the original destination, so it is not counted here; nor is
// a port where a visible HTTP-declared Service port already holds
// 0.0.0.0:port (the HTTP listener wins it, istio-diff seed 40236).
func (m *Model) entryTakesPort(p int32, clientNs string, sc *inventory.Sidecar) *inventory.Service {
	mc := m.Inv.Mesh
	if m.httpListenerOn(p, clientNs, sc) {
		return nil
	}
	for _, h := range m.Inv.ServiceEntryHosts {
		se := h.External.Entry
		if se == nil || len(se.Spec.GetAddresses()) > 0 || se.Spec.GetResolution() == networking.ServiceEntry_NONE {
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
