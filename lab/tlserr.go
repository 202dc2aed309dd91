package lab

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/probe"
)

// BoringSSL reason codes as Envoy prints them: "TLS_error:|<packed>:SSL
// routines:OPENSSL_internal:<NAME>:TLS_error_end", where packed is
// ERR_PACK(ERR_LIB_SSL=16, reason) = 16<<24 + reason. A TLS alert received
// from the peer is reason 1000 + the alert number (SSL_AD_REASON_OFFSET).
//
// The mapping from Go's crypto/tls errors, i.e. what BoringSSL would have
// reported in the same situation:
//
//	tls.RecordHeaderError (peer answered non-TLS bytes) → WRONG_VERSION_NUMBER (247)
//	x509 / CertificateVerificationError (chain or SAN)  → CERTIFICATE_VERIFY_FAILED (125)
//	remote alert N ("remote error: tls: ...")           → the alert's SSLV3_/TLSV1_ALERT_* name (1000+N)
//	EOF or reset during the handshake                   → no TLS reason (SSL_ERROR_SYSCALL, empty queue)
const (
	reasonWrongVersion = 247
	reasonVerifyFailed = 125
)

var alertReasons = map[uint8]string{
	10: "SSLV3_ALERT_UNEXPECTED_MESSAGE", 20: "SSLV3_ALERT_BAD_RECORD_MAC",
	40: "SSLV3_ALERT_HANDSHAKE_FAILURE", 42: "SSLV3_ALERT_BAD_CERTIFICATE",
	43: "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE", 44: "SSLV3_ALERT_CERTIFICATE_REVOKED",
	45: "SSLV3_ALERT_CERTIFICATE_EXPIRED", 46: "SSLV3_ALERT_CERTIFICATE_UNKNOWN",
	47: "SSLV3_ALERT_ILLEGAL_PARAMETER", 48: "TLSV1_ALERT_UNKNOWN_CA",
	49: "TLSV1_ALERT_ACCESS_DENIED", 50: "TLSV1_ALERT_DECODE_ERROR",
	51: "TLSV1_ALERT_DECRYPT_ERROR", 70: "TLSV1_ALERT_PROTOCOL_VERSION",
	71: "TLSV1_ALERT_INSUFFICIENT_SECURITY", 80: "TLSV1_ALERT_INTERNAL_ERROR",
	116: "TLSV1_ALERT_CERTIFICATE_REQUIRED", 120: "TLSV1_ALERT_NO_APPLICATION_PROTOCOL",
}

func tlsError(reason int, name string) string {
	return fmt.Sprintf("TLS_error:|%d:SSL routines:OPENSSL_internal:%s:TLS_error_end", 16<<24+reason, name)
}

// BoringReason is the Envoy transport failure reason for a Go TLS error,
// or "" when the failure is not one BoringSSL would name.
func BoringReason(err error) string {
	if err == nil {
		return ""
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return tlsError(reasonWrongVersion, "WRONG_VERSION_NUMBER")
	}
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return tlsError(reasonVerifyFailed, "CERTIFICATE_VERIFY_FAILED")
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return tlsError(reasonVerifyFailed, "CERTIFICATE_VERIFY_FAILED")
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return tlsError(reasonVerifyFailed, "CERTIFICATE_VERIFY_FAILED")
	}
	if code, ok := remoteAlert(err); ok {
		if name, known := alertReasons[code]; known {
			return tlsError(1000+int(code), name)
		}
		return tlsError(1000+int(code), fmt.Sprintf("TLSV1_ALERT_%d", code))
	}
	return ""
}

// remoteAlert extracts an alert the peer sent: a bare tls.AlertError, or
// the "remote error" probe.RemoteAlert reads.
func remoteAlert(err error) (uint8, bool) {
	if a, ok := errors.AsType[tls.AlertError](err); ok {
		return uint8(a), true
	}
	return probe.RemoteAlert(err)
}

// upstreamFailure is why the emulated client sidecar could not get an
// answer from upstream, in the terms of Envoy's router local reply.
type upstreamFailure struct {
	retried   bool
	reset     string // Envoy reset reason (Http::Utility::resetReasonToString)
	transport string // transport failure reason, "" when none
	err       error  // the Go error behind it
	sent      string // what the sidecar sent upstream (plaintext, istio-mtls, ...)
}

func (f *upstreamFailure) Error() string { return f.body() }
func (f *upstreamFailure) Unwrap() error { return f.err }

// body is Envoy's router.cc text for a reset before response headers.
func (f *upstreamFailure) body() string {
	b := "upstream connect error or disconnect/reset before headers. "
	if f.retried {
		b += "retried and the latest "
	}
	b += "reset reason: " + f.reset
	if f.transport != "" {
		b += ", transport failure reason: " + f.transport
	}
	return b
}

// connectFailure maps a failed TCP connect or TLS handshake (Envoy: pool
// failure; retried under Istio's default retry_on connect-failure).
func connectFailure(err error, sent string) *upstreamFailure {
	f := &upstreamFailure{err: err, sent: sent, reset: "remote connection failure"}
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		f.transport = "delayed connect error: 111"
	case errors.As(err, &ne) && ne.Timeout():
		f.reset = "connection timeout"
	default:
		f.transport = BoringReason(err)
	}
	return f
}

// category is what the lab knows happened upstream: crypto/tls's typed
// errors say it (probe.Classify); a peer that hung up on plaintext is a
// TLS-only listener refusing it.
func (f *upstreamFailure) category() category.Category {
	if f.sent == "plaintext" && probe.ClosedEarly(f.err) {
		return category.PlaintextToTLS
	}
	return probe.Classify(f.err)
}

// grpcMessage percent-encodes a grpc-message header value (gRPC HTTP/2 spec).
func grpcMessage(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
