package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/meshdoctor/meshdoctor/category"
)

func remote(code uint8) error { return &net.OpError{Op: "remote error", Err: tls.AlertError(code)} }

func TestClassify(t *testing.T) {
	cases := []struct {
		err  error
		want category.Category
	}{
		{nil, ""},
		{fmt.Errorf("dial: %w", context.DeadlineExceeded), category.Timeout},
		{&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, category.ConnectionRefused},
		{tls.RecordHeaderError{Msg: "tls: first record does not look like a TLS handshake"}, category.TLSToPlaintext},
		{x509.HostnameError{Certificate: &x509.Certificate{}, Host: "a"}, category.NameMismatch},
		{&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, category.UntrustedCertificate},
		{remote(116), category.ClientCertificateRequired},
		{remote(48), category.ClientCertificateRequired},
		{remote(70), category.ProtocolVersion},
		{remote(40), category.ProtocolVersion}, // no cert was requested, so it is a negotiation failure
		{remote(80), category.Other},
		{withCategory(category.NoRoute, io.EOF), category.NoRoute},
		{&negative{"no h2c"}, ""},
		{errors.New(`rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: first record does not look like a TLS handshake"`), category.TLSToPlaintext},
		{errors.New("tls: failed to verify certificate: x509: certificate is valid for a.test, not b.test"), category.NameMismatch},
		{errors.New("upstream connect error ... TLS error: 268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER"), category.TLSToPlaintext},
		{errors.New("rpc error: code = Unavailable desc = no healthy upstream"), category.NoRoute},
		{errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "\x15\x03\x01\x00\x02\x02P"`), category.PlaintextToTLS},
		{errors.New("something else"), category.Other},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
	if got := alertCategory(40, true); got != category.ClientCertificateRequired {
		t.Errorf("handshake_failure after an unmet CertificateRequest = %q", got)
	}
}

func TestClosedEarly(t *testing.T) {
	for _, err := range []error{io.EOF, &net.OpError{Op: "read", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
		errors.New(`connection error: desc = "error reading server preface: EOF"`)} {
		if !ClosedEarly(err) {
			t.Errorf("ClosedEarly(%v) = false", err)
		}
	}
	if ClosedEarly(context.DeadlineExceeded) || ClosedEarly(nil) {
		t.Error("a timeout is not a hang-up")
	}
}

func TestParseTarget(t *testing.T) {
	good := map[string]Target{
		"otel-collector.monitoring:4317":        {Address: "otel-collector.monitoring:4317", Host: "otel-collector.monitoring"},
		"http://otel-collector.monitoring:4317": {Scheme: "http", Address: "otel-collector.monitoring:4317", Host: "otel-collector.monitoring"},
		"https://collector":                     {Scheme: "https", Address: "collector:443", Host: "collector"},
		"http://[::1]:4318/custom/v1/traces":    {Scheme: "http", Address: "[::1]:4318", Host: "::1", Path: "/custom/v1/traces"},
	}
	for in, want := range good {
		got, err := ParseTarget(in)
		want.Raw = in
		if err != nil || got != want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"collector", "ftp://c:21", "http://:80", ":4317", "http://%zz"} {
		if _, err := ParseTarget(in); err == nil {
			t.Errorf("ParseTarget(%q) accepted", in)
		}
	}
}
