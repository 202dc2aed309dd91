package mesh

import (
	"sync"

	"github.com/meshdoctor/meshdoctor/inventory"
	"istio.io/api/label"
	corev1 "k8s.io/api/core/v1"
)

// Model is the mesh as Istio would configure it from an inventory: the
// indices of §1 and §2 built once, and per-workload decisions cached.
type Model struct {
	Inv       *inventory.Inventory
	PeerAuth  *PeerAuthIndex
	DestRules *DRIndex
	// HBONESending is PILOT_ENABLE_SENDING_HBONE, on with the ambient profile.
	HBONESending bool
	proxies      map[*inventory.Workload]ProxyDecision
	proxiesMu    sync.Mutex // edges are judged on every core
	inbound      inboundCache
	gateway      gatewayCache
}

// New builds the model of inv: the PeerAuthentication index of §1.2–1.4
// (Istio: pilot/pkg/model/push_context.go initAuthnPolicies) and the
// DestinationRule index of §2.3 (push_context.go setDestinationRules), as a
// PushContext holds them.
func New(inv *inventory.Inventory) *Model {
	mc := inv.Mesh
	return &Model{
		Inv:          inv,
		PeerAuth:     NewPeerAuthIndex(inv.PeerAuthentications, mc.RootNamespace),
		DestRules:    NewDRIndex(inv.DestinationRules, mc.RootNamespace, mc.DomainSuffix, mc.DefaultDestinationRuleExportTo),
		HBONESending: mc.EnableHBONE,
		proxies:      map[*inventory.Workload]ProxyDecision{},
	}
}

// Proxy is the (cached) injection decision for w: §4.1, Injection
// (Istio: pkg/kube/inject/inject.go injectRequired and the webhook's selectors).
func (m *Model) Proxy(w *inventory.Workload) ProxyDecision {
	m.proxiesMu.Lock()
	d, ok := m.proxies[w]
	m.proxiesMu.Unlock()
	if ok {
		return d
	}
	d = Injection(w.Namespace, m.Inv.Namespace(w.Namespace), w, m.Inv.Mesh)
	m.proxiesMu.Lock()
	m.proxies[w] = d
	m.proxiesMu.Unlock()
	return d
}

// TLSModeLabel is the endpoint tlsMode of w (§3.2): the pod label if set,
// "istio" when injected (the template adds it), else "disabled". Istio:
// pilot/pkg/serviceregistry/kube/conversion.go PodTLSMode →
// pilot/pkg/model/service.go GetTLSModeFromEndpointLabels.
func (m *Model) TLSModeLabel(w *inventory.Workload) string {
	if v, ok := w.Template.Labels[label.SecurityTlsMode.Name]; ok {
		return v
	}
	if m.Proxy(w).Kind == ProxySidecar {
		return "istio"
	}
	return "disabled"
}

// tunnel reports whether w accepts HBONE (§3.5): ambient pods, and sidecars
// labelled networking.istio.io/tunnel=http (added when ENABLE_HBONE is on).
func (m *Model) tunnel(w *inventory.Workload) bool {
	switch m.Proxy(w).Kind {
	case ProxyAmbient:
		return true
	case ProxySidecar:
		// ztunnel reads only the label (ambient/workloads.go setTunnelProtocol);
		// the injection template adds it when ENABLE_HBONE is on, so a predicted
		// pod has it then, but a running pod injected before the upgrade does not.
		l, ok := w.Template.Labels["networking.istio.io/tunnel"]
		if ok || w.Live {
			return l == "http"
		}
		return m.Inv.Mesh.EnableHBONE
	}
	return false
}

// Hop is one client → service port → backend pod template to judge.
type Hop struct {
	Client     *inventory.Workload
	Service    *inventory.Service
	Port       corev1.ServicePort
	Backend    *inventory.Workload // nil when no workload in the inputs backs the Service
	TargetPort int32
	AppTLS     bool
	// Subset is the DR subset a VirtualService routes to ("" for the default route).
	Subset string
	// ClusterPort is the Service port whose cluster a route's destination
	// port picks (§10.1), when it is not Port; zero otherwise.
	ClusterPort int32
	// OtherHost: the request's Host header is not the domain of the
	// port-80 rule's virtual host (Visibility.HostDomain, §10.2).
	OtherHost bool
}

