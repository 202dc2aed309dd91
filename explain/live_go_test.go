package explain

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"github.com/meshdoctor/meshdoctor/internal/loopback"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/grpclog"
	"google.golang.org/grpc/health/grpc_health_v1"

	"github.com/meshdoctor/meshdoctor/category"
)

// Every line in these tests is produced here, on loopback, by the Go
// standard library (crypto/tls, net/http, net) or grpc-go v1.85.0 — the
// same code the OTel collector's receivers and Go apps run.

func httpGetErr(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body)
	}
	return err.Error()
}

func TestLiveGoNetHTTP(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer plain.Close()
	serverErrs := newSyncBuf()
	srv := tlsServer(t, nil, serverErrs)
	host := strings.TrimPrefix(srv.URL, "https://")
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())

	cases := []struct {
		name, line, id string
		cat            category.Category
	}{
		{"net/http https:// to a plaintext HTTP server",
			httpGetErr(t, http.DefaultClient, "https://"+strings.TrimPrefix(plain.URL, "http://")),
			"go-http-response-to-https-client", category.TLSToPlaintext},
		{"net/http http:// to a Go HTTPS server (response body)",
			httpGetErr(t, http.DefaultClient, "http://"+host),
			"go-client-sent-http-to-https", category.PlaintextToTLS},
		{"net/http https:// to a self-signed server",
			httpGetErr(t, http.DefaultClient, srv.URL),
			"go-x509-unknown-authority", category.UntrustedCertificate},
		{"net/http GET with a name the certificate does not carry",
			httpGetErr(t, &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "otel-collector.monitoring.svc.cluster.local"}}}, srv.URL),
			"go-x509-name-mismatch", category.NameMismatch},
		{"net dial to a closed port",
			httpGetErr(t, http.DefaultClient, "http://"+loopback.ClosedAddr(t)+"/v1/traces"),
			"go-connection-refused", category.ConnectionRefused},
		{"net/http to a server that resets (STRICT sidecar seen by a bare client)",
			httpGetErr(t, http.DefaultClient, "http://"+resetter(t)+"/v1/traces"),
			"go-connection-reset", category.PlaintextToTLS},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("real line: %s", c.line)
			wantDiagnosis(t, c.name, c.line, c.id, c.cat, "")
		})
	}
}

func tlsDialErr(t *testing.T, addr string, cfg *tls.Config) string {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return err.Error()
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	// TLS 1.3: the server's verdict on our certificate arrives with the first read
	io.WriteString(conn, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	_, err = conn.Read(make([]byte, 1))
	if err == nil {
		t.Fatalf("dial %s unexpectedly succeeded", addr)
	}
	return err.Error()
}

func TestLiveGoTLS(t *testing.T) {
	insecureCfg := &tls.Config{InsecureSkipVerify: true}
	mtlsErrs := newSyncBuf()
	mtls := tlsServer(t, &tls.Config{ClientAuth: tls.RequireAnyClientCert}, mtlsErrs)
	tls13 := tlsServer(t, &tls.Config{MinVersion: tls.VersionTLS13}, nil)

	cases := []struct {
		name, line, id string
		cat            category.Category
	}{
		{"crypto/tls client to a plaintext greeter",
			tlsDialErr(t, plaintextGreeter(t), insecureCfg),
			"go-first-record-not-tls", category.TLSToPlaintext},
		{"crypto/tls client without certificate to a RequireAnyClientCert server",
			tlsDialErr(t, strings.TrimPrefix(mtls.URL, "https://"), insecureCfg),
			"go-client-certificate-required", category.ClientCertificateRequired},
		{"crypto/tls TLS1.2-only client to a TLS1.3-only server",
			tlsDialErr(t, strings.TrimPrefix(tls13.URL, "https://"), &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12}),
			"go-tls-version-or-cipher", category.ProtocolVersion},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("real line: %s", c.line)
			wantDiagnosis(t, c.name, c.line, c.id, c.cat, GoTLS)
		})
	}

	// The server side of the client-certificate case, from net/http's log.
	t.Run("net/http server log: client without certificate", func(t *testing.T) {
		line := waitFor(t, mtlsErrs, "client didn't provide a certificate")
		t.Logf("real line: %s", line)
		wantDiagnosis(t, "go server", line, "go-client-certificate-required", category.ClientCertificateRequired, GoTLS)
	})
	// A Go HTTPS server receiving a non-HTTP plaintext greeting: the same
	// "first record" text, written by the server, means the opposite.
	t.Run("net/http server log: plaintext bytes to a TLS port", func(t *testing.T) {
		errs := newSyncBuf()
		srv := tlsServer(t, nil, errs)
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "https://"))
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
		io.Copy(io.Discard, c)
		c.Close()
		line := waitFor(t, errs, "TLS handshake error")
		t.Logf("real line: %s", line)
		wantDiagnosis(t, "go server", line, "go-first-record-not-tls", category.PlaintextToTLS, GoTLS)
	})
}

