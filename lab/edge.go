package lab

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// EdgeName is how results and errors name an edge: its ID and the
// workload behind the Service.
func EdgeName(e verdict.Edge) string {
	s := e.ID().Arrow()
	if e.Server.Workload != "" {
		s += " (" + e.Server.WorkloadKind + " " + e.Server.Workload + ")"
	}
	return s
}

// FromEdge turns an analyzed edge into a lab exchange: its clientSends and
// serverAccepts become the two emulated ends. otlp "" picks http for port
// 4318 and grpc otherwise.
func FromEdge(e verdict.Edge, otlp string) (Config, error) {
	c := Client{Proxy: e.Client.Proxy, Sends: e.ClientSends}
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
