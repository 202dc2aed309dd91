package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/telemetry"
)

// Symptoms of an OTLP protocol mismatch, in the clients' words.
const (
	symptomGRPCToHTTP = "the OTLP/HTTP server does not answer gRPC: grpc-go says \"error reading server preface: http2: frame too large\" (HTTP/1.1 400 read as a frame) or, if the server takes h2c, \"unexpected HTTP status code received from server: 404 (Not Found)\"; the Java agent logs \"Failed to export … Server is UNAVAILABLE\" / UNIMPLEMENTED"
	symptomHTTPToGRPC = "the gRPC server answers an HTTP/1.1 POST with its HTTP/2 SETTINGS frame and closes: curl \"Received HTTP/0.9 when not allowed\", OkHttp (Java agent) \"unexpected end of stream\", Go \"malformed HTTP response\""
)

// because is the settings that decided a link, for a message.
func because(l telemetry.Link) string { return "set by: " + strings.Join(l.Because(), "; ") }

// reportSender reports a finding about l's sender; when the sender's
// settings live in another object (a collector's ConfigMap), its workload is
// a related object, so that the pipeline view finds it.
func reportSender(p *Pass, l telemetry.Link, msg string) {
	ref := l.Sender.Ref()
	var related []inventory.Ref
	if w := l.Sender.Workload; w != nil && (w.Kind != ref.Kind || w.Namespace != ref.Namespace || w.Name != ref.Name) {
		related = []inventory.Ref{w.Ref()}
	}
	p.ReportRelated(ref, related, msg)
}

// OTLPProtocolMismatch: gRPC sent to the HTTP receiver's port, or HTTP to the gRPC port.
var OTLPProtocolMismatch = &Check{
	Code:     "MD0701",
	Name:     "otlp-protocol-mismatch",
	Severity: Error,
	Doc: `an OTLP exporter speaks gRPC to the collector's HTTP port, or HTTP to its gRPC port

The exporter's protocol (OTEL_EXPORTER_OTLP_PROTOCOL or the SDK's default: the Java agent
changed from grpc to http/protobuf in 2.0) must match the receiver behind the port: 4317 is
gRPC and 4318 HTTP by convention. Each mismatch fails every export, mesh or not.`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			for _, h := range l.Hops {
				r := h.Receiver
				if r == nil || l.Protocol() == telemetry.Unknown || (r.Protocol == telemetry.GRPC) == (l.Protocol() == telemetry.GRPC) {
					continue
				}
				sym := symptomGRPCToHTTP
				if l.Protocol().HTTP() {
					sym = symptomHTTPToGRPC
				}
				reportSender(p, l, fmt.Sprintf("%s, but Service %s port %d reaches receiver %s of %s (%s). Client sees: %s. %s",
					describeLink(l), l.Service.Key(), l.Port, r, h.Collector, h.Collector.ConfigFrom, sym, because(l)))
			}
		}
	},
}
