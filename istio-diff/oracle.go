package istiodiff

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	envoycore "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	corev1 "k8s.io/api/core/v1"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/kube"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/config/protocol"
)

// Key names one edge the way meshdoctor's JSON does: client workload →
// Service host:port → backend workload ("" when no backend is reached).
type Key struct {
	Client  string // namespace/workload
	Host    string
	Port    int
	Backend string
	// Dest is the route destination the edge takes: "" for the dialled
	// port's default cluster, else the subset and, when a route's
	// destination names another port, "@port" (meshdoctor's server.subset
	// and server.routedPort). Each destination of a weighted route is its
	// own edge.
	Dest string
}

func (k Key) String() string {
	b := k.Backend
	if b == "" {
		b = "<none>"
	}
	d := ""
	if k.Dest != "" {
		d = " via " + k.Dest
	}
	return fmt.Sprintf("%s -> %s:%d%s (backend %s)", k.Client, k.Host, k.Port, d, b)
}

// DestOf is Key.Dest for a subset and a routed port (0 or the dialled port: none).
func DestOf(subset string, routedPort, dialled int) string {
	d := subset
	if routedPort != 0 && routedPort != dialled {
		d += "@" + strconv.Itoa(routedPort)
	}
	return d
}

// Verdict is one side's answer for an edge.
type Verdict struct {
	Sends   string // plaintext, istio-mtls, tls, mtls, blackhole; "" when the call never leaves the client proxy
	Outcome string // ok, fail, unknown
	// Skip is set when the edge is not judged, naming the rule.
	Skip string
	// Why is Istio's path: listener, cluster, filter chain, error.
	Why string
	// PreRoute: a skip decided before any route is chosen (capture), so it
	// stands for every route destination of its edge (Key.Dest "").
	PreRoute bool
}

// Skip rules: edges where meshdoctor and Istio must differ, judged by rule.
const (
	// SkipAppBytes: the outcome depends on bytes the app itself writes or
	// reads, which neither pilot nor the manifests fix: non-istio TLS passed
	// through to the server app, or an auto-detected port where an HTTP and a
	// TCP client get different answers.
	SkipAppBytes = "app-bytes"
	// SkipPodIP: capture hangs on an IP-range annotation and a pod IP,
	// which manifests do not carry (Istio's fake cluster gives every pod one).
	SkipPodIP = "pod-ip"
	// SkipAmbient: ztunnel / HBONE, which pilot's simulation does not model.
	SkipAmbient = "ambient"
	// SkipOtherHost: a route destination on another host than the one
	// dialled. meshdoctor's edge is to the dialled Service and follows its
	// own destinations; the other host's cluster is the one the client's
	// own edge to that host takes (docs/semantics.md §11).
	SkipOtherHost = "other-host"
	// SkipEntryDNS: a client whose bytes to a ServiceEntry host leave
	// without a proxy reaches whatever DNS answers for the name, which the
	// manifests do not say.
	SkipEntryDNS = "entry-dns"
	// SkipGatewayScope: a gateway's edge to a Service hidden from its
	// namespace, where a sidecar in that namespace may compute the scope the
	// gateway then takes (docs/semantics.md §11).
	SkipGatewayScope = "gateway-scope"
	// SkipGatewayTLS: a connection into a gateway's server that terminates
	// or passes through TLS (the client → gateway leg), which meshdoctor
	// does not model: its edge is unknown (docs/semantics.md §10.7). Not
	// generated: the generator's gateway Services expose plaintext servers.
	SkipGatewayTLS = "gateway-tls"
)

// Oracle runs Istio's pilot over one Cluster.
type Oracle struct {
	t     *testing.T
	c     *Cluster
	fake  *xds.FakeDiscoveryServer
	sims  map[*Pod]*simulation.Simulation
	eds   map[*Pod]map[string][]endpointInfo
	rules map[*Pod]*Rules
}

type endpointInfo struct {
	ip     string
	port   int
	tlsTag map[string]string // envoy.transport_socket_match metadata
}

