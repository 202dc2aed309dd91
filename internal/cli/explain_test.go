package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const seedLine = "[otel.javaagent] ERROR io.opentelemetry.exporter.internal.grpc.GrpcExporter - Failed to export metrics. Server is UNAVAILABLE. Full error message: upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end\n"

func run(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestExplainStdinText(t *testing.T) {
	code, out, _ := run(t, seedLine, "explain", "-")
	if code != ExitProblems {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, want := range []string{"tls-to-plaintext", "envoy-client-sidecar", "was in the path", "$ istioctl"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExplainFileJSON(t *testing.T) {
	p := filepath.Join(t.TempDir(), "app.log")
	if err := os.WriteFile(p, []byte("ok\n"+seedLine+seedLine), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "", "explain", "-o", "json", p)
	if code != ExitProblems {
		t.Fatalf("exit %d, want 1", code)
	}
	var v struct {
		Diagnoses []struct {
			Category, Emitter, Signature string
			Line, Count, LastLine        int
			Causes, Next, Targets        []string
		} `json:"diagnoses"`
	}
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(v.Diagnoses) != 1 {
		t.Fatalf("%d diagnoses", len(v.Diagnoses))
	}
	d := v.Diagnoses[0]
	if d.Category != "tls-to-plaintext" || d.Line != 2 || d.LastLine != 3 || d.Count != 2 || len(d.Causes) == 0 || len(d.Next) == 0 {
		t.Errorf("got %+v", d)
	}
}

func TestExplainExitCodes(t *testing.T) {
	if code, out, _ := run(t, "INFO all good\n", "explain"); code != ExitOK || !strings.Contains(out, "No known") {
		t.Errorf("clean log: exit %d, %q", code, out)
	}
	if code, _, errs := run(t, "", "explain", filepath.Join(t.TempDir(), "missing.log")); code != ExitUsage || errs == "" {
		t.Errorf("missing file: exit %d, stderr %q", code, errs)
	}
	if code, _, _ := run(t, "", "explain", t.TempDir()); code != ExitUsage {
		t.Errorf("directory: exit %d", code)
	}
	if code, _, _ := run(t, "", "explain", "-o", "yaml", "-"); code != ExitUsage {
		t.Errorf("bad -o: exit %d", code)
	}
	if code, _, _ := run(t, "", "explain", "a", "b"); code != ExitUsage {
		t.Errorf("two files: exit %d", code)
	}
}

// Unreadable manifests are an input error (exit 2), not a silent gap.
func TestExplainManifestsMissing(t *testing.T) {
	code, _, errs := run(t, seedLine, "explain", "--manifests", "./no-such-dir", "-")
	if code != ExitUsage || !strings.Contains(errs, "no-such-dir") {
		t.Errorf("exit %d, stderr %q", code, errs)
	}
}

func TestExplainLiterals(t *testing.T) {
	code, out, _ := run(t, "", "explain", "--literals")
	if code != ExitOK || !strings.Contains(out, "OPENSSL_internal:WRONG_VERSION_NUMBER\n") {
		t.Errorf("exit %d, %q", code, out)
	}
}
