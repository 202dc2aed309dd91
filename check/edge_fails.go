package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// EdgeFails reports every failing edge at the object that decided it.
var EdgeFails = &Check{
	Code:     "MD0101",
	Name:     "edge-fails",
	Severity: Error,
	Doc: `a client → service port connection fails under the mesh's mTLS settings

The message gives the cause, what the client sees, and the deciding objects.`,
	Run: func(p *Pass) {
		for _, e := range p.Edges {
			if e.Outcome != verdict.Fail {
				continue
			}
			p.Report(primaryRef(e), fmt.Sprintf("%s → %s:%d fails: %s. Client sees: %s",
				edgeClient(e), e.Server.Host, e.Server.Port, e.Cause, e.Symptom))
		}
	},
}

func edgeClient(e verdict.Edge) string {
	return fmt.Sprintf("%s %s/%s", e.Client.Kind, e.Client.Namespace, e.Client.Workload)
}

// primaryRef is the first deciding policy object, else the first ref.
func primaryRef(e verdict.Edge) inventory.Ref {
	for _, r := range e.DecidedBy {
		switch r.Kind {
		case "DestinationRule", "PeerAuthentication", "Sidecar":
			return r
		}
	}
	if len(e.DecidedBy) > 0 {
		return e.DecidedBy[0]
	}
	return inventory.Ref{Kind: e.Client.Kind, Namespace: e.Client.Namespace, Name: e.Client.Workload}
}
