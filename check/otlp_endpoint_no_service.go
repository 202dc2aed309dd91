package check

import (
	"fmt"
	"strings"
)

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
			reportSender(p, l, fmt.Sprintf("%s: %s. %s", describeLink(l), l.Problem, because(l)))
		}
	},
}
