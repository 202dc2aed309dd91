package check

import (
	"fmt"
	"strings"
)

// OTLPProtocolNotEnabled: the Service port reaches a collector port with no OTLP receiver.
var OTLPProtocolNotEnabled = &Check{
	Code:     "MD0703",
	Name:     "otlp-protocol-not-enabled",
	Severity: Error,
	Doc: `an exporter's Service port reaches a collector container port where no OTLP receiver listens

receivers.otlp.protocols must list the protocol (grpc: or http:) and its endpoint must use the
target port; otherwise the connection is refused (gRPC UNAVAILABLE "connection refused").`,
	Run: func(p *Pass) {
		for _, l := range telemetryModel(p).Links {
			for _, h := range l.Hops {
				c := h.Collector
				if c == nil || c.Sidecar || c.Err != nil || h.Receiver != nil || h.Err != nil {
					continue
				}
				var have []string
				for _, r := range c.Receivers {
					have = append(have, r.String())
				}
				if len(have) == 0 {
					have = []string{"none"}
				}
				reportSender(p, l, fmt.Sprintf("%s; Service %s port %d targets port %d of %s, where no OTLP receiver listens (receivers: %s; config %s): connection refused. %s",
					describeLink(l), l.Service.Key(), l.Port, h.TargetPort, c, strings.Join(have, ", "), c.ConfigFrom, because(l)))
			}
		}
	},
}
