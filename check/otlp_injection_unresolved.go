package check

import "fmt"

// OTLPInjectionUnresolved: an Operator injection annotation that names no
// Instrumentation or sidecar collector (or several): the pod runs without it.
var OTLPInjectionUnresolved = &Check{
	Code:     "MD0710",
	Name:     "otlp-injection-unresolved",
	Severity: Warning,
	Doc: `an OpenTelemetry Operator injection annotation resolves to no resource, so the pod runs uninstrumented

instrumentation.opentelemetry.io/inject-<lang> "true" needs exactly one Instrumentation in the
pod's namespace, "name" one of that name there, "ns/name" that one; sidecar.opentelemetry.io/inject
likewise needs one sidecar-mode OpenTelemetryCollector. Otherwise the webhook logs "failed to select
an OpenTelemetry Instrumentation instance for this pod" and admits the pod unchanged: no exporter,
no edge, no telemetry. Objects without a namespace land in -n (default "default").`,
	Run: func(p *Pass) {
		for _, u := range telemetryModel(p).Unresolved {
			who := fmt.Sprintf("%s %s", u.Workload.Kind, u.Workload.Key())
			if u.Container != "" {
				who += " container " + u.Container
			}
			p.Report(u.Workload.Ref(), fmt.Sprintf("%s is not injected: %s (%s)", who, u.Reason, u.From))
		}
	},
}