// NewOracle starts Istio's fake discovery server on c.
func NewOracle(t *testing.T, c *Cluster) (*Oracle, error) {
	mc := mesh.DefaultMeshConfig()
	if c.MeshYAML != "" {
		m, err := mesh.ApplyMeshConfigDefaults(c.MeshYAML)
		if err != nil {
			return nil, err
		}
		mc = m
	}
	cfgs, _, err := crd.ParseInputs(c.IstioYAML())
	if err != nil {
		return nil, err
	}
	for i := range cfgs {
		// The Kubernetes CRD client stamps every object with the domain suffix
		// (crdclient/client.go: cfg.Domain = domainSuffix); short hosts in
		// DestinationRules resolve through it (model.ResolveShortnameToFQDN).
		// The fake's memory store does not, so do it here.
		cfgs[i].Domain = "cluster.local"
	}
	fake := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
		KubernetesObjectString: c.KubeYAML(),
		Configs:                cfgs,
		MeshConfig:             mc,
	})
	return &Oracle{t: t, c: c, fake: fake, sims: map[*Pod]*simulation.Simulation{},
		eds: map[*Pod]map[string][]endpointInfo{}, rules: map[*Pod]*Rules{}}, nil
}

func (o *Oracle) proxy(p *Pod) *model.Proxy {
	labels := map[string]string{}
	for k, v := range p.Labels {
		labels[k] = v
	}
	labels["security.istio.io/tlsMode"] = "istio"
	mode := model.InterceptionRedirect
	if strings.EqualFold(p.Annotations["sidecar.istio.io/interceptionMode"], "NONE") {
		mode = model.InterceptionNone
	}
	typ := model.SidecarProxy
	if p.Gateway {
		typ = model.Router
	}
	return o.fake.SetupProxy(&model.Proxy{
		Type:            typ,
		ID:              p.Name + "." + p.Namespace,
		IPAddresses:     []string{p.IP},
		ConfigNamespace: p.Namespace,
		Labels:          labels,
		Metadata: &model.NodeMetadata{Namespace: p.Namespace, Labels: labels, ClusterID: "Kubernetes",
			InterceptionMode: mode, Annotations: p.Annotations, IstioVersion: "1.31.0"},
	})
}

func (o *Oracle) sim(p *Pod) *simulation.Simulation {
	if s, ok := o.sims[p]; ok {
		return s
	}
	px := o.proxy(p)
	s := simulation.NewSimulation(o.t, o.fake, px)
	s.Routes = rdsOnce(o.fake, px, s.Listeners)
	o.sims[p] = s
	m := map[string][]endpointInfo{}
	for _, cla := range o.fake.Endpoints(px) {
		for _, le := range cla.GetEndpoints() {
			for _, lb := range le.GetLbEndpoints() {
				sa := lb.GetEndpoint().GetAddress().GetSocketAddress()
				ei := endpointInfo{ip: sa.GetAddress(), port: int(sa.GetPortValue()), tlsTag: map[string]string{}}
				if md := lb.GetMetadata().GetFilterMetadata()["envoy.transport_socket_match"]; md != nil {
					for k, v := range md.GetFields() {
						ei.tlsTag[k] = v.GetStringValue()
					}
				}
				m[cla.GetClusterName()] = append(m[cla.GetClusterName()], ei)
			}
		}
	}
	o.eds[p] = m
	return s
}

func (o *Oracle) rulesOf(p *Pod) *Rules {
	if r, ok := o.rules[p]; ok {
		return r
	}
	r, err := RulesFor(p.Annotations)
	if err != nil {
		o.t.Fatalf("pod %s/%s: %v", p.Namespace, p.Name, err)
	}
	o.rules[p] = r
	return r
}

func (o *Oracle) podByIP(ip string) *Pod {
	for _, p := range o.c.Pods {
		if p.IP == ip {
			return p
		}
	}
	return nil
}

