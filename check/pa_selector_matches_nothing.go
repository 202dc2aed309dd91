package check

import "fmt"

// PASelectorMatchesNothing: a workload PA with no target.
var PASelectorMatchesNothing = &Check{
	Code:     "MD0302",
	Name:     "pa-selector-matches-nothing",
	Severity: Warning,
	Doc: `PeerAuthentication selector matches no workload in its namespace

The policy has no effect; check the labels (pod template labels, not Deployment labels) and the namespace.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, pa := range inv.PeerAuthentications {
			if len(pa.Spec.GetSelector().GetMatchLabels()) == 0 || pa.Namespace == inv.Mesh.RootNamespace {
				continue
			}
			if len(selected(inv, pa)) == 0 {
				p.Report(pa.Ref(), fmt.Sprintf("selector %v matches no workload in namespace %s", pa.Spec.GetSelector().GetMatchLabels(), pa.Namespace))
			}
		}
	},
}
