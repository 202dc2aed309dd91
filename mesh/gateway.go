package mesh

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// How a gateway proxy (router) differs from a sidecar as a client (§10.7).
//
// A gateway has no outbound capture and no listener per Service: its
// listeners are the servers of the Gateways that select it, and their routes
// come only from VirtualServices bound to those Gateways (pilot/pkg/model/
// push_context.go mergeGateways → model/gateway.go mergeGateways;
// networking/core/gateway.go buildGatewayListeners, buildGatewayHTTPRouteConfig,
// buildGatewayNetworkFiltersFromTCPRoutes, buildGatewayNetworkFiltersFromTLSRoutes).
// A VirtualService without gateways binds to "mesh" only
// (model/virtualservice.go ResolveVirtualServiceShortnames), so it never
// routes a gateway's traffic.
//
// A gateway's edge to a Service port is what its bound routes send there:
// each destination (subset, port) of a reachable route is its own edge.
// A Service no bound route names keeps one edge on its own cluster for the
// port — the one any route to that port would take.

// GatewayRoute is one destination a gateway's Gateway-bound routes send
// traffic to, as pilot writes it into the gateway's config.
type GatewayRoute struct {
	// Host is the destination's host, resolved in the VirtualService's
	// namespace; Port the port of the cluster it names (route.go
	// GetDestinationCluster: the destination's port, else the Service's
	// only port, else the server's port).
	Host   string
	Port   int32
	Subset string
	From   *inventory.VirtualService
	// Gateway and Server are the Gateway and its server whose listener
	// holds the route ("HTTP 8080").
	Gateway *inventory.Gateway
	Server  string
}

// gatewayServer is one server a gateway proxy listens with, after
// mergeGateways: its Gateway ("ns/name"), its hosts as sanitizeServerHostNamespace
// leaves them, and the port it binds (resolvePorts).
type gatewayServer struct {
	gw     *inventory.Gateway
	name   string
	spec   *networking.Server
	hosts  []string
	listen uint32
}

// GatewaysFor are the Gateways whose selector picks w, oldest first
// (push_context.go initGateways sortConfigByCreationTime, mergeGateways): a
// Gateway of any namespace — of w's own only when istiod runs with
// PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true (off by default) — and one without a
// selector picks every gateway.
func GatewaysFor(inv *inventory.Inventory, w *inventory.Workload) []*inventory.Gateway {
	var out []*inventory.Gateway
	scoped := scopeGatewayToNamespace(inv)
	for _, g := range inv.Gateways {
		if scoped && g.Namespace != w.Namespace {
			continue
		}
		sel := g.Spec.GetSelector()
		if sel == nil || labels.SelectorFromSet(sel).Matches(labels.Set(w.Template.Labels)) {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c < 0
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Namespace, b.Namespace)) < 0
	})
	return out
}

// scopeGatewayToNamespace reads PILOT_SCOPE_GATEWAY_TO_NAMESPACE from
// istiod's container (discovery) in the root namespace, when the inputs
// hold it (pilot/pkg/features/pilot.go ScopeGatewayToNamespace).
func scopeGatewayToNamespace(inv *inventory.Inventory) bool {
	for _, w := range inv.WorkloadsIn(inv.Mesh.RootNamespace) {
		for _, c := range w.Template.Spec.Containers {
			if c.Name != "discovery" {
				continue
			}
			for _, e := range c.Env {
				if e.Name == "PILOT_SCOPE_GATEWAY_TO_NAMESPACE" {
					return strings.EqualFold(e.Value, "true") || e.Value == "1"
				}
			}
		}
	}
	return false
}

