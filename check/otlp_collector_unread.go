package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/telemetry"
)

// OTLPCollectorUnread: a collector or Operator resource whose config could not be read.
var OTLPCollectorUnread = &Check{
	Code:     "MD0709",
	Name:     "otlp-collector-unread",
	Severity: Info,
	Doc: `a collector or OpenTelemetry Operator resource could not be read, so its receivers are unknown

Edges to it are judged without receiver knowledge (protocol, TLS, bind address).`,
	Run: func(p *Pass) {
		m := telemetryModel(p)
		for _, c := range m.Collectors {
			if c.Err != nil && !c.Sidecar {
				p.ReportRelated(c.Ref, collectorRefs(c), fmt.Sprintf("%s: %v", c, c.Err))
			}
		}
		for _, pr := range m.Problems {
			p.Report(pr.Ref, pr.Message)
		}
	},
}

// collectorRefs is the collector's workload, for findings about the
// collector held on its config object.
func collectorRefs(c *telemetry.Collector) []inventory.Ref {
	if c.Workload == nil {
		return nil
	}
	return []inventory.Ref{c.Workload.Ref()}
}
