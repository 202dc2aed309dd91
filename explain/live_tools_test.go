package explain

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"github.com/meshdoctor/meshdoctor/internal/loopback"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/category"
)

// Lines produced by real client programs installed on this machine (curl,
// openssl s_client, python3 ssl/requests, node, java/JSSE) against loopback
// servers. A missing program skips its cases with a message.

type toolCase struct {
	name string
	argv []string
	id   string
	cat  category.Category
	emit Emitter
}

func runTool(t *testing.T, argv []string) string {
	t.Helper()
	if _, err := exec.LookPath(argv[0]); err != nil {
		t.Skipf("%s is not installed here; its lines are covered by testdata only", argv[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	return string(out)
}

// wantSome checks that one diagnosis of out carries id with category cat.
func wantSome(t *testing.T, out, id string, cat category.Category, emit Emitter) {
	t.Helper()
	rep := explainString(t, out)
	for _, d := range rep.Diagnoses {
		if contains(d.Signatures, id) {
			if d.Category != cat {
				t.Errorf("%s: category %s, want %s; output:\n%s", id, d.Category, cat, out)
			}
			if emit != "" && d.Emitter != emit {
				t.Errorf("%s: emitter %s, want %s; output:\n%s", id, d.Emitter, emit, out)
			}
			return
		}
	}
	t.Errorf("no diagnosis with %s in output:\n%s\ngot %+v", id, out, rep.Diagnoses)
}

func runToolCases(t *testing.T, cases []toolCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := runTool(t, c.argv)
			t.Logf("real output of %s:\n%s", strings.Join(c.argv[:1], " "), out)
			wantSome(t, out, c.id, c.cat, c.emit)
		})
	}
}

