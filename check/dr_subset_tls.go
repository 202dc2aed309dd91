package check

import "fmt"

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
