package mesh

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
)

// hiddenHostOn80 decides a sidecar's HTTP call to port 80 of a Service it
// has no listener for (hidden by exportTo or Sidecar egress hosts) when a
// VirtualService it imports names that host (§10.2). Istio gives such a
// VirtualService host a virtual host on port 80 though no Service backs it
// in the proxy's listener scope (networking/core/httproute.go: on listener
// port 80 the VirtualServices that match no service are kept, and
// route/route.go BuildSidecarVirtualHostWrapper keeps "hosts outside of the
// service registry ... on port 80"), so the request meets the
// VirtualService's routes on the 0.0.0.0:80 listener another Service's
// HTTP port 80 opened, where it would otherwise take the catch-all. The
// routes' clusters exist only when the proxy's scope still holds the
// Service (model/sidecar.go "Infer more possible destinations from virtual
// services": a routed host of the client's own namespace is added to the
// cluster scope, hidden or not); otherwise every route is 503 (no cluster).
//
// It returns (vs, inScope): the VirtualService, nil when the rule does not
// apply, and whether its routes reach real clusters.
func (m *Model) hiddenHostOn80(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort, sc *inventory.Sidecar) (*inventory.VirtualService, bool) {
	mc := m.Inv.Mesh
	if svc.External != nil || p.Port != 80 || PortProtocol(p) != ProtoHTTP || !m.httpListenerOn(80, c.Namespace, sc) {
		return nil, false
	}
	q := RouteQuery{ClientNs: c.Namespace, ClientLabels: c.Template.Labels, Sidecar: sc,
		Host: svc.Host(mc.DomainSuffix), Port: p, Bytes: BytesHTTP, Domain: mc.DomainSuffix}
	var owner *inventory.VirtualService
	for _, vs := range importedVirtualServices(m.Inv.VirtualServices, q) {
		if len(vs.Spec.GetHttp()) > 0 {
			owner = vs
			break
		}
	}
	if owner == nil {
		return nil, false
	}
	return owner, routedInOwnNamespace(m.Inv.VirtualServices, svc, c.Namespace, sc, mc.DomainSuffix)
}

// httpListenerOn: some Service or ServiceEntry host the client sees
// declares port number p HTTP, so its sidecar has a 0.0.0.0:p listener
// (a sniffed or TCP port binds the Service's VIP instead; istio-diff seed
// 40158).
func (m *Model) httpListenerOn(p int32, clientNs string, sc *inventory.Sidecar) bool {
	mc := m.Inv.Mesh
	for _, s := range m.Inv.Services {
		for _, sp := range s.Spec.Ports {
			if sp.Port == p && PortProtocol(sp) == ProtoHTTP && VisibilityOf(s, clientNs, sc, mc).Visible {
				return true
			}
		}
	}
	for _, s := range m.Inv.ServiceEntryHosts {
		for _, sp := range s.External.Entry.Spec.GetPorts() {
			switch strings.ToUpper(sp.GetProtocol()) {
			case "HTTP", "HTTP2", "GRPC", "GRPC-WEB":
				if int32(sp.GetNumber()) == p && VisibilityOf(s, clientNs, sc, mc).Visible {
					return true
				}
			}
		}
	}
	return false
}

// routedInOwnNamespace: svc lives in the client's namespace and a
// VirtualService the client imports has a destination on it.
func routedInOwnNamespace(vss []*inventory.VirtualService, svc *inventory.Service, clientNs string, sc *inventory.Sidecar, domain string) bool {
	if svc.Namespace != clientNs {
		return false
	}
	host := svc.Host(domain)
	for _, vs := range vss {
		if !appliesToMesh(vs.Spec) || vsVisibility(vs, clientNs) < 0 || !sidecarImports(sc, vs, clientNs, domain) {
			continue
		}
		var dests []destination
		for _, h := range vs.Spec.GetHttp() {
			dests = append(dests, httpDestinations(h)...)
		}
		for _, t := range vs.Spec.GetTcp() {
			dests = append(dests, l4Destinations(t.GetRoute())...)
		}
		for _, t := range vs.Spec.GetTls() {
			dests = append(dests, l4Destinations(t.GetRoute())...)
		}
		for _, d := range dests {
			if d.dest != nil && ResolveHost(d.dest.GetHost(), vs.Namespace, domain) == host {
				return true
			}
		}
	}
	return false
}
