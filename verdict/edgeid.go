package verdict

import (
	"fmt"
	"strconv"
	"strings"
)

// EdgeID names an edge the way a user types it, on the command line and in
// messages: "ns/workload=host:port", host being the Service's FQDN or any
// prefix of it that ends at a dot (svc.ns, svc.ns.svc). fix --edge,
// lab --from-edge, diff and the CLI's errors all use it.
type EdgeID struct {
	Namespace, Workload, Host string
	Port                      int32
}

// ParseEdgeID reads "staging-webs/auth-guard=otel-collector.monitoring:4317".
func ParseEdgeID(s string) (EdgeID, error) {
	client, server, ok := strings.Cut(s, "=")
	ns, wl, ok2 := strings.Cut(client, "/")
	i := strings.LastIndex(server, ":")
	if !ok || !ok2 || ns == "" || wl == "" || i <= 0 {
		return EdgeID{}, fmt.Errorf("edge %q: want namespace/workload=host:port", s)
	}
	port, err := strconv.ParseUint(server[i+1:], 10, 16)
	if err != nil || port == 0 {
		return EdgeID{}, fmt.Errorf("edge %q: bad port %q", s, server[i+1:])
	}
	return EdgeID{Namespace: ns, Workload: wl, Host: strings.TrimSuffix(server[:i], "."), Port: int32(port)}, nil
}

// ID is e's name, with the host shortened to name.namespace when it is an
// in-cluster Service name (what users type).
func (e Edge) ID() EdgeID {
	host := e.Server.Host
	if i := strings.Index(host, ".svc."); i > 0 {
		host = host[:i]
	}
	return EdgeID{Namespace: e.Client.Namespace, Workload: e.Client.Workload, Host: host, Port: e.Server.Port}
}

// String is the form ParseEdgeID reads.
func (id EdgeID) String() string {
	return fmt.Sprintf("%s/%s=%s:%d", id.Namespace, id.Workload, id.Host, id.Port)
}

// Arrow is the form reports show: "ns/workload → host:port".
func (id EdgeID) Arrow() string {
	return fmt.Sprintf("%s/%s → %s:%d", id.Namespace, id.Workload, id.Host, id.Port)
}

// Matches reports whether e is the edge id names (every subset of it).
func (id EdgeID) Matches(e Edge) bool {
	if e.Client.Namespace != id.Namespace || e.Client.Workload != id.Workload || e.Server.Port != id.Port {
		return false
	}
	return e.Server.Host == id.Host || strings.HasPrefix(e.Server.Host, id.Host+".")
}

// Key identifies an edge across two analyses of different inputs (diff,
// fix verification): client, Service port, backend and subset.
func (e Edge) Key() string {
	k := fmt.Sprintf("%s/%s %s → %s/%s:%d (%s)", e.Client.Namespace, e.Client.Workload, e.Client.Kind,
		e.Server.Namespace, e.Server.Service, e.Server.Port, e.Server.Workload)
	if e.Server.Subset != "" {
		k += " subset " + e.Server.Subset
	}
	return k
}
