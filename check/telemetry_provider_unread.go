package check

import "fmt"

// TelemetryProviderUnread: a Telemetry selects a provider while the mesh
// config that would define it is not in the inputs.
var TelemetryProviderUnread = &Check{
	Code:     "MD0712",
	Name:     "telemetry-provider-unread",
	Severity: Info,
	Doc: `a Telemetry resource selects an extension provider, but no mesh config is in the inputs, so where its proxies send is not judged

Providers are defined in meshConfig extensionProviders (the "mesh" key of istiod's istio ConfigMap,
or an IstioOperator's meshConfig). Without it meshdoctor cannot tell the provider's Service and
port, so no proxy → collector edge is judged for it and whether the name exists at all is unknown.
Pass the ConfigMap (kubectl get cm istio -n istio-system -o yaml) or the IstioOperator.`,
	Run: func(p *Pass) {
		if p.Model.Inv.Mesh.MeshFrom != nil {
			return
		}
		for _, u := range telemetryModel(p).UndefinedProviders {
			if u.By == nil {
				continue
			}
			p.Report(u.By.Ref(), fmt.Sprintf("Telemetry %s selects %s provider %q, but no mesh config is in the inputs: its Service and port (and whether it is defined at all) are unknown, so the %s its proxies send are not judged",
				u.By.Key(), u.What, u.Name, sent[u.What]))
		}
	},
}
