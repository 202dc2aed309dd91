package verdict_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// TestOTLPProtocolUndetermined: an exporter whose protocol neither a setting
// nor a known SDK default decides is not judged on a guess (issue 14 item 1:
// receiverReach treated unknown as HTTP and failed the demo's gRPC exporters).
// The mesh layer's verdict stands, the edge is unknown, and its alternatives
// give each protocol's outcome; a protocol that is told is still judged.
func TestOTLPProtocolUndetermined(t *testing.T) {
	c, err := scenario.Load("testdata/otlp/protocol-undetermined.txtar", "..")
	if err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(inventory.Build(c.Set, "default"), analysis.Options{})
	for _, tc := range []struct {
		client string
		port   int32
		want   verdict.Outcome
		alts   string
	}{
		{"code-grpc", 4317, verdict.Unknown, "ok: grpc | fail other: http/protobuf"},
		{"code-http", 4318, verdict.Unknown, "ok: http/protobuf | fail other: grpc"},
		{"told-http", 4317, verdict.Fail, ""},
	} {
		e := find(t, res, tc.client, tc.port)
		if e.Outcome != tc.want {
			t.Errorf("%s → :%d: outcome %s, want %s (cause: %s)", tc.client, tc.port, e.Outcome, tc.want, e.Cause)
		}
		var alts []string
		for _, a := range e.Alternatives {
			proto := "grpc"
			if strings.Contains(strings.Join(a.Assume, " "), "http/protobuf") {
				proto = "http/protobuf"
			}
			alts = append(alts, strings.TrimSpace(fmt.Sprintf("%s %s", a.Outcome, a.Category))+": "+proto)
		}
		if got := strings.Join(alts, " | "); got != tc.alts {
			t.Errorf("%s → :%d: alternatives %q, want %q", tc.client, tc.port, got, tc.alts)
		}
		if tc.want == verdict.Unknown && !strings.Contains(e.Cause, "undetermined") {
			t.Errorf("%s: cause does not say the protocol is undetermined: %s", tc.client, e.Cause)
		}
	}
}

func find(t *testing.T, r analysis.Result, client string, port int32) verdict.Edge {
	t.Helper()
	for _, e := range r.Edges {
		if e.Client.Workload == client && e.Server.Port == port {
			return e
		}
	}
	t.Fatalf("no edge %s → :%d among %d", client, port, len(r.Edges))
	return verdict.Edge{}
}
