package explain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/category"
)

func explainFile(t *testing.T, path string) *Report {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := Explain(f)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// The seed incident: the client's sidecar was in the path, it originated
// mTLS and got plaintext back; STRICT on the collector is not the cause;
// export failures do not crash a JVM.
func TestSeed(t *testing.T) {
	for _, file := range []string{"testdata/seed-wrapped.log", "testdata/seed-stacktrace-ansi.log"} {
		t.Run(file, func(t *testing.T) {
			rep := explainFile(t, file)
			if len(rep.Diagnoses) != 1 {
				t.Fatalf("%d diagnoses, want 1: %+v", len(rep.Diagnoses), rep.Diagnoses)
			}
			d := rep.Diagnoses[0]
			if d.Category != category.TLSToPlaintext || d.Emitter != EnvoyClient || d.Signature != "boringssl-wrong-version-number" {
				t.Errorf("got %s/%s/%s, want tls-to-plaintext/envoy-client-sidecar/boringssl-wrong-version-number", d.Category, d.Emitter, d.Signature)
			}
			for _, want := range []string{"client's sidecar was in the path", "did NOT bypass", "STRICT mTLS on the destination is not the cause"} {
				if !strings.Contains(d.Summary, want) {
					t.Errorf("summary lacks %q: %s", want, d.Summary)
				}
			}
			if !strings.Contains(strings.Join(d.Causes, "\n"), "excludeInboundPorts") {
				t.Errorf("causes do not mention excludeInboundPorts: %v", d.Causes)
			}
			notes := strings.Join(d.Notes, "\n")
			if !strings.Contains(notes, "does not stop or crash the JVM") || !strings.Contains(notes, "kubectl describe pod") {
				t.Errorf("no note that export failures do not crash the JVM: %v", d.Notes)
			}
			if !contains(d.Signatures, "otel-java-export-failed") || !contains(d.Signatures, "envoy-local-reply-upstream-reset") {
				t.Errorf("the wrapper and the Envoy reply were not combined into one diagnosis: %v", d.Signatures)
			}
		})
	}
	rep := explainFile(t, "testdata/seed-stacktrace-ansi.log")
	d := rep.Diagnoses[0]
	if d.Line != 4 || d.LastLine != 4 || rep.Lines != 11 {
		t.Errorf("line %d lastLine %d of %d lines, want event at line 4 of 11", d.Line, d.LastLine, rep.Lines)
	}
	if !contains(d.Targets, "http://otel-collector.monitoring:4317") {
		t.Errorf("targets %v lack the collector URL", d.Targets)
	}
	if !strings.Contains(strings.Join(d.Next, "\n"), "-n monitoring") {
		t.Errorf("next steps are not filled from the target: %v", d.Next)
	}
}

func TestGroupingCountsAndLines(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 10; i++ {
		// lines 1,3,5,...: same error, different timestamps and ports
		fmt.Fprintf(&b, "2025-01-15T10:00:%02dZ ERROR curl: (56) Recv failure: Connection reset by peer\n", i)
		fmt.Fprintf(&b, "2025-01-15T10:00:%02dZ INFO request %d ok\n", i, i)
	}
	b.WriteString("2025-01-15T10:01:00Z ERROR tls: first record does not look like a TLS handshake\n")
	rep := explainString(t, b.String())
	if len(rep.Diagnoses) != 2 {
		t.Fatalf("%d diagnoses, want 2: %+v", len(rep.Diagnoses), rep.Diagnoses)
	}
	// both are direction mismatches: the more frequent comes first
	d := rep.Diagnoses[0]
	if d.Signature != "curl-56-connection-reset" || d.Count != 10 || d.Line != 1 || d.LastLine != 19 {
		t.Errorf("got %s count %d lines %d..%d, want curl-56 10× 1..19", d.Signature, d.Count, d.Line, d.LastLine)
	}
	if d2 := rep.Diagnoses[1]; d2.Signature != "go-first-record-not-tls" || d2.Count != 1 || d2.Line != 21 {
		t.Errorf("second: %s count %d line %d", d2.Signature, d2.Count, d2.Line)
	}
	if rep.Lines != 21 {
		t.Errorf("lines %d, want 21", rep.Lines)
	}
}

func TestSeverityOrder(t *testing.T) {
	in := "curl: (28) Connection timed out after 100 milliseconds\n" +
		"curl: (7) Failed to connect to x port 1 after 0 ms: Couldn't connect to server\n" +
		"curl: (7) Failed to connect to x port 1 after 0 ms: Couldn't connect to server\n" +
		"x509: certificate signed by unknown authority\n" +
		"upstream connect error or disconnect/reset before headers. reset reason: connection termination\n"
	var got []category.Category
	for _, d := range explainString(t, in).Diagnoses {
		got = append(got, d.Category)
	}
	want := []category.Category{category.PlaintextToTLS, category.UntrustedCertificate, category.ConnectionRefused, category.Timeout}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order %v, want %v", got, want)
	}
}