// protocols are the client-app byte streams to try on a Service port.
// Istio's own port-protocol inference (pkg/config/kube ConvertProtocol)
// decides what the port is; only an HTTP declaration fixes the app's bytes.
// On any other port the app may write HTTP or opaque bytes, and where the
// two get different answers (an auto-detected port; a server port that
// another Service declares HTTP) the edge hangs on the app's bytes.
func protocols(sp SvcPort) []simulation.Protocol {
	var ap *string
	if sp.AppProtocol != "" {
		ap = &sp.AppProtocol
	}
	p := kube.ConvertProtocol(int32(sp.Port), sp.Name, corev1.ProtocolTCP, ap)
	switch {
	case p == protocol.HTTP2 || p == protocol.GRPC || p == protocol.GRPCWeb:
		return []simulation.Protocol{simulation.HTTP2}
	case p.IsHTTP():
		return []simulation.Protocol{simulation.HTTP}
	case p.IsUnsupported():
		return []simulation.Protocol{simulation.HTTP, simulation.TCP}
	}
	return []simulation.Protocol{simulation.TCP, simulation.HTTP}
}

// Edges is Istio's verdict for every client pod × Service port.
func (o *Oracle) Edges() map[Key]Verdict {
	out := map[Key]Verdict{}
	// Gateways' proxies first: each then holds its own gateway scope, never
	// one a sidecar of its namespace computed (see SkipGatewayScope).
	for _, c := range o.c.Pods {
		if c.Gateway {
			o.sim(c)
		}
	}
	for _, c := range o.c.Pods {
		for _, s := range o.c.Services {
			for _, sp := range s.Ports {
				o.edge(out, c, s, sp)
			}
		}
		o.entryEdges(out, c)
		if c.Gateway {
			o.gatewayRoutes(out, c)
		}
	}
	return out
}

// edge judges one client pod → Service port for every protocol variant and
// keeps the answer where the variants agree.
func (o *Oracle) edge(out map[Key]Verdict, c *Pod, s *Svc, sp SvcPort) {
	var variants []map[Key]Verdict
	for _, proto := range protocols(sp) {
		m := map[Key]Verdict{}
		o.call(m, c, s, sp, proto)
		variants = append(variants, m)
	}
	mergeVariants(out, variants)
}

func (o *Oracle) key(c *Pod, s *Svc, sp SvcPort, b *Pod) Key {
	return o.keyTo(c, s.Host(), sp.Port, b, "")
}

func (o *Oracle) keyTo(c *Pod, host string, port int, b *Pod, dest string) Key {
	k := Key{Client: c.Namespace + "/" + c.Workload, Host: host, Port: port, Dest: dest}
	if b != nil {
		k.Backend = b.Workload
	}
	return k
}

func (o *Oracle) put(m map[Key]Verdict, k Key, v Verdict) {
	if old, ok := m[k]; ok && (old.Outcome != v.Outcome || old.Sends != v.Sends || old.Skip != v.Skip) {
		// Two paths to one backend with different answers (never by design in
		// the generator's meshes): judge neither.
		v = Verdict{Skip: "mixed", Why: old.Why + " | " + v.Why}
	}
	m[k] = v
}

// dests are where the client app's connection goes: the cluster IP, or for a
// headless Service each backend pod's IP.
func (o *Oracle) dests(s *Svc) []string {
	if !s.Headless() {
		return []string{s.ClusterIP}
	}
	var ips []string
	for _, b := range o.c.Backends(s) {
		ips = append(ips, b.IP)
	}
	return ips
}

