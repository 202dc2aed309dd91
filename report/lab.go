package report

import (
	"fmt"
	"io"

	"github.com/meshdoctor/meshdoctor/lab"
)

// LabJSON writes {"results":[...]}.
func LabJSON(w io.Writer, results []lab.Result) error {
	return JSON(w, struct {
		Results []lab.Result `json:"results"`
	}{results})
}

// LabText writes each lab exchange: the model's prediction, what really
// happened on the wire, and whether they agree.
func LabText(w io.Writer, results []lab.Result) error {
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		if r.Edge != "" {
			fmt.Fprintf(w, "edge %s\n", r.Edge)
		}
		fmt.Fprintf(w, "lab %s → %s (OTLP/%s, port declared %s)\n", r.Client, r.Server, r.OTLP, r.Protocol)
		p, o := r.Predicted, r.Real
		fmt.Fprintf(w, "  model:   %s%s%s\n", p.Outcome, bracket(p.Category), mtlsTag(p.MTLS))
		if p.Symptom != "" {
			fmt.Fprintf(w, "           symptom: %s\n", p.Symptom)
		}
		fmt.Fprintf(w, "           cause: %s\n", p.Cause)
		fmt.Fprintf(w, "  reality: %s%s%s, %d span(s) received, %s\n", o.Outcome, bracket(o.Category), mtlsTag(o.MTLS), o.SpansReceived, o.Duration)
		if o.Error != "" {
			fmt.Fprintf(w, "           client app saw: %s\n", o.Error)
		}
		fmt.Fprintln(w, "  wire:")
		for _, ev := range o.Wire {
			fmt.Fprintf(w, "    %s\n", ev)
		}
		for _, n := range r.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
		verdict := "model and reality agree"
		if !r.Agree {
			verdict = fmt.Sprintf("DISAGREE: the model predicts %s, reality is %s", p.Outcome, o.Outcome)
		}
		if _, err := fmt.Fprintf(w, "result: %s\n", verdict); err != nil {
			return err
		}
	}
	return nil
}

func bracket(s string) string {
	if s == "" {
		return ""
	}
	return " [" + s + "]"
}

func mtlsTag(m bool) string {
	if m {
		return " (mTLS)"
	}
	return ""
}