// ClientInputOf gathers the client rule's inputs for h (§3.4, §10): what
// Istio's cluster builder reads for the client's cluster of the hop
// (networking/core/cluster_builder.go applyDestinationRule, buildSubsetCluster)
// and its endpoint builder for the backend (xds/endpoints/endpoint_builder.go).
func (m *Model) ClientInputOf(h Hop) ClientInput {
	mc := m.Inv.Mesh
	c := h.Client
	in := ClientInput{
		Proxy:        m.Proxy(c).Kind,
		AppTLS:       h.AppTLS,
		Port:         uint32(h.Port.Port),
		Subset:       h.Subset,
		AutoMtls:     mc.EnableAutoMtls,
		HBONESending: m.HBONESending,
		// A ServiceEntry host outside the mesh never gets auto mTLS (§3.1).
		MeshExternal: h.Service.External != nil && !h.Service.External.MeshInternal,
	}
	in.Outbound, in.OutboundWhy, in.Visibility, _ = m.outbound(c, h.Service, h.Port)
	if h.OtherHost && in.Visibility.OtherHost != nil {
		in.Visibility = *in.Visibility.OtherHost
	}
	if m.Loopback(h) {
		in.Outbound, in.OutboundWhy = No, loopbackWhy
	}
	if h.ClusterPort != 0 {
		// The cluster, and so the DR's port-level policy, is the destination port's.
		in.Port = uint32(h.ClusterPort)
	}
	cl := m.ClusterFor(c.Namespace, c.Template.Labels, in.Proxy, h.Service, in.Port, h.Subset)
	in.DR, in.OriginalDst, in.PassthroughMTLS = cl.DR, cl.OriginalDst, cl.PassthroughMTLS
	in.NsMode, in.NsModeFrom = m.PeerAuth.NamespaceMode(h.Service.Namespace)
	backends := m.Inv.Backends(h.Service)
	in.HeadlessDisabled = len(backends) == 0
	for _, b := range backends {
		if m.TLSModeLabel(b) == "disabled" {
			in.HeadlessDisabled = true
		}
	}
	if b := h.Backend; b != nil {
		in.EndpointIstio = m.TLSModeLabel(b) == "istio"
		pa := m.PeerAuth.For(b.Namespace, b.Template.Labels)
		in.EndpointMode, in.EndpointModeFrom = pa.ModeForPort(uint32(h.TargetPort))
		in.EndpointTunnel = m.tunnel(b)
	}
	return in
}

// outbound is what a client's proxy does with its traffic to svc port p
// before any route: whether its sidecar captures it (§4.2), whether it has
// a listener and cluster for it (§3.4 visibility, §10.5 reserved ports),
// and the Sidecar resource that scopes it (nil for gateways, which always
// get the default scope: push_context.go doGetSidecarScope).
func (m *Model) outbound(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort) (Tri, string, Visibility, *inventory.Sidecar) {
	mc := m.Inv.Mesh
	ip := svc.Spec.ClusterIP
	if svc.Headless() {
		ip = ""
	}
	out, why := CaptureOf(c.Template.Annotations).OutboundCaptured(ip, p.Port)
	var sc *inventory.Sidecar
	kind := m.Proxy(c).Kind
	if kind != ProxyGateway {
		sc = SidecarFor(m.Inv.Sidecars, c.Namespace, c.Template.Labels, mc.RootNamespace)
	}
	vis := VisibilityOf(svc, c.Namespace, sc, mc)
	if reserved, blackhole, rwhy := ReservedOutboundPort(p); reserved && kind == ProxySidecar && vis.Visible {
		vis = Visibility{RegistryOnly: vis.RegistryOnly, Reason: rwhy, DecidedBy: []inventory.Ref{svc.Ref()}, BlackHole: blackhole}
	}
	if kind == ProxySidecar && !vis.Visible && !vis.BlackHole {
		vis = m.port80(vis, c, svc, p, sc)
	}
	if kind == ProxySidecar {
		vis = m.entryTake(vis, svc, p.Port, c.Namespace, sc)
	}
	if own := OwnListenerPort(p.Port); own != "" && kind == ProxySidecar && !vis.Visible && !vis.BlackHole && !vis.Undecided {
		vis.BlackHole, vis.Reason = true, vis.Reason+"; the virtual outbound listener takes it, and "+own
	}
	if kind == ProxyGateway {
		vis = m.gatewayVisibility(vis, c, svc, p)
	}
	return out, why, vis, sc
}

