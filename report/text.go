// Package report renders results; it computes nothing.
package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Style says whether to colour (only on a TTY).
type Style struct{ Color bool }

func (s Style) paint(code, text string) string {
	if !s.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s Style) outcome(o verdict.Outcome) string {
	switch o {
	case verdict.Fail:
		return s.paint("31;1", "FAIL")
	case verdict.Unknown:
		return s.paint("33", "UNKNOWN")
	}
	return s.paint("32", "ok")
}

// Text writes the human report: a table of edges (failing first), a detail
// block per failing edge, the findings, and a summary line.
func Text(w io.Writer, r analysis.Result, st Style) error {
	if r.AllPairs != nil {
		allPairsText(w, r.AllPairs, st)
	}
	// Align without colour, then colour each row's first cell: tabwriter
	// would count escape codes as width and skew the columns.
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tCLIENT\tSERVER\tSENDS\tACCEPTS\tMTLS")
	twins := sameRow(r.Edges)
	for _, e := range r.Edges {
		mtls := "-"
		if e.MTLS {
			mtls = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s/%s (%s)\t%s\t%s\t%s\t%s\n", Style{}.outcome(e.Outcome),
			e.Client.Namespace, e.Client.Workload, e.Client.Proxy, serverCell(e, twins),
			e.ClientSends, e.ServerAccepts, mtls)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	lines := strings.SplitAfter(table.String(), "\n")
	for i, line := range lines {
		if i > 0 && i <= len(r.Edges) {
			word := Style{}.outcome(r.Edges[i-1].Outcome)
			line = st.outcome(r.Edges[i-1].Outcome) + strings.TrimPrefix(line, word)
		}
		if _, err := io.WriteString(w, line); err != nil {
			return err
		}
	}
	for _, g := range failureGroups(r.Edges) {
		edgeDetail(w, g, st)
	}
	for _, g := range alternativeGroups(r.Edges) {
		alternativesDetail(w, g, st)
	}
	if err := Pipeline(w, r, st); err != nil {
		return err
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w, "\nFindings:")
		shown := 0
		for _, f := range r.Findings {
			// Failing edges are detailed above; the JSON, SARIF and Markdown keep them.
			if f.Code == check.EdgeFails.Code {
				continue
			}
			shown++
			fmt.Fprintf(w, "  %s %s %s: %s\n      at %s\n", sev(f.Severity, st), f.Code, f.Check, f.Message, loc(f))
		}
		if n := len(r.Findings) - shown; n > 0 {
			fmt.Fprintf(w, "  (%d %s findings: the failing edges above)\n", n, check.EdgeFails.Name)
		}
	}
	s := r.Summary
	unknown := fmt.Sprint(s.Unknown)
	if s.UnknownMayFail > 0 {
		unknown += fmt.Sprintf(" (%d failing under some alternative)", s.UnknownMayFail)
	}
	line := fmt.Sprintf("\n%s: %d failing, %s unknown, %d mutual TLS; %s, %s", plural(s.Edges, "edge"),
		s.Failing, unknown, s.MTLS, plural(s.Errors, "error"), plural(s.Warnings, "warning"))
	if n := skipped(s.Skipped); n > 0 {
		line += fmt.Sprintf("; %s of kinds the model does not read skipped", plural(n, "object"))
	}
	if s.Pairs != nil && s.FailingPairs != nil {
		line += fmt.Sprintf("; %s judged, %d failing", plural(*s.Pairs, "pair"), *s.FailingPairs)
	}
	if s.Edges == 0 && s.Pairs == nil {
		// Nothing judged is not a pass: the calls may live in code.
		line += "\nNo workload names a Service in its env, args or mounted config, so no edge was judged; --all-pairs judges every workload × Service port."
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// failureGroups gathers failing edges that fail the same way at the same
// server (same cause and symptom), so a fleet of clients reads as one block.
func failureGroups(es []verdict.Edge) [][]verdict.Edge {
	return groupEdges(es, func(e verdict.Edge) (string, bool) {
		return fmt.Sprintf("%s|%d|%s|%s|%s|%s", e.Server.Host, e.Server.Port, e.Server.Workload, e.Cause, e.Symptom, e.ClientSends),
			e.Outcome == verdict.Fail
	})
}

func edgeDetail(w io.Writer, g []verdict.Edge, st Style) {
	e := g[0]
	clients := make([]string, len(g))
	for i, x := range g {
		clients[i] = x.Client.Namespace + "/" + x.Client.Workload
	}
	target := "unknown"
	if e.Server.TargetPort != 0 {
		target = fmt.Sprint(e.Server.TargetPort)
	}
	fmt.Fprintf(w, "\n%s %s → %s:%d (target port %s)\n", st.paint("31;1", "✗"),
		strings.Join(clients, ", "), e.Server.Host, e.Server.Port, target)
	fmt.Fprintf(w, "  why:       %s\n", e.Cause)
	fmt.Fprintf(w, "  client:    sends %s%s\n", e.ClientSends, dashed(e.ClientReason))
	fmt.Fprintf(w, "  server:    accepts %s%s\n", e.ServerAccepts, dashed(e.ServerReason))
	fmt.Fprintf(w, "  symptom:   %s\n", e.Symptom)
	fmt.Fprintf(w, "  category:  %s\n", e.Category)
	for _, x := range g {
		fmt.Fprintf(w, "  source:    %s\n", x.Source)
	}
	fmt.Fprintln(w, "  decided by:")
	seen := map[string]bool{}
	for _, x := range g {
		for _, d := range x.DecidedBy {
			if s := d.String(); !seen[s] {
				seen[s] = true
				fmt.Fprintf(w, "    %s\n", s)
			}
		}
	}
}

func shortHost(h string) string { return strings.TrimSuffix(h, ".svc.cluster.local") }

// dashed is " — reason", or nothing when there is no reason to give.
func dashed(reason string) string {
	if reason == "" {
		return ""
	}
	return " — " + reason
}

// serverCell is "host:port → target (proxy)"; a target port nothing states
// (a named one without pods) is "?", and rows that would read alike (one
// client and Service port, several subsets or backends) add the subset and
// the backend workload.
func serverCell(e verdict.Edge, twins map[string]bool) string {
	tp := "?"
	if e.Server.TargetPort != 0 {
		tp = fmt.Sprint(e.Server.TargetPort)
	}
	host := fmt.Sprintf("%s:%d", shortHost(e.Server.Host), e.Server.Port)
	if twins[rowKey(e)] {
		if e.Server.Subset != "" {
			host += "@" + e.Server.Subset
		}
		if e.Server.Workload != "" {
			tp += " " + e.Server.Workload
		}
	}
	return fmt.Sprintf("%s → %s (%s)", host, tp, e.Server.Proxy)
}

func rowKey(e verdict.Edge) string {
	return fmt.Sprintf("%s/%s|%s:%d", e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port)
}

// sameRow marks the client × Service port pairs that have several edges.
func sameRow(es []verdict.Edge) map[string]bool {
	n := map[string]int{}
	for _, e := range es {
		n[rowKey(e)]++
	}
	out := map[string]bool{}
	for k, c := range n {
		if c > 1 {
			out[k] = true
		}
	}
	return out
}

func sev(s check.Severity, st Style) string {
	switch s {
	case check.Error:
		return st.paint("31", "error  ")
	case check.Warning:
		return st.paint("33", "warning")
	}
	return "info   "
}

func loc(f check.Finding) string {
	where := fmt.Sprintf("%s %s", f.Object.Kind, f.Object.Name)
	if f.Object.Namespace != "" {
		where = fmt.Sprintf("%s %s/%s", f.Object.Kind, f.Object.Namespace, f.Object.Name)
	}
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d (%s)", f.File, f.Line, where)
	}
	return fmt.Sprintf("%s (%s)", f.File, where)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func skipped(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
