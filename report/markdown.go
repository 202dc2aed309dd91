package report

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// MarkdownMaxBytes is the default cap: GitHub refuses comments over 65,536
// characters, so the report stays under it with room to spare.
const MarkdownMaxBytes = 60000

// MarkdownOptions tune the Markdown report.
type MarkdownOptions struct {
	// MaxBytes caps the output (0 means MarkdownMaxBytes); edge details and
	// findings past the cap are counted, not written.
	MaxBytes int
	// Hidden is what the output controls took out, said under the table.
	Hidden Hidden
}

// Markdown writes a report that fits a pull-request comment: a summary
// table, a collapsible <details> per way edges fail (then stay undecided),
// and the findings that are not about an edge.
func Markdown(w io.Writer, r analysis.Result, opt MarkdownOptions) error {
	max := opt.MaxBytes
	if max <= 0 {
		max = MarkdownMaxBytes
	}
	s := r.Summary
	var head strings.Builder
	// An all-clear only when every edge was decided and some were judged:
	// undecided edges and an empty judgement are not a pass.
	status := "✅ no edge fails"
	switch {
	case s.Failing > 0:
		status = fmt.Sprintf("❌ %d of %d edges fail", s.Failing, s.Edges)
	case s.UnknownMayFail > 0:
		status = fmt.Sprintf("❔ no edge fails for certain; %d of %d undecided edges fail under some alternative", s.UnknownMayFail, s.Unknown)
	case s.Unknown > 0:
		status = fmt.Sprintf("❔ no edge fails; %d of %d edges undecided", s.Unknown, s.Edges)
	case s.Edges == 0 && s.Pairs == nil:
		status = "❔ no edge judged"
	}
	status = pairsStatus(r, status)
	fmt.Fprintf(&head, "## meshdoctor: %s\n\n", status)
	if s.Edges == 0 && s.Pairs == nil {
		head.WriteString("No workload names a Service in its env, args or mounted config, so no edge was judged; `--all-pairs` judges every workload × Service port.\n\n")
	}
	head.WriteString("| outcome | edges |\n| --- | ---: |\n")
	fmt.Fprintf(&head, "| ❌ fail | %d |\n| ❔ unknown | %d |\n| 🔒 ok, mutual TLS | %d |\n| ok, plaintext | %d |\n| **total** | **%d** |\n\n",
		s.Failing, s.Unknown, s.MTLS, s.Edges-s.Failing-s.Unknown-s.MTLS, s.Edges)
	if ap := r.AllPairs; ap != nil {
		fmt.Fprintf(&head, "All pairs (every workload × Service port): **%d** judged by class (%s × %s): **%d failing**, %d unknown. The table counts the declared edges.\n\n",
			ap.Pairs, classes(len(ap.ClientClasses), "client"), classes(len(ap.ServerClasses), "Service-port"), ap.FailingPairs, ap.UnknownPairs)
	} else if s.Pairs != nil && s.FailingPairs != nil {
		fmt.Fprintf(&head, "All pairs (every workload × Service port): %d judged, each an edge in the table: %d failing.\n\n", *s.Pairs, *s.FailingPairs)
	}
	fmt.Fprintf(&head, "Findings: %d error(s), %d warning(s), %d info", s.Errors, s.Warnings, len(r.Findings)-s.Errors-s.Warnings)
	if h := opt.Hidden.String(); h != "" {
		fmt.Fprintf(&head, "; %s, not counted", h)
	}
	head.WriteString(".\n")

	// Every block is written whole or not at all; the tail notes what was left out.
	const reserve = 400
	out := head.String()
	omitted := map[string]int{}
	emit := func(kind, block string) {
		if len(out)+len(block)+reserve > max {
			omitted[kind]++
			return
		}
		out += block
	}
	if r.AllPairs != nil {
		for _, block := range mdPairs(r.AllPairs) {
			emit("pair causes", block)
		}
	}
	// Edges grouped by cause as in the text report, largest group first, so a
	// cause with few edges is not cut off behind one with thousands.
	for _, sec := range []struct {
		title string
		o     verdict.Outcome
	}{{"Failing edges", verdict.Fail}, {"Undecided edges", verdict.Unknown}} {
		first := true
		for _, g := range causeGroups(r.Edges, sec.o) {
			block := mdGroup(g)
			if first {
				block = "\n### " + sec.title + "\n\n" + block
			}
			before := len(out)
			if len(out)+len(block)+reserve > max {
				omitted["edges"] += len(g)
				continue
			}
			out += block
			if len(out) != before {
				first = false
			}
		}
	}
	// Findings grouped as in the text report: one per workload becomes one row.
	first := true
	for _, g := range groupFindings(r.Findings) {
		f := g.list[0]
		if f.Code == check.EdgeUndecided.Code {
			continue // each has its <details> above
		}
		msg, where := f.Message, "`"+loc(f)+"`"
		if len(g.list) > 1 {
			msg = fmt.Sprintf("×%d: %s", len(g.list), g.shape)
			where += fmt.Sprintf(" and %d more", len(g.list)-1)
		}
		row := fmt.Sprintf("| %s | %s %s | %s | %s |\n", f.Severity, f.Code, f.Check, mdCell(mdInline(msg)), mdCell(where))
		if first {
			row = "\n### Findings\n\n| severity | check | message | where |\n| --- | --- | --- | --- |\n" + row
		}
		before := len(out)
		emit("findings", row)
		if len(out) != before {
			first = false
		}
	}
	if n := omitted["edges"] + omitted["findings"] + omitted["pair causes"]; n > 0 {
		what := fmt.Sprintf("%d edge details and %d findings", omitted["edges"], omitted["findings"])
		if p := omitted["pair causes"]; p > 0 {
			what = fmt.Sprintf("%d blocks of failing pairs, %s", p, what)
		}
		out += fmt.Sprintf("\n> ✂️ Cut to fit a comment: %s omitted. Run `meshdoctor analyze` for the full report.\n", what)
	}
	_, err := io.WriteString(w, out)
	return err
}

