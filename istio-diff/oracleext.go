package istiodiff

import (
	"fmt"
	"strconv"
	"strings"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/host"
)

// viaGateway judges a gateway client's edge to a Service port: the
// gateway's own cluster for it, outbound|port||host, driven directly (a
// gateway has no outbound capture and no listener per Service; its routes
// come from Gateway-bound VirtualServices, judged in gatewayRoutes). The
// cluster is what any route of the gateway to that port takes: gateways
// ignore Sidecar resources and read the DestinationRule's tls and auto mTLS
// as sidecars do (core/cluster_builder.go), headless Services included (EDS).
func (o *Oracle) viaGateway(m map[Key]Verdict, c *Pod, s *Svc, sp SvcPort, backends []*Pod, proto simulation.Protocol) {
	name := model.BuildSubsetKey(model.TrafficDirectionOutbound, "", host.Name(s.Host()), sp.Port)
	dst := s.ClusterIP
	if s.Headless() {
		dst = ""
	}
	t := target{host: s.Host(), port: sp.Port, sp: sp, dst: dst, all: backends}
	if !svcExportedTo(s, c.Namespace) && s.Namespace == c.Namespace && o.sidecarIn(c.Namespace) && o.meshVSRoutesTo(s.Host()) {
		// A gateway takes its namespace's default sidecar scope when a sidecar
		// there computed it first in the push, else its own gateway scope
		// (push_context.go doGetSidecarScope): the first adds the Services of
		// its own namespace that its VirtualServices route to, hidden or not
		// (sidecar.go SidecarScope.initFunc, "Infer more possible destinations
		// from virtual services"), the second only exported ones
		// (DefaultSidecarScopeForGateway). Istio's answer hangs on proxy order.
		for _, b := range orNil(backends) {
			o.put(m, o.key(c, s, sp, b), Verdict{Skip: SkipGatewayScope, Why: "Service hidden from the gateway's namespace; its cluster depends on which proxy computed the scope first"})
		}
		return
	}
	if !o.hasCluster(c, name) {
		// The Service is not exported to the gateway's namespace: no cluster,
		// so any route to it is 503 (NC).
		for _, b := range orNil(backends) {
			o.put(m, o.key(c, s, sp, b), Verdict{Outcome: "fail", Why: "gateway: no cluster " + name + " (503)"})
		}
		return
	}
	o.judgeCluster(m, c, t, name, proto, "gateway cluster "+name)
}

// svcExportedTo reads the Service's networking.istio.io/exportTo as
// push_context.go initServiceRegistry does.
func svcExportedTo(s *Svc, ns string) bool {
	exp := str(s.Obj, "metadata", "annotations", "networking.istio.io/exportTo")
	if exp == "" {
		return true
	}
	for _, e := range strings.Split(exp, ",") {
		switch e = strings.TrimSpace(e); {
		case e == "*", e == ns, e == "." && s.Namespace == ns:
			return true
		}
	}
	return false
}

// meshVSRoutesTo: some mesh VirtualService has a destination on host (an
// over-approximation of the ones the namespace imports).
func (o *Oracle) meshVSRoutesTo(host string) bool {
	for _, vs := range o.c.Istio {
		if kindOf(vs) != "VirtualService" || len(list(vs, "spec", "gateways")) > 0 {
			continue
		}
		for _, kind := range []string{"http", "tcp", "tls"} {
			for _, r := range list(vs, "spec", kind) {
				for _, d := range list(r, "route") {
					if h := str(d, "destination", "host"); h == host || strings.HasPrefix(host, h+".") {
						return true
					}
				}
			}
		}
	}
	return false
}

func (o *Oracle) sidecarIn(ns string) bool {
	for _, p := range o.c.Pods {
		if p.Sidecar && p.Namespace == ns {
			return true
		}
	}
	return false
}

func (o *Oracle) hasCluster(c *Pod, name string) bool {
	for _, x := range o.sim(c).Clusters {
		if x.GetName() == name {
			return true
		}
	}
	return false
}