// gatewayServers merges the servers of w's Gateways as mergeGateways does,
// keeping those that get a listener: a server without a port is dropped; a
// plaintext server on a port another plaintext server holds joins it only
// when both are HTTP (canMergeProtocols), else it is skipped; TLS servers
// sharing a port are told apart by SNI, and one repeating a host is skipped
// (CheckDuplicates). The listener port is the server's port translated to
// the targetPort of a Service port of w that has it (resolvePorts with the
// legacy selector), else the server's port as written.
func gatewayServers(inv *inventory.Inventory, w *inventory.Workload) []gatewayServer {
	var out []gatewayServer
	plain := map[uint32]string{}             // listener port → protocol of its plaintext servers
	tlsHosts := map[uint32]map[string]bool{} // listener port → SNI hosts taken
	for _, g := range GatewaysFor(inv, w) {
		for _, s := range g.Spec.GetServers() {
			if s.GetPort() == nil {
				continue
			}
			gs := gatewayServer{gw: g, name: g.Namespace + "/" + g.Name, spec: s, hosts: sanitizeHosts(s.GetHosts(), g.Namespace),
				listen: listenPort(inv, w, s.GetPort().GetNumber())}
			proto := strings.ToLower(s.GetPort().GetProtocol())
			if tlsServer(s) {
				taken := tlsHosts[gs.listen]
				if taken == nil {
					taken = map[string]bool{}
					tlsHosts[gs.listen] = taken
				}
				if slices.ContainsFunc(s.GetHosts(), func(h string) bool { return taken[h] }) {
					continue
				}
				for _, h := range s.GetHosts() {
					taken[h] = true
				}
			} else if cur, ok := plain[gs.listen]; ok {
				if !(httpProtocol(proto) && (httpProtocol(cur) || cur == proto)) {
					continue
				}
			} else {
				plain[gs.listen] = proto
			}
			out = append(out, gs)
		}
	}
	return out
}

// listenPort is resolvePorts for a Gateway selecting by labels: the first
// Service port of the gateway's Services that has the server's number
// gives its targetPort; without one the number itself is bound.
func listenPort(inv *inventory.Inventory, w *inventory.Workload, number uint32) uint32 {
	for _, s := range inv.ServicesIn(w.Namespace) {
		if !s.Selects(w.Template.Labels) {
			continue
		}
		for _, p := range s.Spec.Ports {
			if uint32(p.Port) == number {
				if t := resolveTargetPort(w, p); t != 0 {
					return uint32(t)
				}
				return number
			}
		}
	}
	return number
}

// resolveTargetPort is the container port a Service port sends to on w.
func resolveTargetPort(w *inventory.Workload, p corev1.ServicePort) int32 {
	if p.TargetPort.StrVal == "" {
		if p.TargetPort.IntVal != 0 {
			return p.TargetPort.IntVal
		}
		return p.Port
	}
	for _, c := range w.Template.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == p.TargetPort.StrVal {
				return cp.ContainerPort
			}
		}
	}
	return 0
}

// sanitizeHosts is sanitizeServerHostNamespace: "./h" is the Gateway's
// namespace, "*/h" any namespace (h), "*/*" everything.
func sanitizeHosts(hosts []string, ns string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		n, name, ok := strings.Cut(h, "/")
		switch {
		case !ok:
			out = append(out, h)
		case n == ".":
			out = append(out, ns+"/"+name)
		case n == "*" && name == "*":
			return []string{"*"}
		case n == "*":
			out = append(out, name)
		default:
			out = append(out, h)
		}
	}
	return out
}

// tlsServer is gateway.IsTLSServer: TLS settings on a port that is not
// HTTP (an HTTP server's tls holds only httpsRedirect).
func tlsServer(s *networking.Server) bool {
	return s.GetTls() != nil && !httpProtocol(strings.ToLower(s.GetPort().GetProtocol()))
}

func httpProtocol(p string) bool {
	switch p {
	case "http", "http2", "grpc", "grpc-web":
		return true
	}
	return false
}

// passthrough is gateway.IsPassThroughServer.
func passthrough(s *networking.Server) bool {
	m := s.GetTls().GetMode()
	return s.GetTls() != nil && (m == networking.ServerTLSSettings_PASSTHROUGH || m == networking.ServerTLSSettings_AUTO_PASSTHROUGH)
}

// serverHTTP is gateway.IsHTTPServer: HTTP, or HTTPS terminated here.
func serverHTTP(s *networking.Server) bool {
	p := strings.ToLower(s.GetPort().GetProtocol())
	return httpProtocol(p) || p == "https" && !passthrough(s)
}