func certFile(t *testing.T, cert *x509.Certificate) string {
	p := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLiveCurl(t *testing.T) {
	srv := tlsServer(t, nil, nil)
	tlsAddr := strings.TrimPrefix(srv.URL, "https://")
	port := tlsAddr[strings.LastIndexByte(tlsAddr, ':')+1:]
	runToolCases(t, []toolCase{
		{"curl https:// to a plaintext server (exit 35)", []string{"curl", "-sS", "https://" + plaintextGreeter(t) + "/v1/traces"}, "openssl-wrong-version-number", category.TLSToPlaintext, Curl},
		{"curl http:// to a resetting server (exit 56)", []string{"curl", "-sS", "http://" + resetter(t) + "/v1/traces"}, "curl-56-connection-reset", category.PlaintextToTLS, Curl},
		{"curl http:// to a server that closes (exit 52)", []string{"curl", "-sS", "http://" + closer(t) + "/v1/traces"}, "curl-52-empty-reply", category.PlaintextToTLS, Curl},
		{"curl https:// to a self-signed server (exit 60)", []string{"curl", "-sS", srv.URL}, "curl-60-certificate", category.UntrustedCertificate, Curl},
		{"curl with a name the certificate lacks (exit 60)", []string{"curl", "-sS", "--cacert", certFile(t, srv.Certificate()),
			"--resolve", "otel-collector.monitoring:" + port + ":127.0.0.1", "https://otel-collector.monitoring:" + port + "/"}, "curl-san-mismatch", category.NameMismatch, Curl},
		{"curl to a closed port (exit 7)", []string{"curl", "-sS", "http://" + loopback.ClosedAddr(t) + "/"}, "curl-7-connect-failed", category.ConnectionRefused, Curl},
	})
}

func TestLiveOpenSSL(t *testing.T) {
	runToolCases(t, []toolCase{
		{"s_client to a plaintext server", []string{"openssl", "s_client", "-connect", plaintextGreeter(t)}, "openssl-wrong-version-number", category.TLSToPlaintext, OpenSSL},
		{"s_client to a server that closes on the ClientHello", []string{"openssl", "s_client", "-connect", closer(t)}, "tls-unexpected-eof", category.Other, OpenSSL},
	})
}

const pyScript = `
import socket, ssl, sys
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "requests":
    import requests
    requests.get("https://%s:%d/v1/traces" % (host, port), timeout=10)
s = socket.create_connection((host, port), timeout=10)
if mode == "tls":
    ctx = ssl.create_default_context()
    ctx.wrap_socket(s, server_hostname=host)
else:
    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    s.recv(10)
`

func TestLivePython(t *testing.T) {
	srv := tlsServer(t, nil, nil)
	hp := func(addr string) []string {
		i := strings.LastIndexByte(addr, ':')
		return []string{addr[:i], addr[i+1:]}
	}
	py := func(mode, addr string) []string {
		return append([]string{"python3", "-c", pyScript, mode}, hp(addr)...)
	}
	runToolCases(t, []toolCase{
		{"ssl to a plaintext server", py("tls", plaintextGreeter(t)), "python-ssl-wrong-version-number", category.TLSToPlaintext, Python},
		{"ssl to a self-signed server", py("tls", strings.TrimPrefix(srv.URL, "https://")), "python-ssl-certificate-verify-failed", category.UntrustedCertificate, Python},
		{"requests to a self-signed server", py("requests", strings.TrimPrefix(srv.URL, "https://")), "python-requests-ssl-error", category.UntrustedCertificate, Python},
		{"socket to a resetting server", py("plain", resetter(t)), "python-connection-reset", category.PlaintextToTLS, Python},
		{"socket to a closed port", py("plain", loopback.ClosedAddr(t)), "python-connection-refused", category.ConnectionRefused, Python},
	})
}

const nodeScript = `
const [mode, url, extra] = process.argv.slice(1);
const lib = url.startsWith("https") ? require("https") : require("http");
const opts = {};
if (mode === "ca") { opts.ca = require("fs").readFileSync(extra); opts.servername = "otel-collector.monitoring"; }
lib.get(url, opts, r => { r.resume(); r.on("end", () => process.exit(0)); }).on("error", e => { console.error(e); process.exit(1); });
`

func TestLiveNode(t *testing.T) {
	srv := tlsServer(t, nil, nil)
	node := func(mode, url string, extra ...string) []string {
		return append([]string{"node", "-e", nodeScript, mode, url}, extra...)
	}
	runToolCases(t, []toolCase{
		{"https.get to a plaintext server", node("plain", "https://"+plaintextGreeter(t)+"/v1/traces"), "node-eproto", category.TLSToPlaintext, Node},
		{"https.get to a self-signed server", node("plain", srv.URL), "node-unable-to-verify", category.UntrustedCertificate, Node},
		{"https.get with a name the certificate lacks", node("ca", srv.URL, certFile(t, srv.Certificate())), "node-altname-invalid", category.NameMismatch, Node},
		{"http.get to a resetting server", node("plain", "http://"+resetter(t)+"/"), "node-econnreset", category.PlaintextToTLS, Node},
		{"http.get to a closed port", node("plain", "http://"+loopback.ClosedAddr(t)+"/"), "node-econnrefused", category.ConnectionRefused, Node},
	})
}

const javaSrc = `
import java.net.*;
import java.io.*;
public class Probe {
    public static void main(String[] a) throws Exception {
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(a[0]).openConnection();
            c.setConnectTimeout(10000); c.setReadTimeout(10000);
            c.getInputStream().close();
        } catch (Exception e) { e.printStackTrace(); }
    }
}
`

func TestLiveJava(t *testing.T) {
	for _, p := range []string{"java", "javac"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s is not installed here; JSSE lines are covered by testdata only", p)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Probe.java"), []byte(javaSrc), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := runTool(t, []string{"javac", "-d", dir, filepath.Join(dir, "Probe.java")}); out != "" {
		t.Fatalf("javac: %s", out)
	}
	srv := tlsServer(t, nil, nil)
	java := func(url string) []string { return []string{"java", "-cp", dir, "Probe", url} }
	runToolCases(t, []toolCase{
		{"JSSE https:// to a plaintext server", java("https://" + plaintextGreeter(t) + "/v1/traces"), "jsse-unrecognized-ssl-message", category.TLSToPlaintext, JSSE},
		{"JSSE https:// to a self-signed server", java(srv.URL), "jsse-pkix-path-building-failed", category.UntrustedCertificate, JSSE},
		{"JSSE http:// to a resetting server", java("http://" + resetter(t) + "/"), "java-connection-reset", category.PlaintextToTLS, JSSE},
		{"JSSE http:// to a closed port", java("http://" + loopback.ClosedAddr(t) + "/"), "java-connection-refused", category.ConnectionRefused, JSSE},
	})
}