// gatewayRoutes judges every cluster a gateway's own config sends traffic
// to: each route of each virtual host of its RDS route configurations, read
// in order up to the first catch-all (Envoy takes the first route that
// matches), and each TCP proxy of its listeners' filter chains. A route's
// cluster outbound|port|subset|host is the edge gateway → host:port via
// subset. The edges of a Service that some route names replace the ones
// viaGateway judged on its default clusters (the gateway sends it nothing
// else); a Service no route names keeps them. A host the gateway has no
// cluster for at all keeps viaGateway's answer (any route to it is 503, the
// destination does not matter).
func (o *Oracle) gatewayRoutes(m map[Key]Verdict, c *Pod) {
	sim := o.sim(c)
	type hit struct {
		wc    weightedCluster
		tcp   bool
		where string
	}
	var hits []hit
	clusters := func(r *route.Route) []weightedCluster {
		if cl := r.GetRoute().GetCluster(); cl != "" {
			return []weightedCluster{{name: cl, weight: -1}}
		}
		var out []weightedCluster
		for _, w := range r.GetRoute().GetWeightedClusters().GetClusters() {
			if w.GetWeight().GetValue() > 0 {
				out = append(out, weightedCluster{name: w.GetName(), weight: int(w.GetWeight().GetValue())})
			}
		}
		return out
	}
	for name, rc := range xdstest.ExtractRouteConfigurations(sim.Routes) {
		for _, vh := range rc.GetVirtualHosts() {
			for _, r := range vh.GetRoutes() {
				for _, wc := range clusters(r) {
					hits = append(hits, hit{wc: wc, where: fmt.Sprintf("gateway route config %s, virtual host %s, route %s", name, vh.GetName(), r.GetName())})
				}
				if envoyCatchAll(r.GetMatch()) {
					break
				}
			}
		}
	}
	for _, l := range sim.Listeners {
		for _, fc := range l.GetFilterChains() {
			if xdstest.ExtractHTTPConnectionManager(o.t, fc) != nil {
				continue
			}
			tp := xdstest.ExtractTCPProxy(o.t, fc)
			if tp == nil {
				continue
			}
			where := fmt.Sprintf("gateway listener %s, chain %s, tcp proxy", l.GetName(), fc.GetName())
			if cl := tp.GetCluster(); cl != "" {
				hits = append(hits, hit{wc: weightedCluster{name: cl, weight: -1}, tcp: true, where: where})
			}
			for _, w := range tp.GetWeightedClusters().GetClusters() {
				if w.GetWeight() > 0 {
					hits = append(hits, hit{wc: weightedCluster{name: w.GetName(), weight: int(w.GetWeight())}, tcp: true, where: where})
				}
			}
		}
	}
	routed := map[string]map[Key]Verdict{}
	for _, h := range hits {
		port, _, chost, ok := parseCluster(h.wc.name)
		s := o.svcByHost(chost)
		if !ok || s == nil || !o.anyClusterFor(c, chost) {
			continue
		}
		t := target{host: s.Host(), port: port, dst: s.ClusterIP, all: o.c.Backends(s)}
		if s.Headless() {
			t.dst = ""
		}
		for _, p := range s.Ports {
			if p.Port == port {
				t.sp = p
			}
		}
		if t.sp.Port == 0 && len(s.Ports) > 0 {
			// A port the Service lacks: meshdoctor's edge on its first port,
			// routed to the missing one (no cluster: 503).
			t.port, t.sp = s.Ports[0].Port, s.Ports[0]
		}
		protos := []simulation.Protocol{simulation.HTTP}
		if h.tcp {
			// The gateway forwards whatever its client sent.
			protos = []simulation.Protocol{simulation.TCP, simulation.HTTP}
		}
		var variants []map[Key]Verdict
		for _, proto := range protos {
			one := map[Key]Verdict{}
			o.judgeCluster(one, c, t, h.wc.name, proto, h.where+", cluster "+h.wc.name)
			variants = append(variants, one)
		}
		one := map[Key]Verdict{}
		mergeVariants(one, variants)
		if routed[chost] == nil {
			routed[chost] = map[Key]Verdict{}
		}
		for k, v := range one {
			o.put(routed[chost], k, v)
		}
	}
	for chost, vs := range routed {
		scoped := false
		for k, v := range m {
			if k.Client == c.Namespace+"/"+c.Workload && k.Host == chost && v.Skip == SkipGatewayScope {
				scoped = true
			}
		}
		if scoped {
			continue // viaGateway's rule stands for the hidden Service
		}
		for k, v := range m {
			if k.Client == c.Namespace+"/"+c.Workload && k.Host == chost {
				if w, ok := vs[k]; ok && v.Skip == "" && w.Skip == "" && (w.Outcome != v.Outcome || w.Sends != v.Sends) {
					// A route's default cluster must answer as viaGateway did.
					o.t.Errorf("gateway route and default cluster differ for %s: %s vs %s", k, w.Why, v.Why)
				}
				delete(m, k)
			}
		}
		for k, v := range vs {
			m[k] = v
		}
	}
}

