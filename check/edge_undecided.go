package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// EdgeUndecided reports edges the model cannot decide, with the reason.
var EdgeUndecided = &Check{
	Code:     "MD0102",
	Name:     "edge-undecided",
	Severity: Info,
	Doc: `the model cannot decide an edge from the inputs

The reason names what is missing (a namespace, a backing workload, a cluster IP); add it to decide.`,
	Run: func(p *Pass) {
		for _, e := range p.Edges {
			if e.Outcome == verdict.Unknown {
				p.Report(primaryRef(e), fmt.Sprintf("%s → %s:%d is undecided: %s", edgeClient(e), e.Server.Host, e.Server.Port, e.Cause))
			}
		}
	},
}

func names(ws []*inventory.Workload) string {
	var n []string
	for _, w := range ws {
		n = append(n, w.Kind+" "+w.Name)
	}
	return strings.Join(n, ", ")
}
