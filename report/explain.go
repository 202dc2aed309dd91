package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/explain"
)

// ExplainJSON writes explain's {"diagnoses":[...]} (indented, newline-terminated).
func ExplainJSON(w io.Writer, r *explain.Report) error {
	out := *r
	if out.Diagnoses == nil {
		out.Diagnoses = []explain.Diagnosis{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// ExplainText writes explain's report for people: one block per diagnosis,
// most severe first, with the commands to run next.
func ExplainText(w io.Writer, r *explain.Report) error {
	ew := &errWriter{w: w}
	if len(r.Diagnoses) == 0 {
		ew.printf("No known mTLS or connection error signature in %s.\n", count(r.Lines, "line", "lines"))
		return ew.err
	}
	ew.printf("%s from %s in %s.\n", count(len(r.Diagnoses), "diagnosis", "diagnoses"),
		count(r.Events, "matching event", "matching events"), count(r.Lines, "line", "lines"))
	for i, d := range r.Diagnoses {
		ew.printf("\n[%d] %s — written by %s   (%s)\n", i+1, d.Category, d.Emitter, strings.Join(d.Signatures, " + "))
		lines := fmt.Sprintf("line %d", d.Line)
		if d.Count > 1 {
			lines = fmt.Sprintf("%d events, lines %d…%d", d.Count, d.Line, d.LastLine)
		}
		ew.printf("    %s; category: %s\n", lines, category.Doc[d.Category])
		if len(d.Targets) > 0 {
			ew.printf("    targets: %s\n", strings.Join(d.Targets, ", "))
		}
		ew.printf("    > %s\n", strings.ReplaceAll(oneLine(d.Sample, 240), "\n", "\n    > "))
		ew.printf("  What it means:\n%s", wrap(d.Summary, "    "))
		if len(d.Causes) > 0 {
			ew.printf("  Likely causes, most likely first:\n")
			for j, c := range d.Causes {
				ew.printf("%s", wrapHang(fmt.Sprintf("%d. %s", j+1, c), "    ", "       "))
			}
		}
		for _, n := range d.Notes {
			ew.printf("  Note:\n%s", wrap(n, "    "))
		}
		if d.Correlation != "" {
			ew.printf("  In the manifests:\n%s", wrap(d.Correlation, "    "))
			for _, e := range d.Edges {
				ew.printf("    %-5s %s/%s → %s:%d (%s)\n", e.Outcome, e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port, e.Category)
			}
		}
		if len(d.Next) > 0 {
			ew.printf("  Next:\n")
			for _, n := range d.Next {
				ew.printf("    $ %s\n", n)
			}
		}
	}
	return ew.err
}

func oneLine(s string, max int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// wrap folds text at about 100 columns with the given indent.
func wrap(text, indent string) string { return wrapHang(text, indent, indent) }

// wrapHang is wrap with a different indent for the first line.
func wrapHang(text, first, rest string) string {
	var sb strings.Builder
	indent := first
	col := 0
	for _, word := range strings.Fields(text) {
		if col > 0 && col+1+len(word) > 100 {
			sb.WriteString("\n")
			col, indent = 0, rest
		}
		if col == 0 {
			sb.WriteString(indent)
			col = len(indent)
		} else {
			sb.WriteByte(' ')
			col++
		}
		sb.WriteString(word)
		col += len(word)
	}
	sb.WriteString("\n")
	return sb.String()
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