// intoGateway follows a connection into a gateway pod (the client →
// gateway leg): no capture; the gateway's own listener on the port takes
// it. A plaintext chain is an HTTP connection manager or TCP proxy, which
// takes plaintext as an app would (its routes are the gateway's own edges);
// no listener there refuses the connection. A chain terminating TLS is the
// gateway's server TLS, which meshdoctor does not model (its edge is
// unknown): skipped by rule.
func (o *Oracle) intoGateway(b *Pod, tp int, sends string, proto simulation.Protocol) Verdict {
	var fc *listener.FilterChain
	call := simulation.Call{Address: b.IP, Port: tp, Protocol: proto, HostHeader: "gateway.example.com", CallMode: simulation.CallModeGateway,
		CustomListenerValidations: []simulation.CustomFilterChainValidation{func(f *listener.FilterChain) error { fc = f; return nil }}}
	switch sends {
	case "istio-mtls":
		call.TLS = simulation.MTLS
	case "tls", "mtls":
		call.TLS = simulation.TLS
	}
	res := o.sim(b).Run(call)
	path := fmt.Sprintf("gateway %s/%s: listener %s, chain %s", b.Namespace, b.Workload, res.ListenerMatched, res.FilterChainMatched)
	switch {
	case res.ListenerMatched == "":
		return Verdict{Sends: sends, Outcome: "fail", Why: path + ": no listener on " + strconv.Itoa(tp) + " (connection refused)"}
	case fc == nil:
		return Verdict{Sends: sends, Outcome: "fail", Why: path + ": no filter chain matches"}
	case fc.GetTransportSocket() != nil:
		return Verdict{Sends: sends, Skip: SkipGatewayTLS, Why: path + ": the gateway's server TLS"}
	}
	return appGets(sends, path+", plaintext chain")
}

// envoyCatchAll: a route match every request meets (prefix "/" or regex
// ".*", no headers, query parameters or other conditions), after which
// Envoy never reaches a later route of the virtual host.
func envoyCatchAll(rm *route.RouteMatch) bool {
	path := rm.GetPrefix() == "/" || rm.GetPathSeparatedPrefix() == "/" || rm.GetSafeRegex().GetRegex() == ".*"
	return path && len(rm.GetHeaders()) == 0 && len(rm.GetQueryParameters()) == 0 && rm.GetGrpc() == nil &&
		len(rm.GetDynamicMetadata()) == 0 && rm.GetTlsContext() == nil && rm.GetRuntimeFraction() == nil
}

func (o *Oracle) svcByHost(host string) *Svc {
	for _, s := range o.c.Services {
		if s.Host() == host {
			return s
		}
	}
	return nil
}

// entryEdges judges each ServiceEntry host:port the client's env names.
// The app dials the entry's first address (what DNS proxying or a record
// would give), else an address public DNS might answer for an external
// name (a documentation range no capture annotation names).
func (o *Oracle) entryEdges(out map[Key]Verdict, c *Pod) {
	for _, call := range c.Calls {
		var e *Entry
		var ep EntryPort
		for _, x := range o.c.Entries {
			for _, p := range x.Ports {
				if x.Host == call.Host && p.Number == call.Port {
					e, ep = x, p
				}
			}
		}
		if e == nil || c.Gateway {
			continue
		}
		variants := []map[Key]Verdict{}
		for _, proto := range entryProtocols(ep) {
			m := map[Key]Verdict{}
			o.entryCall(m, c, e, ep, proto)
			variants = append(variants, m)
		}
		mergeVariants(out, variants)
	}
}

func entryProtocols(ep EntryPort) []simulation.Protocol {
	switch strings.ToUpper(ep.Protocol) {
	case "HTTP":
		return []simulation.Protocol{simulation.HTTP}
	case "HTTP2", "GRPC":
		return []simulation.Protocol{simulation.HTTP2}
	case "TLS", "HTTPS":
		return []simulation.Protocol{simulation.TCP} // the app's own TLS
	}
	// Any other port may carry HTTP or opaque bytes, as protocols() says of
	// a Service's TCP port: where the two differ the app's bytes decide.
	return []simulation.Protocol{simulation.TCP, simulation.HTTP}
}