func (o *Oracle) call(m map[Key]Verdict, c *Pod, s *Svc, sp SvcPort, proto simulation.Protocol) {
	backends := o.c.Backends(s)
	dsts := o.dests(s)
	if len(dsts) == 0 || len(backends) == 0 {
		o.put(m, o.key(c, s, sp, nil), Verdict{Outcome: "fail", Why: "no backend pod: nothing accepts the connection"})
		return
	}
	if c.Gateway {
		o.viaGateway(m, c, s, sp, backends, proto)
		return
	}
	for _, dst := range dsts {
		direct := o.podByIP(dst) // headless: the one pod; else nil (kube-proxy picks)
		captured, why := false, "client has no sidecar"
		if c.Sidecar {
			t, rule := o.rulesOf(c).Outbound(Packet{Dst: dst, Port: sp.Port, Loopback: dst == c.IP})
			captured, why = t == "ISTIO_REDIRECT", "iptables: "+rule
		}
		skip := ""
		if c.Sidecar && direct != nil && ipRangeAnnotated(c) {
			skip = SkipPodIP
		}
		if !captured {
			for _, b := range backendsAt(backends, direct) {
				v := o.deliver(c, false, dst, b, sp.Target(b), "plaintext", proto)
				v.Why = "app → " + dst + " uncaptured (" + why + "); " + v.Why
				if skip != "" {
					v.Skip, v.PreRoute = skip, true
				}
				o.put(m, o.key(c, s, sp, b), v)
			}
			continue
		}
		if skip != "" {
			for _, b := range backendsAt(backends, direct) {
				o.put(m, o.key(c, s, sp, b), Verdict{Skip: skip, PreRoute: true, Why: "capture of " + dst + " hangs on an IP-range annotation"})
			}
			continue
		}
		o.viaSidecar(m, c, s, sp, dst, direct, backends, proto)
	}
}

func backendsAt(all []*Pod, direct *Pod) []*Pod {
	if direct != nil {
		return []*Pod{direct}
	}
	return all
}

func ipRangeAnnotated(p *Pod) bool {
	_, a := p.Annotations["traffic.sidecar.istio.io/includeOutboundIPRanges"]
	_, b := p.Annotations["traffic.sidecar.istio.io/excludeOutboundIPRanges"]
	return a || b
}

func (o *Oracle) viaSidecar(m map[Key]Verdict, c *Pod, s *Svc, sp SvcPort, dst string, direct *Pod, backends []*Pod, proto simulation.Protocol) {
	sim := o.sim(c)
	var fc *listener.FilterChain
	res := sim.Run(simulation.Call{Address: dst, Port: sp.Port, Protocol: proto, HostHeader: s.Host(), CallMode: simulation.CallModeOutbound,
		CustomListenerValidations: []simulation.CustomFilterChainValidation{func(f *listener.FilterChain) error { fc = f; return nil }}})
	path := fmt.Sprintf("client sidecar: listener %s, chain %s, cluster %s", res.ListenerMatched, res.FilterChainMatched, res.ClusterMatched)
	all := backendsAt(backends, direct)
	if res.Error != nil {
		o.put(m, o.key(c, s, sp, direct), Verdict{Outcome: "fail", Why: path + ": " + res.Error.Error()})
		return
	}
	t := target{host: s.Host(), port: sp.Port, sp: sp, dst: dst, direct: direct, all: all}
	// A TCP chain of a listener that is not the dialled address's own is a
	// wildcard listener's (a ServiceEntry without addresses): no route chose it.
	t.takenByOther = fc != nil && xdstest.ExtractHTTPConnectionManager(o.t, fc) == nil && res.ListenerMatched != dst+"_"+strconv.Itoa(sp.Port)
	for _, wc := range o.routeClusters(sim, res, fc) {
		p := path
		if wc.weight >= 0 {
			p = fmt.Sprintf("%s, weighted cluster %s (%d)", path, wc.name, wc.weight)
		}
		o.judgeCluster(m, c, t, wc.name, proto, p)
	}
}

// target is what a client's connection was for: the dialled host:port, the
// address dialled, and the backends it may reach.
type target struct {
	host   string
	port   int
	sp     SvcPort // the dialled Service port (zero for a ServiceEntry)
	dst    string
	direct *Pod   // the pod dialled (headless), nil when a VIP spreads
	all    []*Pod // backends the VIP (or ORIGINAL_DST) reaches
	// targetOf resolves a backend's target port when the route keeps the
	// dialled port (ServiceEntries: their own targetPort); nil: sp.Target.
	targetOf func(*Pod) int
	// external: the endpoints are not pods (MESH_EXTERNAL).
	external bool
	// takenByOther: the connection met another host's wildcard listener.
	takenByOther bool
}

type weightedCluster struct {
	name   string
	weight int // -1 when the route names one cluster
}

