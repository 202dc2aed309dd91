package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source/helm/helmtest"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
)

// analyze --chart with dependencies from a chart repository and an OCI
// registry on loopback, then with both stopped: --offline renders from
// Helm's cache, and without it the error says so.
func TestChartDependenciesFromLoopback(t *testing.T) {
	collector := helmtest.Chart("collector", "0.9.1", map[string]any{"port": 4318}, map[string]string{
		"svc.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: otel-collector}\nspec:\n  selector: {app: collector}\n  ports: [{name: http-otlp, port: {{ .Values.port }}}]\n",
		"deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: otel-collector}\nspec:\n  selector: {matchLabels: {app: collector}}\n" +
			"  template:\n    metadata: {labels: {app: collector}}\n    spec: {containers: [{name: c, image: otel/collector, ports: [{containerPort: 4318}]}]}\n",
	})
	agent := helmtest.Chart("agent", "1.0.0", nil, map[string]string{
		"deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: agent}\nspec:\n  selector: {matchLabels: {app: agent}}\n" +
			"  template:\n    metadata: {labels: {app: agent}}\n    spec: {containers: [{name: a, image: agent, env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: 'http://otel-collector:4318'}]}]}\n",
	})
	repo := helmtest.ServeRepo(t, collector)
	reg := helmtest.ServeRegistry(t, agent)
	parent := helmtest.Chart("telemetry", "1.0.0", nil, nil,
		&chart.Dependency{Name: "collector", Version: "^0.9.0", Repository: repo.URL},
		&chart.Dependency{Name: "agent", Version: "1.0.0", Repository: reg.URL()})
	dir := t.TempDir()
	if err := chartutil.SaveDir(parent, dir); err != nil {
		t.Fatal(err)
	}
	args := []string{"analyze", "--chart", filepath.Join(dir, "telemetry"), "-n", "apps",
		"--repository-config", filepath.Join(t.TempDir(), "repositories.yaml"),
		"--repository-cache", t.TempDir(), "--registry-config", filepath.Join(t.TempDir(), "config.json"), "--plain-http"}
	run := func(extra ...string) (int, string) {
		var out, errb bytes.Buffer
		code := Run(append(append([]string{}, args...), extra...), strings.NewReader(""), &out, &errb)
		return code, out.String() + errb.String()
	}
	code, out := run()
	if code != 0 || !strings.Contains(out, "apps/agent") || !strings.Contains(out, "otel-collector.apps") {
		t.Fatalf("online: exit %d\n%s", code, out)
	}
	repo.Close()
	reg.Close()
	if code, off := run("--offline"); code != 0 || !strings.Contains(off, "otel-collector.apps") {
		t.Errorf("offline with the cache populated: exit %d\n%s", code, off)
	}
	if code, on := run(); code != 2 || !strings.Contains(on, "--offline") {
		t.Errorf("network off, not offline: exit %d, want 2 and a hint at --offline\n%s", code, on)
	}
}
