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
// virtual outbound listener: on 15001 its blackhole chain (so the proxy
// never loops into itself), elsewhere the catch-all PassthroughCluster or,
// under REGISTRY_ONLY, the BlackHoleCluster. Istio: pilot/pkg/model/context.go
// CanBindToPort → conflictWithReservedListener (listener.go
// buildSidecarOutboundListeners skips the port), listener_builder.go
// blackholeFilterChain. TCP ports bind the Service's VIP and do not collide.
func ReservedOutboundPort(p corev1.ServicePort) (reserved, blackhole bool, why string) {
	if PortProtocol(p) != ProtoHTTP {
		return false, false, ""
	}
	switch p.Port {
	case proxyListenPort:
		return true, true, fmt.Sprintf("Service port %d is the sidecar's own outbound listener port: no listener is built for it, and the virtual listener's blackhole chain drops traffic to it", p.Port)
	case proxyInboundListenPort, envoyStatusPort, envoyPrometheusPort:
		return true, false, fmt.Sprintf("Service port %d is reserved by the sidecar for its own listener: no outbound listener is built for it", p.Port)
	}
	return false, false, ""
}