func (o *Oracle) entryCall(m map[Key]Verdict, c *Pod, e *Entry, ep EntryPort, proto simulation.Protocol) {
	dst := "203.0.113.200"
	if len(e.Addresses) > 0 {
		dst = e.Addresses[0]
	}
	pods := o.c.EntryPods(e)
	external := e.Location != "MESH_INTERNAL"
	appTLS := strings.EqualFold(ep.Protocol, "TLS") || strings.EqualFold(ep.Protocol, "HTTPS")
	sends := "plaintext"
	if appTLS {
		sends = "tls"
	}
	key := func(b *Pod) Key { return o.keyTo(c, e.Host, ep.Number, b, "") }
	entryTarget := func(b *Pod) int {
		if ep.Target != 0 {
			return ep.Target
		}
		return ep.Number
	}
	captured, why := false, "client has no sidecar"
	if c.Sidecar {
		t, rule := o.rulesOf(c).Outbound(Packet{Dst: dst, Port: ep.Number})
		captured, why = t == "ISTIO_REDIRECT", "iptables: "+rule
		if ipRangeAnnotated(c) {
			for _, b := range orNil(pods) {
				o.put(m, key(b), Verdict{Skip: SkipPodIP, PreRoute: true, Why: "capture of " + dst + " hangs on an IP-range annotation"})
			}
			return
		}
	}
	if !captured {
		if !external {
			for _, b := range orNil(pods) {
				o.put(m, key(b), Verdict{Skip: SkipEntryDNS, Why: "app → " + e.Host + " uncaptured (" + why + "): DNS decides"})
			}
			return
		}
		o.put(m, key(nil), externalGets(sends, "app → "+dst+" uncaptured ("+why+")"))
		return
	}
	sim := o.sim(c)
	call := simulation.Call{Address: dst, Port: ep.Number, Protocol: proto, HostHeader: e.Host, CallMode: simulation.CallModeOutbound}
	if appTLS {
		call.TLS, call.Sni = simulation.TLS, e.Host
	}
	var fc *listener.FilterChain
	call.CustomListenerValidations = []simulation.CustomFilterChainValidation{func(f *listener.FilterChain) error { fc = f; return nil }}
	res := sim.Run(call)
	path := fmt.Sprintf("client sidecar: listener %s, chain %s, cluster %s", res.ListenerMatched, res.FilterChainMatched, res.ClusterMatched)
	if res.Error != nil {
		for _, b := range orNil(pods) {
			o.put(m, key(b), Verdict{Outcome: "fail", Why: path + ": " + res.Error.Error()})
		}
		return
	}
	t := target{host: e.Host, port: ep.Number, dst: dst, all: pods, targetOf: entryTarget, external: external}
	// No VirtualService routes a ServiceEntry host here: another host's
	// cluster behind a TCP chain is a wildcard listener's takeover.
	t.takenByOther = fc != nil && xdstest.ExtractHTTPConnectionManager(o.t, fc) == nil
	for _, wc := range o.routeClusters(sim, res, fc) {
		if appTLS && (wc.name == "PassthroughCluster" || external) {
			// The app's own TLS passes through the proxy.
			if wc.name == "BlackHoleCluster" {
				o.judgeCluster(m, c, t, wc.name, proto, path)
				continue
			}
			o.put(m, key(nil), externalGets("tls", path))
			continue
		}
		o.judgeCluster(m, c, t, wc.name, proto, path)
	}
}

// externalGets: what leaves the mesh for a host outside it. pilot decides
// what the proxy sends; whether the host accepts it is the host's (meshdoctor:
// "outside the model", judged ok when the mesh hands it over as the app
// meant). istio mTLS to a host outside the mesh never completes.
func externalGets(sends, why string) Verdict {
	if sends == "istio-mtls" {
		return Verdict{Sends: sends, Outcome: "fail", Why: why + ": istio mTLS to a host outside the mesh"}
	}
	return Verdict{Sends: sends, Outcome: "ok", Why: why + ": handed to the external host"}
}

// mergeVariants keeps each edge's answer where the protocol variants agree
// (edge's rule).
func mergeVariants(out map[Key]Verdict, variants []map[Key]Verdict) {
	for k, v := range variants[0] {
		for _, other := range variants[1:] {
			w, ok := other[k]
			if !ok || w.Outcome != v.Outcome || w.Sends != v.Sends || w.Skip != v.Skip {
				v = Verdict{Skip: SkipAppBytes, Why: "the app's bytes decide: one gives " + v.Outcome + " (" + v.Why + "), the other " + w.Outcome + " (" + w.Why + ")"}
			}
		}
		out[k] = v
	}
	for _, other := range variants[1:] {
		for k, w := range other {
			if _, ok := variants[0][k]; !ok {
				out[k] = Verdict{Skip: SkipAppBytes, Why: "the app's bytes decide: only one byte stream reaches this backend (" + w.Why + ")"}
			}
		}
	}
}
