// Package loopback holds helpers for tests that use real sockets on
// 127.0.0.1 (probe, explain, lab, cli).
package loopback

import (
	"net"
	"testing"
)

// ClosedAddr returns a loopback address nothing listens on: a port just
// released by the kernel.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
