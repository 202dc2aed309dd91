package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Pipeline writes the telemetry edges as pipelines: for each collector
// Service port, who sends which signals over which protocol, whether that
// hop works, and the collector's own next hops; the failing hop is marked.
// It writes nothing when the result has no telemetry.
func Pipeline(w io.Writer, r analysis.Result, st Style) error {
	groups := map[string][]verdict.Edge{}
	var keys []string
	for _, e := range r.Edges {
		if !e.Telemetry {
			continue
		}
		k := fmt.Sprintf("%s:%05d", e.Server.Host, e.Server.Port)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], e)
	}
	loose := telemetryFindings(r.Findings)
	if len(keys) == 0 && len(loose) == 0 {
		return nil
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "\nTelemetry pipelines (sender → collector → next hop):")
	shown := map[string]bool{}
	for _, k := range keys {
		es := groups[k]
		head := es[0]
		if isNextHop(head, r.Edges) {
			continue // drawn under the collector that sends it
		}
		fmt.Fprintf(w, "  ▶ %s:%d%s\n", shortHost(head.Server.Host), head.Server.Port, receiverLine(head))
		for _, e := range es {
			hopLine(w, "      ", e, st)
			shown[objKey(e.Client.Kind, e.Client.Namespace, e.Client.Workload)] = true
			for _, f := range loose[objKey(e.Client.Kind, e.Client.Namespace, e.Client.Workload)] {
				fmt.Fprintf(w, "          %s %s %s\n", st.paint("33", "⚠"), f.Code, f.Check)
			}
		}
		if head.Server.Workload == "" {
			continue
		}
		next := false
		for _, e := range r.Edges {
			if e.Telemetry && e.Client.Namespace == head.Server.Namespace && e.Client.Workload == head.Server.Workload {
				if !next {
					fmt.Fprintf(w, "    └▶ next hop from %s/%s:\n", head.Server.Namespace, head.Server.Workload)
					next = true
				}
				hopLine(w, "      ", e, st)
			}
		}
		for _, f := range collectorFindings(r.Findings, head) {
			if !next {
				fmt.Fprintf(w, "    └▶ next hop from %s/%s:\n", head.Server.Namespace, head.Server.Workload)
				next = true
			}
			fmt.Fprintf(w, "      %s %s %s: %s\n", st.paint("33", "?"), f.Code, f.Check, afterColon(f.Message))
		}
	}
	var rest []string
	for k := range loose {
		if !shown[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		for _, f := range loose[k] {
			if f.Object.Kind == "ConfigMap" || strings.HasPrefix(f.Message, "collector ") {
				continue // a collector's own hop, drawn above
			}
			fmt.Fprintf(w, "  %s %s/%s: %s %s\n", st.paint("33", "⊘"), f.Object.Namespace, f.Object.Name, f.Code, f.Check)
		}
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

func receiverLine(e verdict.Edge) string {
	s := ""
	if e.Server.Workload != "" {
		s = fmt.Sprintf(" → %s/%s (%s)", e.Server.Namespace, e.Server.Workload, e.Server.Proxy)
	}
	if e.OTLP != nil && e.OTLP.Receiver != "" {
		s += " · receiver " + e.OTLP.Receiver
	}
	return s
}

// isNextHop reports whether e's client is itself the server of a telemetry edge.
func isNextHop(e verdict.Edge, all []verdict.Edge) bool {
	for _, x := range all {
		if x.Telemetry && x.Server.Namespace == e.Client.Namespace && x.Server.Workload == e.Client.Workload {
			return true
		}
	}
	return false
}

// telemetryFindings groups the MD07xx findings by object.
func telemetryFindings(fs []check.Finding) map[string][]check.Finding {
	out := map[string][]check.Finding{}
	for _, f := range fs {
		if strings.HasPrefix(f.Code, "MD07") {
			k := objKey(f.Object.Kind, f.Object.Namespace, f.Object.Name)
			out[k] = append(out[k], f)
		}
	}
	return out
}

// collectorFindings are MD07xx findings about the collector behind e's server.
func collectorFindings(fs []check.Finding, e verdict.Edge) []check.Finding {
	var out []check.Finding
	for _, f := range fs {
		if strings.HasPrefix(f.Code, "MD07") && f.Object.Namespace == e.Server.Namespace &&
			(f.Object.Name == e.Server.Workload && f.Object.Kind == e.Server.WorkloadKind ||
				strings.HasPrefix(f.Message, "collector "+e.Server.Workload+" ") || strings.HasPrefix(f.Message, "receiver ")) {
			out = append(out, f)
		}
	}
	return out
}

func objKey(kind, ns, name string) string { return kind + "|" + ns + "/" + name }

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

func afterColon(msg string) string {
	if i := strings.Index(msg, ": "); i >= 0 && i+2 < len(msg) {
		msg = msg[i+2:]
	}
	msg, _, _ = strings.Cut(msg, ". set by:")
	return msg
}