// GatewayRoutes are the destinations of every route w's Gateways give it, in
// the order pilot builds them: per server, the VirtualServices bound to its
// Gateway (VirtualServicesForGateway: private to w's namespace, exported to
// it, public), those whose hosts meet the server's (HTTP: host.Names
// Intersection with NamesForNamespace; TCP and TLS: pickMatchingGatewayHosts).
// HTTP routes of one virtual host are joined across VirtualServices, the
// catch-alls moved last (SortVHostRoutes): every other route may be reached,
// of the catch-alls only the first (Envoy takes the first route that
// matches); a TCP server takes the first tcp
// route that matches; a PASSTHROUGH server every tls route that matches (the
// SNI decides). An AUTO_PASSTHROUGH server routes by SNI to any cluster and
// names no destination here (its traffic is the Services' own clusters).
func GatewayRoutes(inv *inventory.Inventory, w *inventory.Workload) []GatewayRoute {
	domain := inv.Mesh.DomainSuffix
	var out []GatewayRoute
	// A virtual host's routes, as SortVHostRoutes leaves them: every
	// route that is not a catch-all, in order, then the catch-alls, of
	// which Envoy reaches only the first.
	type vhost struct {
		routes   []GatewayRoute
		catchAll []GatewayRoute
		ended    bool
	}
	vhosts := map[string]*vhost{}
	var vhostOrder []string
	sniTaken := map[uint32]map[string]bool{} // buildGatewayListeners' tlsHostsByPort
	type build struct {
		rs, last []GatewayRoute
		ended    bool
	}
	built := map[string]build{}
	for _, s := range gatewayServers(inv, w) {
		vss := gatewayVirtualServices(inv.VirtualServices, w.Namespace, s.name)
		port := s.spec.GetPort().GetNumber()
		label := strings.ToUpper(s.spec.GetPort().GetProtocol()) + " " + itoa(int32(port))
		switch {
		case serverHTTP(s.spec):
			route := "http." + itoa(int32(s.listen))
			if tlsServer(s.spec) {
				route = "https." + itoa(int32(port)) + "." + s.spec.GetPort().GetName() + "." + s.gw.Name + "." + s.gw.Namespace
			}
			for _, vs := range vss {
				hosts := intersectHosts(namesForNamespace(s.hosts, vs.Namespace), resolvedHosts(vs, domain))
				if len(hosts) == 0 {
					continue
				}
				// One build per route configuration, Gateway and VirtualService,
				// with the port of the first server that asks: servers that
				// share a route configuration (a port 80 server bound to 8080
				// beside a server on 8080) share the first one's routes
				// (buildGatewayHTTPRouteConfig's gatewayRoutes cache).
				key := route + "|" + s.name + "|" + vs.Key()
				b, ok := built[key]
				if !ok {
					b.rs, b.last, b.ended = gatewayHTTPRoutes(inv, vs, w, s, label)
					built[key] = b
				}
				rs, last, ended := b.rs, b.last, b.ended
				if rs == nil && !ended {
					continue // BuildHTTPRoutesForVirtualService: no routes matched
				}
				for _, h := range hosts {
					key := route + "|" + strings.ToLower(h)
					v := vhosts[key]
					if v == nil {
						v = &vhost{}
						vhosts[key] = v
						vhostOrder = append(vhostOrder, key)
					}
					v.routes = append(v.routes, rs...)
					if ended && !v.ended {
						v.catchAll, v.ended = last, true
					}
				}
			}
		case passthrough(s.spec) && s.spec.GetTls().GetMode() == networking.ServerTLSSettings_PASSTHROUGH:
			// A match repeating an SNI host already taken on the listener
			// port is skipped (CheckDuplicates).
			taken := sniTaken[s.listen]
			if taken == nil {
				taken = map[string]bool{}
				sniTaken[s.listen] = taken
			}
			for _, vs := range vss {
				if !pickMatchingHosts(s.hosts, vs) {
					continue
				}
				for _, t := range vs.Spec.GetTls() {
					if len(t.GetRoute()) == 0 {
						continue
					}
					for _, m := range t.GetMatch() {
						if !l4Match(m.GetPort(), m.GetGateways(), vs.Namespace, port, s.name) ||
							slices.ContainsFunc(m.GetSniHosts(), func(h string) bool { return taken[h] }) {
							continue
						}
						for _, h := range m.GetSniHosts() {
							taken[h] = true
						}
						out = append(out, gatewayDests(inv, vs, w, s, label, l4Destinations(t.GetRoute()))...)
					}
				}
			}
		case !passthrough(s.spec):
			// Opaque TCP, or TLS terminated here and forwarded as TCP.
		tcp:
			for _, vs := range vss {
				if !pickMatchingHosts(s.hosts, vs) {
					continue
				}
				for _, t := range vs.Spec.GetTcp() {
					if l4MultiMatch(t.GetMatch(), vs.Namespace, port, s.name) && len(t.GetRoute()) > 0 {
						out = append(out, gatewayDests(inv, vs, w, s, label, l4Destinations(t.GetRoute()))...)
						break tcp
					}
				}
			}
		}
	}
	for _, k := range vhostOrder {
		out = append(append(out, vhosts[k].routes...), vhosts[k].catchAll...)
	}
	return out
}

