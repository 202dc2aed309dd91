package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"github.com/meshdoctor/meshdoctor/internal/loopback"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/category"
)

func run(t *testing.T, target string, mut func(*Options)) Report {
	t.Helper()
	tg, err := ParseTarget(target)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Target: tg, Timeout: 3 * time.Second}
	if mut != nil {
		mut(&o)
	}
	rep := Run(context.Background(), o)
	for _, s := range rep.Steps {
		t.Logf("%-12s ok=%-5t %-10s [%s] %s", s.Name, s.OK, s.Duration.Round(time.Microsecond), s.Category, s.Detail)
	}
	t.Logf("protocols=%v ok=%t findings=%q", rep.Protocols, rep.OK, rep.Findings)
	return rep
}

// want asserts one step's outcome and category.
func want(t *testing.T, rep Report, name string, ok bool, cat category.Category) Step {
	t.Helper()
	s := rep.step(name)
	if s == nil {
		t.Fatalf("no step %q in %v", name, stepNames(rep))
	}
	if s.OK != ok || s.Category != cat {
		t.Fatalf("step %s: ok=%t category=%q, want ok=%t category=%q (%s)", name, s.OK, s.Category, ok, cat, s.Detail)
	}
	return *s
}

func stepNames(rep Report) []string {
	var out []string
	for _, s := range rep.Steps {
		out = append(out, s.Name)
	}
	return out
}

func wantFinding(t *testing.T, rep Report, substr string) {
	t.Helper()
	if !slices.ContainsFunc(rep.Findings, func(f string) bool { return strings.Contains(f, substr) }) {
		t.Fatalf("no finding containing %q in %q", substr, rep.Findings)
	}
}

func TestRefused(t *testing.T) {
	rep := run(t, loopback.ClosedAddr(t), nil)
	want(t, rep, "tcp", false, category.ConnectionRefused)
	if len(rep.Steps) != 1 || rep.OK {
		t.Fatalf("want only a failed tcp step, got %v ok=%t", stepNames(rep), rep.OK)
	}
}

func TestPlainHTTP1(t *testing.T) {
	addr := startHTTP1(t)
	rep := run(t, addr, nil)
	want(t, rep, "tcp", true, "")
	want(t, rep, "tls", false, category.TLSToPlaintext)
	if s := want(t, rep, "http1", true, ""); !strings.Contains(s.Detail, "200 OK") {
		t.Fatalf("http1 detail %q", s.Detail)
	}
	want(t, rep, "h2c", false, "") // net/http without h2c: an answer, not a failure
	if rep.step("grpc") != nil || !rep.OK || !slices.Equal(rep.Protocols, []string{ProtoHTTP1}) {
		t.Fatalf("protocols %v ok %t steps %v", rep.Protocols, rep.OK, stepNames(rep))
	}

	plain := run(t, "http://"+addr, nil)
	if plain.step("tls") != nil || !plain.OK {
		t.Fatalf("http:// must not probe TLS when plaintext answers: %v", stepNames(plain))
	}
}

func TestGRPCReceiverH2C(t *testing.T) {
	rep := run(t, startGRPC(t, newSink()), nil)
	want(t, rep, "tls", false, category.TLSToPlaintext) // server hung up on TLS; it speaks h2c
	want(t, rep, "h2c", true, "")
	want(t, rep, "grpc", true, "")
	for _, p := range []string{ProtoH2C, ProtoGRPC, ProtoOTLP} {
		if !slices.Contains(rep.Protocols, p) {
			t.Fatalf("protocols %v lack %s", rep.Protocols, p)
		}
	}
	if !rep.OK {
		t.Fatal("want OK")
	}
}

func TestGRPCWithoutOTLP(t *testing.T) {
	rep := run(t, "http://"+startGRPC(t, nil), nil)
	if s := want(t, rep, "grpc", true, ""); !strings.Contains(s.Detail, "Unimplemented") {
		t.Fatalf("grpc detail %q", s.Detail)
	}
	if !slices.Contains(rep.Protocols, ProtoGRPC) || slices.Contains(rep.Protocols, ProtoOTLP) {
		t.Fatalf("protocols %v", rep.Protocols)
	}
}

