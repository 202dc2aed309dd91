package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/mesh"
)

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