// mdGroup is one cause's <details>: the edge itself when alone, else how
// many edges, what they share, and their members, each list bounded.
func mdGroup(g []verdict.Edge) string {
	e := g[0]
	var b strings.Builder
	icon, how := "❌", "fail"
	if e.Outcome == verdict.Unknown {
		icon, how = "❔", "are undecided"
	}
	lines, ports := memberLines(g)
	if len(g) == 1 {
		fmt.Fprintf(&b, "<details><summary>%s <b>%s/%s</b> → <b>%s:%d</b>", icon,
			html.EscapeString(e.Client.Namespace), html.EscapeString(e.Client.Workload), html.EscapeString(shortHost(e.Server.Host)), e.Server.Port)
	} else {
		fmt.Fprintf(&b, "<details><summary>%s <b>%d edges</b> %s this way (%s)", icon, len(g), how, plural(ports, "Service port"))
	}
	if e.Category != "" {
		fmt.Fprintf(&b, " — <code>%s</code>", html.EscapeString(string(e.Category)))
	}
	b.WriteString("</summary>\n\n")
	fmt.Fprintf(&b, "- **Cause:** %s\n", mdInline(e.Cause))
	for _, a := range failuresFirst(e.Alternatives) {
		fmt.Fprintf(&b, "- **If** %s: %s\n", mdInline(strings.Join(a.Assume, " and ")), mdInline(alternativeOutcome(a, Style{})))
	}
	fmt.Fprintf(&b, "- **Client sends:** %s — %s\n", mdCode(string(e.ClientSends)), mdInline(e.ClientReason))
	fmt.Fprintf(&b, "- **Server accepts:** %s — %s\n", mdCode(string(e.ServerAccepts)), mdInline(e.ServerReason))
	if e.Symptom != "" {
		fmt.Fprintf(&b, "- **Symptom:** %s\n", mdCode(e.Symptom))
	}
	if len(g) == 1 {
		fmt.Fprintf(&b, "- **Target port:** %d (%s, server proxy %s)\n", e.Server.TargetPort, e.Server.Protocol, e.Server.Proxy)
	} else {
		b.WriteString("- **Edges:**\n")
		shown := 0
		for i, l := range lines {
			if i == maxMemberLines {
				fmt.Fprintf(&b, "  - … and %d more %s to %d more %s\n", len(g)-shown, noun(len(g)-shown, "edge"), len(lines)-i, noun(len(lines)-i, "Service port"))
				break
			}
			fmt.Fprintf(&b, "  - %s → %s\n", mdInline(bounded(l.clients.list, maxClients)), mdInline(l.server))
			shown += len(l.clients.list)
		}
	}
	var sources ordered
	var refs []inventory.Ref
	seen := map[inventory.Ref]bool{}
	for _, x := range g {
		if x.Source != "" {
			sources.add(x.Source)
		}
		for _, d := range x.DecidedBy {
			if !seen[d] {
				seen[d] = true
				refs = append(refs, d)
			}
		}
	}
	switch len(sources.list) {
	case 0:
	case 1:
		fmt.Fprintf(&b, "- **Declared by:** %s\n", mdInline(sources.list[0]))
	default:
		b.WriteString("- **Declared by:**\n")
		for i, src := range sources.list {
			if i == maxSources {
				fmt.Fprintf(&b, "  - … and %d more\n", len(sources.list)-i)
				break
			}
			fmt.Fprintf(&b, "  - %s\n", mdInline(src))
		}
	}
	if len(refs) > 0 {
		b.WriteString("- **Decided by:**\n")
		for i, d := range refs {
			if i == maxDecidedBy {
				fmt.Fprintf(&b, "  - … and %d more objects\n", len(refs)-i)
				break
			}
			fmt.Fprintf(&b, "  - %s\n", mdRef(d))
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
}

// mdRef is "Kind `ns/name` — `file:line`".
func mdRef(d inventory.Ref) string {
	name := d.Name
	if d.Namespace != "" {
		name = d.Namespace + "/" + d.Name
	}
	return fmt.Sprintf("%s %s — %s", d.Kind, mdCode(name), mdCode(refLoc(d.File, d.Line)))
}

func refLoc(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}

// mdCode wraps s in a code span whose fence is longer than any backtick run in s.
func mdCode(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdInline escapes what would turn prose into markup or raw HTML.
func mdInline(s string) string {
	return strings.NewReplacer("\n", " ", "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`).Replace(s)
}

// mdCell is mdInline for a table cell (pipes split cells, even in code spans).
func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
}