// Routes is where the client's proxy routes its traffic to svc port p
// (§10.1, §10.2), nil for the default route: only sidecars and gateways read
// VirtualServices, and a sidecar only for traffic it captures and has a
// listener for — an uncaptured, hidden or reserved port sees none. Istio:
// networking/core/listener.go buildSidecarOutboundListeners (listeners only
// for visible services and bindable ports; routes only on those listeners),
// tools/istio-iptables/pkg/capture/run.go (what reaches the sidecar at all).
func (m *Model) Routes(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort, bytes AppBytes) []Route {
	switch m.Proxy(c).Kind {
	case ProxySidecar, ProxyGateway:
	default:
		return nil
	}
	if m.Proxy(c).Kind == ProxyGateway {
		return m.gatewayRoutes(c, svc, p)
	}
	captured, _, vis, sc := m.outbound(c, svc, p)
	if captured != Yes || !vis.Visible {
		return nil
	}
	return RoutesFor(m.Inv.VirtualServices, RouteQuery{ClientNs: c.Namespace, ClientLabels: c.Template.Labels, Sidecar: sc,
		Host: svc.Host(m.Inv.Mesh.DomainSuffix), Port: p, Bytes: bytes, Domain: m.Inv.Mesh.DomainSuffix})
}

// HostDomain is the domain a request's Host header must match for the
// client's view of svc port p to hold (the port-80 rule's virtual host,
// §10.2); "" when any Host header gets the same.
func (m *Model) HostDomain(c *inventory.Workload, svc *inventory.Service, p corev1.ServicePort) string {
	if captured, _, vis, _ := m.outbound(c, svc, p); captured == Yes {
		return vis.HostDomain
	}
	return ""
}

// ServerInputOf gathers the server side's inputs for h (Backend must be set):
// the inbound capture of the target port (§4.2) and the composed
// PeerAuthentication mode there (§1.5–1.6), as Istio's inbound listener
// builder reads them (networking/core/listener_inbound.go buildInboundListeners).
func (m *Model) ServerInputOf(h Hop) ServerInput {
	b := h.Backend
	in := ServerInput{Proxy: m.Proxy(b).Kind, Tunnel: m.tunnel(b)}
	in.Captured, in.CaptureWhy = CaptureOf(b.Template.Annotations).InboundCaptured(h.TargetPort)
	switch {
	case m.Loopback(h):
		in.Captured, in.CaptureWhy = false, loopbackWhy
	case m.SelfViaEnvoy(h):
		in.Captured, in.CaptureWhy = CaptureOf(b.Template.Annotations).SelfRedirected(h.TargetPort)
	}
	pa := m.PeerAuth.For(b.Namespace, b.Template.Labels)
	in.Mode, in.ModeFrom = pa.ModeForPort(uint32(h.TargetPort))
	in.Chain, in.ChainWhy, in.ChainByCreation = m.InboundChain(b, h.TargetPort)
	in.ChainShuffled = m.InboundChainShuffled(b, h.TargetPort)
	if in.Proxy == ProxyGateway {
		a := m.gatewayAccepts(b, h.TargetPort)
		in.Gateway = &a
	}
	return in
}
