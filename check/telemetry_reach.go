package check

import (
	"fmt"
	"strings"
)

// OTLPReceiverLocalhost: a collector that others send to listens on localhost only.
var OTLPReceiverLocalhost = &Check{
	Code:     "MD0702",
	Name:     "otlp-receiver-localhost",
	Severity: Error,
	Doc: `a collector's OTLP receiver listens on localhost, so other pods cannot reach it

Since collector v0.104.0 the component.UseLocalHostAsDefaultHost feature gate is on (beta;
stable from about v0.110): an OTLP receiver without an endpoint binds localhost:4317/4318.
A Deployment or DaemonSet collector needs 0.0.0.0 or ${env:MY_POD_IP} (the Helm chart's
choice); even with an Istio sidecar, inbound traffic is delivered to the pod IP, not to
127.0.0.1. A sidecar-mode collector is meant to listen on localhost and is not reported.`,
	Run: func(p *Pass) {
		m := telemetryModel(p)
		for _, c := range m.Collectors {
			if c.Sidecar || c.Err != nil {
				continue
			}
			for _, r := range c.Receivers {
				if r.Bind != "localhost" {
					continue
				}
				var who []string
				for _, l := range m.Links {
					for _, h := range l.Hops {
						if h.Receiver != nil && h.Collector == c && h.Receiver.Port == r.Port && h.Receiver.Protocol == r.Protocol {
							who = append(who, fmt.Sprintf("%s/%s", l.Sender.Workload.Namespace, l.Sender.Workload.Name))
						}
					}
				}
				msg := fmt.Sprintf("receiver %s of %s listens on %s only: unreachable from other pods (connection refused)", r, c, r.Endpoint)
				if r.Defaulted {
					msg += "; the endpoint is not set and " + r.Because
				}
				if len(who) > 0 {
					msg += "; senders: " + strings.Join(who, ", ")
				}
				p.Report(c.Ref, msg+". Set endpoint: ${env:MY_POD_IP}:"+fmt.Sprint(r.Port)+" or 0.0.0.0:"+fmt.Sprint(r.Port))
			}
		}
	},
}

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
				p.Report(senderRef(l), fmt.Sprintf("%s and %s (%s). %s", describeLink(l), what, h.Collector.ConfigFrom, because(l)))
			}
		}
	},
}

// OTLPEndpointNoService: an exporter endpoint names no Service or no port of it.
var OTLPEndpointNoService = &Check{
	Code:     "MD0705",
	Name:     "otlp-endpoint-no-service",
	Severity: Warning,
	Doc: `an OTLP exporter endpoint names a Service, or a Service port, that is not in the inputs

The export fails with a DNS error (UNAVAILABLE "name resolver error" / UnknownHostException)
or connection refused, unless the Service exists outside the inputs.`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			if l.Local || l.Problem == "" || strings.Contains(l.Problem, "not modelled") {
				continue
			}
			p.Report(senderRef(l), fmt.Sprintf("%s: %s. %s", describeLink(l), l.Problem, because(l)))
		}
	},
}

// OTLPNoReachableEndpoint: an exporter is on but dials localhost where nothing listens.
var OTLPNoReachableEndpoint = &Check{
	Code:     "MD0707",
	Name:     "otlp-exporter-no-endpoint",
	Severity: Warning,
	Doc: `an OTLP exporter is on but dials localhost, where no collector runs in the pod

With no endpoint set the SDK uses its default, http://localhost:4318 (http/protobuf) or
http://localhost:4317 (grpc), which only works with a collector container or an Operator
sidecar (sidecar.opentelemetry.io/inject) in the pod. Set the endpoint, inject a collector,
or switch the signal off (OTEL_<SIGNAL>_EXPORTER=none / OTEL_SDK_DISABLED=true).`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			if !l.Local || l.Sender.LocalCollector != nil {
				continue
			}
			how := "the endpoint is set to localhost"
			if l.Exports[0].Default {
				how = "no endpoint is set, so the default applies"
			}
			p.Report(senderRef(l), fmt.Sprintf("%s: %s and nothing in the pod listens there (connection refused). %s", describeLink(l), how, because(l)))
		}
	},
}
