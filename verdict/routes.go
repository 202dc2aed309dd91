package verdict

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	corev1 "k8s.io/api/core/v1"
)

// judgeRoutes expands a candidate over the routes its client's proxy takes
// (docs/semantics.md §10): each route's cluster reaches the backends it
// selects — all of the Service's pods for an ORIGINAL_DST cluster, the
// subset's pods otherwise — and a pod calling itself on loopback takes no
// route at all.
func judgeRoutes(dst []Edge, m *mesh.Model, c edges.Candidate, base Edge, backends []*inventory.Workload, proto mesh.Protocol) []Edge {
	if domain := m.HostDomain(c.Client, c.Service, c.Port); domain != "" {
		matched := judgeRoutesAs(nil, m, c, base, backends, proto, false)
		return append(dst, byHostHeader(c, domain, matched, judgeRoutesAs(nil, m, c, base, backends, proto, true))...)
	}
	return judgeRoutesAs(dst, m, c, base, backends, proto, false)
}

// judgeRoutesAs is judgeRoutes for a request whose Host header matches the
// port-80 rule's virtual host (otherHost false: the rule's routes) or not
// (otherHost: the default path, as without the rule). It appends to out.
func judgeRoutesAs(out []Edge, m *mesh.Model, c edges.Candidate, base Edge, backends []*inventory.Workload, proto mesh.Protocol, otherHost bool) []Edge {
	// rest is the backends reached through a route: backends itself unless
	// one calls itself on loopback (a copy only then: candidates are many).
	var rest []*inventory.Workload
	split := false
	for i, b := range backends {
		if m.Loopback(mesh.Hop{Client: c.Client, Service: c.Service, Backend: b}) {
			if !split {
				rest, split = slices.Clone(backends[:i]), true
			}
			out = append(out, judgeBackend(m, c, base, b, proto, mesh.Route{}, otherHost))
			continue
		}
		if split {
			rest = append(rest, b)
		}
	}
	if !split {
		rest = backends
	}
	if len(rest) == 0 {
		return out
	}
	var routes []mesh.Route
	if !otherHost {
		routes = m.Routes(c.Client, c.Service, c.Port, bytesOf(c))
	}
	if routes == nil {
		routes = defaultRoute
	}
	proxy := m.Proxy(c.Client).Kind
	// A sidecar client of a headless Service dials each pod's IP itself, so a
	// route with no cluster fails toward every pod; otherwise toward none.
	noCluster := func(e Edge) {
		if !c.Service.Headless() || proxy == mesh.ProxyGateway {
			out = append(out, e)
			return
		}
		for _, b := range rest {
			x := e
			x.Server.Workload, x.Server.WorkloadKind = b.Name, b.Kind
			out = append(out, x)
		}
	}
	var rule *mesh.Port80Rule
	if !otherHost {
		rule = m.Port80(c.Client, c.Service, c.Port)
	}
	for _, r := range routes {
		sp, ok := clusterPort(c, r)
		if !ok {
			noCluster(missingPort(base, r))
			continue
		}
		if rule != nil && !rule.HasCluster(sp.Port) {
			noCluster(port80Edge(base, r, rule, c.Service.Ref(), mesh.SymptomNoCluster, "names a cluster the client's proxy never built: the Service is hidden from it and no VirtualService it imports keeps that port's cluster in its scope"))
			continue
		}
		cl := m.ClusterFor(c.Client.Namespace, c.Client.Template.Labels, proxy, c.Service, uint32(sp.Port), r.Subset)
		if !cl.Defined {
			noCluster(missingSubset(base, r))
			continue
		}

		reached := 0
		for _, b := range rest {
			if cl.Selects(b.Template.Labels) {
				p := routedProtocol(proto, sp, r)
				if cl.OriginalDst {
					p = proto // lands on the dialled port (judgeBackend)
				}
				e := judgeBackend(m, c, base, b, p, r, otherHost)
				e.Server.Sniffed, e.Server.RoutedPort = r.Sniffed, r.Port
				if rule != nil && rule.Empty {
					e = endpointsByOrder(e, rule)
				}
				out = append(out, e)
				reached++
			}
		}
		if reached == 0 {
			out = append(out, emptySubset(base, r, cl, rest))
		}
	}
	return out
}

// defaultRoute is the one route of a client without VirtualServices: the
// Service's own cluster (shared, read only).
var defaultRoute = []mesh.Route{{}}

// clusterPort is the Service port whose cluster the route takes: the
// destination's port when it names another one (route.go
// GetDestinationCluster); ok is false when the Service has no such port.
func clusterPort(c edges.Candidate, r mesh.Route) (corev1.ServicePort, bool) {
	if r.Port == 0 {
		return c.Port, true
	}
	for _, p := range c.Service.Spec.Ports {
		if p.Port == r.Port {
			return p, true
		}
	}
	return c.Port, false
}

// routedProtocol is the protocol the server side sees: the routed Service
// port's, whose targetPort the traffic lands on.
func routedProtocol(dialled mesh.Protocol, sp corev1.ServicePort, r mesh.Route) mesh.Protocol {
	if r.Port == 0 {
		return dialled
	}
	return mesh.PortProtocol(sp)
}

