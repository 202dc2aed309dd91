package lab

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// env is one exchange's world: every listener and connection it opens is
// tracked so that close() can end them all, and every goroutine it starts
// is waited for, so nothing outlives the exchange.
type env struct {
	timeout time.Duration
	mu      sync.Mutex
	events  []string
	closers []io.Closer
	closed  bool
	wg      sync.WaitGroup
}

func newEnv(timeout time.Duration) *env { return &env{timeout: timeout} }

// logf records what one hop did, in order; the report prints it as "wire".
func (e *env) logf(who, format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.events = append(e.events, who+": "+fmt.Sprintf(format, args...))
}

func (e *env) wire() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.events...)
}

// track registers c to be closed at the end; after close() it closes c at once.
func (e *env) track(c io.Closer) {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		_ = c.Close()
		return
	}
	e.closers = append(e.closers, c)
	e.mu.Unlock()
}

// listen opens a loopback listener on an ephemeral port.
func (e *env) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	e.track(ln)
	return ln, nil
}

// goRun starts f as a tracked goroutine.
func (e *env) goRun(f func()) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		f()
	}()
}

// serve accepts on ln until it is closed; each connection gets the
// exchange deadline so that no handler can outlive it.
func (e *env) serve(ln net.Listener, handle func(net.Conn)) {
	e.goRun(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			e.track(c)
			_ = c.SetDeadline(time.Now().Add(e.timeout))
			e.goRun(func() { handle(c) })
		}
	})
}

// close ends every listener and connection, then waits for the goroutines.
func (e *env) close() {
	e.mu.Lock()
	e.closed = true
	cs := e.closers
	e.closers = nil
	e.mu.Unlock()
	for i := len(cs) - 1; i >= 0; i-- {
		_ = cs[i].Close()
	}
	e.wg.Wait()
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// peekedConn replays what a listener filter peeked before the rest of the stream.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// opaqueConn hides a *tls.Conn from net/http, which must treat the
// sidecar's already-secured upstream as a plain byte stream.
type opaqueConn struct{ net.Conn }

// reset closes with SO_LINGER 0 so the peer gets an RST, as Envoy does
// when no filter chain matches.
func reset(c net.Conn) {
	if pc, ok := c.(*peekedConn); ok {
		c = pc.Conn
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}

// pipe copies both ways until either side ends, then closes both.
func (e *env) pipe(a, b net.Conn) {
	done := make(chan struct{}, 2)
	cp := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	e.goRun(func() { cp(a, b) })
	e.goRun(func() { cp(b, a) })
	<-done
	_ = a.Close()
	_ = b.Close()
	<-done
}
