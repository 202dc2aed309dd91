package check

import "fmt"

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
