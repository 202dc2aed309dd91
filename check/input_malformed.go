package check

import "github.com/meshdoctor/meshdoctor/inventory"

// InputMalformed reports documents that could not be read; the rest of the
// input is still analyzed.
var InputMalformed = &Check{
	Code:     "MD0001",
	Name:     "input-malformed",
	Severity: Error,
	Doc: `a document could not be read as a Kubernetes object and was skipped

The analysis goes on without it, so conclusions that depend on it may be missing.`,
	Run: func(p *Pass) {
		for _, pr := range p.Model.Inv.Problems {
			p.Report(inventory.Ref{Kind: "Document", Name: "-", File: pr.Origin.File, Line: pr.Origin.Line}, pr.Message)
		}
	},
}
