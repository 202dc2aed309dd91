package report

import (
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/doctor"
	"github.com/meshdoctor/meshdoctor/fix"
)

// DoctorText writes doctor's report in the order a person reads an outage:
// pods → errors → cause → fix, then what could not be read.
func DoctorText(w io.Writer, r *doctor.Report, st Style) error {
	ew := &errWriter{w: w}
	scope := "all namespaces"
	if len(r.Scope) > 0 && r.Scope[0] != "" {
		scope = "namespace " + strings.Join(r.Scope, ", ")
	}
	head := map[string]string{doctor.Broken: st.paint("31;1", "BROKEN"), doctor.Unknown: st.paint("33", "UNKNOWN"),
		doctor.Healthy: st.paint("32", "HEALTHY")}[r.Status]
	ew.printf("%s — %s: %d of %s unhealthy, %s, %s\n", head, scope, len(r.Pods), count(r.PodsInScope, "pod", "pods"),
		count(len(r.Diagnoses), "error in the logs", "distinct errors in the logs"), count(len(r.FailingEdges), "failing edge", "failing edges"))

	ew.printf("\nPODS\n")
	if len(r.Pods) == 0 {
		ew.printf("  every pod in scope is Running and Ready\n")
	}
	for _, p := range r.Pods {
		owner := ""
		if p.Owner != "" {
			owner = "  (" + p.Owner + ")"
		}
		ew.printf("  %s %s  %s, restarts %d%s\n", st.paint("31", "✗"), p.Key(), p.Phase, p.Restarts(), owner)
		for _, pr := range p.Problems {
			ew.printf("      %s\n", pr)
		}
		for _, e := range p.Events {
			ew.printf("      event %s\n", e)
		}
	}

	ew.printf("\nERRORS in %s (%d lines)\n", count(len(r.LogsRead), "log", "logs"), r.Lines)
	if r.LogsSkipped > 0 {
		ew.printf("  (the logs of %s more were not read: raise --max-pods)\n", count(r.LogsSkipped, "pod", "pods"))
	}
	if len(r.Diagnoses) == 0 {
		ew.printf("  no known TLS, mTLS or export error signature in the logs read\n")
	}
	for i, d := range r.Diagnoses {
		ew.printf("  [%d] %s — written by %s   (%s)\n", i+1, d.Category, d.Emitter, strings.Join(d.Signatures, " + "))
		ew.printf("      %s, %s: %s\n", count(len(d.Pods), "pod", "pods"), count(d.Count, "event", "events"), strings.Join(d.Pods, ", "))
		ew.printf("      in %s\n", strings.Join(d.Logs, ", "))
		ew.printf("      > %s\n", oneLine(d.Sample, 160))
		if d.Excerpt != "" {
			ew.printf("      > %s\n", d.Excerpt)
		}
		ew.printf("%s", wrap(d.Summary, "      "))
		for _, n := range d.Notes {
			ew.printf("%s", wrap("Note: "+n, "      "))
		}
	}

	ew.printf("\nCAUSE\n")
	if len(r.Diagnoses) == 0 && len(r.FailingEdges) == 0 {
		ew.printf("  the live model predicts no failing edge from the pods in scope (%s undecided)\n", count(r.UnknownEdges, "edge", "edges"))
	}
	for i, d := range r.Diagnoses {
		if d.SameCauseAs > 0 {
			ew.printf("  [%d] the same edges and objects as [%d]\n", i+1, d.SameCauseAs)
			continue
		}
		ew.printf("  [%d] %s", i+1, strings.TrimLeft(wrap(d.Correlation, "      "), " "))
		if !d.Agrees {
			ew.printf("      the logs and the live model disagree: the model predicts no such failure for these pods\n")
		}
		for _, e := range d.Edges {
			ew.printf("      %-7s %s/%s → %s:%d (%s)\n", e.Outcome, e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port, e.Category)
		}
		for _, dc := range d.DecidedBy {
			ew.printf("      decided by %s — %s\n", dc.Ref, dc.Reach)
		}
		if !d.Agrees && len(d.Causes) > 0 {
			ew.printf("%s", wrap("most likely, from the log alone: "+d.Causes[0], "      "))
		}
	}
	if len(r.Diagnoses) == 0 {
		for _, e := range r.FailingEdges {
			ew.printf("  %-7s %s/%s → %s:%d (%s): %s\n", e.Outcome, e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port, e.Category, e.Cause)
		}
	}

	ew.printf("\nFIX\n")
	if len(r.Fixes) == 0 {
		ew.printf("  no failing edge in the live model: nothing for `meshdoctor fix` to change\n")
	}
	for i, f := range r.Fixes {
		ew.printf("  %d. %s — %s\n", i+1, f.Target, count(len(f.Edges), "failing edge", "failing edges"))
		if f.Best == nil {
			ew.printf("     no mesh change fixes it without breaking another edge; see `%s`\n", strings.TrimSuffix(f.Command, " -o yaml > mtls-fix.yaml"))
			continue
		}
		writeCandidate(ew, f.Best, f.Candidates)
		ew.printf("     $ %s\n", f.Command)
	}
	if r.Verify != "" {
		ew.printf("  then apply it, and see it hold:\n     $ %s\n", r.Verify)
	}

	if len(r.Unread) > 0 {
		ew.printf("\nCOULD NOT READ (nothing is concluded from what is missing)\n")
		for _, u := range r.Unread {
			ew.printf("  %s %s\n", st.paint("33", "!"), u)
		}
	}
	return ew.err
}

func writeCandidate(ew *errWriter, c *fix.Candidate, of int) {
	v := c.Verification
	ew.printf("     [%s] %s   (best of %d, verified by the model)\n", c.Strategy, c.Title, of)
	ew.printf("%s", wrap("why: "+c.Why, "     "))
	ew.printf("%s", wrap("cost: "+c.Cost, "     "))
	ew.printf("     model: fixes %d edge(s), breaks %d; %d lose mTLS; %d port(s) start accepting plaintext\n",
		len(v.Fixes), len(v.Breaks), len(v.Weakened), len(v.PlaintextPorts))
}
