package report

import (
	"io"
	"time"

	"github.com/meshdoctor/meshdoctor/verify"
)

// VerifyText writes verify's checklist: one line per item, its evidence
// below it, and the verdict last.
func VerifyText(w io.Writer, r *verify.Report, st Style) error {
	ew := &errWriter{w: w}
	for _, it := range r.Items {
		mark := map[string]string{verify.Pass: st.paint("32", "✓"), verify.Fail: st.paint("31;1", "✗"),
			verify.Unknown: st.paint("33", "?")}[it.State]
		ew.printf("%s %-16s %s\n", mark, it.Name, it.Summary)
		for _, e := range it.Evidence {
			ew.printf("    %s\n", oneLine(e, 300))
		}
	}
	since := ""
	if !r.Since.IsZero() {
		since = ", logs since " + r.Since.UTC().Format(time.RFC3339)
	}
	switch {
	case r.Pass:
		ew.printf("\n%s: every item holds (%s%s)\n", st.paint("32", "PASS"), count(r.Attempts, "read", "reads"), since)
	default:
		failing, unknown := 0, 0
		for _, it := range r.Items {
			switch it.State {
			case verify.Fail:
				failing++
			case verify.Unknown:
				unknown++
			}
		}
		ew.printf("\n%s: %s, %s (%s%s)\n", st.paint("31;1", "FAIL"), count(failing, "item fails", "items fail"),
			count(unknown, "item undecided", "items undecided"), count(r.Attempts, "read", "reads"), since)
	}
	return ew.err
}
