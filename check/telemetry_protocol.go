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

// telemetryModel is the model discovery built, or a fresh one.
func telemetryModel(p *Pass) *telemetry.Model {
	if p.Discovery.Telemetry != nil {
		return p.Discovery.Telemetry
	}
	return telemetry.Build(p.Model.Inv)
}

// describeLink is "<sender> sends <signals> over <protocol> to <url>".
func describeLink(l telemetry.Link) string {
	who := fmt.Sprintf("%s %s container %s (%s)", l.Sender.Workload.Kind, l.Sender.Workload.Key(), l.Sender.Container, l.Sender.SDK)
	if l.Sender.Collector != nil {
		who = l.Sender.Collector.String()
	}
	return fmt.Sprintf("%s sends %s over %s to %s", who, l.SignalList(), l.Protocol(), l.URL())
}

// because is the settings that decided a link, for a message.
func because(l telemetry.Link) string { return "set by: " + strings.Join(l.Because(), "; ") }

// senderRef is where a link's sender is configured.
func senderRef(l telemetry.Link) inventory.Ref { return l.Sender.Ref() }

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
				p.Report(senderRef(l), fmt.Sprintf("%s, but Service %s port %d reaches receiver %s of %s (%s). Client sees: %s. %s",
					describeLink(l), l.Service.Key(), l.Port, r, h.Collector, h.Collector.ConfigFrom, sym, because(l)))
			}
		}
	},
}

// OTLPProtocolNotEnabled: the Service port reaches a collector port with no OTLP receiver.
var OTLPProtocolNotEnabled = &Check{
	Code:     "MD0703",
	Name:     "otlp-protocol-not-enabled",
	Severity: Error,
	Doc: `an exporter's Service port reaches a collector container port where no OTLP receiver listens

receivers.otlp.protocols must list the protocol (grpc: or http:) and its endpoint must use the
target port; otherwise the connection is refused (gRPC UNAVAILABLE "connection refused").`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			for _, h := range l.Hops {
				c := h.Collector
				if c == nil || c.Sidecar || c.Err != nil || h.Receiver != nil || h.Err != nil {
					continue
				}
				var have []string
				for _, r := range c.Receivers {
					have = append(have, r.String())
				}
				if len(have) == 0 {
					have = []string{"none"}
				}
				p.Report(senderRef(l), fmt.Sprintf("%s; Service %s port %d targets port %d of %s, where no OTLP receiver listens (receivers: %s; config %s): connection refused. %s",
					describeLink(l), l.Service.Key(), l.Port, h.TargetPort, c, strings.Join(have, ", "), c.ConfigFrom, because(l)))
			}
		}
	},
}

// OTLPSignalNotInPipeline: a signal is sent to a receiver no pipeline of that signal uses.
var OTLPSignalNotInPipeline = &Check{
	Code:     "MD0708",
	Name:     "otlp-signal-not-in-pipeline",
	Severity: Warning,
	Doc: `an exporter sends a signal to a receiver that no pipeline of that signal uses

The collector registers an OTLP service only for the signals of the pipelines that list the
receiver; other exports are refused (gRPC UNIMPLEMENTED "unknown service …MetricsService",
HTTP 404). Switch the signal off (OTEL_METRICS_EXPORTER=none) or add a pipeline.`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			for _, h := range l.Hops {
				r := h.Receiver
				if r == nil || (r.Protocol == telemetry.GRPC) != (l.Protocol() == telemetry.GRPC) {
					continue
				}
				var missing []string
				for _, e := range l.Exports {
					if !hasSignal(r.Signals, e.Signal) {
						missing = append(missing, string(e.Signal))
					}
				}
				if len(missing) > 0 {
					p.Report(senderRef(l), fmt.Sprintf("%s; receiver %s of %s is in no %s pipeline (%s): those exports are refused (gRPC UNIMPLEMENTED / HTTP 404)",
						describeLink(l), r.Name, h.Collector, strings.Join(missing, "/"), h.Collector.ConfigFrom))
				}
			}
		}
	},
}

func hasSignal(list []telemetry.Signal, s telemetry.Signal) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
