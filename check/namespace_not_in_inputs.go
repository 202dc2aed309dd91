package check

import (
	"fmt"
	"sort"

	"github.com/meshdoctor/meshdoctor/inventory"
)

// NamespaceNotInInputs: injection depends on namespace labels the inputs lack.
var NamespaceNotInInputs = &Check{
	Code:     "MD0501",
	Name:     "namespace-not-in-inputs",
	Severity: Info,
	Doc: `workloads run in a namespace the inputs do not declare, so their injection is undecided

Injection depends on the namespace's istio-injection / istio.io/rev labels; add the Namespace object, give its labels with --ns-label, or analyze the live cluster.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		first := map[string]*inventory.Workload{}
		for _, w := range inv.Workloads {
			if inv.Namespace(w.Namespace) == nil && first[w.Namespace] == nil {
				first[w.Namespace] = w
			}
		}
		var nss []string
		for ns := range first {
			nss = append(nss, ns)
		}
		sort.Strings(nss)
		for _, ns := range nss {
			p.Report(first[ns].Ref(), fmt.Sprintf("namespace %s is not in the inputs: whether its workloads get sidecars is unknown (add its Namespace object, or say --ns-label %s:istio-injection=enabled)", ns, ns))
		}
	},
}
