package check

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/telemetry"
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
		// One finding per server, reason and deciding object: with all-pairs a
		// selector-less Service is undecided for every client alike, and one
		// line per client would bury the rest.
		type group struct {
			ref     inventory.Ref
			server  string
			cause   string
			clients []string
		}
		var order []string
		groups := map[string]*group{}
		for _, e := range p.Edges {
			if e.Outcome != verdict.Unknown {
				continue
			}
			server := fmt.Sprintf("%s:%d", e.Server.Host, e.Server.Port)
			if e.Server.Subset != "" {
				server += " (subset " + e.Server.Subset + ")"
			}
			ref := undecidedRef(e)
			k := server + "|" + e.Cause + "|" + ref.String()
			g, ok := groups[k]
			if !ok {
				g = &group{ref: ref, server: server, cause: e.Cause}
				groups[k] = g
				order = append(order, k)
			}
			g.clients = appendUnique(g.clients, edgeClient(e))
		}
		for _, k := range order {
			g := groups[k]
			who := g.clients[0]
			if n := len(g.clients); n > 1 {
				shown := g.clients
				if n > 3 {
					shown = shown[:3]
				}
				who = fmt.Sprintf("%d clients (%s", n, strings.Join(shown, ", "))
				if n > 3 {
					who += fmt.Sprintf(" and %d more", n-3)
				}
				who += ")"
			}
			verb := "is"
			if len(g.clients) > 1 {
				verb = "are"
			}
			p.Report(g.ref, fmt.Sprintf("%s → %s %s undecided: %s", who, g.server, verb, g.cause))
		}
	},
}

// undecidedRef is the object whose change would decide e: the client, when
// the mesh path is decided and only its exporter's OTLP protocol is missing
// (setting OTEL_EXPORTER_OTLP_PROTOCOL there decides it); else the edge's
// primary object.
func undecidedRef(e verdict.Edge) inventory.Ref {
	if e.OTLP != nil && slices.Contains(e.OTLP.Protocols, string(telemetry.Unknown)) &&
		e.ClientSends != mesh.SendsUnknown && e.ServerAccepts != mesh.AcceptsUnknown {
		for _, r := range e.DecidedBy {
			if r.Kind == e.Client.Kind && r.Namespace == e.Client.Namespace && r.Name == e.Client.Workload {
				return r
			}
		}
	}
	return primaryRef(e)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func names(ws []*inventory.Workload) string {
	var n []string
	for _, w := range ws {
		n = append(n, w.Kind+" "+w.Name)
	}
	return strings.Join(n, ", ")
}
