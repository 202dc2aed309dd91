package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Pipeline writes the telemetry edges as pipelines (analysis.PipelinesOf):
// for each collector Service port, who sends which signals over which
// protocol, whether that hop works, and the collector's own next hops; the
// failing hop is marked. It writes nothing when the result has no telemetry.
func Pipeline(w io.Writer, r analysis.Result, st Style) error {
	ps := analysis.PipelinesOf(r)
	if ps.Empty() {
		return nil
	}
	fmt.Fprintln(w, "\nTelemetry pipelines (sender → collector → next hop):")
	for _, p := range ps.List {
		fmt.Fprintf(w, "  ▶ %s:%d%s\n", shortHost(p.Server.Host), p.Server.Port, receiverLine(p))
		for _, h := range p.Hops {
			hopLine(w, "      ", h.Edge, st)
			for _, f := range h.Findings {
				fmt.Fprintf(w, "          %s %s %s\n", st.paint("33", "⚠"), f.Code, f.Check)
			}
		}
		if len(p.Next) > 0 || len(p.Findings) > 0 {
			fmt.Fprintf(w, "    └▶ next hop from %s/%s:\n", p.Server.Namespace, p.Server.Workload)
		}
		for _, e := range p.Next {
			hopLine(w, "      ", e, st)
		}
		for _, f := range p.Findings {
			fmt.Fprintf(w, "      %s %s %s (below)\n", st.paint("33", "?"), f.Code, f.Check)
		}
	}
	for _, f := range ps.Others {
		fmt.Fprintf(w, "  %s %s/%s: %s %s\n", st.paint("33", "⊘"), f.Object.Namespace, f.Object.Name, f.Code, f.Check)
	}
	return nil
}

// hopLine is one sender → server hop with its outcome.
func hopLine(w io.Writer, indent string, e verdict.Edge, st Style) {
	mark, what := st.paint("32", "✓"), "ok"
	switch e.Outcome {
	case verdict.Fail:
		mark, what = st.paint("31;1", "✗"), st.paint("31;1", "FAIL")+" "+string(e.Category)+" — "+shortSymptom(e.Symptom)+"   ◀ this hop breaks"
	case verdict.Unknown:
		mark, what = st.paint("33", "?"), "unknown — "+e.Cause
	default:
		if e.MTLS {
			what = "ok (istio mTLS)"
		}
	}
	sends := ""
	if o := e.OTLP; o != nil {
		sends = fmt.Sprintf("%s  %s %s", strings.Join(o.Senders, ", "), strings.Join(o.Signals, ","), strings.Join(o.Protocols, ","))
	}
	fmt.Fprintf(w, "%s%s %s/%s (%s)  %s  → %s:%d  %s\n", indent, mark, e.Client.Namespace, e.Client.Workload, e.Client.Proxy,
		sends, shortHost(e.Server.Host), e.Server.Port, what)
}

func receiverLine(p analysis.Pipeline) string {
	s := ""
	if p.Server.Workload != "" {
		s = fmt.Sprintf(" → %s/%s (%s)", p.Server.Namespace, p.Server.Workload, p.Server.Proxy)
	}
	if p.Receiver != "" {
		s += " · receiver " + p.Receiver
	}
	return s
}

// shortSymptom keeps the TLS reason (e.g. WRONG_VERSION_NUMBER) or the first clause.
func shortSymptom(s string) string {
	if _, after, ok := strings.Cut(s, "OPENSSL_internal:"); ok {
		reason, _, _ := strings.Cut(after, ":")
		return reason
	}
	if len(s) > 80 {
		return s[:77] + "…"
	}
	return s
}