// gatewayHTTPRoutes is BuildHTTPRoutesForVirtualService for one gateway
// server: the destinations of the routes whose match holds for the Gateway
// (sourceMatchHTTP: the match's gateways name it, or it has none and its
// source labels and namespace fit the gateway pod; the port, if given, is
// the server's), up to the VirtualService's first catch-all. rs are those of
// the routes before it; last those of the catch-all, ended whether there is one.
func gatewayHTTPRoutes(inv *inventory.Inventory, vs *inventory.VirtualService, w *inventory.Workload, s gatewayServer, label string) (rs, last []GatewayRoute, ended bool) {
	port := s.spec.GetPort().GetNumber()
	for _, h := range vs.Spec.GetHttp() {
		if len(h.GetMatch()) == 0 {
			return rs, gatewayDests(inv, vs, w, s, label, httpDestinations(h)), true
		}
		for _, m := range h.GetMatch() {
			if p := m.GetPort(); p != 0 && p != port {
				continue
			}
			if gws := m.GetGateways(); len(gws) > 0 {
				if !slices.ContainsFunc(gws, func(g string) bool { return gatewayName(g, vs.Namespace) == s.name }) {
					continue
				}
			} else if !labels.SelectorFromSet(m.GetSourceLabels()).Matches(labels.Set(w.Template.Labels)) ||
				m.GetSourceNamespace() != "" && m.GetSourceNamespace() != w.Namespace {
				continue
			}
			if catchAll(m) {
				return rs, gatewayDests(inv, vs, w, s, label, httpDestinations(h)), true
			}
			rs = append(rs, gatewayDests(inv, vs, w, s, label, httpDestinations(h))...)
		}
	}
	return rs, nil, false
}

// gatewayDests names the cluster of each destination that carries traffic
// (a zero weight beside others carries none: processWeightedDestination,
// buildOutboundNetworkFiltersWithWeightedClusters).
func gatewayDests(inv *inventory.Inventory, vs *inventory.VirtualService, w *inventory.Workload, s gatewayServer, label string, ds []destination) []GatewayRoute {
	domain := inv.Mesh.DomainSuffix
	var out []GatewayRoute
	for _, d := range ds {
		if d.dest.GetHost() == "" || d.weight == 0 && len(ds) > 1 {
			continue // no host: the cluster is "UnknownService" (GetDestinationCluster)
		}
		host := ResolveHost(d.dest.GetHost(), vs.Namespace, domain)
		port := int32(s.spec.GetPort().GetNumber())
		switch svc := inv.ServiceByHost(host); {
		case d.dest.GetPort().GetNumber() != 0:
			port = int32(d.dest.GetPort().GetNumber())
		case svc != nil && len(svc.Spec.Ports) == 1 && VisibilityOf(svc, w.Namespace, nil, inv.Mesh).Visible:
			// GetDestinationCluster: the Service's only port, when the
			// gateway can see the Service.
			port = svc.Spec.Ports[0].Port
		}
		out = append(out, GatewayRoute{Host: host, Port: port, Subset: d.dest.GetSubset(), From: vs, Gateway: s.gw, Server: label})
	}
	return out
}

