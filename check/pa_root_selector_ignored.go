package check

import "fmt"

// PARootSelectorIgnored: §1.3, follow the code, not the proto comment.
var PARootSelectorIgnored = &Check{
	Code:     "MD0303",
	Name:     "pa-root-selector-ignored",
	Severity: Warning,
	Doc: `PeerAuthentication with a selector in the root namespace is ignored

ComposePeerAuthentication drops it (test "ignore non-emptypb selector in root namespace"); put it in the workload's namespace.`,
	Run: func(p *Pass) {
		for _, pa := range p.Model.PeerAuth.IgnoredRootSelector {
			p.Report(pa.Ref(), fmt.Sprintf("selector PeerAuthentication in the root namespace %s is ignored by Istio", pa.Namespace))
		}
	},
}
