// Package category holds the closed set of failure categories shared by
// explain (log lines), probe (live handshakes) and verdicts (the model).
// The set is part of the public contract: add, never rename.
package category

// Category names the direction or kind of a connection failure.
type Category string

const (
	// TLSToPlaintext: the client spoke TLS and the server answered plaintext
	// (e.g. WRONG_VERSION_NUMBER written by the TLS client).
	TLSToPlaintext Category = "tls-to-plaintext"
	// PlaintextToTLS: the client spoke plaintext to a port that expects TLS
	// (e.g. a bare client to a STRICT sidecar: connection reset).
	PlaintextToTLS Category = "plaintext-to-tls"
	// UntrustedCertificate: the peer's certificate chain did not verify.
	UntrustedCertificate Category = "untrusted-certificate"
	// ClientCertificateRequired: the server demanded a client certificate
	// that the client did not present (or presented one it rejected).
	ClientCertificateRequired Category = "client-certificate-required"
	// NameMismatch: the certificate is valid but not for the name dialled.
	NameMismatch Category = "name-mismatch"
	// ProtocolVersion: no common TLS version or cipher.
	ProtocolVersion Category = "protocol-version"
	// ConnectionRefused: nothing listens on the port.
	ConnectionRefused Category = "connection-refused"
	// NoRoute: the proxy had no route or no healthy upstream (NR, BlackHole).
	NoRoute Category = "no-route"
	// Timeout: a connect or request deadline passed.
	Timeout Category = "timeout"
	// Other: recognised, but none of the above.
	Other Category = "other"
)

// All lists every category in documentation order.
var All = []Category{
	TLSToPlaintext, PlaintextToTLS, UntrustedCertificate, ClientCertificateRequired,
	NameMismatch, ProtocolVersion, ConnectionRefused, NoRoute, Timeout, Other,
}

// Doc says in one line what each category means; README and --help use it.
var Doc = map[Category]string{
	TLSToPlaintext:            "the client spoke TLS and the server answered in plaintext",
	PlaintextToTLS:            "the client spoke plaintext to a port that requires TLS",
	UntrustedCertificate:      "the peer's certificate did not verify against the trusted roots",
	ClientCertificateRequired: "the server required a client certificate the client did not present or that it rejected",
	NameMismatch:              "the certificate does not name the host that was dialled",
	ProtocolVersion:           "the two ends share no TLS version or cipher suite",
	ConnectionRefused:         "nothing accepted the TCP connection",
	NoRoute:                   "the proxy had no route, cluster or healthy upstream for the destination",
	Timeout:                   "a connect or request deadline passed",
	Other:                     "recognised, but none of the categories above",
}
