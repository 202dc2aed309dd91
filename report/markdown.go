package report

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
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
}

// Markdown writes a report that fits a pull-request comment: a summary
// table, a collapsible <details> per failing (then undecided) edge, and the
// findings that are not about an edge.
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
	fmt.Fprintf(&head, "## meshdoctor: %s\n\n", status)
	if s.Edges == 0 && s.Pairs == nil {
		head.WriteString("No workload names a Service in its env, args or mounted config, so no edge was judged; `--all-pairs` judges every workload × Service port.\n\n")
	}
	head.WriteString("| outcome | edges |\n| --- | ---: |\n")
	fmt.Fprintf(&head, "| ❌ fail | %d |\n| ❔ unknown | %d |\n| 🔒 ok, mutual TLS | %d |\n| ok, plaintext | %d |\n| **total** | **%d** |\n\n",
		s.Failing, s.Unknown, s.MTLS, s.Edges-s.Failing-s.Unknown-s.MTLS, s.Edges)
	fmt.Fprintf(&head, "Findings: %d error(s), %d warning(s), %d info.\n", s.Errors, s.Warnings, len(r.Findings)-s.Errors-s.Warnings)

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
	for _, sec := range []struct {
		title string
		o     verdict.Outcome
	}{{"Failing edges", verdict.Fail}, {"Undecided edges", verdict.Unknown}} {
		first := true
		for _, e := range r.Edges {
			if e.Outcome != sec.o {
				continue
			}
			block := mdEdge(e)
			if first {
				block = "\n### " + sec.title + "\n\n" + block
			}
			before := len(out)
			emit("edges", block)
			if len(out) != before {
				first = false
			}
		}
	}
	first := true
	for _, f := range r.Findings {
		if f.Code == check.EdgeFails.Code || f.Code == check.EdgeUndecided.Code {
			continue // each has its <details> above
		}
		row := fmt.Sprintf("| %s | %s %s | %s | %s |\n", f.Severity, f.Code, f.Check, mdCell(mdInline(f.Message)), mdCell("`"+loc(f)+"`"))
		if first {
			row = "\n### Findings\n\n| severity | check | message | where |\n| --- | --- | --- | --- |\n" + row
		}
		before := len(out)
		emit("findings", row)
		if len(out) != before {
			first = false
		}
	}
	if n := omitted["edges"] + omitted["findings"]; n > 0 {
		out += fmt.Sprintf("\n> ✂️ Cut to fit a comment: %d edge details and %d findings omitted. Run `meshdoctor analyze` for the full report.\n",
			omitted["edges"], omitted["findings"])
	}
	_, err := io.WriteString(w, out)
	return err
}

func mdEdge(e verdict.Edge) string {
	var b strings.Builder
	icon := "❌"
	if e.Outcome == verdict.Unknown {
		icon = "❔"
	}
	fmt.Fprintf(&b, "<details><summary>%s <b>%s/%s</b> → <b>%s:%d</b>", icon,
		html.EscapeString(e.Client.Namespace), html.EscapeString(e.Client.Workload), html.EscapeString(shortHost(e.Server.Host)), e.Server.Port)
	if e.Category != "" {
		fmt.Fprintf(&b, " — <code>%s</code>", html.EscapeString(string(e.Category)))
	}
	b.WriteString("</summary>\n\n")
	fmt.Fprintf(&b, "- **Cause:** %s\n", mdInline(e.Cause))
	fmt.Fprintf(&b, "- **Client sends:** %s — %s\n", mdCode(string(e.ClientSends)), mdInline(e.ClientReason))
	fmt.Fprintf(&b, "- **Server accepts:** %s — %s\n", mdCode(string(e.ServerAccepts)), mdInline(e.ServerReason))
	if e.Symptom != "" {
		fmt.Fprintf(&b, "- **Symptom:** %s\n", mdCode(e.Symptom))
	}
	fmt.Fprintf(&b, "- **Target port:** %d (%s, server proxy %s)\n", e.Server.TargetPort, e.Server.Protocol, e.Server.Proxy)
	if e.Source != "" {
		fmt.Fprintf(&b, "- **Declared by:** %s\n", mdInline(e.Source))
	}
	if len(e.DecidedBy) > 0 {
		b.WriteString("- **Decided by:**\n")
		for _, d := range e.DecidedBy {
			name := d.Name
			if d.Namespace != "" {
				name = d.Namespace + "/" + d.Name
			}
			fmt.Fprintf(&b, "  - %s %s — %s\n", d.Kind, mdCode(name), mdCode(refLoc(d.File, d.Line)))
		}
	}
	b.WriteString("\n</details>\n")
	return b.String()
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
