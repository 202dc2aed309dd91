package verdict

import (
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// The rules by which an edge rests on what Istio's own config generation
// (pilot, and its pilot/pkg/simulation) does not decide (docs/semantics.md §11).
const (
	// BeyondAmbient: a side is enrolled in ambient, or the traffic is HBONE:
	// ztunnel carries it, which pilot's Envoy config does not describe.
	BeyondAmbient = "ambient"
	// BeyondAppTLS: the client app originates TLS itself; whether it works
	// depends on the server app terminating it.
	BeyondAppTLS = "app-tls"
	// BeyondAppConfig: the server is an OpenTelemetry collector whose own
	// receiver config (TLS, bind address, protocol) is folded into the outcome.
	BeyondAppConfig = "app-config"
	// BeyondCreationOrder: the outcome hangs on which of two objects was
	// created first, and the inputs carry no creationTimestamp; pilot orders
	// them by a time the manifests do not hold (ties by hostname).
	BeyondCreationOrder = "creation-order"
	// BeyondHostHeader: the outcome hangs on the Host header the app sends
	// (the port-80 rule's virtual host matches one name only), which the
	// manifests do not say; the alternatives give each answer, the first
	// for the Service's FQDN (what pilot's simulation sends).
	BeyondHostHeader = "host-header"
	// BeyondEndpointOrder: pilot's own answer hangs on the order istiod saw
	// a Service exported to "~" and its EndpointSlices (indexed only when
	// the slices came first), which nothing in the inputs or the config fixes.
	BeyondEndpointOrder = "endpoint-order"
	// BeyondPilotOrder: pilot's own answer hangs on an order it does not fix
	// (a ServiceEntry's ports of different protocols on one container port:
	// its service targets come out of a set), so it varies run to run.
	BeyondPilotOrder = "pilot-order"
)

// markBeyondPilot sets Edge.BeyondPilot by rule, so a differential
// comparison against pilot skips exactly these edges.
func markBeyondPilot(m *mesh.Model, c edges.Candidate, es []Edge) []Edge {
	for i := range es {
		e := &es[i]
		var rules []string
		if e.Client.Proxy == mesh.ProxyAmbient || e.Server.Proxy == mesh.ProxyAmbient || e.ClientSends == mesh.SendsHBONE {
			rules = append(rules, BeyondAmbient)
		}
		if c.AppTLS {
			rules = append(rules, BeyondAppTLS)
		}
		if e.OTLP != nil && e.OTLP.Receiver != "" {
			rules = append(rules, BeyondAppConfig)
		}
		if e.byCreation {
			rules = append(rules, BeyondCreationOrder)
		}
		if e.byHost {
			rules = append(rules, BeyondHostHeader)
		}
		if e.byPilotOrder {
			rules = append(rules, BeyondPilotOrder)
		}
		if e.byEndpointOrder {
			rules = append(rules, BeyondEndpointOrder)
		}
		e.BeyondPilot = rules
	}
	return es
}
