package lab

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// EdgeRef names an analyzed edge: "ns/workload=host:port", where host is
// the Service's FQDN or any prefix of it that ends at a dot (svc.ns, svc.ns.svc).
type EdgeRef struct {
	Namespace, Workload, Host string
	Port                      int32
}

// ParseEdgeRef reads "staging-webs/auth-guard=otel-collector.monitoring:4317".
func ParseEdgeRef(s string) (EdgeRef, error) {
	client, server, ok := strings.Cut(s, "=")
	ns, wl, ok2 := strings.Cut(client, "/")
	i := strings.LastIndex(server, ":")
	if !ok || !ok2 || ns == "" || wl == "" || i <= 0 {
		return EdgeRef{}, fmt.Errorf("edge %q: want namespace/workload=host:port", s)
	}
	port, err := strconv.ParseUint(server[i+1:], 10, 16)
	if err != nil || port == 0 {
		return EdgeRef{}, fmt.Errorf("edge %q: bad port %q", s, server[i+1:])
	}
	return EdgeRef{Namespace: ns, Workload: wl, Host: strings.TrimSuffix(server[:i], "."), Port: int32(port)}, nil
}

func (r EdgeRef) String() string {
	return fmt.Sprintf("%s/%s=%s:%d", r.Namespace, r.Workload, r.Host, r.Port)
}

// Matches reports whether e is the edge r names.
func (r EdgeRef) Matches(e verdict.Edge) bool {
	if e.Client.Namespace != r.Namespace || e.Client.Workload != r.Workload || e.Server.Port != r.Port {
		return false
	}
	return e.Server.Host == r.Host || strings.HasPrefix(e.Server.Host, r.Host+".")
}

// EdgeName is how results and errors name an edge.
func EdgeName(e verdict.Edge) string {
	s := fmt.Sprintf("%s/%s → %s:%d", e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port)
	if e.Server.Workload != "" {
		s += " (" + e.Server.WorkloadKind + " " + e.Server.Workload + ")"
	}
	return s
}

// FromEdge turns an analyzed edge into a lab exchange: its clientSends and
// serverAccepts become the two emulated ends. otlp "" picks http for port
// 4318 and grpc otherwise.
func FromEdge(e verdict.Edge, otlp string) (Config, error) {
	c := Client{Proxy: mesh.ProxyKind(e.Client.Proxy), Sends: mesh.Sends(e.ClientSends)}
	if err := c.check(); err != nil {
		return Config{}, fmt.Errorf("edge %s: %w (the model says: %s)", EdgeName(e), err, orCause(e.ClientReason, e.Cause))
	}
	s, err := serverFromAccepts(mesh.Accepts(e.ServerAccepts))
	if err != nil {
		return Config{}, fmt.Errorf("edge %s: %w (the model says: %s)", EdgeName(e), err, orCause(e.ServerReason, e.Cause))
	}
	if otlp == "" {
		otlp = "grpc"
		if e.Server.Port == 4318 || e.Server.TargetPort == 4318 {
			otlp = "http"
		}
	}
	sa := e.Server.Workload
	if sa == "" {
		sa = e.Server.Service
	}
	return Config{Client: c, Server: s, OTLP: otlp, Protocol: mesh.Protocol(e.Server.Protocol),
		ClientNS: e.Client.Namespace, ClientSA: e.Client.Workload, ServerNS: e.Server.Namespace, ServerSA: sa,
		Host: e.Server.Host, Port: int(e.Server.Port), ClientReason: e.ClientReason, ServerReason: e.ServerReason}, nil
}

func orCause(reason, cause string) string {
	if reason != "" {
		return reason
	}
	return cause
}
