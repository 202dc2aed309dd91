package mesh

import (
	"net"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"istio.io/api/annotation"
	networking "istio.io/api/networking/v1alpha3"
	corev1 "k8s.io/api/core/v1"
)

// Port80Rule is the port-80 rule's hold on a sidecar's call to a hidden
// Service (§10.2): the VirtualService whose routes the call meets, and
// which of their clusters the proxy has.
type Port80Rule struct {
	VS *inventory.VirtualService
	// Scope is the routed ports of the Service the proxy keeps clusters
	// for (0: every port), nil when it keeps none.
	Scope map[int32]bool
	// Empty: the kept clusters have no endpoints (exportTo "~").
	Empty bool
}

// HasCluster: the proxy has the Service's cluster for port p.
func (r *Port80Rule) HasCluster(p int32) bool { return r.Scope[0] || r.Scope[p] }

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
// routes' clusters exist only where the proxy's scope still holds the
// Service (clusterScope); a Service exported to "~" has none of its
// endpoints indexed (exportedToNone). nil when the rule does not apply.
func (m *Model) hiddenHostOn80(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort, sc *inventory.Sidecar) *Port80Rule {
	mc := m.Inv.Mesh
	if svc.External != nil || p.Port != 80 || PortProtocol(p) != ProtoHTTP || !m.httpListenerOn(80, c.Namespace, sc) {
		return nil
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
		return nil
	}
	return &Port80Rule{VS: owner, Scope: m.clusterScope(svc, c.Namespace, sc), Empty: exportedToNone(svc)}
}

// port80 applies hiddenHostOn80 to a sidecar's visibility of hidden svc
// port p: the call is routed as for a visible Service, each route's
// cluster judged by the rule (verdict's judgeRoutes). The VirtualService's
// virtual host has one domain, its host as written (resolved like any
// VirtualService host: a short name gets the namespace and domain suffix),
// with no short forms or VIPs (networking/core/httproute.go
// BuildSidecarOutboundVirtualHosts, buildVirtualHost with svc == nil;
// SidecarIgnorePort drops the ":port" form), so only a request whose Host
// header it matches meets the VirtualService: any other Host takes the
// catch-all virtual host, as without the rule (OtherHost).
func (m *Model) port80(vis Visibility, c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort, sc *inventory.Sidecar) Visibility {
	rule := m.hiddenHostOn80(c, svc, p, sc)
	if rule == nil {
		return vis
	}
	before := vis
	domain := vsDomain(rule.VS, svc.Host(m.Inv.Mesh.DomainSuffix), m.Inv.Mesh.DomainSuffix)
	if len(rule.Scope) == 0 {
		// No cluster of the host at all: every route is 503, whatever its
		// destination — one failure of the call.
		vis.BlackHole, vis.DecidedBy, vis.Symptom = true, append(vis.DecidedBy, rule.VS.Ref()), SymptomNoCluster
		vis.Reason += "; VirtualService " + rule.VS.Key() + " still gives the host a virtual host on port 80, whose clusters the proxy never built: 503 (no cluster)"
		vis.HostDomain, vis.OtherHost = domain, &before
		return vis
	}
	why := ", but VirtualService " + rule.VS.Key() + " routes it on port 80 and the proxy's scope still holds the Service"
	if rule.Empty {
		why += " (whether pilot indexed its endpoints, exported to \"~\", hangs on the order it saw them)"
	}
	return Visibility{Visible: true, RegistryOnly: vis.RegistryOnly, DecidedBy: append(vis.DecidedBy, rule.VS.Ref()),
		Reason: vis.Reason + why, Port80: rule, OtherHost: &before, HostDomain: domain}
}

// Port80 is the port-80 rule's hold on the client's call to svc port p,
// nil when the rule does not apply (§10.2).
func (m *Model) Port80(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort) *Port80Rule {
	if captured, _, vis, _ := m.outbound(c, svc, p); captured == Yes {
		return vis.Port80
	}
	return nil
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
// Pilot then skips pushing its EndpointSlices into the endpoint index EDS
// reads (serviceregistry/kube/controller/endpointslice.go onEvent returns
// before pushEDS when serviceNeedsPush is false, which it is for "~") —
// but only for slices it handles after the Service itself: a slice seen
// first is indexed. So a cluster a proxy keeps for it (the port-80 rule's,
// inferred from a VirtualService) has endpoints or none by the order
// istiod saw the objects: 503 no healthy upstream in istio-diff seeds
// 44173 and 49141, the pod reached in another build of the same shape.
// Only the annotation counts, as in serviceNeedsPush, not the mesh's
// default export.
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

// clusterScope is the ports of svc whose clusters the client's proxy keeps
// though svc is hidden from its listeners: the destinations of the
// VirtualServices it imports (model/sidecar.go "Infer more possible
// destinations from virtual services", push_context.go
// virtualServiceDestinationsFilteredBySourceNamespace: http routes whose
// sourceNamespace matches, every tcp and tls route) add a host of the
// client's own namespace, hidden or not, and a host of another namespace
// that the Service's exportTo shows the client (pickFirstVisibleNamespace:
// IsServiceVisible reads exportTo, not the Sidecar's egress hosts), on the
// destination's port or, without one, every port
// (serviceMatchingVirtualServicePorts). Key 0 stands for every port.
func (m *Model) clusterScope(svc *inventory.Service, clientNs string, sc *inventory.Sidecar) map[int32]bool {
	mc := m.Inv.Mesh
	if svc.Namespace != clientNs && !VisibilityOf(svc, clientNs, nil, mc).Visible {
		return nil
	}
	host := svc.Host(mc.DomainSuffix)
	var scope map[int32]bool
	for _, vs := range m.Inv.VirtualServices {
		if !appliesToMesh(vs.Spec) || vsVisibility(vs, clientNs) < 0 || !sidecarImports(sc, vs, clientNs, mc.DomainSuffix) {
			continue
		}
		var dests []*networking.Destination
		for _, h := range vs.Spec.GetHttp() {
			if !fromNamespace(h, clientNs) {
				continue
			}
			for _, r := range h.GetRoute() {
				dests = append(dests, r.GetDestination())
			}
		}
		for _, t := range vs.Spec.GetTcp() {
			for _, r := range t.GetRoute() {
				dests = append(dests, r.GetDestination())
			}
		}
		for _, t := range vs.Spec.GetTls() {
			for _, r := range t.GetRoute() {
				dests = append(dests, r.GetDestination())
			}
		}
		for _, d := range dests {
			if d != nil && ResolveHost(d.GetHost(), vs.Namespace, mc.DomainSuffix) == host {
				if scope == nil {
					scope = map[int32]bool{}
				}
				scope[int32(d.GetPort().GetNumber())] = true
			}
		}
	}
	return scope
}

// fromNamespace: an http route applies to clients of ns by its matches'
// sourceNamespace (none set, or one equal to ns).
func fromNamespace(h *networking.HTTPRoute, ns string) bool {
	matched := true
	for _, m := range h.GetMatch() {
		if m.GetSourceNamespace() != "" {
			if m.GetSourceNamespace() == ns {
				return true
			}
			matched = false
		}
	}
	return matched
}
