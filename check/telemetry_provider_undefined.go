package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/inventory"
)

var sent = map[string]string{"tracing": "traces", "access logging": "access logs", "metrics": "metrics"}

// TelemetryProviderUndefined: a Telemetry (or meshConfig defaultProviders)
// selects a provider name no extension provider defines.
var TelemetryProviderUndefined = &Check{
	Code:     "MD0711",
	Name:     "telemetry-provider-undefined",
	Severity: Warning,
	Doc: `a Telemetry resource or meshConfig defaultProviders names an extension provider the mesh config does not define, so Istio sends nothing for it

istiod looks a provider up by name, case-insensitively, among meshConfig extensionProviders and
its built-in ones (prometheus, stackdriver, envoy) (pilot/pkg/model/telemetry.go fetchProvider);
a name it cannot find configures nothing and raises no error, so the selected proxies export no
traces, access logs or metrics to it. The mesh config is read from the "mesh" key of the istio
ConfigMap in the root namespace; without it in the inputs only the built-in providers are known.`,
	Run: func(p *Pass) {
		mc := p.Model.Inv.Mesh
		for _, u := range telemetryModel(p).UndefinedProviders {
			where := "meshConfig defaultProviders"
			ref := inventory.Ref{Kind: "ConfigMap", Namespace: mc.RootNamespace, Name: "istio"}
			if mc.From != nil {
				ref = *mc.From
				where += " (" + mc.From.String() + ")"
			}
			if u.By != nil {
				ref, where = u.By.Ref(), "Telemetry "+u.By.Key()
			}
			known := "only Istio's built-in providers (prometheus, stackdriver, envoy) are defined: no mesh config in the inputs"
			if mc.From != nil {
				known = fmt.Sprintf("%d provider(s) are defined", len(mc.ProviderNames))
			}
			p.Report(ref, fmt.Sprintf("%s selects %s provider %q, which no extension provider defines (%s): istiod configures nothing for it, so those proxies send no %s to it", where, u.What, u.Name, known, sent[u.What]))
		}
	},
}
