package check

import "fmt"

var sent = map[string]string{"tracing": "traces", "access logging": "access logs", "metrics": "metrics"}

// TelemetryProviderUndefined: a Telemetry (or meshConfig defaultProviders)
// selects a provider name the mesh config read does not define.
var TelemetryProviderUndefined = &Check{
	Code:     "MD0711",
	Name:     "telemetry-provider-undefined",
	Severity: Warning,
	Doc: `a Telemetry resource or meshConfig defaultProviders names an extension provider the mesh config does not define, so Istio sends nothing for it

istiod looks a provider up by name, case-insensitively, among meshConfig extensionProviders and
its built-in ones (prometheus, stackdriver, envoy) (pilot/pkg/model/telemetry.go fetchProvider);
a name it cannot find configures nothing and raises no error, so the selected proxies export no
traces, access logs or metrics to it. Reported only when the inputs hold the mesh config (the
"mesh" key of the istio ConfigMap, or an IstioOperator's meshConfig); without it, MD0712.`,
	Run: func(p *Pass) {
		mc := p.Model.Inv.Mesh
		if mc.MeshFrom == nil {
			return
		}
		for _, u := range telemetryModel(p).UndefinedProviders {
			where := fmt.Sprintf("meshConfig defaultProviders (%s)", mc.MeshFrom)
			ref := *mc.MeshFrom
			if u.By != nil {
				ref, where = u.By.Ref(), "Telemetry "+u.By.Key()
			}
			p.Report(ref, fmt.Sprintf("%s selects %s provider %q, which no extension provider of the mesh config (%s) defines, nor Istio's built-in prometheus, stackdriver and envoy: istiod configures nothing for it, so those proxies send no %s to it",
				where, u.What, u.Name, mc.MeshFrom, sent[u.What]))
		}
	},
}
