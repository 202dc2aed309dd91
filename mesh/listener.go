package mesh

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
)

// The ports a sidecar keeps for its own listeners (mesh.go DefaultMeshConfig
// proxyListenPort 15001 and proxyInboundListenPort 15006; the status and
// Prometheus ports of the injected proxy, 15021 and 15090).
const (
	proxyListenPort        = 15001
	proxyInboundListenPort = 15006
	envoyStatusPort        = 15021
	envoyPrometheusPort    = 15090
)

// ReservedOutboundPort reports a Service port for which a sidecar builds no
// outbound listener, and why (§10.5): an HTTP port (whose listener would
// bind 0.0.0.0:port) on a port the proxy reserves. Its traffic then meets the
// virtual outbound listener, which hands it to the proxy's own listener on
// that port (OwnListenerPort): it never reaches the Service. Istio: pilot/pkg/model/context.go
// CanBindToPort → conflictWithReservedListener (listener.go
// buildSidecarOutboundListeners skips the port), listener_builder.go
// blackholeFilterChain. TCP ports bind the Service's VIP and do not collide.
func ReservedOutboundPort(p corev1.ServicePort) (reserved, blackhole bool, why string) {
	if PortProtocol(p) != ProtoHTTP {
		return false, false, ""
	}
	switch p.Port {
	case proxyListenPort, proxyInboundListenPort, envoyStatusPort, envoyPrometheusPort:
		return true, true, fmt.Sprintf("HTTP Service port %d is reserved by the sidecar for its own listener: no outbound listener is built for it; %s", p.Port, OwnListenerPort(p.Port))
	}
	return false, false, ""
}

// OwnListenerPort says what becomes of traffic that reaches a sidecar's
// virtual outbound listener (no outbound listener took it: a hidden Service,
// a reserved port) for destination port p, when p is one of the proxy's own
// listeners on 0.0.0.0 (§10.5): the virtual listener hands a connection to
// the listener bound to its original destination, so 15001 meets the
// virtual outbound blackhole chain, 15006 the virtual inbound one, and
// 15021/15090 the proxy's status and Prometheus listeners — the Service is
// never reached. "" for any other port. Istio: listener_builder.go
// blackholeFilterChain (outbound) and the virtualInbound blackhole chain
// (listener_inbound.go), the static listeners of the bootstrap
// (tools/packaging/common/envoy_bootstrap.json).
func OwnListenerPort(p int32) string {
	switch p {
	case proxyListenPort:
		return "port 15001 is the sidecar's virtual outbound listener, whose blackhole chain drops traffic addressed to it"
	case proxyInboundListenPort:
		return "port 15006 is the sidecar's virtual inbound listener, whose blackhole chain drops traffic addressed to it"
	case envoyStatusPort, envoyPrometheusPort:
		return fmt.Sprintf("port %d is the sidecar's own status/Prometheus listener, which takes the connection: the Service is never reached", p)
	}
	return ""
}
