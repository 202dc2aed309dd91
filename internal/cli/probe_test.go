package cli

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/internal/loopback"

	"github.com/meshdoctor/meshdoctor/probe"
)

func runProbeCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(append([]string{"probe"}, args...), strings.NewReader(""), &out, &errb)
	t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	return code, out.String(), errb.String()
}

func probeHTTPServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func TestProbeExitOK(t *testing.T) {
	code, out, _ := runProbeCLI(t, probeHTTPServer(t))
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"tcp", "http1", "HTTP/1.1 200 OK", "[tls-to-plaintext]", "result: ok (speaks: http/1.1)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
}

func TestProbeJSON(t *testing.T) {
	code, out, _ := runProbeCLI(t, "-o", "json", "http://"+probeHTTPServer(t))
	var rep probe.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK {
		t.Fatalf("exit %d, json: %v", code, err)
	}
	if !rep.OK || rep.Mode != "plaintext" || len(rep.Steps) == 0 || rep.Steps[0].Name != "tcp" {
		t.Fatalf("report %+v", rep)
	}
}

func TestProbeExitProblems(t *testing.T) {
	addr := loopback.ClosedAddr(t)
	for _, args := range [][]string{{addr}, {"--otlp", "grpc", "--timeout", "1s", "http://" + addr}} {
		code, out, _ := runProbeCLI(t, args...)
		if code != ExitProblems || !strings.Contains(out, "[connection-refused]") {
			t.Fatalf("%v: exit %d", args, code)
		}
	}
}

func TestProbeTLSWithCACert(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the tcp step hangs up mid-handshake on purpose
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, block, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runProbeCLI(t, "--cacert", ca, "https://"+srv.Listener.Addr().String())
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"tls-verify", "chain trusted by --cacert", "cert[0]", "SANs example.com", "result: ok (speaks: tls)"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q", want)
		}
	}
}

func TestProbeUsageErrors(t *testing.T) {
	addr := probeHTTPServer(t)
	for _, args := range [][]string{
		{},
		{addr, addr},
		{"no-port"},
		{"ftp://" + addr},
		{"--otlp", "thrift", addr},
		{"-o", "yaml", addr},
		{"--timeout", "0s", addr},
		{"--timeout", "soon", addr},
		{"--cert", "client.pem", addr},
		{"--cacert", "/nonexistent/ca.pem", addr},
		{"--no-such-flag", addr},
	} {
		if code, _, _ := runProbeCLI(t, args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
