package probe

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
)

// h2Preface is the HTTP/2 client connection preface followed by an empty SETTINGS frame.
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "\x00\x00\x00\x04\x00\x00\x00\x00\x00"

// isTLSAlert reports bytes that start a TLS alert or handshake record.
func isTLSRecord(b []byte) bool {
	return len(b) >= 2 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03
}

var errTLSRecord = withCategory(category.PlaintextToTLS, errors.New("answered with a TLS record"))

// http1Exchange sends a minimal GET and reads the status line.
func http1Exchange(c net.Conn, host string) (string, error) {
	req := "GET / HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: meshdoctor-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"
	if _, err := io.WriteString(c, req); err != nil {
		return "", err
	}
	br := bufio.NewReader(c)
	head, err := br.Peek(5)
	if isTLSRecord(head) {
		return "", errTLSRecord
	}
	if err != nil && len(head) == 0 {
		return "", err
	}
	if len(head) == 5 && head[3] == 0x4 && head[0] == 0 {
		return "", &negative{"not HTTP/1.x: answered an HTTP/2 SETTINGS frame"}
	}
	if !strings.HasPrefix(string(head), "HTTP/") {
		return "", &negative{fmt.Sprintf("not HTTP/1.x: answered %q", head)}
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	status := resp.Proto + " " + resp.Status
	if strings.Contains(string(body), "HTTP request to an HTTPS server") {
		return status, withCategory(category.PlaintextToTLS, errors.New(strings.TrimSpace(string(body))))
	}
	if s := resp.Header.Get("Server"); s != "" {
		status += " (server: " + s + ")"
	}
	return status, nil
}

// h2Exchange sends the prior-knowledge preface and reads the first frame header.
func h2Exchange(c net.Conn) (string, error) {
	if _, err := io.WriteString(c, h2Preface); err != nil {
		return "", err
	}
	var hdr [9]byte
	n, err := io.ReadFull(c, hdr[:])
	got := hdr[:n]
	switch {
	case isTLSRecord(got):
		return "", errTLSRecord
	case strings.HasPrefix(string(got), "HTTP/"):
		line, _ := bufio.NewReader(io.MultiReader(strings.NewReader(string(got)), c)).ReadString('\n')
		return "", &negative{"no HTTP/2 prior knowledge: answered " + strings.TrimSpace(line)}
	case err != nil:
		return "", err
	}
	// An HTTP/2 server's first frame is SETTINGS (or GOAWAY) on stream 0
	// (RFC 9113 §3.4); anything else is some other protocol answering.
	stream0 := hdr[5]&0x7f == 0 && hdr[6] == 0 && hdr[7] == 0 && hdr[8] == 0
	length := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
	switch {
	case hdr[3] == 0x4 && stream0 && length%6 == 0:
		return "SETTINGS frame received (HTTP/2)", nil
	case hdr[3] == 0x7 && stream0:
		return "GOAWAY frame received (HTTP/2)", nil
	}
	return "", &negative{fmt.Sprintf("no HTTP/2 prior knowledge: answered %q", printable(got))}
}

// printable keeps what a person can read of a peer's first bytes.
func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '.'
		}
		return r
	}, string(b))
}

// plaintextSteps tries HTTP/1.1, then h2c, then gRPC over h2c.
func (r *runner) plaintextSteps() {
	r.plainStep("http1", ProtoHTTP1, func(c net.Conn) (string, error) {
		return http1Exchange(c, r.opts.Target.Address)
	})
	if r.plainStep("h2c", ProtoH2C, h2Exchange).OK {
		r.grpcStep()
	}
}

func (r *runner) plainStep(name, proto string, f func(net.Conn) (string, error)) Step {
	s := r.do(name, func(ctx context.Context, s *Step) error {
		s.plaintext = true
		c, err := r.dial(ctx)
		if err != nil {
			return err
		}
		defer c.Close()
		d, err := f(c)
		s.Detail = d
		return err
	})
	if s.OK {
		r.rep.addProtocol(proto)
	}
	return s
}
