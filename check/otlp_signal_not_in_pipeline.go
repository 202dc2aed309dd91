package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/telemetry"
)

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
					reportSender(p, l, fmt.Sprintf("%s; receiver %s of %s is in no %s pipeline (%s): those exports are refused (gRPC UNIMPLEMENTED / HTTP 404)",
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
