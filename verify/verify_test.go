package verify

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/health/healthtest"
	"github.com/meshdoctor/meshdoctor/source"
	corev1 "k8s.io/api/core/v1"
)

// clock is a fake clock: each wait moves time on and runs hook.
type clock struct {
	now   time.Time
	hook  func(poll int)
	polls int
}

func (c *clock) Now() time.Time { return c.now }
func (c *clock) After(d time.Duration) <-chan time.Time {
	c.polls++
	c.now = c.now.Add(d)
	c.hook(c.polls)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func input(t *testing.T, fc *healthtest.Cluster, extra ...string) Input {
	t.Helper()
	if _, err := os.Stat("../examples/seed-fix"); err != nil {
		t.Skip("examples/seed-fix missing")
	}
	set, err := source.ReadPaths(append([]string{"../examples/seed"}, extra...), nil)
	if err != nil {
		t.Fatal(err)
	}
	return Input{ReadSet: func(context.Context) (source.Set, error) { return set, nil }, DefaultNamespace: "staging-webs",
		Namespaces: []string{"staging-webs"}, Reader: fc, Edges: []string{"staging-webs/auth-guard=otel-collector.monitoring:4317"}}
}

func state(r *Report) string {
	var s []string
	for _, it := range r.Items {
		s = append(s, it.Name+"="+it.State)
	}
	return strings.Join(s, " ")
}

func TestWaitUntilClean(t *testing.T) {
	k := "staging-webs/auth-guard-7d9f8c6b5-x2k4q/"
	fc := &healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", false, 6)}, Logs: map[string]string{k + "app": "started\n" + healthtest.AgentLine, k + "istio-proxy": "ready\n"}}
	in := input(t, fc, "../examples/seed-fix")

	// Before the fix: the model still fails the edge.
	before := input(t, fc)
	r, err := Check(context.Background(), before, nil)
	if err != nil || r.Pass || !strings.Contains(state(r), "edges-ok=fail") {
		t.Fatalf("before the fix: %v %s", err, state(r))
	}

	c := &clock{now: time.Unix(1_700_000_000, 0), hook: func(poll int) { fc.SetLog(k+"app", "started\n") }}
	var rounds []string
	r, err = Wait(context.Background(), in, 5*time.Minute, 10*time.Second, c, func(r *Report) { rounds = append(rounds, state(r)) })
	if err != nil || !r.Pass || r.Attempts != 2 || c.polls != 1 {
		t.Fatalf("wait: %v pass %v after %d attempts, %d polls: %s", err, r.Pass, r.Attempts, c.polls, state(r))
	}
	if len(rounds) != 1 || !strings.Contains(rounds[0], "logs-clean=fail") {
		t.Errorf("progress rounds %q", rounds)
	}

	// A restart between rounds fails restarts-steady; the deadline ends the wait.
	fc.SetLog(k+"app", "started\n"+healthtest.AgentLine)
	c = &clock{now: time.Unix(1_700_000_000, 0), hook: func(poll int) {
		fc.Pods[0] = healthtest.SeedPod("auth-guard", false, 6+int32(poll))
	}}
	r, _ = Wait(context.Background(), in, 30*time.Second, 10*time.Second, c, nil)
	if r.Pass || r.Attempts != 4 || !strings.Contains(state(r), "restarts-steady=fail") {
		t.Errorf("restarting: pass %v after %d attempts: %s", r.Pass, r.Attempts, state(r))
	}
}

// Fix objects given as files must be live as given; missing or different fails.
func TestFixPresent(t *testing.T) {
	k := "staging-webs/auth-guard-7d9f8c6b5-x2k4q/"
	fc := &healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", false, 0)}, Logs: map[string]string{k + "app": "started\n", k + "istio-proxy": "ready\n"},
		Objects: map[string]map[string]any{"DestinationRule/monitoring/otel-collector-mtls-disable": {
			"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
			"metadata": map[string]any{"name": "otel-collector-mtls-disable", "namespace": "monitoring", "creationTimestamp": "2026-12-01T10:00:00Z", "uid": "u1"},
			"spec":     map[string]any{"host": "otel-collector.monitoring.svc.cluster.local", "trafficPolicy": map[string]any{"tls": map[string]any{"mode": "DISABLE"}}}}}}
	in := input(t, fc, "../examples/seed-fix")
	fix, err := source.ReadPaths([]string{"../examples/seed-fix"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	in.Fix = fix.Objects
	r, err := Check(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := r.Items[len(r.Items)-1]
	if it.Name != "fix-present" || it.State != Fail || !strings.Contains(strings.Join(it.Evidence, "\n"), "PeerAuthentication monitoring/otel-collector") ||
		!strings.Contains(strings.Join(it.Evidence, "\n"), "DestinationRule monitoring/otel-collector-mtls-disable (../examples/seed-fix/destinationrule.yaml:4): live as given") {
		t.Errorf("fix-present %+v", it)
	}
	if !r.Since.Equal(time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("since %s, want the DR's creation", r.Since)
	}
	fc.Objects["DestinationRule/monitoring/otel-collector-mtls-disable"]["spec"].(map[string]any)["trafficPolicy"] = map[string]any{"tls": map[string]any{"mode": "ISTIO_MUTUAL"}}
	r, _ = Check(context.Background(), in, nil)
	if ev := strings.Join(r.Items[len(r.Items)-1].Evidence, "\n"); !strings.Contains(ev, "live object differs at .spec.trafficPolicy.tls.mode") {
		t.Errorf("changed DR: %s", ev)
	}
}
