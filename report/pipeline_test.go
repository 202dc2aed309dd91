package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// TestPipeline: the seed's OTLP edges drawn as one pipeline with the failing
// hop marked; with the fix laid on top the hop is ok and nothing says FAIL.
func TestPipeline(t *testing.T) {
	run := func(paths ...string) string {
		set, err := source.ReadPaths(paths, nil)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Pipeline(&buf, analysis.Run(inventory.Build(set, "default"), analysis.Options{}), Style{}); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	seed := run("../examples/seed")
	for _, want := range []string{
		"▶ otel-collector.monitoring:4317 → monitoring/otel-collector (none) · receiver otlp grpc on <pod IP>:4317 (plaintext)",
		"✗ staging-webs/auth-guard (sidecar)  java-agent 2.11.0  traces,metrics,logs grpc  → otel-collector.monitoring:4317  FAIL tls-to-plaintext — WRONG_VERSION_NUMBER   ◀ this hop breaks",
		"└▶ next hop from monitoring/otel-collector:",
		"└▶ next hop from monitoring/otel-collector:\n      ? MD0705 otlp-endpoint-no-service (below)\n",
	} {
		if !strings.Contains(seed, want) {
			t.Errorf("seed pipeline lacks %q:\n%s", want, seed)
		}
	}
	if n := strings.Count(seed, "◀ this hop breaks"); n != 4 {
		t.Errorf("want 4 failing hops, got %d:\n%s", n, seed)
	}
	fixed := run("../examples/seed", "../examples/seed-fix")
	if strings.Contains(fixed, "FAIL") || !strings.Contains(fixed, "✓ staging-webs/seat (sidecar)") {
		t.Errorf("fixed pipeline:\n%s", fixed)
	}
	if out := run("../analysis/testdata/fixtures/foo-bar-legacy.yaml"); out != "" {
		t.Errorf("no telemetry must print nothing, got:\n%s", out)
	}
}
