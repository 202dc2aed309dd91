package mesh

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
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
// A Sidecar with ingress listeners that selects b replaces the service
// targets. Undecided when that Sidecar lists no tp, when a ServiceEntry's
// workloadSelector adds a target on tp with another protocol, when tp is a
// port the proxy keeps for itself, and when two Services without creation
// timestamps give the port different protocols (the cluster's creation
// order picks).
//
// byCreation is set when the answer is undecided only because the inputs
// carry no creation timestamps (docs/semantics.md §11: creation-order).
func (m *Model) InboundChain(b *inventory.Workload, tp int32) (proto Protocol, why string, byCreation bool) {
	c := m.cachedChain(b, tp)
	return c.proto, c.why, c.byCreation
}

// InboundChainShuffled: InboundChain is undecided because pilot itself
// orders the targets at random (§10.9, §11 pilot-order).
func (m *Model) InboundChainShuffled(b *inventory.Workload, tp int32) bool {
	return m.cachedChain(b, tp).shuffled
}

func (m *Model) cachedChain(b *inventory.Workload, tp int32) chain {
	k := chainKey{b, tp}
	m.inbound.mu.Lock()
	c, ok := m.inbound.chains[k]
	m.inbound.mu.Unlock()
	if !ok {
		c = m.inboundChain(b, tp)
		m.inbound.mu.Lock()
		if m.inbound.chains == nil {
			m.inbound.chains = map[chainKey]chain{}
		}
		m.inbound.chains[k] = c
		m.inbound.mu.Unlock()
	}
	return c
}

// inboundCache holds InboundChain's answers; edges are judged on every core.
type inboundCache struct {
	mu     sync.Mutex
	chains map[chainKey]chain
}

type chainKey struct {
	w  *inventory.Workload
	tp int32
}

type chain struct {
	proto      Protocol
	why        string
	byCreation bool
	shuffled   bool
}

func (m *Model) inboundChain(b *inventory.Workload, tp int32) chain {
	if sc := SidecarFor(m.Inv.Sidecars, b.Namespace, b.Template.Labels, m.Inv.Mesh.RootNamespace); sc != nil && len(sc.Spec.GetIngress()) > 0 {
		proto, why := ingressChain(sc, tp)
		return chain{proto, why, false, false}
	}
	if OwnListenerPort(tp) != "" {
		return chain{ProtoUndecided, fmt.Sprintf("container port %d is one of the sidecar's own listener ports", tp), false, false}
	}
	// The service targets on tp, one per Service (its first spec port on
	// tp) and per ServiceEntry host whose workloadSelector selects b.
	var ts []target
	for _, s := range m.Inv.ServicesIn(b.Namespace) {
		if p, ok := firstPortOn(s, b, tp); ok && s.Selects(b.Template.Labels) {
			ts = append(ts, target{created: s.Created, host: s.Host(m.Inv.Mesh.DomainSuffix), proto: PortProtocol(p),
				what: fmt.Sprintf("Service %s port %d", s.Key(), p.Port)})
		}
	}
	ts = append(ts, m.entryTargets(b, tp)...)
	if len(ts) == 0 {
		// No Service port targets tp: the virtual inbound listener's
		// passthrough chains (buildInboundPassthroughChains) take it, sniffed.
		return chain{ProtoAuto, fmt.Sprintf("no Service targets container port %d: the passthrough chains take it", tp), false, false}
	}
	sort.SliceStable(ts, func(i, j int) bool {
		if c := inventory.CompareCreation(ts[i].created, ts[j].created); c != 0 {
			return c < 0
		}
		return ts[i].host < ts[j].host
	})
	w := ts[0]
	if w.shuffled != "" {
		return chain{proto: ProtoUndecided, why: w.shuffled, shuffled: true}
	}
	for _, t := range ts[1:] {
		// Untimed, the two are ordered by the cluster's creation times, which
		// the inputs do not hold (Istio breaks the tie by hostname).
		if t.proto != w.proto && t.created.IsZero() && w.created.IsZero() {
			return chain{ProtoUndecided, fmt.Sprintf("%s and %s both target container port %d, with different protocols, and carry no creation timestamp: the older one's protocol takes the inbound chain",
				w.what, t.what, tp), true, false}
		}
	}
	return chain{w.proto, fmt.Sprintf("the inbound chain for container port %d is %s's (%s)", tp, w.what, protoWord(w.proto)), false, false}
}

// target is one service target of a pod on a container port.
type target struct {
	created time.Time
	host    string
	proto   Protocol
	what    string
	// shuffled: the entry has ports of different protocols on the
	// container port, which pilot orders at random (why, in words).
	shuffled string
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

// entryTargets are the service targets ServiceEntries add on tp: one per
// host of each entry whose workloadSelector selects b and one of whose ports
// targets tp (targetPort, else the port number). Istio:
// serviceentry/controller.go GetProxyServiceTargets, ordered with the
// Services' by SetServiceTargets.
func (m *Model) entryTargets(b *inventory.Workload, tp int32) []target {
	var out []target
	for _, se := range m.Inv.ServiceEntries {
		sel := se.Spec.GetWorkloadSelector().GetLabels()
		if se.Namespace != b.Namespace || len(sel) == 0 || !labels.SelectorFromSet(sel).Matches(labels.Set(b.Template.Labels)) {
			continue
		}
		for _, p := range se.Spec.GetPorts() {
			t := p.GetTargetPort()
			if t == 0 {
				t = p.GetNumber()
			}
			if t != uint32(tp) {
				continue
			}
			shuffled := ""
			if q := otherProtocolOn(se.Spec.GetPorts(), p, tp); q != nil {
				shuffled = fmt.Sprintf("ServiceEntry %s ports %d (%s) and %d (%s) both target container port %d: pilot orders one entry's service targets as a set iterates (serviceentry/controller.go GetProxyServiceTargets reads a krt index, whose Lookup ranges over a map), so either protocol may take the inbound chain",
					se.Key(), p.GetNumber(), protoWord(ingressProtocol(p.GetProtocol())), q.GetNumber(), protoWord(ingressProtocol(q.GetProtocol())), tp)
			}
			for _, h := range se.Spec.GetHosts() {
				out = append(out, target{created: se.Created, host: h, proto: ingressProtocol(p.GetProtocol()),
					what: fmt.Sprintf("ServiceEntry %s port %d", se.Key(), p.GetNumber()), shuffled: shuffled})
			}
			break
		}
	}
	return out
}

// otherProtocolOn is a port of ports after p that also targets container
// port tp with another inbound protocol, nil when none does.
func otherProtocolOn(ports []*networking.ServicePort, p *networking.ServicePort, tp int32) *networking.ServicePort {
	after := false
	for _, q := range ports {
		if q == p {
			after = true
			continue
		}
		t := q.GetTargetPort()
		if t == 0 {
			t = q.GetNumber()
		}
		if after && t == uint32(tp) && ingressProtocol(q.GetProtocol()) != ingressProtocol(p.GetProtocol()) {
			return q
		}
	}
	return nil
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
		proto := ingressProtocol(p.GetProtocol())
		return proto, fmt.Sprintf("Sidecar %s ingress port %d (%s) takes the inbound chain", sc.Key(), tp, protoWord(proto))
	}
	return ProtoUndecided, "Sidecar " + sc.Key() + " has ingress listeners but none on port " + itoa(tp)
}

// ingressProtocol is protocol.Parse of a Sidecar's or ServiceEntry's port
// protocol, reduced as PortProtocol reduces a Service port's.
func ingressProtocol(name string) Protocol {
	switch strings.ToLower(name) {
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
