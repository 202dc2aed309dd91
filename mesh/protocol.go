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

// PortProtocol classifies a Service port as Istio's ConvertProtocol does
// (pkg/config/kube/conversion.go, pkg/config/protocol Parse): appProtocol
// first (with Kubernetes' standard names), else the port name's prefix
// before "-" (grpc-web whole).
func PortProtocol(p corev1.ServicePort) Protocol {
	if p.Protocol == corev1.ProtocolUDP {
		return ProtoTCP
	}
	name := p.Name
	if p.AppProtocol != nil {
		name = *p.AppProtocol
		switch name {
		case "kubernetes.io/h2c", "kubernetes.io/ws":
			return ProtoHTTP
		case "kubernetes.io/wss":
			return ProtoTCP
		}
	} else if !strings.HasPrefix(strings.ToLower(name), "grpc-web") {
		if i := strings.Index(name, "-"); i >= 0 {
			name = name[:i]
		}
	}
	switch strings.ToLower(name) {
	case "http", "http2", "grpc", "grpc-web", "http_proxy":
		return ProtoHTTP
	case "tcp", "tls", "https", "mongo", "mysql", "redis", "udp":
		return ProtoTCP
	}
	if wellKnownPorts[p.Port] {
		return ProtoTCP
	}
	return ProtoAuto
}
