package check

import "fmt"

// ReferenceDangling: an address that names no Service (or port) in the inputs.
var ReferenceDangling = &Check{
	Code:     "MD0601",
	Name:     "reference-dangling",
	Severity: Warning,
	Doc: `an endpoint a workload dials names no Service or no port in the inputs

Either the Service is missing from the inputs, or the address (name, namespace, port) is wrong.`,
	Run: func(p *Pass) {
		for _, d := range p.Discovery.Dangling {
			p.Report(d.Client.Ref(), fmt.Sprintf("%s (%s): %s", d.Value, d.Where, d.Reason))
		}
	},
}
