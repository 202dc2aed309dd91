package mesh

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Protocol is how Istio treats a Service port (pkg/config/protocol; port
// name prefix "<proto>[-suffix]" or appProtocol), reduced to what changes
// the handshake outcome.
type Protocol string

// The protocol classes.
const (
	ProtoHTTP Protocol = "http" // HTTP-declared: http, http2, grpc, grpc-web, h2c
	ProtoTCP  Protocol = "tcp"  // opaque: tcp, tls, https, mongo, mysql, redis, ...
	ProtoAuto Protocol = "auto" // no hint: protocol sniffing
)

// PortProtocol classifies a Service port the way Istio does: appProtocol
// first, else the name's prefix before the first '-'.
func PortProtocol(p corev1.ServicePort) Protocol {
	name := p.Name
	if p.AppProtocol != nil && *p.AppProtocol != "" {
		name = *p.AppProtocol
	} else if i := strings.Index(name, "-"); i >= 0 {
		name = name[:i]
	}
	switch strings.ToLower(name) {
	case "http", "http2", "grpc", "grpc-web", "h2c", "kubernetes.io/h2c", "kubernetes.io/http":
		return ProtoHTTP
	case "tcp", "tls", "https", "mongo", "mysql", "redis", "kubernetes.io/ws", "kubernetes.io/wss":
		return ProtoTCP
	}
	return ProtoAuto
}
