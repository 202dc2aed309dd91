package analysis_test

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// TestDiffReproducers runs each shrunk mesh of ../istio-diff/repro, on which
// the differential run once found Istio's pilot and meshdoctor disagreeing,
// and checks its named edge gets the answer of Istio's config (the istio-diff
// module's TestRepros replays the same files against pilot itself).
func TestDiffReproducers(t *testing.T) {
	runReproducers(t, "../istio-diff/repro", []reproCase{
		{"outcome-c1d509f6.yaml", "§10.6 self-call: Envoy's loopback connection is redirected inbound whatever includeInboundPorts says", verdict.OK, "istio-mtls", ""},
		{"outcome-e2b519d2.yaml", "§10.6 self-call on an excludeOutboundPorts port: the RETURN comes first, the app gets istio mTLS", verdict.Fail, "istio-mtls", ""},
		{"outcome-2d71d2a8.yaml", "§10.5 port 15001 of a hidden Service: the virtual outbound blackhole chain", verdict.Fail, "blackhole", ""},
		{"outcome-69b01403.yaml", "§11 headless pod-IP listeners on a sniffed port share one route: HTTP takes the default route", verdict.OK, "plaintext", "http"},
		{"meshdoctor-unknown-213e1ca8.yaml", "§10.9 DR MUTUAL into a DISABLE sidecar whose chain for the target port is HTTP", verdict.Fail, "mtls", ""},
		{"meshdoctor-unknown-f32d56ec.yaml", "§10.9 DR SIMPLE into a DISABLE sidecar whose chain for the target port is HTTP", verdict.Fail, "tls", ""},
		{"meshdoctor-unknown-0e0bc987.yaml", "§10.9 DR SIMPLE into a PERMISSIVE sidecar whose chain for the target port is HTTP", verdict.Fail, "tls", ""},
		{"meshdoctor-unknown-8306tp.yaml", "§10.9 a port without targetPort targets its own number and takes the chain: TCP, the DR's TLS reaches the app", verdict.Unknown, "tls", ""},
		{"outcome-ee3dce80.yaml", "§10.8 a hidden ServiceEntry host's TCP port: another entry's wildcard chain takes the connection to its own endpoints", verdict.Fail, "blackhole", ""},
		{"outcome-0eb9f6ea.yaml", "§10.2 the port-80 rule keeps the cluster of a Service exported to ~, whose endpoints pilot indexes only if it saw them first: unknown", verdict.Unknown, "plaintext", ""},
		{"outcome-ec9fe9ee.yaml", "§10.2 the port-80 rule from another namespace: a Service its exportTo shows the client, hidden by Sidecar egress, keeps its clusters (pickFirstVisibleNamespace)", verdict.OK, "plaintext", ""},
		{"extra-in-meshdoctor-3dbc4617.yaml", "§10.2 the port-80 rule to a Service exported to ~ of the client's own namespace, routed to a subset no DestinationRule defines: 503 whatever pilot indexed", verdict.Fail, "none", ""},
	})
}
