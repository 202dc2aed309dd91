package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/lab"
)

func runLabCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(append([]string{"lab"}, args...), strings.NewReader(""), &out, &errb)
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	return code, out.String(), errb.String()
}

func TestLabSeedAgrees(t *testing.T) {
	code, out, _ := runLabCLI(t, "--client", "sidecar:istio-mtls", "--server", "none")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"model:   fail [tls-to-plaintext]", "reality: fail [tls-to-plaintext]", "WRONG_VERSION_NUMBER", "code = Unavailable", "result: model and reality agree"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestLabJSON(t *testing.T) {
	code, out, _ := runLabCLI(t, "--client", "sidecar:istio-mtls", "--server", "sidecar:strict", "--otlp", "http", "-o", "json")
	var doc struct{ Results []lab.Result }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != ExitOK || len(doc.Results) != 1 {
		t.Fatalf("exit %d, json %v, %d results", code, err, len(doc.Results))
	}
	r := doc.Results[0]
	if !r.Agree || r.Real.Outcome != "ok" || !r.Real.MTLS || r.Real.SpansReceived != 1 {
		t.Errorf("result %+v", r)
	}
}

func TestLabFromEdge(t *testing.T) {
	code, out, _ := runLabCLI(t, "--from-edge", "staging-webs/auth-guard=otel-collector.monitoring:4317", "../../examples/seed/")
	if code != ExitOK || !strings.Contains(out, "edge staging-webs/auth-guard → otel-collector.monitoring:4317 (Deployment otel-collector)") ||
		!strings.Contains(out, "lab sidecar:istio-mtls → none") {
		t.Errorf("exit %d", code)
	}
}

// A disagreement exits 1: a 1ns timeout makes every exchange fail, which
// contradicts an ok prediction.
func TestLabDisagreeExit1(t *testing.T) {
	code, out, _ := runLabCLI(t, "--client", "sidecar:plaintext", "--server", "none", "--timeout", "1ns")
	if code != ExitProblems || !strings.Contains(out, "DISAGREE") {
		t.Errorf("exit %d", code)
	}
}

func TestLabUsage(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--client", "sidecar:istio-mtls"},
		{"--client", "sidecar:hbone", "--server", "none"},
		{"--client", "sidecar:plaintext", "--server", "sidecar:bogus"},
		{"--client", "sidecar:plaintext", "--server", "none", "-o", "yaml"},
		{"--client", "sidecar:plaintext", "--server", "none", "--otlp", "thrift"},
		{"--client", "sidecar:plaintext", "--server", "none", "somefile"},
		{"--from-edge", "staging-webs/auth-guard=otel-collector.monitoring:4317"},
		{"--from-edge", "nope", "../../examples/seed/"},
		{"--from-edge", "staging-webs/nobody=otel-collector.monitoring:4317", "../../examples/seed/"},
		{"--from-edge", "a/b=c:1", "--client", "none", "../../examples/seed/"},
	} {
		if code, _, _ := runLabCLI(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
