package mesh

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Protocol is how Istio treats a Service port, reduced to what changes the
// handshake outcome.
type Protocol string

// The protocol classes.
const (
	ProtoHTTP Protocol = "http" // HTTP-declared: http, http2, grpc, grpc-web, http_proxy
	ProtoTCP  Protocol = "tcp"  // opaque: tcp, tls, https, mongo, mysql, redis, udp
	ProtoAuto Protocol = "auto" // unsupported name: protocol sniffing
)

// wellKnownPorts are treated as TCP when the name says nothing: SMTP, DNS,
// MySQL, MongoDB (pkg/config/kube/conversion.go wellKnownPorts).
var wellKnownPorts = map[int32]bool{25: true, 53: true, 3306: true, 27017: true}

// istioProtocol is the protocol.Instance Istio gives a Service port, lower
// case ("" for Unsupported, i.e. sniffed). Spec §0 terms; Istio:
// pkg/config/kube/conversion.go ConvertProtocol + pkg/config/protocol Parse:
// appProtocol first (with Kubernetes' standard names), else the port name;
// a grpc-web prefix whole, otherwise the prefix before "-".
func istioProtocol(p corev1.ServicePort) string {
	if p.Protocol == corev1.ProtocolUDP {
		return "udp"
	}
	name := p.Name
	if p.AppProtocol != nil {
		name = *p.AppProtocol
		switch name {
		case "kubernetes.io/h2c":
			return "http2"
		case "kubernetes.io/ws":
			return "http"
		case "kubernetes.io/wss":
			return "https"
		}
	}
	if len(name) >= len("grpc-web") && strings.EqualFold(name[:len("grpc-web")], "grpc-web") {
		return "grpc-web"
	}
	if i := strings.IndexByte(name, '-'); i >= 0 {
		name = name[:i]
	}
	switch n := strings.ToLower(name); n {
	case "tcp", "udp", "grpc", "http", "http_proxy", "http2", "https", "tls", "mongo", "redis", "mysql":
		return n
	}
	if wellKnownPorts[p.Port] {
		return "tcp"
	}
	return ""
}

// PortProtocol classifies a Service port as Istio's ConvertProtocol does
// (§0, §10.1; pkg/config/kube/conversion.go ConvertProtocol, then
// pkg/config/protocol Instance IsHTTP, IsTCP, IsUnsupported).
func PortProtocol(p corev1.ServicePort) Protocol {
	switch istioProtocol(p) {
	case "http", "http2", "grpc", "grpc-web", "http_proxy":
		return ProtoHTTP
	case "":
		return ProtoAuto
	}
	return ProtoTCP
}

// tlsPort is protocol.Instance IsTLS (https, tls): a sidecar applies only
// a VirtualService's tls routes there (§10.1).
func tlsPort(p corev1.ServicePort) bool {
	switch istioProtocol(p) {
	case "https", "tls":
		return true
	}
	return false
}
