package telemetry

import (
	"os"
	"testing"
)

// The Operator's own e2e test of inject-sdk: no agent, only the
// Instrumentation's environment in an app that carries its own SDK. The
// export is to the Instrumentation's endpoint, and its protocol — the app's
// SDK's — is not guessed.
func TestOperatorInjectSDK(t *testing.T) {
	dir := "../../shared/realworld/otel-operator-e2e/input/instrumentation-sdk"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("../shared/realworld (the OpenTelemetry Operator's e2e inputs) is not beside the repository: %v", err)
	}
	m := loadPaths(t, dir+"/00-install-collector.yaml", dir+"/00-install-instrumentation.yaml", dir+"/01-install-app.yaml")
	var got []string
	for _, s := range m.Senders {
		for _, e := range s.Exports {
			got = append(got, s.Workload.Name+" "+s.SDK.Kind+" "+string(e.Signal)+" "+string(e.Protocol)+" "+e.URL)
		}
	}
	want := map[string]bool{
		"my-sdk app's own SDK, operator inject-sdk traces unknown http://deployment-collector:4317":  true,
		"my-sdk app's own SDK, operator inject-sdk metrics unknown http://deployment-collector:4317": true,
		"my-sdk app's own SDK, operator inject-sdk logs unknown http://deployment-collector:4317":    true,
	}
	for _, g := range got {
		delete(want, g)
	}
	if len(want) > 0 {
		t.Errorf("exports: %q; missing %v", got, want)
	}
}