func grpcCheckErr(t *testing.T, addr string, creds credentials.TransportCredentials) string {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = grpc_health_v1.NewHealthClient(conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{})
	if err == nil {
		t.Fatal("gRPC call unexpectedly succeeded")
	}
	return err.Error()
}

func TestLiveGRPCGo(t *testing.T) {
	srv := tlsServer(t, nil, nil)
	tlsAddr := strings.TrimPrefix(srv.URL, "https://")
	cases := []struct {
		name, line, id string
		cat            category.Category
	}{
		{"grpc-go insecure client to a TLS server",
			grpcCheckErr(t, tlsAddr, insecure.NewCredentials()),
			"grpc-go-server-preface", category.PlaintextToTLS},
		// By timing, grpc-go sees the reset while reading the server's
		// preface or while writing its own (EPIPE): either line is real.
		{"grpc-go insecure client to a resetting server",
			grpcCheckErr(t, resetter(t), insecure.NewCredentials()),
			"grpc-go-server-preface|go-connection-reset", category.PlaintextToTLS},
		{"grpc-go TLS client to a plaintext server",
			grpcCheckErr(t, plaintextGreeter(t), credentials.NewTLS(&tls.Config{InsecureSkipVerify: true})),
			"grpc-go-authentication-handshake-failed", category.TLSToPlaintext},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Logf("real line: %s", c.line)
			id := c.id
			if alts := strings.Split(c.id, "|"); len(alts) > 1 {
				rep := explainString(t, c.line)
				for _, a := range alts {
					if len(rep.Diagnoses) == 1 && contains(rep.Diagnoses[0].Signatures, a) {
						id = a
					}
				}
			}
			wantDiagnosis(t, c.name, c.line, id, c.cat, "")
		})
	}
}

// grpcLog captures grpc-go's internal log, where a server reports a bad
// client preface (at info level: "grpc: Server.Serve failed to create
// ServerTransport: ...").
type grpcLog struct{ b *syncBuf }

func (g grpcLog) Info(args ...any)                    { fmt.Fprintln(g.b, args...) }
func (g grpcLog) Infoln(args ...any)                  { fmt.Fprintln(g.b, args...) }
func (g grpcLog) Infof(format string, args ...any)    { fmt.Fprintf(g.b, format+"\n", args...) }
func (g grpcLog) Warning(args ...any)                 { fmt.Fprintln(g.b, args...) }
func (g grpcLog) Warningln(args ...any)               { fmt.Fprintln(g.b, args...) }
func (g grpcLog) Warningf(format string, args ...any) { fmt.Fprintf(g.b, format+"\n", args...) }
func (g grpcLog) Error(args ...any)                   { fmt.Fprintln(g.b, args...) }
func (g grpcLog) Errorln(args ...any)                 { fmt.Fprintln(g.b, args...) }
func (g grpcLog) Errorf(format string, args ...any)   { fmt.Fprintf(g.b, format+"\n", args...) }
func (g grpcLog) Fatal(args ...any)                   {}
func (g grpcLog) Fatalln(args ...any)                 {}
func (g grpcLog) Fatalf(format string, args ...any)   {}
func (g grpcLog) V(l int) bool                        { return l <= 2 }

// A plaintext grpc-go server (like the collector's OTLP receiver on a port
// no sidecar captures) receiving a TLS ClientHello.
func TestLiveGRPCGoServerBogusGreeting(t *testing.T) {
	logs := newSyncBuf()
	grpclog.SetLoggerV2(grpcLog{logs})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	go s.Serve(ln)
	defer s.Stop()
	tlsDialErr(t, ln.Addr().String(), &tls.Config{InsecureSkipVerify: true})
	line := waitFor(t, logs, "bogus greeting")
	t.Logf("real line: %s", line)
	wantDiagnosis(t, "grpc-go server", line, "grpc-go-bogus-greeting-tls", category.TLSToPlaintext, GRPCGo)
}
