package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// scaleResult is a mesh of 40 namespaces × 10 workloads calling their
// neighbour: two ways of failing, one unknown, the rest ok, and a
// startup-race finding per workload — the shapes of the 20,000-workload
// mesh, small enough for a golden file.
func scaleResult() analysis.Result {
	var r analysis.Result
	for n := 0; n < 40; n++ {
		ns := fmt.Sprintf("team-%02d", n)
		for i := 0; i < 10; i++ {
			wl, next := fmt.Sprintf("svc-%d", i), fmt.Sprintf("svc-%d", (i+1)%10)
			e := verdict.Edge{Client: verdict.Client{Namespace: ns, Workload: wl, Kind: "Deployment", Proxy: "sidecar"},
				Server: verdict.Server{Host: next + "." + ns + ".svc.cluster.local", Namespace: ns, Service: next, Port: 8080, TargetPort: 8080,
					Proxy: "sidecar", Workload: next, WorkloadKind: "Deployment", Protocol: "http"},
				Source:      fmt.Sprintf("env URL=http://%s:8080 (container app of Deployment %s/%s, mesh.yaml:%d)", next, ns, wl, 10*n+i),
				ClientSends: "istio-mtls", ServerAccepts: "istio-mtls", Outcome: verdict.OK, MTLS: true, Encrypted: true,
				DecidedBy: []inventory.Ref{{Kind: "Deployment", Namespace: ns, Name: wl, File: "mesh.yaml", Line: 10*n + i}}}
			switch {
			case n%4 == 1: // a namespace-wide DISABLE DestinationRule
				e.Outcome, e.MTLS, e.Encrypted, e.ClientSends, e.Category = verdict.Fail, false, false, "plaintext", "plaintext-to-tls"
				e.Cause = "the client sidecar sends plaintext (DestinationRule tls mode DISABLE) to a STRICT sidecar, which resets it"
				e.ClientReason = "DestinationRule tls mode DISABLE: plaintext to every endpoint"
				e.Symptom = "upstream connect error or disconnect/reset before headers. reset reason: connection termination"
				e.DecidedBy = append(e.DecidedBy, inventory.Ref{Kind: "DestinationRule", Namespace: ns, Name: "plain", File: "mesh.yaml", Line: 1000 + n})
			case n == 2 && i < 2: // a server without a sidecar behind mesh-wide ISTIO_MUTUAL
				e.Outcome, e.MTLS, e.ServerAccepts, e.Category = verdict.Fail, false, "plaintext", "tls-to-plaintext"
				e.Cause = "the client sidecar originates istio mTLS, but nothing on the server side terminates it"
				e.Symptom = "TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end"
			case n == 3: // the namespace is not in the inputs
				e.Outcome, e.MTLS, e.ClientSends, e.ServerAccepts = verdict.Unknown, false, "unknown", "unknown"
				e.Cause = "namespace team-03 is not in the inputs: whether its pods get a sidecar is unknown"
				e.Alternatives = []verdict.Alternative{
					{Assume: []string{"namespace team-03: istio-injection=enabled"}, Outcome: verdict.OK, MTLS: true},
					{Assume: []string{"namespace team-03: no istio-injection label"}, Outcome: verdict.Fail, Symptom: "connection reset by peer"}}
			}
			r.Edges = append(r.Edges, e)
			r.Findings = append(r.Findings, check.Finding{Code: "MD0402", Check: "startup-race", Severity: check.Info,
				Message: fmt.Sprintf("Deployment %s/%s calls out (e.g. %s.%s.svc.cluster.local:8080) and nothing holds the app until the proxy starts", ns, wl, next, ns),
				Object:  check.Object{Kind: "Deployment", Namespace: ns, Name: wl}, File: "mesh.yaml", Line: 10*n + i})
		}
	}
	// Failing first, as analysis orders them.
	var sorted []verdict.Edge
	for _, o := range []verdict.Outcome{verdict.Fail, verdict.Unknown, verdict.OK} {
		for _, e := range r.Edges {
			if e.Outcome == o {
				sorted = append(sorted, e)
				switch o {
				case verdict.Fail:
					r.Summary.Failing++
				case verdict.Unknown:
					r.Summary.Unknown++
				}
				if e.MTLS {
					r.Summary.MTLS++
				}
			}
		}
	}
	r.Edges, r.Summary.Edges = sorted, len(sorted)
	return r
}

