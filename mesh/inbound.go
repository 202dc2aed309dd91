package mesh

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/meshdoctor/meshdoctor/inventory"
	"istio.io/api/networking/v1alpha3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// ProtoUndecided: the inputs do not decide which protocol the server
// sidecar's inbound chain for a port has.
const ProtoUndecided Protocol = ""

// InboundChain is the protocol of the filter chain a sidecar on backend b
// builds for its container port tp, and why (§10.9). The chain is not the
// protocol of the Service port a client dialled: it is the first of the
// pod's service targets with that target port — the Services in b's
// namespace that select it, oldest first, then by hostname, each in the
// order of its spec ports. Istio: pilot/pkg/networking/core/listener_inbound.go
// getFilterChainsByServicePort ("If there is a conflict, we will use the
// oldest Service"), model/context.go SetServiceTargets (the order),
// serviceregistry/kube/controller GetProxyServiceTargetsByPod (spec order,
// named target ports resolved on the pod), networking.go
// ModelProtocolToListenerProtocol (HTTP, TCP or sniffed).
//
// Undecided when a Sidecar with ingress listeners selects b (its ingress
// replaces the service targets), when a ServiceEntry's workloadSelector may
// add targets, when tp is a port the proxy keeps for itself, and when two
// Services without creation timestamps give the port different protocols
// (the cluster's creation order picks).
func (m *Model) InboundChain(b *inventory.Workload, tp int32) (Protocol, string) {
	k := chainKey{b, tp}
	m.inbound.mu.Lock()
	c, ok := m.inbound.chains[k]
	m.inbound.mu.Unlock()
	if ok {
		return c.proto, c.why
	}
	proto, why := m.inboundChain(b, tp)
	m.inbound.mu.Lock()
	if m.inbound.chains == nil {
		m.inbound.chains = map[chainKey]chain{}
	}
	m.inbound.chains[k] = chain{proto, why}
	m.inbound.mu.Unlock()
	return proto, why
}

// inboundCache holds InboundChain's answers and the Services by namespace;
// edges are judged on every core.
type inboundCache struct {
	mu     sync.Mutex
	chains map[chainKey]chain
	byNS   map[string][]*inventory.Service
}

type chainKey struct {
	w  *inventory.Workload
	tp int32
}

type chain struct {
	proto Protocol
	why   string
}

func (m *Model) servicesIn(ns string) []*inventory.Service {
	m.inbound.mu.Lock()
	defer m.inbound.mu.Unlock()
	if m.inbound.byNS == nil {
		m.inbound.byNS = map[string][]*inventory.Service{}
		for _, s := range m.Inv.Services {
			if s.External == nil {
				m.inbound.byNS[s.Namespace] = append(m.inbound.byNS[s.Namespace], s)
			}
		}
	}
	return m.inbound.byNS[ns]
}

func (m *Model) inboundChain(b *inventory.Workload, tp int32) (Protocol, string) {
	if sc := SidecarFor(m.Inv.Sidecars, b.Namespace, b.Template.Labels, m.Inv.Mesh.RootNamespace); sc != nil && len(sc.Spec.GetIngress()) > 0 {
		return ingressChain(sc, tp)
	}
	for _, se := range m.Inv.ServiceEntries {
		if sel := se.Spec.GetWorkloadSelector().GetLabels(); se.Namespace == b.Namespace && len(sel) > 0 &&
			labels.SelectorFromSet(sel).Matches(labels.Set(b.Template.Labels)) {
			return ProtoUndecided, "ServiceEntry " + se.Key() + " selects the pod, and its ports may take the inbound chain"
		}
	}
	if OwnListenerPort(tp) != "" {
		return ProtoUndecided, fmt.Sprintf("container port %d is one of the sidecar's own listener ports", tp)
	}
	var svcs []*inventory.Service
	for _, s := range m.servicesIn(b.Namespace) {
		if s.Selects(b.Template.Labels) {
			svcs = append(svcs, s)
		}
	}
	domain := m.Inv.Mesh.DomainSuffix
	sort.SliceStable(svcs, func(i, j int) bool {
		if c := inventory.CompareCreation(svcs[i].Created, svcs[j].Created); c != 0 {
			return c < 0
		}
		return svcs[i].Host(domain) < svcs[j].Host(domain)
	})
	var first *inventory.Service
	var proto Protocol
	var port int32
	for _, s := range svcs {
		p, ok := firstPortOn(s, b, tp)
		switch {
		case !ok:
		case first == nil:
			first, proto, port = s, PortProtocol(p), p.Port
		case PortProtocol(p) != proto && s.Created.IsZero() && first.Created.IsZero():
			return ProtoUndecided, fmt.Sprintf("Services %s and %s both target container port %d, with different protocols, and carry no creation timestamp: the older one's protocol takes the inbound chain",
				first.Key(), s.Key(), tp)
		}
	}
	if first == nil {
		// No Service port targets tp: the virtual inbound listener's
		// passthrough chains (buildInboundPassthroughChains) take it, sniffed.
		return ProtoAuto, fmt.Sprintf("no Service targets container port %d: the passthrough chains take it", tp)
	}
	return proto, fmt.Sprintf("the inbound chain for container port %d is Service %s port %d's (%s)", tp, first.Key(), port, protoWord(proto))
}

// firstPortOn is s's first spec port whose target is container port tp of
// b: the one service target of s that the inbound chain can take.
func firstPortOn(s *inventory.Service, b *inventory.Workload, tp int32) (corev1.ServicePort, bool) {
	for _, p := range s.Spec.Ports {
		if t, err := inventory.TargetPort(p, b.Template); err == nil && t == tp {
			return p, true
		}
	}
	return corev1.ServicePort{}, false
}

// ingressChain is the chain of a Sidecar's ingress listener on tp
// (listener_inbound.go buildInboundChainConfigs: the ingress replaces the
// service targets, PILOT_ALLOW_SIDECAR_SERVICE_INBOUND_LISTENER_MERGE being
// off by default). A port the ingress does not list meets the passthrough
// chains, whose mTLS mode is the workload's, not the port's: undecided here.
func ingressChain(sc *inventory.Sidecar, tp int32) (Protocol, string) {
	for _, in := range sc.Spec.GetIngress() {
		p := in.GetPort()
		if p.GetNumber() != uint32(tp) {
			continue
		}
		if in.GetTls() != nil {
			return ProtoUndecided, "Sidecar " + sc.Key() + " terminates TLS itself on ingress port " + itoa(tp)
		}
		proto := ingressProtocol(p)
		return proto, fmt.Sprintf("Sidecar %s ingress port %d (%s) takes the inbound chain", sc.Key(), tp, protoWord(proto))
	}
	return ProtoUndecided, "Sidecar " + sc.Key() + " has ingress listeners but none on port " + itoa(tp)
}

// ingressProtocol is protocol.Parse of a Sidecar port's protocol, reduced
// as PortProtocol reduces a Service port's.
func ingressProtocol(p *v1alpha3.SidecarPort) Protocol {
	switch strings.ToLower(p.GetProtocol()) {
	case "http", "http2", "grpc", "grpc-web", "http_proxy":
		return ProtoHTTP
	case "tcp", "udp", "https", "tls", "mongo", "redis", "mysql":
		return ProtoTCP
	}
	return ProtoAuto
}

func protoWord(p Protocol) string {
	switch p {
	case ProtoHTTP:
		return "HTTP"
	case ProtoTCP:
		return "TCP"
	}
	return "sniffed"
}
