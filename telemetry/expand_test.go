package telemetry

import "testing"

// TestExpand restates the kubelet's expansion (kubernetes
// third_party/forked/golang/expansion expand_test.go cases).
func TestExpand(t *testing.T) {
	vars := map[string]string{"VAR_A": "A", "OTEL_COLLECTOR_NAME": "otel-collector", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for _, tc := range []struct{ in, want string }{
		{"$(OTEL_COLLECTOR_NAME):4317", "otel-collector:4317"},
		{"http://$(OTEL_COLLECTOR_NAME):4318", "http://otel-collector:4318"},
		{"$(VAR_A)-$(VAR_A)", "A-A"},
		{"$(UNDEFINED)", "$(UNDEFINED)"},
		{"$$(VAR_A)", "$(VAR_A)"},
		{"$$$(VAR_A)", "$A"},
		{"$$", "$"},
		{"$(EMPTY)x", "x"},
		{"$(VAR_A", "$(VAR_A"},
		{"$VAR_A", "$VAR_A"},
		{"foo$", "foo$"},
		{"no refs", "no refs"},
	} {
		if got := Expand(tc.in, lookup); got != tc.want {
			t.Errorf("Expand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