// gatewayVirtualServices is VirtualServicesForGateway(proxyNs, gw): the
// VirtualServices whose gateways name gw (short names resolve in the
// VirtualService's namespace: resolveGatewayName), private to proxyNs
// first, then exported to it by name, then public, each oldest first
// (the controller's merged order).
func gatewayVirtualServices(vss []*inventory.VirtualService, proxyNs, gw string) []*inventory.VirtualService {
	var out []*inventory.VirtualService
	group := map[*inventory.VirtualService]int{}
	for _, vs := range vss {
		if !slices.ContainsFunc(vs.Spec.GetGateways(), func(g string) bool { return g != "mesh" && gatewayName(g, vs.Namespace) == gw }) {
			continue
		}
		if g := vsVisibility(vs, proxyNs); g >= 0 { // the index is keyed by the proxy's namespace, as a sidecar's
			group[vs] = g
			out = append(out, vs)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if group[a] != group[b] {
			return group[a] < group[b]
		}
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c < 0
		}
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Namespace, b.Namespace)) < 0
	})
	return out
}

// GatewayName is resolveGatewayName: "name" and "./name" are the
// VirtualService's namespace, "name.ns.svc.cluster.local" the legacy form.
func GatewayName(g, ns string) string { return gatewayName(g, ns) }

func gatewayName(g, ns string) string {
	if before, after, ok := strings.Cut(g, "/"); ok {
		if before == "." {
			return ns + "/" + after
		}
		return g
	}
	name, rest, ok := strings.Cut(g, ".")
	if !ok {
		return ns + "/" + g
	}
	gwNs, _, _ := strings.Cut(rest, ".")
	return gwNs + "/" + name
}

// resolvedHosts are the VirtualService's hosts as ResolveVirtualServiceShortnames leaves them.
func resolvedHosts(vs *inventory.VirtualService, domain string) []string {
	out := make([]string, 0, len(vs.Spec.GetHosts()))
	for _, h := range vs.Spec.GetHosts() {
		out = append(out, ResolveHost(h, vs.Namespace, domain))
	}
	return out
}

// namesForNamespace is host.NamesForNamespace: the server hosts a
// VirtualService of ns may bind, without their namespace.
func namesForNamespace(hosts []string, ns string) []string {
	var out []string
	for _, h := range hosts {
		if n, name, ok := strings.Cut(h, "/"); ok {
			if n != ns && n != "*" {
				continue
			}
			h = name
		}
		out = append(out, h)
	}
	return out
}

// intersectHosts is host.Names.Intersection: of each pair where one is
// within the other, the narrower.
func intersectHosts(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			switch {
			case hostSubsetOf(x, y):
				if !slices.Contains(out, x) {
					out = append(out, x)
				}
			case hostSubsetOf(y, x):
				if !slices.Contains(out, y) {
					out = append(out, y)
				}
			}
		}
	}
	return out
}

// pickMatchingHosts is pickMatchingGatewayHosts: some server host (its
// namespace, when it has one, must be the VirtualService's) matches some
// host of the VirtualService as written.
func pickMatchingHosts(serverHosts []string, vs *inventory.VirtualService) bool {
	for _, vh := range vs.Spec.GetHosts() {
		for _, sh := range serverHosts {
			if n, name, ok := strings.Cut(sh, "/"); ok {
				if n != vs.Namespace {
					continue
				}
				sh = name
			}
			if hostMatches(sh, vh) {
				return true
			}
		}
	}
	return false
}

// l4MultiMatch: no match, or one whose port and gateways hold (l4SingleMatch).
func l4MultiMatch(ms []*networking.L4MatchAttributes, vsNs string, port uint32, gw string) bool {
	for _, m := range ms {
		if l4Match(m.GetPort(), m.GetGateways(), vsNs, port, gw) {
			return true
		}
	}
	return len(ms) == 0
}

// l4Match is l4SingleMatch (isPortMatch, isGatewayMatch) over the match's
// gateways as the controller resolved them in the VirtualService's namespace.
func l4Match(mport uint32, gws []string, vsNs string, port uint32, gw string) bool {
	if mport != 0 && mport != port {
		return false
	}
	return len(gws) == 0 || slices.ContainsFunc(gws, func(g string) bool { return gatewayName(g, vsNs) == gw })
}

// gatewayCache holds each gateway client's routes, computed once.
type gatewayCache struct {
	mu     sync.Mutex
	routes map[*inventory.Workload][]GatewayRoute
}