func TestJSONLines(t *testing.T) {
	in := `{"level":"error","ts":"2025-01-15T10:00:00Z","logger":"otel","msg":"traces export: rpc error: code = Unavailable desc = connection error: desc = \"transport: authentication handshake failed: tls: first record does not look like a TLS handshake\"","endpoint":"otel-collector.monitoring.svc.cluster.local:4317"}
{"log":"{\"message\":\"javax.net.ssl.SSLException: Unsupported or unrecognized SSL message\",\"level\":\"ERROR\"}\n","stream":"stderr","time":"2025-01-15T10:00:01Z"}
{"message":"all good","level":"INFO","note":"wrong version number appears only in a field nobody reads"}
`
	rep := explainString(t, in)
	if len(rep.Diagnoses) != 2 {
		t.Fatalf("%d diagnoses, want 2: %+v", len(rep.Diagnoses), rep.Diagnoses)
	}
	byID := map[string]Diagnosis{}
	for _, d := range rep.Diagnoses {
		byID[d.Signature] = d
	}
	if d, ok := byID["go-first-record-not-tls"]; !ok || d.Line != 1 || d.Emitter != GoTLS {
		t.Errorf("zap JSON line: %+v", d)
	}
	if d, ok := byID["jsse-unrecognized-ssl-message"]; !ok || d.Line != 2 || strings.Contains(d.Sample, `"stream"`) {
		t.Errorf("docker json-file wrapping JSON: %+v", d)
	}
}

func TestANSIAndCRLF(t *testing.T) {
	// the colour code splits the literal: only the ANSI-aware path finds it
	in := "\x1b[31mERROR\x1b[0m transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_\x1b[1mVERSION_NUMBER\x1b[0m:TLS_error_end\r\n"
	rep := explainString(t, in)
	if len(rep.Diagnoses) != 1 || rep.Diagnoses[0].Category != category.TLSToPlaintext {
		t.Fatalf("got %+v", rep.Diagnoses)
	}
	if s := rep.Diagnoses[0].Sample; strings.ContainsAny(s, "\x1b\r") {
		t.Errorf("sample keeps ANSI or CR: %q", s)
	}
}

func TestStackTraceFolding(t *testing.T) {
	in := "2025-01-15 10:00:00 ERROR c.e.Exporter - export failed\n" +
		"java.io.IOException: boom\n" +
		"\tat a.b.C.d(C.java:1)\n" +
		"Caused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed: x1\n" +
		"\tat a.b.C.e(C.java:2)\n" +
		"\t... 5 more\n" +
		"2025-01-15 10:00:01 ERROR c.e.Exporter - export failed\n" +
		"java.io.IOException: boom\n" +
		"Caused by: javax.net.ssl.SSLHandshakeException: PKIX path building failed: x2\n"
	rep := explainString(t, in)
	if len(rep.Diagnoses) != 1 {
		t.Fatalf("%d diagnoses: %+v", len(rep.Diagnoses), rep.Diagnoses)
	}
	d := rep.Diagnoses[0]
	if d.Count != 2 || d.Line != 1 || d.LastLine != 7 {
		t.Errorf("count %d lines %d..%d, want 2 events at lines 1 and 7 (the heads, not the Caused by: lines)", d.Count, d.Line, d.LastLine)
	}
}

func TestReportJSONShape(t *testing.T) {
	rep := explainString(t, "curl: (56) Recv failure: Connection reset by peer\n")
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(rep); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Diagnoses []map[string]any `json:"diagnoses"`
	}
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil || len(v.Diagnoses) != 1 {
		t.Fatalf("bad JSON %v: %s", err, buf.String())
	}
	for _, k := range []string{"category", "emitter", "signature", "line", "count", "lastLine", "summary", "causes", "next", "targets"} {
		if _, ok := v.Diagnoses[0][k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
}

func TestTargets(t *testing.T) {
	in := `[2025-01-15T10:00:02.000Z] "POST /v1/traces HTTP/1.1" 503 UF - "-" 0 0 1 - "-" "x" "id" "otel-collector.monitoring:4318" "10.244.1.7:4318" outbound|4318||otel-collector.monitoring.svc.cluster.local - 10.96.12.40:4318 10.244.2.9:53210 - default` + "\n"
	got := explainString(t, in).Diagnoses[0].Targets
	want := []string{"10.244.1.7:4318", "10.96.12.40:4318", "otel-collector.monitoring:4318", "outbound|4318||otel-collector.monitoring.svc.cluster.local"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("targets %v, want %v (no ephemeral ports, no timestamps)", got, want)
	}
}

func TestLongLinesAndNoNewline(t *testing.T) {
	long := strings.Repeat("x", 9<<20) // longer than a read chunk
	in := long + " curl: (56) Recv failure: Connection reset by peer\nshort\ncurl: (52) Empty reply from server"
	rep := explainString(t, in)
	if len(rep.Diagnoses) != 2 || rep.Lines != 3 {
		t.Fatalf("%d diagnoses, %d lines: %+v", len(rep.Diagnoses), rep.Lines, rep.Diagnoses)
	}
	lines := map[string]int{}
	for _, d := range rep.Diagnoses {
		lines[d.Signature] = d.Line
	}
	if lines["curl-56-connection-reset"] != 1 || lines["curl-52-empty-reply"] != 3 {
		t.Errorf("lines %v", lines)
	}
}

func TestMatcherAgainstNaive(t *testing.T) {
	lits := Literals()
	text := []byte("xx" + strings.Join(lits, " filler ") + " curl: (5 curl: (56)")
	var got []string
	defaultMatcher.all(text, func(pos, pat int) { got = append(got, fmt.Sprint(pos, ":", pat)) })
	var want []string
	for pos := range text {
		for i, l := range lits {
			if bytes.HasPrefix(text[pos:], []byte(l)) {
				want = append(want, fmt.Sprint(pos, ":", i))
			}
		}
	}
	if len(got) != len(want) {
		t.Fatalf("matcher found %d hits, naive search %d", len(got), len(want))
	}
	seen := map[string]bool{}
	for _, g := range got {
		seen[g] = true
	}
	for _, w := range want {
		if !seen[w] {
			t.Errorf("matcher missed %s", w)
		}
	}
}
