package explain

import (
	"bytes"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/category"
)

// explainString runs Explain on s and fails the test on a read error.
func explainString(t testing.TB, s string) *Report {
	t.Helper()
	rep, err := Explain(strings.NewReader(s))
	if err != nil {
		t.Fatalf("Explain: %v", err)
	}
	return rep
}

// wantDiagnosis checks that line yields exactly one diagnosis with the given
// decisive-or-contained signature, category and (if non-empty) emitter.
func wantDiagnosis(t *testing.T, src, line, id string, cat category.Category, emitter Emitter) Diagnosis {
	t.Helper()
	rep := explainString(t, line)
	if len(rep.Diagnoses) != 1 {
		t.Fatalf("%s: %d diagnoses for %q, want 1: %+v", src, len(rep.Diagnoses), line, rep.Diagnoses)
	}
	d := rep.Diagnoses[0]
	if !contains(d.Signatures, id) {
		t.Errorf("%s: signatures %v lack %s for %q", src, d.Signatures, id, line)
	}
	if d.Category != cat {
		t.Errorf("%s: category %s, want %s for %q (signatures %v)", src, d.Category, cat, line, d.Signatures)
	}
	if emitter != "" && d.Emitter != emitter {
		t.Errorf("%s: emitter %s, want %s for %q", src, d.Emitter, emitter, line)
	}
	return d
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// Loopback servers that misbehave the way mesh endpoints do.

// plaintextGreeter answers every connection with plaintext bytes at once,
// like a grpc-go server's SETTINGS frame or an HTTP/1 400: what a sidecar
// sees when it sends mTLS to a port without a sidecar.
func plaintextGreeter(t testing.TB) string {
	return serve(t, func(c net.Conn) {
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		io.Copy(io.Discard, c)
	})
}

// resetter reads the request and resets the connection (RST), like a STRICT
// sidecar that found no filter chain for plaintext.
func resetter(t testing.TB) string {
	return serve(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		c.Read(buf)
		c.(*net.TCPConn).SetLinger(0)
	})
}

// closer reads and closes without writing.
func closer(t testing.TB) string {
	return serve(t, func(c net.Conn) {
		buf := make([]byte, 1024)
		c.Read(buf)
	})
}

func serve(t testing.TB, h func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); h(c) }()
		}
	}()
	return ln.Addr().String()
}

// tlsServer starts an HTTPS server with httptest's self-signed certificate
// (valid for example.com and 127.0.0.1) and cfg's settings; the server's own
// error log goes to errs.
func tlsServer(t testing.TB, cfg *tls.Config, errs io.Writer) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	srv.TLS = cfg
	if errs == nil {
		errs = io.Discard
	}
	srv.Config.ErrorLog = log.New(errs, "", log.LstdFlags)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// syncBuf is a bytes.Buffer safe for a server goroutine to write while the
// test reads after the fact.
type syncBuf struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{} // gets a token after each write
}

func newSyncBuf() *syncBuf { return &syncBuf{wrote: make(chan struct{}, 1)} }

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	n, err := s.b.Write(p)
	s.mu.Unlock()
	select {
	case s.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor blocks until the log b contains a line with s (a server goroutine
// writes it after the client has already seen the failure) and returns it.
func waitFor(t *testing.T, b *syncBuf, s string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		for _, l := range strings.Split(b.String(), "\n") {
			if strings.Contains(l, s) {
				return l
			}
		}
		select {
		case <-b.wrote:
		case <-timeout:
			t.Fatalf("server never logged %q; log: %q", s, b.String())
		}
	}
}
