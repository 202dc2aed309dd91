package lab

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/meshdoctor/meshdoctor/mesh"
)

const whoClient = "client sidecar"

// connectAttempts is Istio's default route retry policy: 2 retries on
// connect-failure, so 3 attempts before the local reply says "retried".
const connectAttempts = 3

// clientSidecar emulates the outbound side of an Istio sidecar: the app's
// plaintext HTTP/1.1 or h2c arrives (as iptables would redirect it), the
// sidecar opens its own upstream connection the way the cluster's transport
// socket says (istio mTLS, plaintext, DR SIMPLE or MUTUAL), and on an
// upstream failure answers its app like Envoy's router: 503, or for gRPC
// grpc-status 14 UNAVAILABLE, with the "upstream connect error" text.
type clientSidecar struct {
	env      *env
	sends    mesh.Sends
	upstream string
	tlsFor   func(h2 bool) *tls.Config // nil: plaintext upstream
	mu       sync.Mutex
	failure  *upstreamFailure // the last upstream failure, for the report
}

func startClientSidecar(e *env, sends mesh.Sends, upstream string, tlsFor func(bool) *tls.Config) (*clientSidecar, string, error) {
	cs := &clientSidecar{env: e, sends: sends, upstream: upstream, tlsFor: tlsFor}
	target := &url.URL{Scheme: "http", Host: upstream}
	rp := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target); r.Out.Host = r.In.Host },
		Transport:     cs,
		FlushInterval: -1,
		ErrorHandler:  cs.localReply,
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: e.timeout, Protocols: &http.Protocols{}}
	srv.Protocols.SetHTTP1(true)
	srv.Protocols.SetUnencryptedHTTP2(true) // gRPC apps speak h2c prior knowledge to the sidecar
	ln, err := e.listen()
	if err != nil {
		return nil, "", err
	}
	e.track(srv)
	e.goRun(func() { _ = srv.Serve(ln) })
	return cs, ln.Addr().String(), nil
}

func (cs *clientSidecar) lastFailure() *upstreamFailure {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.failure
}

// RoundTrip opens a fresh upstream connection per request (a lab exchange
// is one request) and speaks the app's HTTP version over it.
func (cs *clientSidecar) RoundTrip(req *http.Request) (*http.Response, error) {
	h2 := req.ProtoMajor == 2
	conn, fail := cs.connect(req.Context(), h2)
	if fail != nil {
		return nil, cs.record(fail)
	}
	tr := &http.Transport{
		DialContext:           onceDialer(conn),
		ResponseHeaderTimeout: cs.env.timeout,
		Protocols:             &http.Protocols{},
	}
	if h2 {
		tr.Protocols.SetUnencryptedHTTP2(true) // h2 prior knowledge over our own (maybe TLS) conn
	} else {
		tr.Protocols.SetHTTP1(true)
	}
	cs.env.track(closerFunc(func() error { tr.CloseIdleConnections(); return nil }))
	resp, err := tr.RoundTrip(req)
	if err != nil {
		cs.env.logf(whoClient, "upstream connection ended before response headers: %v", err)
		f := &upstreamFailure{reset: "connection termination", err: err, sent: string(cs.sends)}
		return nil, cs.record(f)
	}
	cs.env.logf(whoClient, "upstream answered %s", resp.Status)
	return resp, nil
}

func (cs *clientSidecar) record(f *upstreamFailure) error {
	cs.mu.Lock()
	cs.failure = f
	cs.mu.Unlock()
	return f
}

// connect dials and, for TLS modes, handshakes; connect failures are retried.
func (cs *clientSidecar) connect(ctx context.Context, h2 bool) (net.Conn, *upstreamFailure) {
	var fail *upstreamFailure
	for attempt := 1; attempt <= connectAttempts; attempt++ {
		d := net.Dialer{Timeout: cs.env.timeout}
		c, err := d.DialContext(ctx, "tcp", cs.upstream)
		if err != nil {
			cs.env.logf(whoClient, "attempt %d: connect: %v", attempt, err)
			fail = connectFailure(err, string(cs.sends))
			continue
		}
		cs.env.track(c)
		_ = c.SetDeadline(time.Now().Add(cs.env.timeout))
		if cs.tlsFor == nil {
			cs.env.logf(whoClient, "attempt %d: plaintext upstream connection open", attempt)
			return c, nil
		}
		cfg := cs.tlsFor(h2)
		tc := tls.Client(c, cfg)
		hctx, cancel := context.WithTimeout(ctx, cs.env.timeout)
		err = tc.HandshakeContext(hctx)
		cancel()
		if err == nil {
			st := tc.ConnectionState()
			cs.env.logf(whoClient, "attempt %d: %s handshake done (ALPN offered %q, %s)", attempt, cs.sends, cfg.NextProtos, tls.VersionName(st.Version))
			return opaqueConn{tc}, nil
		}
		_ = c.Close()
		fail = connectFailure(err, string(cs.sends))
		cs.env.logf(whoClient, "attempt %d: %s handshake failed: %v → %s", attempt, cs.sends, err, orNone(fail.transport))
		if errors.Is(err, context.Canceled) {
			break
		}
	}
	fail.retried = connectAttempts > 1
	return nil, fail
}

func orNone(s string) string {
	if s == "" {
		return "no TLS reason"
	}
	return s
}

// onceDialer hands out the already-open upstream connection exactly once.
func onceDialer(c net.Conn) func(context.Context, string, string) (net.Conn, error) {
	var mu sync.Mutex
	return func(context.Context, string, string) (net.Conn, error) {
		mu.Lock()
		defer mu.Unlock()
		if c == nil {
			return nil, errors.New("lab: upstream connection already used")
		}
		out := c
		c = nil
		return out, nil
	}
}

// localReply is Envoy's router local reply; for gRPC requests Envoy maps
// 503 to a trailers-only response with grpc-status 14 and the body as message.
func (cs *clientSidecar) localReply(w http.ResponseWriter, r *http.Request, err error) {
	f, ok := errors.AsType[*upstreamFailure](err)
	if !ok {
		f = &upstreamFailure{reset: "local reset", err: err, sent: string(cs.sends)}
	}
	body := f.body()
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/grpc") {
		cs.env.logf(whoClient, "local reply to the app: grpc-status 14 UNAVAILABLE, grpc-message %q", body)
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Grpc-Status", "14")
		w.Header().Set("Grpc-Message", grpcMessage(body))
		w.WriteHeader(http.StatusOK)
		return
	}
	cs.env.logf(whoClient, "local reply to the app: 503 %q", body)
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Server", "envoy")
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = w.Write([]byte(body))
}
