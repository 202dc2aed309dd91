package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/telemetry"
	corev1 "k8s.io/api/core/v1"
)

// OTLPPortProtocolHint: the Service port's Istio protocol hint does not fit the OTLP traffic.
var OTLPPortProtocolHint = &Check{
	Code:     "MD0706",
	Name:     "otlp-port-protocol-hint",
	Severity: Warning,
	Doc: `a collector Service port's Istio protocol (name prefix or appProtocol) does not fit the OTLP traffic on it

Where a sidecar handles the connection, Istio reads the port name prefix or appProtocol:
"http" makes Envoy forward HTTP/1.1 upstream, which breaks gRPC (use grpc-… or appProtocol:
grpc); an HTTP-declared port (http, http2, grpc) resets TLS the application originates
itself (no filter chain matches non-istio TLS there; declare tcp or tls). A port without a
hint is sniffed, which suits client-first OTLP, so it is not reported.`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			if l.ServicePort == nil {
				continue
			}
			hint := protocolHint(*l.ServicePort)
			clientSidecar := p.Model.Proxy(l.Sender.Workload).Kind == mesh.ProxySidecar
			for _, h := range l.Hops {
				if h.Receiver == nil {
					continue
				}
				serverSidecar := p.Model.Proxy(h.Backend).Kind == mesh.ProxySidecar
				where := fmt.Sprintf("Service %s port %s/%d (%s:%d)", l.Service.Key(), l.ServicePort.Name, l.Port, l.Service.Origin.File, l.Service.Origin.Line)
				switch {
				case l.Protocol() == telemetry.GRPC && (hint == "http" || hint == "kubernetes.io/http") && (clientSidecar || serverSidecar):
					p.Report(l.Service.Ref(), fmt.Sprintf("%s is declared %q (HTTP/1.1) but %s: Envoy forwards it upstream as HTTP/1.1 and the gRPC export fails (503 / UNAVAILABLE). Name the port grpc-… or set appProtocol: grpc", where, hint, describeLink(l)))
				case l.TLS() && h.Receiver.TLS && serverSidecar && mesh.PortProtocol(*l.ServicePort) == mesh.ProtoHTTP:
					p.Report(l.Service.Ref(), fmt.Sprintf("%s is declared %q but %s with its own TLS to receiver %s: the server sidecar has no filter chain for non-istio TLS on an HTTP port and resets. Declare the port tcp-…/tls-… (appProtocol: tls)", where, hint, describeLink(l), h.Receiver))
				}
			}
		}
	},
}

// protocolHint is the port's appProtocol, else its name prefix, lower case.
func protocolHint(p corev1.ServicePort) string {
	if p.AppProtocol != nil && *p.AppProtocol != "" {
		return strings.ToLower(*p.AppProtocol)
	}
	head, _, _ := strings.Cut(p.Name, "-")
	return strings.ToLower(head)
}

// telemetryModel is the model discovery built, or a fresh one.
func telemetryModel(p *Pass) *telemetry.Model {
	if p.Discovery.Telemetry != nil {
		return p.Discovery.Telemetry
	}
	return telemetry.Build(p.Model.Inv)
}

// describeLink is "<sender> sends <signals> over <protocol> to <url>".
func describeLink(l telemetry.Link) string {
	who := fmt.Sprintf("%s %s container %s (%s)", l.Sender.Workload.Kind, l.Sender.Workload.Key(), l.Sender.Container, l.Sender.SDK)
	if l.Sender.Collector != nil {
		who = l.Sender.Collector.String()
	}
	return fmt.Sprintf("%s sends %s over %s to %s", who, l.SignalList(), l.Protocol(), l.URL())
}
