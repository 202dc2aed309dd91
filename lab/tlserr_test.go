package lab

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
)

func TestBoringReason(t *testing.T) {
	alert := &net.OpError{Op: "remote error", Err: errors.New(tls.AlertError(116).Error())}
	cases := []struct {
		err  error
		want string
	}{
		{tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, "268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER"},
		{&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, "268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED"},
		{fmt.Errorf("wrapped: %w", alert), "268436572:SSL routines:OPENSSL_internal:TLSV1_ALERT_CERTIFICATE_REQUIRED"},
		{&net.OpError{Op: "remote error", Err: errors.New(tls.AlertError(40).Error())}, "268436496:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE"},
		{io.EOF, ""},
	}
	for _, c := range cases {
		got := BoringReason(c.err)
		if c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%v → %q, want %q", c.err, got, c.want)
		}
	}
}

func TestEnvoyBody(t *testing.T) {
	f := connectFailure(tls.RecordHeaderError{}, "istio-mtls")
	f.retried = true
	want := "upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end"
	if f.body() != want {
		t.Errorf("body\n%s\nwant\n%s", f.body(), want)
	}
	if got := connectFailure(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, "plaintext").body(); !strings.HasSuffix(got, "delayed connect error: 111") {
		t.Errorf("refused: %s", got)
	}
	if got := grpcMessage("a%b\né"); got != "a%25b%0A%C3%A9" {
		t.Errorf("grpc-message %q", got)
	}
}
