package verdict

import (
	"strings"
	"testing"
)

func TestEdgeID(t *testing.T) {
	e := Edge{Client: Client{Namespace: "staging-webs", Workload: "auth-guard"},
		Server: Server{Host: "otel-collector.monitoring.svc.cluster.local", Port: 4317}}
	for _, tc := range []struct {
		id    string
		match bool
	}{
		{"staging-webs/auth-guard=otel-collector.monitoring:4317", true},
		{"staging-webs/auth-guard=otel-collector.monitoring.svc:4317", true},
		{"staging-webs/auth-guard=otel-collector.monitoring.svc.cluster.local.:4317", true},
		{"staging-webs/auth-guard=otel-collector:4317", true},
		{"staging-webs/auth-guard=otel-coll:4317", false}, // a prefix ends at a dot
		{"staging-webs/auth-guard=otel-collector.monitoring:4318", false},
		{"staging-webs/seat=otel-collector.monitoring:4317", false},
	} {
		id, err := ParseEdgeID(tc.id)
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		if id.Matches(e) != tc.match {
			t.Errorf("%s matches = %v, want %v", tc.id, !tc.match, tc.match)
		}
	}
	// What ID prints, ParseEdgeID reads back, and it names the edge.
	id := e.ID()
	if id.String() != "staging-webs/auth-guard=otel-collector.monitoring:4317" || id.Arrow() != "staging-webs/auth-guard → otel-collector.monitoring:4317" {
		t.Errorf("ID = %s / %s", id, id.Arrow())
	}
	if back, err := ParseEdgeID(id.String()); err != nil || back != id || !back.Matches(e) {
		t.Errorf("round trip: %v %v", back, err)
	}
	for _, bad := range []string{"", "auth-guard=x:1", "ns/wl", "ns/wl=x", "ns/wl=x:0", "ns/wl=x:70000", "/wl=x:1", "ns/=x:1"} {
		if _, err := ParseEdgeID(bad); err == nil || !strings.Contains(err.Error(), "edge") {
			t.Errorf("%q: err = %v", bad, err)
		}
	}
}
