package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// serverSidecar emulates the inbound side of an Istio sidecar for one port
// (§4.3): the TLS inspector's decision, the filter chain it selects, mTLS
// termination against the mesh CA, then raw TCP to the app.
type serverSidecar struct {
	env   *env
	mode  mesh.Mode
	proto mesh.Protocol
	app   string
	tls   *tls.Config
	// terminated counts connections on which istio mTLS was terminated.
	terminated atomic.Int32
}

const whoServer = "server sidecar"

func startServerSidecar(e *env, mode mesh.Mode, proto mesh.Protocol, app string, cert tls.Certificate, meshRoots *x509.CertPool) (*serverSidecar, string, error) {
	s := &serverSidecar{env: e, mode: mode, proto: proto, app: app, tls: &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert, // utils.BuildInboundTLS: the mesh root must sign the peer
		ClientCAs:    meshRoots,
		MinVersion:   tls.VersionTLS12,
	}}
	ln, err := e.listen()
	if err != nil {
		return nil, "", err
	}
	e.serve(ln, s.handle)
	return s, ln.Addr().String(), nil
}

// hello is what the TLS inspector learns from the first bytes.
type hello struct {
	tls  bool
	alpn []string
}

func (h hello) istio() bool {
	for _, p := range h.alpn {
		if strings.HasPrefix(p, "istio") {
			return true
		}
	}
	return false
}

func (s *serverSidecar) handle(raw net.Conn) {
	br := bufio.NewReaderSize(raw, 20<<10)
	c := &peekedConn{Conn: raw, r: br}
	h, err := inspect(br)
	if err != nil {
		s.env.logf(whoServer, "closed before the listener filters could decide: %v", err)
		_ = raw.Close()
		return
	}
	switch s.mode {
	case mesh.Strict:
		if !h.tls {
			s.env.logf(whoServer, "STRICT: plaintext bytes match no filter chain (NR filter_chain_not_found): reset")
			reset(c)
			return
		}
		s.terminate(c, h)
	case mesh.Permissive:
		switch {
		case h.istio():
			s.terminate(c, h)
		case h.tls && s.proto == mesh.ProtoHTTP:
			s.env.logf(whoServer, "PERMISSIVE: TLS with ALPN %q (not istio) on an HTTP-declared port matches no filter chain: reset", h.alpn)
			reset(c)
		case h.tls:
			s.env.logf(whoServer, "PERMISSIVE: TLS with ALPN %q (not istio) on a %s port: forwarded as opaque TCP to the app", h.alpn, s.proto)
			s.forward(c)
		default:
			s.env.logf(whoServer, "PERMISSIVE: plaintext: forwarded to the app")
			s.forward(c)
		}
	default: // DISABLE: no TLS inspector, raw_buffer chains only
		if h.tls && s.proto == mesh.ProtoHTTP {
			// The HTTP connection manager's codec cannot parse a ClientHello;
			// Envoy answers an HTTP/1 codec error with a local 400 and closes.
			s.env.logf(whoServer, "DISABLE: TLS bytes reached the plaintext HTTP chain: codec error, local reply 400")
			_, _ = io.WriteString(c, "HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\ncontent-type: text/plain\r\nconnection: close\r\nserver: envoy\r\n\r\nBad Request")
			_ = c.Close()
			return
		}
		s.env.logf(whoServer, "DISABLE: bytes forwarded as they came (tls=%t)", h.tls)
		s.forward(c)
	}
}

// terminate runs the inbound mTLS handshake, then forwards the cleartext.
func (s *serverSidecar) terminate(c net.Conn, h hello) {
	tc := tls.Server(c, s.tls)
	ctx, cancel := context.WithTimeout(context.Background(), s.env.timeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		s.env.logf(whoServer, "%s: TLS (ALPN %q) handshake failed: %v", s.mode, h.alpn, err)
		_ = c.Close()
		return
	}
	peer := "no certificate"
	if pcs := tc.ConnectionState().PeerCertificates; len(pcs) > 0 && len(pcs[0].URIs) > 0 {
		peer = pcs[0].URIs[0].String()
	}
	s.terminated.Add(1)
	s.env.logf(whoServer, "%s: istio mTLS terminated (peer %s, ALPN offered %q): forwarding to the app", s.mode, peer, h.alpn)
	s.forward(tc)
}

func (s *serverSidecar) forward(c net.Conn) {
	d := net.Dialer{Timeout: s.env.timeout}
	up, err := d.Dial("tcp", s.app)
	if err != nil {
		s.env.logf(whoServer, "cannot reach the app: %v", err)
		reset(c)
		return
	}
	s.env.track(up)
	_ = up.SetDeadline(time.Now().Add(s.env.timeout))
	s.env.pipe(c, up)
}

// inspect plays Envoy's tls_inspector: a TLS handshake record is read whole
// so the ClientHello's ALPN can be read; anything else is plaintext.
func inspect(br *bufio.Reader) (hello, error) {
	head, err := br.Peek(5)
	if err != nil {
		return hello{}, err
	}
	if head[0] != 0x16 || head[1] != 3 {
		return hello{}, nil
	}
	n := int(head[3])<<8 | int(head[4])
	rec, err := br.Peek(5 + n)
	if err != nil {
		return hello{tls: true}, nil
	}
	return hello{tls: true, alpn: clientHelloALPN(rec)}, nil
}

var errSeen = errors.New("client hello read")

// clientHelloALPN lets crypto/tls parse the recorded ClientHello: the
// handshake stops in GetConfigForClient, after the offer is known.
func clientHelloALPN(rec []byte) []string {
	var protos []string
	cfg := &tls.Config{GetConfigForClient: func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		protos = h.SupportedProtos
		return nil, errSeen
	}}
	_ = tls.Server(&replayConn{r: bytes.NewReader(rec)}, cfg).Handshake()
	return protos
}

// replayConn reads recorded bytes and swallows writes.
type replayConn struct{ r io.Reader }

func (c *replayConn) Read(b []byte) (int, error)       { return c.r.Read(b) }
func (c *replayConn) Write(b []byte) (int, error)      { return len(b), nil }
func (c *replayConn) Close() error                     { return nil }
func (c *replayConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c *replayConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c *replayConn) SetDeadline(time.Time) error      { return nil }
func (c *replayConn) SetReadDeadline(time.Time) error  { return nil }
func (c *replayConn) SetWriteDeadline(time.Time) error { return nil }
