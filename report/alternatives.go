package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// alternativesLines are an undecided edge's "if:" lines: the outcome under
// each value of what is missing, failures first.
func alternativesLines(w io.Writer, e verdict.Edge, st Style) {
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
