package health

import (
	"context"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/health/healthtest"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestFromPod(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	for _, tc := range []struct {
		rule    string
		pod     corev1.Pod
		healthy bool
		want    []string // substrings of Problems
	}{
		{rule: "CrashLoopBackOff with the last exit, as kubectl describe shows it", pod: pod("a", corev1.PodRunning, false,
			cs("app", false, 7, waiting("CrashLoopBackOff"), &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}),
			cs("istio-proxy", true, 0, running(), nil)),
			want: []string{"container app: CrashLoopBackOff, 7 restarts; last exit: exit code 1 (Error)"}},
		{rule: "OOMKilled is named", pod: pod("b", corev1.PodRunning, false,
			cs("app", false, 2, running(), &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "OOMKilled"})),
			want: []string{"running, not ready, 2 restarts; last exit: exit code 137 (OOMKilled)"}},
		{rule: "exit 137 without OOMKilled reads as a liveness kill", pod: pod("c", corev1.PodRunning, false,
			cs("app", false, 1, running(), &corev1.ContainerStateTerminated{ExitCode: 137, Reason: "Error"})),
			want: []string{"SIGKILL: a failed liveness probe or the memory limit"}},
		{rule: "Ready after restarts is healthy: restarts are history (verify watches them rise)", pod: pod("c2", corev1.PodRunning, true,
			cs("app", true, 6, running(), &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"})), healthy: true},
		{rule: "Running and Ready with no restarts is healthy", pod: pod("d", corev1.PodRunning, true,
			cs("app", true, 0, running(), nil)), healthy: true},
		{rule: "Pending without statuses is not healthy", pod: pod("e", corev1.PodPending, false),
			want: []string{"pod is Pending and not Ready"}},
		{rule: "Succeeded (a finished Job) is healthy", pod: pod("f", corev1.PodSucceeded, false,
			cs("app", false, 0, corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}, nil)), healthy: true},
	} {
		p := FromPod(&tc.pod)
		if p.Healthy != tc.healthy {
			t.Errorf("%s: healthy = %v, problems %q", tc.rule, p.Healthy, p.Problems)
		}
		all := strings.Join(p.Problems, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: problems lack %q:\n%s", tc.rule, w, all)
			}
		}
	}

	// A native sidecar (init container, restartPolicy Always) is a container
	// like any other, marked Native; a finished plain init container is not.
	p := pod("g", corev1.PodRunning, true, cs("app", true, 0, running(), nil))
	p.Spec.InitContainers = []corev1.Container{{Name: "otel-agent"}, {Name: "istio-proxy", RestartPolicy: &always}}
	p.Status.InitContainerStatuses = []corev1.ContainerStatus{
		cs("otel-agent", false, 0, corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{Reason: "Completed"}}, nil),
		cs("istio-proxy", false, 0, running(), nil)}
	h := FromPod(&p)
	if px := h.Proxy(); px == nil || !px.Native || px.Ready || len(h.Containers) != 2 {
		t.Errorf("native sidecar: %+v", h.Containers)
	}
}

func TestReadLogsFoldsAcrossPods(t *testing.T) {
	f := &healthtest.Cluster{Logs: map[string]string{
		"ns/a-0/app":            healthtest.AgentLine + healthtest.AgentLine,
		"ns/a-0/app (previous)": healthtest.AgentLine,
		"ns/a-0/istio-proxy":    healthtest.EnvoyLine,
		"ns/a-1/app":            healthtest.AgentLine,
		"ns/a-1/istio-proxy":    healthtest.EnvoyLine,
		"ns/b-0/app":            "all good\n",
		"ns/b-0/istio-proxy":    healthtest.Forbidden,
	}}
	pods := []Pod{
		{Namespace: "ns", Name: "a-0", Containers: []Container{{Name: "app", RestartCount: 3}, {Name: "istio-proxy", Sidecar: true}}},
		{Namespace: "ns", Name: "a-1", Containers: []Container{{Name: "app", RestartCount: 1}, {Name: "istio-proxy", Sidecar: true}}},
		{Namespace: "ns", Name: "b-0", Containers: []Container{{Name: "app"}, {Name: "istio-proxy", Sidecar: true}}},
	}
	var progress []int
	logs := ReadLogs(context.Background(), f, pods, LogOptions{Previous: true, Concurrency: 2,
		Progress: func(done, total int) { progress = append(progress, total) }})
	if len(progress) != 8 || progress[0] != 8 {
		t.Errorf("progress calls %v, want 8 of 8 jobs", progress)
	}
	// a-1's app has no previous log (the API answers 400): absent, not unread.
	if len(logs.Unread) != 1 || !strings.Contains(logs.Unread[0], "ns/b-0 container istio-proxy: forbidden") {
		t.Errorf("unread = %q", logs.Unread)
	}
	if len(logs.Diagnoses) != 2 {
		t.Fatalf("want the agent's and the sidecar's diagnoses, got %d: %+v", len(logs.Diagnoses), logs.Diagnoses)
	}
	byEmitter := map[string]Diagnosis{}
	for _, d := range logs.Diagnoses {
		if d.Category != category.TLSToPlaintext {
			t.Errorf("%s: category %s", d.Signature, d.Category)
		}
		byEmitter[string(d.Emitter)] = d
	}
	for _, d := range logs.Diagnoses {
		if !strings.Contains(d.Excerpt, "OPENSSL_internal:WRONG_VERSION_NUMBER") || !strings.HasPrefix(d.Excerpt, "…") {
			t.Errorf("%s: excerpt %q lacks the TLS reason", d.Signature, d.Excerpt)
		}
	}
	if d := byEmitter["envoy-client-sidecar"]; len(d.Pods) != 2 || d.Count < 2 {
		t.Errorf("sidecar diagnosis: pods %v count %d (emitters %v)", d.Pods, d.Count, keys(byEmitter))
	}
	total := 0
	for _, d := range logs.Diagnoses {
		total += d.Count
	}
	if total != 6 {
		t.Errorf("events = %d, want 6 (4 agent lines, 2 sidecar lines)", total)
	}
}

func keys(m map[string]Diagnosis) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func pod(name string, phase corev1.PodPhase, ready bool, statuses ...corev1.ContainerStatus) corev1.Pod {
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name}, Status: corev1.PodStatus{Phase: phase}}
	p.Spec.Containers = []corev1.Container{{Name: "app"}}
	for _, s := range statuses {
		if s.Name != "app" {
			p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: s.Name})
		}
	}
	p.Status.ContainerStatuses = statuses
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: st}}
	return p
}

func cs(name string, ready bool, restarts int32, state corev1.ContainerState, last *corev1.ContainerStateTerminated) corev1.ContainerStatus {
	s := corev1.ContainerStatus{Name: name, Ready: ready, RestartCount: restarts, State: state}
	if last != nil {
		s.LastTerminationState.Terminated = last
	}
	return s
}

func waiting(reason string) corev1.ContainerState {
	return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason}}
}

func running() corev1.ContainerState {
	return corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
}