// TestTextAtScale: the summary leads, failing edges come in one group per
// cause with bounded members, unknown ones by what is missing, the table
// is left out above maxTableRows (and printed with AllRows), and the
// per-workload finding is one line with a count.
func TestTextAtScale(t *testing.T) {
	r := scaleResult()
	var b bytes.Buffer
	if err := Text(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	golden(t, "scale.txt", b.Bytes())
	for _, want := range []string{
		"400 edges: 102 failing, 10 unknown, 288 mutual TLS; 0 errors, 0 warnings\n",
		"Failing edges by cause (102 edges, 2 groups):",
		"✗ 100 edges fail this way (100 Service ports)",
		"             … and 90 more edges to 90 more Service ports",
		"  source:    … and 95 more",
		"    … and 98 more objects", // 100 Deployments + 10 DestinationRules, 12 shown
		"✗ 2 edges fail this way (2 Service ports)",
		"Unknown edges by what is missing (10 edges, 1 group):",
		"  if:        FAIL (connection reset by peer) if namespace team-03: no istio-injection label\n             ok (mTLS) if namespace team-03: istio-injection=enabled",
		"Edges: 400 edges, not listed one per row above 100",
		"info    MD0402 startup-race ×400: Deployment <name> calls out (e.g. …) and nothing holds the app until the proxy starts",
		"      … and 397 more (-o json lists each)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q", want)
		}
	}
	if !strings.HasPrefix(out, "400 edges:") || strings.Contains(out, "OUTCOME") {
		t.Errorf("summary must lead and the table be left out:\n%s", out)
	}
	if first, last := strings.Index(out, "Failing edges"), strings.Index(out, "Unknown edges"); first < 0 || last < first {
		t.Error("failing groups must come before unknown ones")
	}
	b.Reset()
	if err := Text(&b, r, Style{AllRows: true}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\nok       team-"); n != 288 {
		t.Errorf("with AllRows the table has %d ok rows, want 288", n)
	}
}

// TestMessageShape: a finding's own name and namespace are taken out as
// whole words only, so siblings group and other names stay.
func TestMessageShape(t *testing.T) {
	for _, c := range []struct{ ns, name, msg, want string }{
		{"team-1", "web", "Deployment team-1/web calls out (e.g. api.team-1.svc.cluster.local:8080)", "Deployment <name> calls out (e.g. api.<namespace>.svc.cluster.local:8080)"},
		{"team-1", "web", "selects Deployment web-v2, not web.", "selects Deployment web-v2, not <name>."},
		{"", "web", "web.example.com is external", "web.example.com is external"},
		{"team-1", "api", "team-10/api and team-1/api", "team-10/api and <name>"},
	} {
		f := check.Finding{Message: c.msg, Object: check.Object{Namespace: c.ns, Name: c.name}}
		if got := messageShape(f); got != c.want {
			t.Errorf("messageShape(%q) = %q, want %q", c.msg, got, c.want)
		}
	}
}

// TestTextOneEdge: a group of one reads in the singular, and a small
// result keeps its table.
func TestTextOneEdge(t *testing.T) {
	r := scaleResult()
	r.Edges, r.Findings = r.Edges[:1], nil
	r.Summary = analysis.Summary{Edges: 1, Failing: 1}
	var b bytes.Buffer
	if err := Text(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"✗ 1 edge fails this way (1 Service port)", "\nFAIL     team-01/svc-0 (sidecar)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}

// TestTextOnlyProblemsTable: with --only-problems the table is what the
// reader asked for: listed above maxTableRows, up to maxProblemRows, with
// how many more.
func TestTextOnlyProblemsTable(t *testing.T) {
	r := scaleResult()
	var problems []verdict.Edge
	for _, e := range r.Edges {
		if e.Outcome != verdict.OK {
			problems = append(problems, e)
		}
	}
	r.Edges = problems // 112, as analysis.Filter leaves them
	var b bytes.Buffer
	if err := Text(&b, r, Style{OnlyProblems: true}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\nFAIL     team-") + strings.Count(b.String(), "\nUNKNOWN  team-"); n != 112 {
		t.Errorf("--only-problems lists %d of 112 problems:\n%s", n, b.String())
	}
	for len(r.Edges) < maxProblemRows+22 {
		r.Edges = append(r.Edges, problems...)
	}
	r.Edges = r.Edges[:maxProblemRows+22]
	b.Reset()
	if err := Text(&b, r, Style{OnlyProblems: true}); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\nFAIL     team-") + strings.Count(b.String(), "\nUNKNOWN  team-"); n != maxProblemRows {
		t.Errorf("%d rows listed, want %d", n, maxProblemRows)
	}
	if want := "… and 22 more edges not listed above 1000 rows (--table lists all, -o json has each)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("text lacks %q", want)
	}
}

// TestTextSaysHidden: what the output controls took out is on the
// summary line, before the note that nothing was judged.
func TestTextSaysHidden(t *testing.T) {
	var b bytes.Buffer
	if err := Text(&b, analysis.Result{}, Style{Hidden: Hidden{Suppressed: 1, BelowSeverity: 3, MinSeverity: "warning"}}); err != nil {
		t.Fatal(err)
	}
	want := "0 edges: 0 failing, 0 unknown, 0 mutual TLS; 0 errors, 0 warnings; 1 finding suppressed (-S / annotation), 3 below --min-severity warning\nNo workload names"
	if !strings.HasPrefix(b.String(), want) {
		t.Errorf("got %q, want the prefix %q", b.String(), want)
	}
}
