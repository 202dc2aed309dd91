package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// alternativesLines are an undecided edge's "if:" lines: the outcome under
// each value of what is missing, failures first.
func alternativesLines(w io.Writer, e verdict.Edge, st Style) { indentedAlternatives(w, e, st, "") }

// indentedAlternatives are alternativesLines, each line indented by indent.
func indentedAlternatives(w io.Writer, e verdict.Edge, st Style, indent string) {
	label := indent + "  if:        "
	for _, a := range failuresFirst(e.Alternatives) {
		fmt.Fprintf(w, "%s%s if %s\n", label, alternativeOutcome(a, st), strings.Join(a.Assume, " and "))
		label = indent + "             "
	}
}

// failuresFirst is as: the failing alternatives, then the unknown, then the
// ok ones, each in their order.
func failuresFirst(as []verdict.Alternative) []verdict.Alternative {
	out := make([]verdict.Alternative, 0, len(as))
	for _, want := range []verdict.Outcome{verdict.Fail, verdict.Unknown, verdict.OK} {
		for _, a := range as {
			if a.Outcome == want {
				out = append(out, a)
			}
		}
	}
	return out
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
