package check

import "fmt"

// OTLPTLSMismatch: https:// to a plaintext receiver, or plaintext to a TLS receiver.
var OTLPTLSMismatch = &Check{
	Code:     "MD0704",
	Name:     "otlp-tls-mismatch",
	Severity: Error,
	Doc: `an exporter's TLS does not match the receiver's: https:// to a plaintext receiver, or plaintext to one with tls

The scheme decides (https:// is TLS; for gRPC without a scheme, OTEL_EXPORTER_OTLP_INSECURE,
default false, or the collector exporter's tls.insecure). A receiver terminates TLS only
when its protocol block has a tls: section. Istio mTLS between sidecars does not change
what the application itself sends or expects.`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			for _, h := range l.Hops {
				r := h.Receiver
				if r == nil || r.TLS == l.TLS() {
					continue
				}
				what := "originates TLS (https:// or a secure gRPC channel) but receiver " + r.String() + " has no tls block: the handshake reads plaintext (WRONG_VERSION_NUMBER / \"first record does not look like a TLS handshake\")"
				if !l.TLS() {
					what = "sends plaintext but receiver " + r.String() + " has a tls block: \"Client sent an HTTP request to an HTTPS server\" (HTTP) / UNAVAILABLE \"connection closed before server preface received\" (gRPC)"
				}
				reportSender(p, l, fmt.Sprintf("%s and %s (%s). %s", describeLink(l), what, h.Collector.ConfigFrom, because(l)))
			}
		}
	},
}