func (m *Model) gatewayRoutesOf(c *inventory.Workload) []GatewayRoute {
	m.gateway.mu.Lock()
	defer m.gateway.mu.Unlock()
	if rs, ok := m.gateway.routes[c]; ok {
		return rs
	}
	if m.gateway.routes == nil {
		m.gateway.routes = map[*inventory.Workload][]GatewayRoute{}
	}
	rs := GatewayRoutes(m.Inv, c)
	m.gateway.routes[c] = rs
	return rs
}

// gatewayRoutes is where a gateway client's traffic to svc port p goes: the
// destinations its bound routes give that port (a route naming a port the
// Service lacks is the first port's edge, and fails); none when routes reach
// the Service only on other ports; the default cluster (nil) when no bound
// route names the Service at all.
func (m *Model) gatewayRoutes(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort) []Route {
	if !VisibilityOf(svc, c.Namespace, nil, m.Inv.Mesh).Visible {
		// No cluster for it at all: any route is 503 whatever its destination.
		return nil
	}
	host := svc.Host(m.Inv.Mesh.DomainSuffix)
	named := false
	out := []Route{}
	seen := map[string]bool{}
	for _, r := range m.gatewayRoutesOf(c) {
		if r.Host != host {
			continue
		}
		named = true
		rt := Route{Subset: r.Subset, From: r.From, Gateway: r.Gateway}
		switch {
		case r.Port == p.Port:
		case !hasPort(svc, r.Port) && len(svc.Spec.Ports) > 0 && svc.Spec.Ports[0].Port == p.Port:
			rt.Port = r.Port
		default:
			continue
		}
		if k := rt.Subset + "|" + itoa(rt.Port); !seen[k] {
			seen[k] = true
			out = append(out, rt)
		}
	}
	if !named {
		return nil
	}
	return out
}

func hasPort(svc *inventory.Service, port int32) bool {
	return slices.ContainsFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool { return p.Port == port })
}

// gatewayVisibility: a gateway builds clusters only for the Services
// exported to its namespace (core/cluster.go buildOutboundClusters over
// PushContext.ServicesForProxy) and has no PassthroughCluster behind a
// route, so a route to a hidden Service names a cluster that does not
// exist: Envoy answers 503 (NC), whatever the outbound traffic policy.
//
// Which scope the gateway has is itself pilot's order: a gateway takes its
// namespace's default sidecar scope when a sidecar there computed it first
// in the push, else its own (push_context.go doGetSidecarScope,
// DefaultSidecarScopeForGateway), and the sidecar's adds the Services of
// its own namespace that its VirtualServices route to, hidden or not
// (sidecar.go "Infer more possible destinations from virtual services";
// clusterScope). For such a Service the edge is unknown with both answers
// (§11 pilot-order), never the 503 on a guess of the order.
func (m *Model) gatewayVisibility(v Visibility, c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort) Visibility {
	if v.Visible || v.BlackHole {
		return v
	}
	hidden := v
	hidden.BlackHole = true
	hidden.Reason += "; a gateway has no cluster for it and no passthrough: any route to it is 503 (no cluster)"
	if svc.Namespace != c.Namespace || !m.sidecarRunsIn(c.Namespace) {
		return hidden
	}
	scope := m.clusterScope(svc, c.Namespace, SidecarFor(m.Inv.Sidecars, c.Namespace, nil, m.Inv.Mesh.RootNamespace))
	if !scope[0] && !scope[p.Port] {
		return hidden
	}
	kept := Visibility{Visible: true, DecidedBy: v.DecidedBy,
		Reason: "the namespace's default sidecar scope keeps the Service's clusters (a VirtualService of namespace " + c.Namespace + " routes to it)"}
	u := v
	u.Undecided, u.ByPilotOrder = true, true
	u.Reason = v.Reason + "; whether the gateway has its cluster hangs on which proxy of namespace " + c.Namespace +
		" computed its scope first in istiod's push: the namespace's sidecar scope keeps it (a VirtualService there routes to it), the gateway's own does not (503)"
	u.Alternatives = []VisibilityAlternative{
		{Assume: "a sidecar of namespace " + c.Namespace + " computed the namespace's scope before the gateway did: the gateway takes it, with the Service's cluster", Visibility: kept},
		{Assume: "the gateway computed its own scope first: only Services exported to " + c.Namespace + " have clusters", Visibility: hidden},
	}
	return u
}

