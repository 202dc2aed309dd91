package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/meshdoctor/meshdoctor/category"
)

// categorized lets a step state the category it already knows from context.
type categorized struct {
	cat category.Category
	err error
}

func (c *categorized) Error() string { return c.err.Error() }
func (c *categorized) Unwrap() error { return c.err }

func withCategory(cat category.Category, err error) error {
	return &categorized{cat: cat, err: err}
}

// negative is an answer that is not a failure: the port simply does not speak it.
type negative struct{ msg string }

func (n *negative) Error() string { return n.msg }

// Classify maps an error to a failure category; typed errors first, then
// the well-known texts that survive gRPC and HTTP error wrapping.
func Classify(err error) category.Category {
	if err == nil {
		return ""
	}
	if c, ok := errors.AsType[*categorized](err); ok {
		return c.cat
	}
	if _, ok := errors.AsType[*negative](err); ok {
		return ""
	}
	if cat := classifyTyped(err); cat != "" {
		return cat
	}
	return classifyText(err.Error())
}

func classifyTyped(err error) category.Category {
	if errors.Is(err, context.DeadlineExceeded) {
		return category.Timeout
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return category.Timeout
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return category.ConnectionRefused
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return category.Other
	}
	if _, ok := errors.AsType[tls.RecordHeaderError](err); ok {
		return category.TLSToPlaintext
	}
	if _, ok := errors.AsType[x509.HostnameError](err); ok {
		return category.NameMismatch
	}
	if _, ok := errors.AsType[x509.UnknownAuthorityError](err); ok {
		return category.UntrustedCertificate
	}
	if _, ok := errors.AsType[x509.CertificateInvalidError](err); ok {
		return category.UntrustedCertificate
	}
	if code, ok := RemoteAlert(err); ok {
		return alertCategory(code, false)
	}
	return ""
}

// RemoteAlert extracts the TLS alert the peer sent; crypto/tls reports it as
// a net.OpError "remote error" around an unexported alert type whose text is
// tls.AlertError's.
func RemoteAlert(err error) (uint8, bool) {
	op, ok := errors.AsType[*net.OpError](err)
	if !ok || op.Op != "remote error" || op.Err == nil {
		return 0, false
	}
	text := op.Err.Error()
	for code := 0; code < 256; code++ {
		if tls.AlertError(code).Error() == text {
			return uint8(code), true
		}
	}
	return 0, false
}

// alertCategory: certRequestedUnsent says the server asked for a client
// certificate we did not have, which turns handshake_failure into a cert problem.
func alertCategory(code uint8, certRequestedUnsent bool) category.Category {
	switch code {
	case 116, 42, 43, 44, 45, 46, 48, 49: // certificate_required, bad/unsupported/revoked/expired/unknown cert, unknown_ca, access_denied
		return category.ClientCertificateRequired
	case 40: // handshake_failure
		if certRequestedUnsent {
			return category.ClientCertificateRequired
		}
		return category.ProtocolVersion
	case 70, 71: // protocol_version, insufficient_security
		return category.ProtocolVersion
	}
	return category.Other
}

// textRules are checked in order; name checks precede generic verify failures.
var textRules = []struct {
	needle string
	cat    category.Category
}{
	{"first record does not look like a TLS handshake", category.TLSToPlaintext},
	{"WRONG_VERSION_NUMBER", category.TLSToPlaintext},
	{"server gave HTTP response to HTTPS client", category.TLSToPlaintext},
	{"certificate is valid for", category.NameMismatch},
	{"certificate is not valid for any names", category.NameMismatch},
	{"doesn't contain any IP SANs", category.NameMismatch},
	{"certificate signed by unknown authority", category.UntrustedCertificate},
	{"CERTIFICATE_VERIFY_FAILED", category.UntrustedCertificate},
	{"failed to verify certificate", category.UntrustedCertificate},
	{"tls: certificate required", category.ClientCertificateRequired},
	{"tls: bad certificate", category.ClientCertificateRequired},
	{"tls: unknown certificate authority", category.ClientCertificateRequired},
	{"protocol version not supported", category.ProtocolVersion},
	{"unsupported protocol version", category.ProtocolVersion},
	{"no cipher suite supported", category.ProtocolVersion},
	{"connection refused", category.ConnectionRefused},
	{"no healthy upstream", category.NoRoute},
	{"deadline exceeded", category.Timeout},
	{"i/o timeout", category.Timeout},
	{`\x15\x03`, category.PlaintextToTLS}, // a TLS alert record quoted by net/http as a "malformed HTTP response"
}

func classifyText(s string) category.Category {
	for _, r := range textRules {
		if strings.Contains(s, r.needle) {
			return r.cat
		}
	}
	return category.Other
}

// ClosedEarly reports a peer that hung up or reset instead of answering.
func ClosedEarly(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	s := err.Error()
	for _, n := range []string{"connection reset by peer", "broken pipe", "EOF", "error reading server preface", "connection closed"} {
		if strings.Contains(s, n) {
			return true
		}
	}
	return false
}