func TestIstioStrictLike(t *testing.T) {
	p := newPKI(t)
	addr := startSniff(t, p.istioServerConfig(t, 0), false)
	rep := run(t, addr, func(o *Options) { o.RootCAs = p.pool })
	want(t, rep, "tls", true, "")
	want(t, rep, "tls-request", false, category.ClientCertificateRequired)
	want(t, rep, "tls-verify", false, category.NameMismatch) // chain trusted; SPIFFE-only leaf
	want(t, rep, "http1", false, category.PlaintextToTLS)
	want(t, rep, "h2c", false, category.PlaintextToTLS)
	ti := rep.TLS
	if ti == nil || ti.Version != "TLS 1.3" || !ti.ClientCertRequested || ti.ClientCertSent ||
		ti.SPIFFEID != istioID || !ti.IstioSidecar || !slices.Contains(ti.Chain[0].URIs, istioID) {
		t.Fatalf("tls info %+v", ti)
	}
	wantFinding(t, rep, "looks like an Istio sidecar inbound (STRICT or PERMISSIVE)")
	wantFinding(t, rep, "consistent with STRICT")
	if !rep.OK || !slices.Equal(rep.Protocols, []string{ProtoTLS}) {
		t.Fatalf("protocols %v ok %t", rep.Protocols, rep.OK)
	}

	cert := p.leaf(t, nil, nil, "spiffe://cluster.local/ns/apps/sa/agent")
	withCert := run(t, "https://"+addr, func(o *Options) { o.RootCAs, o.ClientCert = p.pool, &cert })
	want(t, withCert, "tls-request", true, "")
	if !withCert.TLS.ClientCertSent {
		t.Fatal("client cert not recorded as sent")
	}
}

func TestIstioPermissiveLike(t *testing.T) {
	p := newPKI(t)
	rep := run(t, startSniff(t, p.istioServerConfig(t, 0), true), nil)
	want(t, rep, "tls-verify", false, category.UntrustedCertificate) // no --cacert: system roots
	want(t, rep, "http1", true, "")
	wantFinding(t, rep, "PERMISSIVE")
}

func TestTLS12ClientCertRequired(t *testing.T) {
	p := newPKI(t)
	rep := run(t, "https://"+startTLS(t, p.istioServerConfig(t, tls.VersionTLS12)), nil)
	want(t, rep, "tls", false, category.ClientCertificateRequired)
	if rep.TLS == nil || rep.TLS.Version != "TLS 1.2" || !rep.TLS.IstioSidecar {
		t.Fatalf("tls info %+v", rep.TLS)
	}
	wantFinding(t, rep, "pass --cert and --key")
	if !rep.OK {
		t.Fatal("the port speaks TLS: the plain probe should succeed")
	}
}

func TestTLSTrustAndNames(t *testing.T) {
	p := newPKI(t)
	good := p.leaf(t, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, "")
	addr := startTLS(t, &tls.Config{Certificates: []tls.Certificate{good}})

	rep := run(t, "https://"+addr, func(o *Options) { o.RootCAs = p.pool })
	want(t, rep, "tls-verify", true, "")
	if s := want(t, rep, "tls-request", true, ""); !strings.Contains(s.Detail, "200") {
		t.Fatalf("tls-request detail %q", s.Detail)
	}
	if rep.TLS.ClientCertRequested || rep.TLS.IstioSidecar || rep.step("http1") != nil {
		t.Fatalf("unexpected %+v / steps %v", rep.TLS, stepNames(rep))
	}

	want(t, run(t, "https://"+addr, nil), "tls-verify", false, category.UntrustedCertificate)
	if skip := run(t, "https://"+addr, func(o *Options) { o.InsecureSkipVerify = true }); skip.step("tls-verify") != nil {
		t.Fatal("--insecure-skip-verify must skip tls-verify")
	}

	other := p.leaf(t, []string{"otel.test"}, nil, "")
	wrong := startTLS(t, &tls.Config{Certificates: []tls.Certificate{other}})
	want(t, run(t, "https://"+wrong, func(o *Options) { o.RootCAs = p.pool }), "tls-verify", false, category.NameMismatch)
}

func TestHTTPSTargetOnPlaintextPort(t *testing.T) {
	rep := run(t, "https://"+startGRPC(t, newSink()), nil)
	want(t, rep, "tls", false, category.TLSToPlaintext)
	if rep.OK {
		t.Fatal("https:// to a plaintext port must fail")
	}
}

func TestSilentServerTimesOut(t *testing.T) {
	start := time.Now()
	rep := run(t, "http://"+startSilent(t), func(o *Options) { o.Timeout = 200 * time.Millisecond })
	want(t, rep, "tcp", true, "")
	want(t, rep, "http1", false, category.Timeout)
	want(t, rep, "h2c", false, category.Timeout)
	if rep.OK || time.Since(start) > 2*time.Second {
		t.Fatalf("ok=%t after %v", rep.OK, time.Since(start))
	}
}

// A server that answers the h2c preface with an HTML error page (Python's
// http.server does, without a status line) does not speak HTTP/2.
func TestH2CNotFooledByHTML(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				_, _ = c.Read(buf)
				_, _ = io.WriteString(c, "<!DOCTYPE HTML>\n<html><body>505</body></html>\n")
			}()
		}
	}()
	d, err := h2Exchange(dialT(t, ln.Addr().String()))
	var neg *negative
	if !errors.As(err, &neg) || !strings.Contains(err.Error(), "<!DOCTYPE") {
		t.Fatalf("h2c = %q, %v; want a negative answer quoting the reply", d, err)
	}
}

func dialT(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