// sidecarRunsIn: some workload of ns has a sidecar.
func (m *Model) sidecarRunsIn(ns string) bool {
	for _, w := range m.Inv.WorkloadsIn(ns) {
		if m.Proxy(w).Kind == ProxySidecar {
			return true
		}
	}
	return false
}

// gatewayAccepts is what a gateway pod's listener on port takes from a
// client (the client → gateway leg, §10.7): the servers its Gateways bind
// there. A plaintext server hands the bytes to its HTTP or TCP chain; a
// server with TLS settings terminates or passes through TLS, which
// meshdoctor does not model (credentials, SNI), so the edge is unknown and
// says so — as it is when no Gateway of the inputs listens there (none
// does: the connection is refused; or the one that does is not in the
// inputs), unless the proxy's own status or Prometheus listener holds the
// port (gatewayOwnListener). Istio: model/gateway.go mergeGateways, resolvePorts;
// core/gateway.go buildGatewayListeners, buildGatewayListenerTLSContext.
func (m *Model) gatewayAccepts(b *inventory.Workload, port int32) Acceptance {
	var plain, secure []gatewayServer
	for _, s := range gatewayServers(m.Inv, b) {
		if s.listen != uint32(port) {
			continue
		}
		if s.spec.GetTls() != nil && tlsServer(s.spec) {
			secure = append(secure, s)
		} else {
			plain = append(plain, s)
		}
	}
	refs := func(ss []gatewayServer) []inventory.Ref {
		var out []inventory.Ref
		for _, s := range ss {
			if !slices.Contains(out, s.gw.Ref()) {
				out = append(out, s.gw.Ref())
			}
		}
		return out
	}
	switch {
	case len(secure) > 0:
		s := secure[0]
		return Acceptance{Accepts: AcceptsUnknown, DecidedBy: refs(secure),
			Reason: "Gateway " + s.name + " server " + strings.ToUpper(s.spec.GetPort().GetProtocol()) + " " + itoa(int32(s.spec.GetPort().GetNumber())) +
				" listens on port " + itoa(port) + " with tls mode " + s.spec.GetTls().GetMode().String() +
				": the gateway's own TLS (its credential, SNI hosts, client certificates) is not modelled, so what a client must send there is not decided"}
	case len(plain) > 0:
		s := plain[0]
		return Acceptance{Accepts: AcceptsGateway, DecidedBy: refs(plain),
			Reason: "Gateway " + s.name + " server " + strings.ToUpper(s.spec.GetPort().GetProtocol()) + " " + itoa(int32(s.spec.GetPort().GetNumber())) +
				" listens on port " + itoa(port) + " in plaintext (a gateway takes its TLS from Gateway servers, not PeerAuthentication)"}
	}
	if own := gatewayOwnListener(port); own != "" {
		return Acceptance{Accepts: AcceptsGateway, Reason: own, Chain: ProtoHTTP, ChainWhy: "the bootstrap's HTTP connection manager"}
	}
	return Acceptance{Accepts: AcceptsUnknown,
		Reason: "no Gateway of the inputs has a server on port " + itoa(port) + " of gateway " + b.Key() +
			": if none exists the gateway has no listener there (connection refused); a Gateway not in the inputs may listen in plaintext or with TLS"}
}

// gatewayOwnListener says what listens on port of a gateway pod that no
// Gateway server of the inputs binds, when the proxy itself does: 15021 and
// 15090 are the static listeners of every proxy's bootstrap, a gateway's as
// a sidecar's (tools/packaging/common/envoy_bootstrap.json, ports from
// pilot-agent's ENVOY_STATUS_PORT and ENVOY_PROMETHEUS_PORT, defaults 15021
// and 15090: pilot/cmd/pilot-agent/options/options.go), not built from
// Gateways. Each is a plaintext HTTP connection manager without a transport
// socket (/healthz/ready to the agent, /stats/prometheus to the admin
// port): plaintext is taken, TLS is terminated by nothing — as a sidecar
// pod's 15021, which inbound capture never redirects (capture.go
// alwaysExcludedInbound), is judged. "" for any other port.
func gatewayOwnListener(port int32) string {
	switch port {
	case envoyStatusPort:
		return "port 15021 is the gateway proxy's own status listener (Envoy's readiness listener, /healthz/ready, from the bootstrap, not from Gateway servers): plaintext HTTP, no TLS is terminated there"
	case envoyPrometheusPort:
		return "port 15090 is the gateway proxy's own Prometheus listener (/stats/prometheus, from the bootstrap, not from Gateway servers): plaintext HTTP, no TLS is terminated there"
	}
	return ""
}

