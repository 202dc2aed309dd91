package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// DRNeverApplies: a DR that lives where no client ever looks (§2.4).
var DRNeverApplies = &Check{
	Code:     "MD0203",
	Name:     "dr-never-applies",
	Severity: Warning,
	Doc: `DestinationRule lives in a namespace that neither its clients nor its service use

A client looks in its own namespace, the service's, then the root namespace; a DR elsewhere applies only to clients in its own namespace.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, d := range inv.DestinationRules {
			h := mesh.ResolveHost(d.Spec.GetHost(), d.Namespace, inv.Mesh.DomainSuffix)
			s := inv.ServiceByHost(h)
			if s == nil || d.Namespace == s.Namespace || d.Namespace == inv.Mesh.RootNamespace || hasWorkloadIn(p, d.Namespace) {
				continue
			}
			p.Report(d.Ref(), fmt.Sprintf("DestinationRule for %s lives in %s, which is neither the service's namespace (%s) nor the root namespace, and no client runs in %s: it never applies",
				h, d.Namespace, s.Namespace, d.Namespace))
		}
	},
}

func hasWorkloadIn(p *Pass, ns string) bool {
	for _, w := range p.Model.Inv.Workloads {
		if w.Namespace == ns {
			return true
		}
	}
	return false
}
