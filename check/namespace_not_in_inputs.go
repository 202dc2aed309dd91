package check

import (
	"fmt"
	"slices"
	"sort"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// NamespaceNotInInputs: injection depends on namespace labels the inputs lack.
var NamespaceNotInInputs = &Check{
	Code:     "MD0501",
	Name:     "namespace-not-in-inputs",
	Severity: Info,
	Doc: `workloads run in a namespace the inputs do not declare, so their injection is undecided

Injection depends on the namespace's istio-injection / istio.io/rev labels. The edges that hang on
them are unknown, with the outcome under each value (alternatives). The fix is to add the Namespace
object to the inputs, or to read the live cluster; --ns-label states a value, and is for when it is known.`,
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
			p.Report(first[ns].Ref(), namespaceMissingMessage(ns, p.Edges))
		}
	},
}

// namespaceMissingMessage names the real fix first, then what each label
// value would mean for the edges that hang on it — never one value alone,
// which would steer to a verdict the inputs do not support.
func namespaceMissingMessage(ns string, es []verdict.Edge) string {
	with, without := "namespace "+ns+": istio-injection=enabled", "namespace "+ns+": no istio-injection label"
	hang, failWith, failWithout := 0, 0, 0
	for _, e := range es {
		fails := func(assume string) bool {
			return slices.ContainsFunc(e.Alternatives, func(a verdict.Alternative) bool {
				return a.Outcome == verdict.Fail && slices.Contains(a.Assume, assume)
			})
		}
		if !slices.ContainsFunc(e.Alternatives, func(a verdict.Alternative) bool {
			return slices.Contains(a.Assume, with) || slices.Contains(a.Assume, without)
		}) {
			continue
		}
		hang++
		if fails(with) {
			failWith++
		}
		if fails(without) {
			failWithout++
		}
	}
	if hang == 0 {
		// No judged edge hangs on it (none declared, or none reaching it):
		// counting zero edges would read as an all-clear it is not.
		return fmt.Sprintf("namespace %s is not in the inputs, so whether its workloads get sidecars is unknown; no edge judged here hangs on it, but any other call into or out of it does: "+
			"add its Namespace object to the inputs, or read the live cluster (--cluster); --all-pairs judges every workload × Service port. "+
			"State a label with --ns-label %s:KEY=VALUE only if you know it", ns, ns)
	}
	return fmt.Sprintf("namespace %s is not in the inputs, so whether its workloads get sidecars is unknown and %s that hang on it %s unknown: "+
		"add its Namespace object to the inputs, or read the live cluster (--cluster). "+
		"Labelled istio-injection=enabled its workloads would get sidecars (%d of those edges fail then, in some case); "+
		"without the label they would not (%d fail then, in some case). State a label with --ns-label %s:KEY=VALUE only if you know it",
		ns, edgesWord(hang), isAre(hang), failWith, failWithout, ns)
}

func edgesWord(n int) string {
	if n == 1 {
		return "1 edge"
	}
	return fmt.Sprintf("%d edges", n)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
