package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
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

// DRPortLevelWithoutTLS is the §2.8 replacement trap.
var DRPortLevelWithoutTLS = &Check{
	Code:     "MD0205",
	Name:     "dr-portlevel-without-tls",
	Severity: Warning,
	Doc: `a port-level DestinationRule entry without tls overrides the top-level tls for that port

Port-level settings replace tls wholesale: the cluster falls back to auto mTLS, while the endpoint checker still reads the top-level mode.`,
	Run: func(p *Pass) {
		for _, d := range p.Model.Inv.DestinationRules {
			tp := d.Spec.GetTrafficPolicy()
			if tp.GetTls() == nil {
				continue
			}
			for _, pl := range tp.GetPortLevelSettings() {
				if pl.GetTls() == nil {
					p.Report(d.Ref(), fmt.Sprintf("portLevelSettings for port %d has no tls, so the top-level tls %s does not apply to that port's cluster",
						pl.GetPort().GetNumber(), tp.GetTls().GetMode()))
				}
			}
		}
	},
}

// DRSelectorCatchAllPrivate is istio#58322.
var DRSelectorCatchAllPrivate = &Check{
	Code:     "MD0206",
	Name:     "dr-selector-catchall-private",
	Severity: Warning,
	Doc: `a workloadSelector DR and a catch-all DR with exportTo ["."] for one host: the catch-all is lost

Enhanced merge folds the catch-all into the selector entry (istio#58322, open); workloads the selector misses get no DR.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, a := range inv.DestinationRules {
			if a.Spec.GetWorkloadSelector() == nil {
				continue
			}
			ha := mesh.ResolveHost(a.Spec.GetHost(), a.Namespace, inv.Mesh.DomainSuffix)
			for _, b := range inv.DestinationRules {
				ex := b.Spec.GetExportTo()
				if b == a || b.Namespace != a.Namespace || b.Spec.GetWorkloadSelector() != nil || len(ex) != 1 || (ex[0] != "." && ex[0] != b.Namespace) {
					continue
				}
				if mesh.ResolveHost(b.Spec.GetHost(), b.Namespace, inv.Mesh.DomainSuffix) == ha {
					p.Report(b.Ref(), fmt.Sprintf("catch-all DestinationRule for %s with exportTo [\".\"] is merged into selector DR %s and does not apply to other workloads (istio#58322)", ha, a.Name))
				}
			}
		}
	},
}

// DRSubsetTLS: subset tls applies only to traffic a VirtualService routes to
// that subset (§2.8); the same host then behaves two ways.
var DRSubsetTLS = &Check{
	Code:     "MD0207",
	Name:     "dr-subset-tls",
	Severity: Info,
	Doc: `a DestinationRule subset sets a tls mode different from the rule's own

Traffic a VirtualService routes to the subset uses the subset's tls (MergeSubsetTrafficPolicy); traffic on the default route uses the rule's. meshdoctor judges each routed subset as its own edge (server.subset).`,
	Run: func(p *Pass) {
		for _, d := range p.Model.Inv.DestinationRules {
			top := "unset (auto mTLS)"
			if t := d.Spec.GetTrafficPolicy().GetTls(); t != nil {
				top = t.GetMode().String()
			}
			for _, ss := range d.Spec.GetSubsets() {
				if tls := ss.GetTrafficPolicy().GetTls(); tls != nil && tls.GetMode().String() != top {
					p.Report(d.Ref(), fmt.Sprintf("subset %s sets tls %s while the rule's own is %s: traffic routed to the subset and traffic on the default route are secured differently", ss.GetName(), tls.GetMode(), top))
				}
			}
		}
	},
}
