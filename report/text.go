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

// Style says whether to colour (only on a TTY) and, for analyze's text,
// whether to list every edge in the table however many there are.
type Style struct {
	Color   bool
	AllRows bool
	// OnlyProblems: the edges are the failing and unknown ones the reader
	// asked to see, listed up to maxProblemRows however many there are.
	OnlyProblems bool
	// Hidden is what the output controls took out, said in the summary.
	Hidden Hidden
}

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

// maxTableRows bounds the table of edges: above it the cause groups stand
// for the failing and unknown edges, and the working ones are counted
// (Style.AllRows, -o json: every edge).
const maxTableRows = 100

// maxProblemRows bounds the table when only problems are listed
// (--only-problems): the table is then what the reader asked for.
const maxProblemRows = 1000

// Text writes the human report: the summary first, then the failing edges
// grouped by cause and the unknown ones by what is missing, the table of
// edges (failing first; bounded unless st.AllRows), the telemetry
// pipelines, and the findings, those that repeat per object grouped.
func Text(w io.Writer, r analysis.Result, st Style) error {
	if _, err := fmt.Fprintln(w, summaryText(r, st.Hidden)); err != nil {
		return err
	}
	if r.AllPairs != nil {
		fmt.Fprintln(w)
		allPairsText(w, r.AllPairs, st)
	}
	textGroups(w, r.Edges, verdict.Fail, "Failing edges by cause", st)
	textGroups(w, r.Edges, verdict.Unknown, "Unknown edges by what is missing", st)
	if err := edgeTable(w, r.Edges, st); err != nil {
		return err
	}
	if err := Pipeline(w, r, st); err != nil {
		return err
	}
	findingsText(w, r.Findings, st)
	return nil
}

// textGroups writes the edges of outcome o in groups of one cause each.
func textGroups(w io.Writer, es []verdict.Edge, o verdict.Outcome, title string, st Style) {
	gs := causeGroups(es, o)
	if len(gs) == 0 {
		return
	}
	n := 0
	for _, g := range gs {
		n += len(g)
	}
	fmt.Fprintf(w, "\n%s (%s, %s):\n", title, plural(n, "edge"), plural(len(gs), "group"))
	for _, g := range gs {
		groupDetail(w, g, st)
	}
}

// edgeTable is the aligned table, one row per edge, failing first; above
// maxTableRows only a line that says what is not listed.
func edgeTable(w io.Writer, es []verdict.Edge, st Style) error {
	if len(es) == 0 {
		return nil
	}
	more := 0
	switch {
	case st.AllRows:
	case st.OnlyProblems && len(es) > maxProblemRows:
		es, more = es[:maxProblemRows], len(es)-maxProblemRows
	case !st.OnlyProblems && len(es) > maxTableRows:
		_, err := fmt.Fprintf(w, "\nEdges: %s, not listed one per row above %d (the groups above hold every failing and unknown one; --only-problems lists up to 1000 of them, --table lists all, -o json has each)\n",
			plural(len(es), "edge"), maxTableRows)
		return err
	}

	fmt.Fprintln(w)
	// Align without colour, then colour each row's first cell: tabwriter
	// would count escape codes as width and skew the columns.
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tCLIENT\tSERVER\tSENDS\tACCEPTS\tMTLS")
	twins := sameRow(es)
	for _, e := range es {
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
		if i > 0 && i <= len(es) {
			word := Style{}.outcome(es[i-1].Outcome)
			line = st.outcome(es[i-1].Outcome) + strings.TrimPrefix(line, word)
		}
		if _, err := io.WriteString(w, line); err != nil {
			return err
		}
	}
	if more > 0 {
		_, err := fmt.Fprintf(w, "… and %s not listed above %d rows (--table lists all, -o json has each)\n", plural(more, "more edge"), maxProblemRows)
		return err
	}
	return nil
}

// summaryText is the report's first line: the counts, the findings the
// output controls took out, and what was not judged.
func summaryText(r analysis.Result, hidden Hidden) string {
	s := r.Summary
	unknown := fmt.Sprint(s.Unknown)
	if s.UnknownMayFail > 0 {
		unknown += fmt.Sprintf(" (%d failing under some alternative)", s.UnknownMayFail)
	}
	line := fmt.Sprintf("%s: %d failing, %s unknown, %d mutual TLS; %s, %s", plural(s.Edges, "edge"),
		s.Failing, unknown, s.MTLS, plural(s.Errors, "error"), plural(s.Warnings, "warning"))
	if n := skipped(s.Skipped); n > 0 {
		line += fmt.Sprintf("; %s of kinds the model does not read skipped", plural(n, "object"))
	}
	if s.Pairs != nil && s.FailingPairs != nil {
		line += fmt.Sprintf("; %s judged, %d failing", plural(*s.Pairs, "pair"), *s.FailingPairs)
	}
	if h := hidden.String(); h != "" {
		line += "; " + h
	}
	if s.Edges == 0 && s.Pairs == nil {
		// Nothing judged is not a pass: the calls may live in code.
		line += "\nNo workload names a Service in its env, args or mounted config, so no edge was judged; --all-pairs judges every workload × Service port."
	}
	return line
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