// missingPort: a destination port the Service does not have names a cluster
// that does not exist; Envoy answers 503 (IST0101 ReferencedResourceNotFound).
func missingPort(e Edge, r mesh.Route) Edge {
	e = routeEdge(e, r)
	e.Symptom = "503 no healthy upstream / NC: the route's destination port has no cluster"
	e.Cause = fmt.Sprintf("VirtualService %s routes to port %d of %s, which the Service does not have", r.From.Key(), r.Port, e.Server.Host)
	return e
}

// bytesOf is what the candidate's app is known to send: its own TLS, or an
// OTLP export (gRPC or HTTP); otherwise the model does not know.
func bytesOf(c edges.Candidate) mesh.AppBytes {
	switch {
	case c.AppTLS:
		return mesh.BytesOther
	case c.Telemetry || c.OTLP != nil:
		return mesh.BytesHTTP
	}
	return mesh.BytesUnknown
}

// routeEdge is the edge of a route that reaches no pod.
func routeEdge(e Edge, r mesh.Route) Edge {
	e.Server.Subset, e.Server.Sniffed, e.Server.RoutedPort, e.Server.Proxy = r.Subset, r.Sniffed, r.Port, mesh.ProxyUnknown
	e.ClientSends, e.ServerAccepts, e.Outcome = "none", "none", Fail
	e.Category = category.NoRoute
	e.DecidedBy = []inventory.Ref{r.From.Ref()}
	if r.Gateway != nil {
		e.DecidedBy = append(e.DecidedBy, r.Gateway.Ref())
	}
	return e
}

// missingSubset: a route to a subset no DestinationRule defines has no
// cluster; Envoy answers 503 (IST0101 ReferencedResourceNotFound).
func missingSubset(e Edge, r mesh.Route) Edge {
	e = routeEdge(e, r)
	e.Symptom = "503 no healthy upstream / NR: the route's subset has no cluster"
	e.Cause = fmt.Sprintf("VirtualService %s routes to subset %q, which no DestinationRule for %s defines", r.From.Key(), r.Subset, e.Server.Host)
	return e
}

// port80Edge: a route the port-80 rule gives a hidden Service (§10.2)
// that reaches no endpoint; Envoy answers 503.
func port80Edge(e Edge, r mesh.Route, rule *mesh.Port80Rule, svc inventory.Ref, symptom, why string) Edge {
	if r.From == nil { // the VirtualService's route is the whole Service's
		r.From = rule.VS
	}
	e = routeEdge(e, r)
	e.Symptom = symptom
	e.DecidedBy = append(e.DecidedBy, svc)
	e.Cause = fmt.Sprintf("the Service is hidden from the client, but on port 80 VirtualService %s still gives its host a virtual host; its route %s", rule.VS.Key(), why)
	return e
}

// endpointsByOrder: the route's cluster belongs to a Service exported to
// "~", whose endpoints pilot indexed or not by the order it saw the
// Service and its EndpointSlices (mesh.exportedToNone, §10.2): unknown,
// with both answers.
func endpointsByOrder(e Edge, rule *mesh.Port80Rule) Edge {
	indexed := altOf(&e, "istiod saw the Service's EndpointSlices before the Service (exportTo \"~\"): they are indexed")
	e.Alternatives = []Alternative{indexed, {Assume: []string{"istiod saw the Service first: its EndpointSlices are never indexed (serviceNeedsPush)"},
		Outcome: Fail, Category: string(category.NoRoute), Symptom: mesh.SymptomNoEndpoints, Sends: e.ClientSends}}
	e.Cause = fmt.Sprintf("VirtualService %s routes the hidden Service on port 80 to a cluster whose endpoints pilot indexes only if it saw them before the Service, exported to \"~\": with them, %s; without, 503 no healthy upstream", rule.VS.Key(), e.Cause)
	e.Outcome, e.Symptom, e.Category, e.MTLS, e.Encrypted, e.byEndpointOrder = Unknown, "", "", false, false, true
	return e
}

// SymptomEmptySubset is what a client sees when its route's cluster has no endpoint.
const SymptomEmptySubset = "503 no healthy upstream (Envoy response flag UH; a TCP client sees its connection closed at once)"

// emptySubset: a defined subset whose labels match none of the Service's pods
// gets an EDS cluster without endpoints — a certain 503 (§10.3; Istio:
// pilot/pkg/xds/endpoints/endpoint_builder.go builds the subset's endpoints
// from its labels, and none match).
func emptySubset(e Edge, r mesh.Route, cl mesh.Cluster, pods []*inventory.Workload) Edge {
	e = routeEdge(e, r)
	if cl.DR != nil {
		e.DecidedBy = append(e.DecidedBy, cl.DR.Refs()...)
	}
	names := make([]string, 0, len(pods))
	for _, p := range pods {
		names = append(names, p.Kind+" "+p.Name)
	}
	sort.Strings(names)
	e.Symptom = SymptomEmptySubset
	e.Cause = fmt.Sprintf("VirtualService %s routes to subset %q of %s, whose labels select none of the Service's pods (%s): its cluster has no endpoints",
		r.From.Key(), r.Subset, e.Server.Host, strings.Join(names, ", "))
	return e
}
