package check

import (
	"fmt"
	"strings"

	networking "istio.io/api/networking/v1alpha3"
)

// DRCredentialNameNoSelector is the §2.9 gotcha.
var DRCredentialNameNoSelector = &Check{
	Code:     "MD0204",
	Name:     "dr-credentialname-no-selector",
	Severity: Warning,
	Doc: `DestinationRule SIMPLE/MUTUAL with credentialName and no workloadSelector: sidecars send plaintext

On a sidecar, buildUpstreamClusterTLSContext builds no TLS context from credentialName unless the DR has a workloadSelector; gateways honour it.`,
	Run: func(p *Pass) {
		for _, d := range p.Model.Inv.DestinationRules {
			if d.Spec.GetWorkloadSelector() != nil {
				continue
			}
			for _, tls := range allTLS(d.Spec) {
				m := tls.GetMode()
				c := tls.GetCredentialName()
				if (m == networking.ClientTLSSettings_SIMPLE || m == networking.ClientTLSSettings_MUTUAL) && c != "" && !strings.HasPrefix(c, "configmap://") {
					p.Report(d.Ref(), fmt.Sprintf("tls %s with credentialName %q and no workloadSelector: sidecar clients send plaintext (only gateways use the credential)", m, c))
					break
				}
			}
		}
	},
}

func allTLS(dr *networking.DestinationRule) []*networking.ClientTLSSettings {
	var out []*networking.ClientTLSSettings
	add := func(tp *networking.TrafficPolicy) {
		if tp == nil {
			return
		}
		if tp.GetTls() != nil {
			out = append(out, tp.GetTls())
		}
		for _, pl := range tp.GetPortLevelSettings() {
			if pl.GetTls() != nil {
				out = append(out, pl.GetTls())
			}
		}
	}
	add(dr.GetTrafficPolicy())
	for _, s := range dr.GetSubsets() {
		add(s.GetTrafficPolicy())
	}
	return out
}