// routeClusters are the clusters the matched route or TCP proxy sends to:
// its one cluster, or each of its weighted clusters that carries traffic
// (the simulation reports only a route's single cluster).
func (o *Oracle) routeClusters(sim *simulation.Simulation, res simulation.Result, fc *listener.FilterChain) []weightedCluster {
	if res.ClusterMatched != "" || fc == nil {
		return []weightedCluster{{name: res.ClusterMatched, weight: -1}}
	}
	var wcs []weightedCluster
	if h := xdstest.ExtractHTTPConnectionManager(o.t, fc); h != nil {
		rc := h.GetRouteConfig()
		if rc == nil {
			rc = xdstest.ExtractRouteConfigurations(sim.Routes)[h.GetRds().GetRouteConfigName()]
		}
		for _, vh := range rc.GetVirtualHosts() {
			if vh.GetName() != res.VirtualHostMatched {
				continue
			}
			for _, r := range vh.GetRoutes() {
				if r.GetName() != res.RouteMatched {
					continue
				}
				for _, w := range r.GetRoute().GetWeightedClusters().GetClusters() {
					wcs = append(wcs, weightedCluster{name: w.GetName(), weight: int(w.GetWeight().GetValue())})
				}
				break
			}
			break
		}
	} else if tp := xdstest.ExtractTCPProxy(o.t, fc); tp != nil {
		for _, w := range tp.GetWeightedClusters().GetClusters() {
			wcs = append(wcs, weightedCluster{name: w.GetName(), weight: int(w.GetWeight())})
		}
	}
	var out []weightedCluster
	for _, w := range wcs {
		// A zero-weight cluster carries nothing.
		if w.weight > 0 {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		return []weightedCluster{{name: "", weight: -1}}
	}
	return out
}

// parseCluster splits outbound|port|subset|host.
func parseCluster(name string) (port int, subset, host string, ok bool) {
	parts := strings.Split(name, "|")
	if len(parts) != 4 || parts[0] != "outbound" {
		return 0, "", "", false
	}
	port, _ = strconv.Atoi(parts[1])
	return port, parts[2], parts[3], true
}

// judgeCluster follows one cluster of the client's proxy to the backends
// it reaches; each outbound|port|subset|host is its own edge (Key.Dest).
func (o *Oracle) judgeCluster(m map[Key]Verdict, c *Pod, t target, name string, proto simulation.Protocol, path string) {
	sim := o.sim(c)
	dest, skip := "", ""
	routedSvcPort := t.sp
	if port, subset, host, ok := parseCluster(name); ok {
		dest = DestOf(subset, port, t.port)
		if host != t.host && t.takenByOther {
			// No route sent it there: another host's listener took the
			// connection (a ServiceEntry without addresses binds 0.0.0.0:port).
			// The dialled Service is never reached.
			for _, b := range orNil(t.all) {
				o.put(m, o.keyTo(c, t.host, t.port, b, ""), Verdict{Outcome: "fail", Why: path + ": taken by " + name + ", another host's listener"})
			}
			return
		}
		if host != t.host {
			// meshdoctor follows the dialled host's destinations; a route to
			// another host is that host's cluster, judged on the client's own
			// edge to it.
			dest, skip = "->"+host+":"+strconv.Itoa(port)+"|"+subset, SkipOtherHost
		} else if port != t.port {
			for _, p := range svcPorts(o.c, host) {
				if p.Port == port {
					routedSvcPort = p
				}
			}
		}
	}
	key := func(b *Pod) Key { return o.keyTo(c, t.host, t.port, b, dest) }
	put := func(b *Pod, v Verdict) {
		if skip != "" {
			v.Skip = skip
		}
		o.put(m, key(b), v)
	}
	switch name {
	case "BlackHoleCluster":
		for _, b := range orNil(t.all) {
			put(b, Verdict{Sends: "blackhole", Outcome: "fail", Why: path})
		}
		return
	case "PassthroughCluster":
		if t.external {
			put(nil, externalGets("plaintext", path))
			return
		}
		for _, b := range t.all {
			v := o.deliver(c, true, t.dst, b, o.targetFor(t, t.sp, b), "plaintext", proto)
			v.Why = path + "; " + v.Why
			put(b, v)
		}
		return
	case "":
		put(t.direct, Verdict{Outcome: "fail", Why: path + ": no cluster"})
		return
	}
	var cl *cluster.Cluster
	for _, x := range sim.Clusters {
		if x.GetName() == name {
			cl = x
		}
	}
	if cl == nil && skip == "" && !o.anyClusterFor(c, t.host) {
		// The proxy has no cluster for the host at all (a hidden Service whose
		// VirtualService still routes on port 80): every route is 503, the
		// destination does not matter — one failure of the dialled edge.
		for _, b := range orNil(t.all) {
			o.put(m, o.keyTo(c, t.host, t.port, b, ""), Verdict{Outcome: "fail", Why: path + ": no cluster for " + t.host + " in the proxy (503)"})
		}
		return
	}
	if cl == nil {
		// A route to a subset no DestinationRule defines: Envoy answers 503
		// "no cluster" (the cluster is never generated).
		// For a headless Service the failure belongs to the pod dialled (direct).
		put(t.direct, Verdict{Outcome: "fail", Why: path + ": cluster " + name + " not generated (503)"})
		return
	}
	if t.external {
		put(nil, externalGets(socketFor(cl, nil), path+" ("+cl.GetType().String()+")"))
		return
	}
	switch cl.GetType() {
	case cluster.Cluster_ORIGINAL_DST:
		// Envoy connects to the connection's original destination: the pod IP,
		// or the cluster IP that kube-proxy then spreads over every backend —
		// on the dialled port, whatever port the route's cluster names.
		mode := socketFor(cl, nil)
		for _, b := range t.all {
			v := o.deliver(c, true, t.dst, b, o.targetFor(t, t.sp, b), mode, proto)
			v.Why = path + " (ORIGINAL_DST, " + mode + "); " + v.Why
			put(b, v)
		}
	case cluster.Cluster_EDS:
		eps := o.eds[c][cl.GetName()]
		if len(eps) == 0 {
			put(nil, Verdict{Outcome: "fail", Why: path + ": EDS has no endpoint (503 no healthy upstream)"})
			return
		}
		for _, ep := range eps {
			b := o.podByIP(ep.ip)
			if b == nil {
				continue
			}
			mode := socketFor(cl, ep.tlsTag)
			tp := ep.port
			if tp == 0 {
				tp = o.targetFor(t, routedSvcPort, b)
			}
			v := o.deliver(c, true, ep.ip, b, tp, mode, proto)
			v.Why = path + " (EDS " + ep.ip + ":" + strconv.Itoa(tp) + ", " + mode + "); " + v.Why
			put(b, v)
		}
	default:
		for _, b := range orNil(t.all) {
			put(b, Verdict{Skip: "cluster-type", Why: path + ": cluster type " + cl.GetType().String()})
		}
	}
}

// anyClusterFor: the proxy has some outbound cluster of host.
func (o *Oracle) anyClusterFor(c *Pod, host string) bool {
	for _, x := range o.sim(c).Clusters {
		if _, _, h, ok := parseCluster(x.GetName()); ok && h == host {
			return true
		}
	}
	return false
}

func (o *Oracle) targetFor(t target, sp SvcPort, b *Pod) int {
	if t.targetOf != nil {
		return t.targetOf(b)
	}
	return sp.Target(b)
}

// orNil is the backends, or one backend-less edge when there are none.
func orNil(bs []*Pod) []*Pod {
	if len(bs) == 0 {
		return []*Pod{nil}
	}
	return bs
}

func svcPorts(c *Cluster, host string) []SvcPort {
	for _, s := range c.Services {
		if s.Host() == host {
			return s.Ports
		}
	}
	return nil
}

// socketFor picks the transport socket Envoy uses toward an endpoint: the
// first transport_socket_matches entry whose match is a subset of the
// endpoint's envoy.transport_socket_match metadata, else the cluster's
// transport_socket (Envoy's documented selection).
func socketFor(cl *cluster.Cluster, tag map[string]string) string {
	for _, tm := range cl.GetTransportSocketMatches() {
		ok := true
		for k, v := range tm.GetMatch().GetFields() {
			if tag[k] != v.GetStringValue() {
				ok = false
			}
		}
		if ok {
			return classify(tm.GetTransportSocket())
		}
	}
	return classify(cl.GetTransportSocket())
}

// classify names what an upstream transport socket puts on the wire.
func classify(ts *envoycore.TransportSocket) string {
	if ts == nil || ts.GetTypedConfig() == nil || !strings.Contains(ts.GetTypedConfig().GetTypeUrl(), "UpstreamTlsContext") {
		return "plaintext"
	}
	u := &tlsv3.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(u); err != nil {
		return "tls"
	}
	cc := u.GetCommonTlsContext()
	if sds := cc.GetTlsCertificateSdsSecretConfigs(); len(sds) > 0 {
		if sds[0].GetName() == "default" {
			return "istio-mtls"
		}
		return "mtls"
	}
	if len(cc.GetTlsCertificates()) > 0 {
		return "mtls"
	}
	return "tls"
}

// deliver follows the connection into the backend pod: through its
// iptables (or, for a pod calling itself, the client's own OUTPUT chain on
// lo) into its sidecar's inbound listener or straight to the app.
func (o *Oracle) deliver(c *Pod, fromProxy bool, dst string, b *Pod, tp int, sends string, proto simulation.Protocol) Verdict {
	if tp == 0 {
		return Verdict{Sends: sends, Outcome: "fail", Why: "named targetPort not on pod"}
	}
	if b.Gateway {
		return o.intoGateway(b, tp, sends, proto)
	}
	captured, why := false, "server has no sidecar"
	if b.Sidecar || b == c {
		if b == c && dst == b.IP {
			t, rule := o.rulesOf(c).Outbound(Packet{Dst: b.IP, Port: tp, Loopback: true, ProxyUID: fromProxy})
			captured, why = t == "ISTIO_IN_REDIRECT", "own pod over lo: "+rule
			if !c.Sidecar {
				captured, why = false, "own pod over lo, no sidecar"
			}
		} else if b.Sidecar {
			t, rule := o.rulesOf(b).Inbound(tp)
			captured, why = t == "ISTIO_IN_REDIRECT", "server iptables: "+rule
		}
	}
	if !captured {
		return appGets(sends, "server app on "+strconv.Itoa(tp)+" ("+why+")")
	}
	var terminated bool
	call := simulation.Call{Address: b.IP, Port: tp, Protocol: proto, CallMode: simulation.CallModeInbound,
		CustomListenerValidations: []simulation.CustomFilterChainValidation{func(fc *listener.FilterChain) error {
			terminated = fc.GetTransportSocket() != nil
			return nil
		}}}
	switch sends {
	case "istio-mtls":
		call.TLS = simulation.MTLS
		call.Sni = "outbound_." + strconv.Itoa(tp) + "_._." + "svc"
	case "tls", "mtls":
		call.TLS = simulation.TLS
	}
	res := o.sim(b).Run(call)
	path := fmt.Sprintf("server sidecar (%s): chain %s, cluster %s", why, res.FilterChainMatched, res.ClusterMatched)
	if res.Error != nil {
		return Verdict{Sends: sends, Outcome: "fail", Why: path + ": " + res.Error.Error()}
	}
	if terminated || sends == "plaintext" {
		return Verdict{Sends: sends, Outcome: "ok", Why: path}
	}
	return appGets(sends, path+", TLS passed through to the app")
}

// appGets: the generator's apps speak plaintext HTTP or TCP.
func appGets(sends, why string) Verdict {
	switch sends {
	case "plaintext":
		return Verdict{Sends: sends, Outcome: "ok", Why: why}
	case "istio-mtls":
		return Verdict{Sends: sends, Outcome: "fail", Why: why + ": istio mTLS reaches a plaintext app"}
	}
	return Verdict{Sends: sends, Skip: SkipAppBytes, Why: why + ": non-istio TLS reaches the app, whose own TLS is not in the manifests"}
}
