package probe

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"
)

// pki is a throwaway CA for one test.
type pki struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newPKI(t *testing.T) *pki {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test mesh CA", Organization: []string{"cluster.local"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &pki{cert: cert, key: key, pool: pool}
}

// leaf issues a server+client certificate with the given SANs.
func (p *pki) leaf(t *testing.T, dns []string, ips []net.IP, uri string) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{Organization: []string{"test"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		DNSNames: dns, IPAddresses: ips, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	if uri != "" {
		u, _ := url.Parse(uri)
		tmpl.URIs = []*url.URL{u}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.cert, &key.PublicKey, p.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

const istioID = "spiffe://cluster.local/ns/monitoring/sa/otel-collector"

// istioServerConfig mimics a sidecar inbound: SPIFFE-only cert, client cert required.
func (p *pki) istioServerConfig(t *testing.T, maxVersion uint16) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{p.leaf(t, nil, nil, istioID)},
		ClientAuth:   tls.RequireAndVerifyClientCert, ClientCAs: p.pool, MaxVersion: maxVersion,
	}
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

var quiet = log.New(io.Discard, "", 0)

func hello(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") }

func startHTTP1(t *testing.T) string {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hello))
	srv.Config.ErrorLog = quiet
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

func startTLS(t *testing.T, cfg *tls.Config) string {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(hello))
	srv.TLS, srv.Config.ErrorLog = cfg, quiet // probes hang up on purpose
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// traceSink is a real OTLP trace receiver that keeps what it got.
type traceSink struct {
	coltracepb.UnimplementedTraceServiceServer
	got chan *coltracepb.ExportTraceServiceRequest
}

func newSink() *traceSink {
	return &traceSink{got: make(chan *coltracepb.ExportTraceServiceRequest, 16)}
}

func (s *traceSink) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	s.keep(req)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// keep records non-empty requests; the plain probe's empty Export is not a span.
func (s *traceSink) keep(req *coltracepb.ExportTraceServiceRequest) {
	if len(req.ResourceSpans) > 0 {
		s.got <- req
	}
}

// startGRPC serves gRPC on h2c (or TLS when opts say so); sink nil means no OTLP service.
func startGRPC(t *testing.T, sink *traceSink, opts ...grpc.ServerOption) string {
	ln := listen(t)
	srv := grpc.NewServer(opts...)
	if sink != nil {
		coltracepb.RegisterTraceServiceServer(srv, sink)
	}
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// startOTLPHTTP is an OTLP/HTTP protobuf receiver on POST /v1/traces.
func startOTLPHTTP(t *testing.T, sink *traceSink) string {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(body, req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sink.keep(req)
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.Write(out)
	})
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ErrorLog = quiet
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// startSniff mimics a sidecar inbound: TLS goes to cfg; plaintext is answered
// (PERMISSIVE) or reset because no filter chain matches (STRICT).
func startSniff(t *testing.T, cfg *tls.Config, plaintextOK bool) string {
	ln := listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go sniffConn(c, cfg, plaintextOK)
		}
	}()
	return ln.Addr().String()
}

type peeked struct {
	net.Conn
	r *bufio.Reader
}

func (p peeked) Read(b []byte) (int, error) { return p.r.Read(b) }

func sniffConn(c net.Conn, cfg *tls.Config, plaintextOK bool) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	if err != nil {
		return
	}
	var conn net.Conn = peeked{c, br}
	switch {
	case first[0] == 0x16:
		tc := tls.Server(conn, cfg)
		if tc.Handshake() != nil {
			return
		}
		conn = tc
	case !plaintextOK:
		c.(*net.TCPConn).SetLinger(0) // close with RST, as Envoy does
		return
	}
	answerOne(conn)
}

// answerOne reads one request head and answers 200.
func answerOne(c net.Conn) {
	br := bufio.NewReader(c)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		if line == "\r\n" {
			break
		}
	}
	io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
}

// startSilent accepts connections and never says a word.
func startSilent(t *testing.T) string {
	ln := listen(t)
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { <-done; c.Close() }()
		}
	}()
	return ln.Addr().String()
}
