package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/diff"
)

// DiffText writes a diff's changed edges, new findings and ports for people.
func DiffText(w io.Writer, r diff.Report) error {
	var b bytes.Buffer
	diffText(&b, r)
	_, err := w.Write(b.Bytes())
	return err
}

func diffText(w io.Writer, r diff.Report) {
	if r.Empty() {
		fmt.Fprintln(w, "No change in any edge or port.")
		return
	}
	section := func(title string, l []diff.EdgeChange) {
		if len(l) == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", title, len(l))
		for _, c := range l {
			fmt.Fprintf(w, "  %s\n    %s → %s\n", c.Edge, c.Before, c.After)
			if c.Cause != "" && (strings.HasPrefix(c.After, "fail") || strings.HasPrefix(c.After, "unknown")) {
				fmt.Fprintf(w, "    why: %s\n", c.Cause)
			}
		}
	}
	section("Edges that start failing", r.StartFailing)
	section("Edges that may start failing (undecided: what the inputs lack decides)", r.MayStartFailing)
	section("Edges that stop failing", r.StopFailing)
	section("Edges that lose mutual TLS", r.LostMTLS)
	section("Edges that gain mutual TLS", r.GainedMTLS)
	section("Other changed edges", r.Changed)
	section("New edges", r.Added)
	section("Removed edges", r.Removed)
	if len(r.NewFindings) > 0 {
		fmt.Fprintf(w, "New findings (%d):\n", len(r.NewFindings))
		for _, f := range r.NewFindings {
			fmt.Fprintf(w, "  %s %s %s: %s\n", f.Severity, f.Code, f.Check, f.Message)
		}
	}
	if len(r.Ports) > 0 {
		fmt.Fprintf(w, "Ports whose accepted modes change (%d):\n", len(r.Ports))
		for _, p := range r.Ports {
			mark := ""
			if p.Weakens {
				mark = "  ← now accepts plaintext"
			}
			fmt.Fprintf(w, "  %s: %s → %s%s\n", p.Port, p.Before, p.After, mark)
		}
	}
}

// DiffMarkdown writes a diff as a pull-request comment: a verdict, a table
// of counts and the text report folded under it.
func DiffMarkdown(w io.Writer, r diff.Report) error {
	var b bytes.Buffer
	verdict := "✅ no edge breaks"
	if r.Breaks() {
		verdict = "❌ this change breaks edges"
	} else if r.MayBreak() {
		verdict = "❔ edges may break: undecided on these inputs"
	} else if r.Weakens() {
		verdict = "⚠️ this change weakens mutual TLS"
	}
	fmt.Fprintf(&b, "### meshdoctor diff: %s\n\n| change | count |\n|---|---|\n", verdict)
	rows := []struct {
		name string
		n    int
	}{{"start failing", len(r.StartFailing)}, {"may start failing", len(r.MayStartFailing)}, {"stop failing", len(r.StopFailing)}, {"lose mTLS", len(r.LostMTLS)},
		{"gain mTLS", len(r.GainedMTLS)}, {"ports changing", len(r.Ports)}, {"new findings", len(r.NewFindings)}}
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %d |\n", row.name, row.n)
	}
	b.WriteString("\n<details><summary>Details</summary>\n\n```\n")
	diffText(&b, r)
	b.WriteString("```\n</details>\n")
	_, err := w.Write(b.Bytes())
	return err
}
