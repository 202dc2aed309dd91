package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// Bounds of the text report's groups; -o json has every member.
const (
	maxMemberLines = 10 // "clients → Service port" lines per group
	maxClients     = 6  // clients named on one such line
	maxSources     = 5  // source lines per group
	maxDecidedBy   = 12 // deciding objects per group
)

// causeGroups gathers the edges of one outcome that fail (or stay unknown)
// the same way — same cause, symptom, what each side does and why, and for
// unknown edges the same alternatives — largest group first, ties in the
// order the edges come.
func causeGroups(es []verdict.Edge, o verdict.Outcome) [][]verdict.Edge {
	gs := groupEdges(es, func(e verdict.Edge) (string, bool) {
		return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%v", e.Cause, e.Symptom, e.ClientSends, e.ServerAccepts, e.Category,
			e.ClientReason, e.ServerReason, e.Alternatives), e.Outcome == o
	})
	sort.SliceStable(gs, func(i, j int) bool { return len(gs[i]) > len(gs[j]) })
	return gs
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

// memberLine is the clients of a group that call one Service port.
type memberLine struct {
	server  string
	clients ordered
}

// memberLines lists a group's edges by Service port (and backend, where a
// port has several), in the order they come.
func memberLines(g []verdict.Edge) (lines []memberLine, ports int) {
	at := map[string]int{}
	backends := map[string]map[string]bool{}
	for _, e := range g {
		p := fmt.Sprintf("%s:%d", e.Server.Host, e.Server.Port)
		if backends[p] == nil {
			backends[p] = map[string]bool{}
		}
		backends[p][e.Server.Subset+"|"+e.Server.Workload] = true
	}
	for _, e := range g {
		p := fmt.Sprintf("%s:%d", e.Server.Host, e.Server.Port)
		server := p + " (target port " + targetPort(e) + ")"
		if len(backends[p]) > 1 {
			if e.Server.Subset != "" {
				server += " subset " + e.Server.Subset
			}
			if e.Server.Workload != "" {
				server += " backend " + e.Server.Workload
			}
		}
		i, ok := at[server]
		if !ok {
			i = len(lines)
			at[server] = i
			lines = append(lines, memberLine{server: server})
		}
		lines[i].clients.add(e.Client.Namespace + "/" + e.Client.Workload)
	}
	return lines, len(backends)
}

func targetPort(e verdict.Edge) string {
	if e.Server.TargetPort == 0 {
		return "unknown"
	}
	return fmt.Sprint(e.Server.TargetPort)
}

// bounded joins the first max items and says how many more there are.
func bounded(items []string, max int) string {
	if len(items) <= max {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s … and %d more", strings.Join(items[:max], ", "), len(items)-max)
}

// groupDetail is one group's block: how many edges, why they fail (or are
// undecided and what each possibility would give), what each side does,
// the symptom, the members, where the edges come from and the objects that
// decided them — each list bounded with "… and N more".
func groupDetail(w io.Writer, g []verdict.Edge, st Style) {
	e := g[0]
	lines, ports := memberLines(g)
	mark, how := st.paint("31;1", "✗"), map[bool]string{true: "fails", false: "fail"}[len(g) == 1]
	if e.Outcome == verdict.Unknown {
		mark, how = st.paint("33", "?"), map[bool]string{true: "is unknown", false: "are unknown"}[len(g) == 1]
	}
	fmt.Fprintf(w, "\n%s %s %s this way (%s)\n", mark, plural(len(g), "edge"), how, plural(ports, "Service port"))
	fmt.Fprintf(w, "  why:       %s\n", e.Cause)
	if e.Outcome == verdict.Unknown {
		alternativesLines(w, e, st)
	}
	fmt.Fprintf(w, "  client:    sends %s%s\n", e.ClientSends, dashed(e.ClientReason))
	fmt.Fprintf(w, "  server:    accepts %s%s\n", e.ServerAccepts, dashed(e.ServerReason))
	if e.Symptom != "" {
		fmt.Fprintf(w, "  symptom:   %s\n", e.Symptom)
	}
	if e.Category != "" {
		fmt.Fprintf(w, "  category:  %s\n", e.Category)
	}
	label, shown := "  edges:     ", 0
	for i, l := range lines {
		if i == maxMemberLines {
			fmt.Fprintf(w, "%s… and %d more %s to %d more %s\n", label, len(g)-shown, noun(len(g)-shown, "edge"), len(lines)-i, noun(len(lines)-i, "Service port"))
			break
		}
		fmt.Fprintf(w, "%s%s → %s\n", label, bounded(l.clients.list, maxClients), l.server)
		label = "             "
		shown += len(l.clients.list)
	}
	var sources, refs ordered
	for _, x := range g {
		sources.add(x.Source)
		for _, d := range x.DecidedBy {
			refs.add(d.String())
		}
	}
	for i, s := range sources.list {
		if i == maxSources {
			fmt.Fprintf(w, "  source:    … and %d more\n", len(sources.list)-i)
			break
		}
		fmt.Fprintf(w, "  source:    %s\n", s)
	}
	fmt.Fprintln(w, "  decided by:")
	for i, s := range refs.list {
		if i == maxDecidedBy {
			fmt.Fprintf(w, "    … and %d more objects\n", len(refs.list)-i)
			break
		}
		fmt.Fprintf(w, "    %s\n", s)
	}
}

// ordered is a set that keeps the order of first insertion.
type ordered struct {
	list []string
	seen map[string]bool
}

func (o *ordered) add(s string) {
	if o.seen == nil {
		o.seen = map[string]bool{}
	}
	if !o.seen[s] {
		o.seen[s] = true
		o.list = append(o.list, s)
	}
}

// noun is word, plural when n is not 1.
func noun(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
