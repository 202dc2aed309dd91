package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// alternativeGroups gathers unknown edges with alternatives that hang the
// same way on the same missing facts at the same server.
func alternativeGroups(es []verdict.Edge) [][]verdict.Edge {
	return groupEdges(es, func(e verdict.Edge) (string, bool) {
		return fmt.Sprintf("%s|%d|%s|%s|%v", e.Server.Host, e.Server.Port, e.Server.Workload, e.Cause, e.Alternatives),
			e.Outcome == verdict.Unknown && len(e.Alternatives) > 0
	})
}

// groupEdges gathers the edges key keeps into groups of equal keys, in order.
func groupEdges(es []verdict.Edge, key func(verdict.Edge) (string, bool)) [][]verdict.Edge {
	var out [][]verdict.Edge
	at := map[string]int{}
	for _, e := range es {
		k, keep := key(e)
		if !keep {
			continue
		}
		if i, ok := at[k]; ok {
			out[i] = append(out[i], e)
			continue
		}
		at[k] = len(out)
		out = append(out, []verdict.Edge{e})
	}
	return out
}

// alternativesDetail is the block of an undecided edge: what is missing and
// the outcome under each value of it, failures first.
func alternativesDetail(w io.Writer, g []verdict.Edge, st Style) {
	e := g[0]
	clients := make([]string, len(g))
	for i, x := range g {
		clients[i] = x.Client.Namespace + "/" + x.Client.Workload
	}
	fmt.Fprintf(w, "\n%s %s → %s:%d (target port %d): unknown\n", st.paint("33", "?"),
		strings.Join(clients, ", "), e.Server.Host, e.Server.Port, e.Server.TargetPort)
	fmt.Fprintf(w, "  why:       %s\n", e.Cause)
	label := "  if:        "
	for _, want := range []verdict.Outcome{verdict.Fail, verdict.Unknown, verdict.OK} {
		for _, a := range e.Alternatives {
			if a.Outcome == want {
				fmt.Fprintf(w, "%s%s if %s\n", label, alternativeOutcome(a, st), strings.Join(a.Assume, " and "))
				label = "             "
			}
		}
	}
}

// alternativeOutcome is "FAIL (WRONG_VERSION_NUMBER)", "ok (mTLS)", "ok (plaintext)".
func alternativeOutcome(a verdict.Alternative, st Style) string {
	switch {
	case a.Outcome == verdict.Fail:
		return st.outcome(a.Outcome) + " (" + shortSymptom(a.Symptom) + ")"
	case a.Outcome == verdict.OK && a.MTLS:
		return st.outcome(a.Outcome) + " (mTLS)"
	case a.Outcome == verdict.OK:
		return st.outcome(a.Outcome) + " (plaintext)"
	}
	return "unknown"
}
