package mesh

import (
	"net"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"istio.io/api/annotation"
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

// port80 applies hiddenHostOn80 to a sidecar's visibility of hidden svc
// port p. The VirtualService's virtual host has one domain, its host as
// written (resolved like any VirtualService host: a short name gets the
// namespace and domain suffix), with no short forms or VIPs
// (networking/core/httproute.go BuildSidecarOutboundVirtualHosts,
// buildVirtualHost with svc == nil; SidecarIgnorePort drops the ":port"
// form), so only a request whose Host header it matches meets the
// VirtualService: any other Host takes the catch-all virtual host, as
// without the rule (OtherHost).
func (m *Model) port80(vis Visibility, c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort, sc *inventory.Sidecar) Visibility {
	vs, inScope := m.hiddenHostOn80(c, svc, p, sc)
	if vs == nil {
		return vis
	}
	before := vis
	switch {
	case inScope && exportedToNone(svc):
		vis.BlackHole, vis.DecidedBy = true, append(vis.DecidedBy, vs.Ref(), svc.Ref())
		vis.Symptom = SymptomNoEndpoints
		vis.Reason += "; VirtualService " + vs.Key() + " still routes it on port 80 and the proxy's scope keeps its cluster, but pilot never indexes the endpoints of a Service exported to \"~\": the cluster is empty, 503"
	case inScope:
		vis = Visibility{Visible: true, RegistryOnly: vis.RegistryOnly, DecidedBy: []inventory.Ref{vs.Ref()},
			Reason: vis.Reason + ", but VirtualService " + vs.Key() + " routes it on port 80 and the proxy's scope still holds the Service"}
	default:
		vis.BlackHole, vis.DecidedBy = true, append(vis.DecidedBy, vs.Ref())
		vis.Symptom = SymptomNoCluster
		vis.Reason += "; VirtualService " + vs.Key() + " still gives the host a virtual host on port 80, whose clusters the proxy never built: 503 (no cluster)"
	}
	vis.HostDomain = vsDomain(vs, svc.Host(m.Inv.Mesh.DomainSuffix), m.Inv.Mesh.DomainSuffix)
	vis.OtherHost = &before
	return vis
}

// vsDomain is the first host of vs, resolved, that matches host: the
// domain of its port-80 virtual host.
func vsDomain(vs *inventory.VirtualService, host, domain string) string {
	for _, h := range vs.Spec.GetHosts() {
		if r := ResolveHost(h, vs.Namespace, domain); hostMatches(r, host) {
			return strings.ToLower(r)
		}
	}
	return host
}

// HostMatchesDomain is Envoy's virtual host domain match for a Host header
// without its port: equal ignoring case, or a "*." suffix match
// (route_config domains, source/common/router/config_impl.cc findVirtualHost).
func HostMatchesDomain(hostHeader, domain string) bool {
	h := strings.ToLower(hostHeader)
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	if strings.HasPrefix(domain, "*") {
		return len(h) > len(domain)-1 && strings.HasSuffix(h, domain[1:])
	}
	return h == domain
}

// Symptoms of a port-80 route that reaches no endpoint (§10.2).
const (
	SymptomNoCluster   = "503 no healthy upstream / NC: the route names a cluster the client's proxy never built"
	SymptomNoEndpoints = "503 no healthy upstream (Envoy response flag UH): the route's cluster has no endpoints"
)

// exportedToNone: the Service's networking.istio.io/exportTo lists "~".
// Pilot then never pushes its EndpointSlices into the endpoint index EDS
// reads (serviceregistry/kube/controller/endpointslice.go onEvent returns
// before pushEDS when serviceNeedsPush is false, which it is for "~"), so
// any cluster a proxy keeps for it — the port-80 rule's, inferred from a
// VirtualService of the client's own namespace — has no endpoints
// (istio-diff seed 44173). Only the annotation counts, as in
// serviceNeedsPush, not the mesh's default export.
func exportedToNone(svc *inventory.Service) bool {
	if svc.External != nil {
		return false
	}
	for _, ns := range strings.Split(svc.Annotations[annotation.NetworkingExportTo.Name], ",") {
		if strings.TrimSpace(ns) == "~" {
			return true
		}
	}
	return false
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
