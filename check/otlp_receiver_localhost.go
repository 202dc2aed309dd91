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
				p.ReportRelated(c.Ref, collectorRefs(c), msg+". Set endpoint: ${env:MY_POD_IP}:"+fmt.Sprint(r.Port)+" or 0.0.0.0:"+fmt.Sprint(r.Port))
			}
		}
	},
}
