package analysis_test

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// TestPipelinesOf: the seed's telemetry is one pipeline — four senders to
// the collector's 4317, and the collector's own exporter to a tempo that
// is not in the inputs found through the finding's objects, not its words.
func TestPipelinesOf(t *testing.T) {
	res := analysis.Run(inventory.Build(readSeed(t, "../examples/seed"), "default"), analysis.Options{})
	ps := analysis.PipelinesOf(res)
	if len(ps.List) != 1 || len(ps.Others) != 0 {
		t.Fatalf("pipelines %+v, others %+v", ps.List, ps.Others)
	}
	p := ps.List[0]
	if p.Server.Service != "otel-collector" || p.Server.Port != 4317 || p.Server.Workload != "otel-collector" || len(p.Hops) != 4 {
		t.Errorf("pipeline %s:%d → %s with %d hops", p.Server.Service, p.Server.Port, p.Server.Workload, len(p.Hops))
	}
	if len(p.Findings) != 1 || p.Findings[0].Code != "MD0705" || p.Findings[0].Object.Kind != "ConfigMap" ||
		len(p.Findings[0].Related) != 1 || p.Findings[0].Related[0].Name != "otel-collector" {
		t.Errorf("collector findings %+v", p.Findings)
	}
	for _, h := range p.Hops {
		if len(h.Findings) != 0 {
			t.Errorf("%s: findings %+v", h.Edge.Client.Workload, h.Findings)
		}
	}
	if analysis.PipelinesOf(analysis.Result{}).Empty() != true {
		t.Error("no telemetry: not empty")
	}
}
