// Package verdict judges one edge: what the client sends × what the server
// accepts → outcome, whether it is mutual TLS, what the client sees when it
// fails, and which objects decided it. Its Edge type is the public JSON
// contract of `analyze` (see ../shared/spec/analyze-output.schema.json).
package verdict

import (
	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// Outcome of an edge.
type Outcome string

// The outcomes; Unknown always comes with the reason in Cause.
const (
	OK      Outcome = "ok"
	Fail    Outcome = "fail"
	Unknown Outcome = "unknown"
)

// Client is the calling side of an edge.
type Client struct {
	Namespace string         `json:"namespace"`
	Workload  string         `json:"workload"`
	Kind      string         `json:"kind"`
	Proxy     mesh.ProxyKind `json:"proxy"`
}

// Server is the called Service port and the workload behind it.
type Server struct {
	Host       string         `json:"host"`
	Namespace  string         `json:"namespace"`
	Service    string         `json:"service"`
	Port       int32          `json:"port"`
	TargetPort int32          `json:"targetPort"`
	Proxy      mesh.ProxyKind `json:"proxy"`
	// Workload and WorkloadKind name the backing workload ("" when none is in the inputs).
	Workload     string `json:"workload,omitempty"`
	WorkloadKind string `json:"workloadKind,omitempty"`
	// Subset is the DestinationRule subset a VirtualService routes the client to ("" for the default route).
	Subset string `json:"subset,omitempty"`
	// Protocol is how Istio treats the Service port: http, tcp or auto.
	Protocol string `json:"protocol"`
	// Sniffed, on a protocol-sniffed (auto) port whose VirtualService routes
	// HTTP requests and other bytes differently: "http" when this edge is the
	// path of HTTP requests, "tcp" when it is the path of any other bytes
	// (docs/semantics.md §10.1).
	Sniffed string `json:"sniffed,omitempty"`
	// RoutedPort is the Service port a VirtualService destination sends the
	// traffic to when it names another than Port: its cluster, DR port-level
	// policy and targetPort apply (docs/semantics.md §10.1).
	RoutedPort int32 `json:"routedPort,omitempty"`
}

// Edge is one judged client → service port → backend.
type Edge struct {
	Client Client `json:"client"`
	Server Server `json:"server"`
	// Source says why the edge exists (env var, ConfigMap key, all-pairs) with file:line.
	Source        string       `json:"source"`
	ClientSends   mesh.Sends   `json:"clientSends"`
	ServerAccepts mesh.Accepts `json:"serverAccepts"`
	Outcome       Outcome      `json:"outcome"`
	MTLS          bool         `json:"mtls"`
	// Encrypted is true when the bytes on the wire are TLS of any kind.
	Encrypted bool   `json:"encrypted"`
	Symptom   string `json:"symptom"`
	// Category is the failure direction (package category); empty when ok.
	Category category.Category `json:"category,omitempty"`
	// Cause explains the outcome in one or two sentences.
	Cause string `json:"cause"`
	// ClientReason and ServerReason say why each side behaves as it does.
	ClientReason string          `json:"clientReason"`
	ServerReason string          `json:"serverReason"`
	DecidedBy    []inventory.Ref `json:"decidedBy"`
	// Telemetry marks OpenTelemetry exporter edges.
	Telemetry bool `json:"telemetry,omitempty"`
	// OTLP describes a telemetry edge from the telemetry model (nil otherwise).
	OTLP *OTLP `json:"otlp,omitempty"`
	// BeyondPilot names the rules by which this edge rests on something Istio's
	// own config generation does not decide — "ambient", "app-tls",
	// "app-config", "creation-order" — so a differential comparison against pilot skips it by
	// rule (docs/semantics.md §11).
	BeyondPilot []string `json:"beyondPilot,omitempty"`
	// byCreation: the outcome is unknown only for want of creation timestamps.
	byCreation bool
	// byPilotOrder: unknown because pilot orders what decides it at random.
	byPilotOrder bool
	// byHost: the outcome is unknown only for want of the Host header the app sends.
	byHost bool
	// byEndpointOrder: unknown because pilot's own answer hangs on the order
	// it saw a Service and its EndpointSlices.
	byEndpointOrder bool
	// Alternatives, only on an unknown edge whose outcome hangs on missing
	// facts: one entry per combination of those facts, with the outcome the
	// edge would have under it.
	Alternatives []Alternative `json:"alternatives,omitempty"`
}

// Alternative is the edge's outcome under one assumption about the facts
// the inputs do not give.
type Alternative struct {
	// Assume states each missing fact as assumed, in words, e.g.
	// "namespace monitoring: no istio-injection label".
	Assume  []string `json:"assume"`
	Outcome Outcome  `json:"outcome"`
	// Sends is what the client sends under the assumption, when the
	// assumption decides it (omitted otherwise).
	Sends    mesh.Sends `json:"sends,omitempty"`
	MTLS     bool       `json:"mtls,omitempty"`
	Category string     `json:"category,omitempty"`
	Symptom  string     `json:"symptom,omitempty"`
}

// OTLP is what a telemetry edge carries and what receives it.
type OTLP struct {
	// Signals: traces, metrics, logs.
	Signals []string `json:"signals"`
	// Protocols: grpc, http/protobuf, http/json.
	Protocols []string `json:"protocols"`
	// Senders: the SDK or agent and its version, or "collector <version>".
	Senders []string `json:"senders"`
	// Endpoints are the URLs the exporters dial.
	Endpoints []string `json:"endpoints"`
	// Collector names the collector behind the server ("" when the server is not one).
	Collector string `json:"collector,omitempty"`
	// Receiver is the OTLP receiver on the target port, e.g. "otlp grpc on 0.0.0.0:4317 (plaintext)".
	Receiver string `json:"receiver,omitempty"`
	// ReceiverTLS: the receiver terminates TLS itself (a tls block in its config).
	ReceiverTLS bool `json:"receiverTLS,omitempty"`
}

// Failing reports whether the edge fails.
func (e Edge) Failing() bool { return e.Outcome == Fail }
