package verdict

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	corev1 "k8s.io/api/core/v1"
)

// notTCP reports a Service port whose traffic no sidecar touches: Istio
// proxies TCP only. istio-iptables redirects only TCP to Envoy, outbound and
// inbound (tools/istio-iptables/pkg/capture/run.go: ISTIO_REDIRECT and
// ISTIO_IN_REDIRECT are "-p tcp -j REDIRECT"), and pilot builds no cluster
// or listener for a UDP port (pkg/config/kube/conversion.go ConvertProtocol
// gives protocol.UDP; networking/core/cluster.go buildOutboundClusters skips
// it). So the datagrams go from app to app and no PeerAuthentication or
// DestinationRule applies: a STRICT server does not reset them.
func notTCP(p corev1.ServicePort) bool {
	return p.Protocol == corev1.ProtocolUDP || p.Protocol == corev1.ProtocolSCTP
}

// judgeNotTCP is the edge to each backend of a UDP or SCTP Service port.
func judgeNotTCP(dst []Edge, m *mesh.Model, c edges.Candidate, base Edge, backends []*inventory.Workload) []Edge {
	proto := string(c.Port.Protocol)
	why := proto + " is not captured by the sidecar (istio-iptables redirects TCP only) and Istio proxies no " + proto + " port: the app's datagrams leave as they are"
	if c.Port.Protocol == corev1.ProtocolUDP && c.Port.Port == 53 {
		why += " (with DNS capture on, port 53 goes to the istio-agent's DNS proxy, which answers or forwards it, also without mTLS)"
	}
	base.Server.Protocol = strings.ToLower(proto)
	for _, b := range backends {
		e := base
		e.Server.Workload, e.Server.WorkloadKind = b.Name, b.Kind
		e.Server.Proxy = m.Proxy(b).Kind
		e.Server.TargetPort = statedTargetPort(c.Port)
		if tp, err := inventory.TargetPort(c.Port, b.Template); err == nil {
			e.Server.TargetPort = tp
		}
		e.ClientSends, e.ClientReason = mesh.SendsPlaintext, why
		e.ServerAccepts, e.ServerReason = mesh.AcceptsApp, proto+" reaches the app directly: the inbound capture takes TCP only"
		e.Outcome, e.Cause = OK, proto+" bypasses the mesh: no sidecar proxies it, so mTLS neither applies nor is required"
		e.DecidedBy = []inventory.Ref{c.Service.Ref()}
		dst = append(dst, e)
	}
	return dst
}