// MissingGateway is a Gateway that a VirtualService w's gateway proxy
// would see binds to, which the inputs do not hold: whether it selects w,
// and so whether the VirtualService routes w's traffic, is not decided.
type MissingGateway struct {
	Name string // ns/name
	From *inventory.VirtualService
	// Hosts are the hosts the VirtualService's routes send traffic to.
	Hosts []string
}

// MissingGateways lists, for gateway workload w, the Gateways named by
// VirtualServices visible to its namespace that no input declares
// (resolveGatewayName, VirtualServicesForGateway's exportTo).
func MissingGateways(inv *inventory.Inventory, w *inventory.Workload) []MissingGateway {
	known := map[string]bool{}
	for _, g := range inv.Gateways {
		known[g.Namespace+"/"+g.Name] = true
	}
	var out []MissingGateway
	for _, vs := range inv.VirtualServices {
		if vsVisibility(vs, w.Namespace) < 0 {
			continue
		}
		for _, g := range vs.Spec.GetGateways() {
			if g == "mesh" || known[gatewayName(g, vs.Namespace)] {
				continue
			}
			out = append(out, MissingGateway{Name: gatewayName(g, vs.Namespace), From: vs, Hosts: destinationHosts(vs, inv.Mesh.DomainSuffix)})
		}
	}
	return out
}

// AnyMissingGateway: some VirtualService binds to a Gateway the inputs do not hold.
func AnyMissingGateway(inv *inventory.Inventory) bool {
	if len(inv.VirtualServices) == 0 {
		return false
	}
	known := map[string]bool{}
	for _, g := range inv.Gateways {
		known[g.Namespace+"/"+g.Name] = true
	}
	for _, vs := range inv.VirtualServices {
		for _, g := range vs.Spec.GetGateways() {
			if g != "mesh" && !known[gatewayName(g, vs.Namespace)] {
				return true
			}
		}
	}
	return false
}

func destinationHosts(vs *inventory.VirtualService, domain string) []string {
	var out []string
	eachDestination(vs, func(d *networking.Destination) {
		if h := ResolveHost(d.GetHost(), vs.Namespace, domain); d.GetHost() != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	})
	return out
}

// eachDestination calls fn with every route destination of vs: http, tcp, tls.
func eachDestination(vs *inventory.VirtualService, fn func(*networking.Destination)) {
	for _, h := range vs.Spec.GetHttp() {
		for _, r := range h.GetRoute() {
			if r.GetDestination() != nil {
				fn(r.GetDestination())
			}
		}
	}
	for _, t := range vs.Spec.GetTcp() {
		for _, r := range t.GetRoute() {
			if r.GetDestination() != nil {
				fn(r.GetDestination())
			}
		}
	}
	for _, t := range vs.Spec.GetTls() {
		for _, r := range t.GetRoute() {
			if r.GetDestination() != nil {
				fn(r.GetDestination())
			}
		}
	}
}

// DestinationPorts are the ports of svc that vs's routes name (a
// destination without a port, or with one svc lacks, stands for its first).
func DestinationPorts(vs *inventory.VirtualService, svc *inventory.Service, domain string) []corev1.ServicePort {
	host := svc.Host(domain)
	var out []corev1.ServicePort
	eachDestination(vs, func(d *networking.Destination) {
		if ResolveHost(d.GetHost(), vs.Namespace, domain) != host {
			return
		}
		p := svc.Spec.Ports[0]
		for _, sp := range svc.Spec.Ports {
			if uint32(sp.Port) == d.GetPort().GetNumber() {
				p = sp
			}
		}
		if !slices.ContainsFunc(out, func(x corev1.ServicePort) bool { return x.Port == p.Port }) {
			out = append(out, p)
		}
	})
	return out
}
