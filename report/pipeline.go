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
		if len(p.Hops) > maxHops {
			hopGroups(w, p.Hops, st)
		} else {
			for _, h := range p.Hops {
				hopLine(w, "      ", h.Edge, clientCell(h.Edge), st)
				for _, f := range h.Findings {
					fmt.Fprintf(w, "          %s %s %s\n", st.paint("33", "⚠"), f.Code, f.Check)
				}
			}
		}
		if len(p.Next) > 0 || len(p.Findings) > 0 {
			fmt.Fprintf(w, "    └▶ next hop from %s/%s:\n", p.Server.Namespace, p.Server.Workload)
		}
		for _, e := range p.Next {
			hopLine(w, "      ", e, clientCell(e), st)
		}
		for _, f := range p.Findings {
			fmt.Fprintf(w, "      %s %s %s (below)\n", st.paint("33", "?"), f.Code, f.Check)
		}
	}
	for i, f := range ps.Others {
		if i == maxHops {
			fmt.Fprintf(w, "  … and %d more (Findings below)\n", len(ps.Others)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s/%s: %s %s\n", st.paint("33", "⊘"), f.Object.Namespace, f.Object.Name, f.Code, f.Check)
	}
	return nil
}

// maxHops bounds the senders listed one per line for one collector port;
// beyond it, senders whose hops read alike share a line.
const maxHops = 10

// hopGroups writes a collector port's hops one line per shape (outcome,
// sender, signals, protocol, symptom, findings), naming a few senders and
// counting the rest.
func hopGroups(w io.Writer, hops []analysis.Hop, st Style) {
	type group struct {
		hop     analysis.Hop
		clients ordered
	}
	var gs []*group
	at := map[string]*group{}
	for _, h := range hops {
		var b strings.Builder
		hopLine(&b, "", h.Edge, "", Style{})
		for _, f := range h.Findings {
			b.WriteString(f.Code)
		}
		k := b.String()
		g := at[k]
		if g == nil {
			g = &group{hop: h}
			at[k] = g
			gs = append(gs, g)
		}
		g.clients.add(clientCell(h.Edge))
	}
	for _, g := range gs {
		who := g.clients.list[0]
		if n := len(g.clients.list); n > 1 {
			who = fmt.Sprintf("%d senders: %s", n, bounded(g.clients.list, 3))
		}
		hopLine(w, "      ", g.hop.Edge, who, st)
		for _, f := range g.hop.Findings {
			fmt.Fprintf(w, "          %s %s %s\n", st.paint("33", "⚠"), f.Code, f.Check)
		}
	}
}

func clientCell(e verdict.Edge) string {
	return fmt.Sprintf("%s/%s (%s)", e.Client.Namespace, e.Client.Workload, e.Client.Proxy)
}

// hopLine is one sender → server hop with its outcome; who names the sender(s).
func hopLine(w io.Writer, indent string, e verdict.Edge, who string, st Style) {
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
	fmt.Fprintf(w, "%s%s %s  %s  → %s:%d  %s\n", indent, mark, who,
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
