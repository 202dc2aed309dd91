package doctor

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/health/healthtest"
	"github.com/meshdoctor/meshdoctor/source"
	corev1 "k8s.io/api/core/v1"
)

func seedSet(t *testing.T, extra ...string) source.Set {
	t.Helper()
	paths := append([]string{"../examples/seed"}, extra...)
	set, err := source.ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestSeedOutage(t *testing.T) {
	if _, err := os.Stat("../examples/seed"); err != nil {
		t.Skip("examples/seed missing")
	}
	fc := &healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", true, 0), healthtest.SeedPod("order-core", true, 0)}, Logs: healthtest.SeedLogs("auth-guard", "order-core")}
	rep, err := Run(context.Background(), Input{Set: seedSet(t), DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"},
		Reader: fc, FixCommand: "meshdoctor fix --cluster -n staging-webs"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != Broken || len(rep.Pods) != 2 || len(rep.FailingEdges) != 4 || len(rep.Unread) != 0 {
		t.Fatalf("status %s, %d pods, %d failing edges, unread %q", rep.Status, len(rep.Pods), len(rep.FailingEdges), rep.Unread)
	}
	if len(rep.LogsRead) != 6 {
		t.Errorf("logs read %q, want current and previous app logs and the sidecars' of both pods", rep.LogsRead)
	}
	if len(rep.Diagnoses) != 2 {
		t.Fatalf("want the agent's and the sidecar's diagnoses, got %+v", rep.Diagnoses)
	}
	for _, d := range rep.Diagnoses {
		if !d.Agrees || len(d.Pods) != 2 || len(d.Fixes) == 0 {
			t.Errorf("%s by %s: agrees %v, pods %v, fixes %v, correlation %q", d.Signature, d.Emitter, d.Agrees, d.Pods, d.Fixes, d.Correlation)
		}
		// Only the edges of the pods that log it: auth-guard and order-core, not queue or seat.
		for _, e := range d.Edges {
			if e.Client.Workload != "auth-guard" && e.Client.Workload != "order-core" {
				t.Errorf("%s mapped onto %s/%s", d.Signature, e.Client.Namespace, e.Client.Workload)
			}
		}
		if len(d.DecidedBy) == 0 || !strings.HasPrefix(d.DecidedBy[0].Reach, "mesh-wide DestinationRule (root namespace istio-system, host *.local)") {
			t.Errorf("decided by %+v", d.DecidedBy)
		}
	}
	// The agent's and the sidecar's lines are one failure: the second points at the first.
	if rep.Diagnoses[0].SameCauseAs != 0 || rep.Diagnoses[1].SameCauseAs != 1 {
		t.Errorf("same cause: %d, %d", rep.Diagnoses[0].SameCauseAs, rep.Diagnoses[1].SameCauseAs)
	}
	if len(rep.Fixes) != 1 || rep.Fixes[0].Best == nil || len(rep.Fixes[0].Edges) != 4 ||
		!strings.HasPrefix(rep.Fixes[0].Command, "meshdoctor fix --cluster -n staging-webs --edge staging-webs/") {
		t.Errorf("fixes %+v", rep.Fixes)
	}
}

// The fix is live, the pods are Ready, but a log still shows the error:
// doctor says the logs and the model disagree. Without pods/log it never
// says healthy.
func TestDisagreeAndUnread(t *testing.T) {
	if _, err := os.Stat("../examples/seed-fix"); err != nil {
		t.Skip("examples/seed-fix missing")
	}
	set := seedSet(t, "../examples/seed-fix")
	fc := &healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", true, 0)}, Logs: healthtest.SeedLogs("auth-guard")}
	rep, err := Run(context.Background(), Input{Set: set, DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"}, Reader: fc})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != Broken || len(rep.FailingEdges) != 0 || len(rep.Diagnoses) == 0 {
		t.Fatalf("status %s, failing %d, diagnoses %d", rep.Status, len(rep.FailingEdges), len(rep.Diagnoses))
	}
	for _, d := range rep.Diagnoses {
		// By the sidecar's target the model predicts the edge works; the
		// agent's line names no host, and no failing edge has its category.
		if d.Agrees || !strings.Contains(d.Correlation, "WORK") && !strings.Contains(d.Correlation, "No edge") {
			t.Errorf("%s: agrees %v, correlation %q", d.Signature, d.Agrees, d.Correlation)
		}
	}

	fc = &healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", false, 0)}, Logs: map[string]string{
		"staging-webs/auth-guard-7d9f8c6b5-x2k4q/app": healthtest.Forbidden, "staging-webs/auth-guard-7d9f8c6b5-x2k4q/istio-proxy": healthtest.Forbidden}}
	// Fixed and Ready, but RBAC refuses pods/log: never healthy on that basis.
	rep, err = Run(context.Background(), Input{Set: set, DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"}, Reader: fc})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != Unknown || len(rep.Unread) != 2 || !strings.Contains(rep.Unread[0], "container app: forbidden") {
		t.Errorf("logs forbidden: status %s, unread %q", rep.Status, rep.Unread)
	}
	fc.Logs = map[string]string{"staging-webs/auth-guard-7d9f8c6b5-x2k4q/app": "started\n", "staging-webs/auth-guard-7d9f8c6b5-x2k4q/istio-proxy": "ready\n"}
	if rep, _ = Run(context.Background(), Input{Set: set, DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"}, Reader: fc}); rep.Status != Healthy {
		t.Errorf("fixed, Ready, logs clean: status %s, unread %q", rep.Status, rep.Unread)
	}
	fc.NoPods = true
	rep, err = Run(context.Background(), Input{Set: set, DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"}, Reader: fc})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != Unknown || len(rep.Unread) != 1 || !strings.Contains(rep.Unread[0], "forbidden") {
		t.Errorf("pods unreadable: status %s, unread %q", rep.Status, rep.Unread)
	}
}
