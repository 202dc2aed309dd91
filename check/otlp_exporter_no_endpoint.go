package check

import "fmt"

// OTLPNoReachableEndpoint: an exporter is on but dials localhost where nothing listens.
var OTLPNoReachableEndpoint = &Check{
	Code:     "MD0707",
	Name:     "otlp-exporter-no-endpoint",
	Severity: Warning,
	Doc: `an OTLP exporter is on but dials localhost, where no collector runs in the pod

With no endpoint set the SDK uses its default, http://localhost:4318 (http/protobuf) or
http://localhost:4317 (grpc), which only works with a collector container or an Operator
sidecar (sidecar.opentelemetry.io/inject) in the pod. Set the endpoint, inject a collector,
or switch the signal off (OTEL_<SIGNAL>_EXPORTER=none / OTEL_SDK_DISABLED=true).`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			if !l.Local || l.Sender.LocalCollector != nil {
				continue
			}
			how := "the endpoint is set to localhost"
			if l.Exports[0].Default {
				if l.Sender.SDK.Lang == "" || l.Sender.SDK.Lang == "unknown" {
					// An SDK we cannot name may not export this signal at
					// all (an app that sets only the traces endpoint):
					// warning that it dials localhost would be a guess.
					continue
				}
				how = "no endpoint is set, so the default applies"
			}
			reportSender(p, l, fmt.Sprintf("%s: %s and nothing in the pod listens there (connection refused). %s", describeLink(l), how, because(l)))
		}
	},
}
