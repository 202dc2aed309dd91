// Package health reads what a running cluster says about its pods — status,
// restarts, last terminations, Warning events — and their logs, folded
// through explain. doctor and verify both stand on it; it never writes.
package health

import (
	"fmt"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
)

// ProxyContainer is the name Istio gives its sidecar, classic or native.
const ProxyContainer = "istio-proxy"

// Pod is one pod's health as its status tells it.
type Pod struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// Owner is the controller that runs it ("ReplicaSet/auth-guard-7d9f"), "" for a bare pod.
	Owner      string      `json:"owner,omitempty"`
	Phase      string      `json:"phase"`
	Ready      bool        `json:"ready"`
	Healthy    bool        `json:"healthy"`
	Problems   []string    `json:"problems,omitempty"` // one line each, most telling first
	Containers []Container `json:"containers"`
	Events     []string    `json:"events,omitempty"` // Warning events: "Unhealthy: Liveness probe failed: … (×12)"
}

// Container is one container's status.
type Container struct {
	Name string `json:"name"`
	// Sidecar is Istio's proxy; Native when it runs as an init container
	// with restartPolicy Always (Kubernetes native sidecars).
	Sidecar      bool         `json:"sidecar,omitempty"`
	Native       bool         `json:"native,omitempty"`
	Ready        bool         `json:"ready"`
	RestartCount int32        `json:"restartCount"`
	State        string       `json:"state"`            // running, waiting, terminated, unknown
	Reason       string       `json:"reason,omitempty"` // CrashLoopBackOff, ImagePullBackOff, OOMKilled, …
	Message      string       `json:"message,omitempty"`
	Last         *Termination `json:"lastTermination,omitempty"`
}

// Termination is how a container's previous instance ended.
type Termination struct {
	ExitCode   int32     `json:"exitCode"`
	Signal     int32     `json:"signal,omitempty"`
	Reason     string    `json:"reason,omitempty"` // Error, OOMKilled, Completed
	Message    string    `json:"message,omitempty"`
	FinishedAt time.Time `json:"finishedAt,omitzero"`
}

// Key is "ns/name".
func (p *Pod) Key() string { return p.Namespace + "/" + p.Name }

// Restarts sums the restart counts of its containers.
func (p *Pod) Restarts() int32 {
	var n int32
	for _, c := range p.Containers {
		n += c.RestartCount
	}
	return n
}

// Proxy is its Istio sidecar's status, or nil when it has none.
func (p *Pod) Proxy() *Container {
	for i := range p.Containers {
		if p.Containers[i].Sidecar {
			return &p.Containers[i]
		}
	}
	return nil
}

// FromPod reads a pod's status the way kubectl get/describe shows it.
func FromPod(pod *corev1.Pod) Pod {
	p := Pod{Namespace: pod.Namespace, Name: pod.Name, Phase: string(pod.Status.Phase)}
	if p.Phase == "" {
		p.Phase = string(corev1.PodPending)
	}
	for _, o := range pod.OwnerReferences {
		if o.Controller != nil && *o.Controller {
			p.Owner = o.Kind + "/" + o.Name
		}
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			p.Ready = c.Status == corev1.ConditionTrue
		}
	}
	statuses := map[string]corev1.ContainerStatus{}
	for _, s := range append(append([]corev1.ContainerStatus(nil), pod.Status.InitContainerStatuses...), pod.Status.ContainerStatuses...) {
		statuses[s.Name] = s
	}
	// Native sidecars are init containers with restartPolicy Always; other
	// init containers have run to completion by the time the app runs.
	for _, c := range pod.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			p.Containers = append(p.Containers, container(c.Name, statuses, true))
		} else if s, ok := statuses[c.Name]; ok && failing(s) {
			p.Containers = append(p.Containers, container(c.Name, statuses, false))
		}
	}
	for _, c := range pod.Spec.Containers {
		p.Containers = append(p.Containers, container(c.Name, statuses, false))
	}
	var serious bool
	p.Problems, serious = problems(&p)
	// Restarts alone (a Ready pod that restarted during the outage) are
	// history, not ill health; verify watches whether they still rise.
	p.Healthy = p.Phase == string(corev1.PodSucceeded) || (p.Phase == string(corev1.PodRunning) && p.Ready && !serious)
	if p.Healthy {
		p.Problems = nil
	} else if len(p.Problems) == 0 {
		p.Problems = []string{fmt.Sprintf("pod is %s and not Ready", p.Phase)}
	}
	return p
}

func container(name string, statuses map[string]corev1.ContainerStatus, native bool) Container {
	c := Container{Name: name, Sidecar: name == ProxyContainer, Native: native && name == ProxyContainer, State: "unknown"}
	s, ok := statuses[name]
	if !ok {
		c.Reason = "no status yet"
		return c
	}
	c.Ready, c.RestartCount = s.Ready, s.RestartCount
	switch {
	case s.State.Waiting != nil:
		c.State, c.Reason, c.Message = "waiting", s.State.Waiting.Reason, s.State.Waiting.Message
	case s.State.Terminated != nil:
		t := s.State.Terminated
		c.State, c.Reason, c.Message = "terminated", t.Reason, t.Message
	case s.State.Running != nil:
		c.State = "running"
	}
	if t := s.LastTerminationState.Terminated; t != nil {
		c.Last = &Termination{ExitCode: t.ExitCode, Signal: t.Signal, Reason: t.Reason, Message: oneLine(t.Message), FinishedAt: t.FinishedAt.Time}
	}
	return c
}

func failing(s corev1.ContainerStatus) bool {
	return s.RestartCount > 0 || (s.State.Waiting != nil && s.State.Waiting.Reason != "PodInitializing") ||
		(s.State.Terminated != nil && s.State.Terminated.ExitCode != 0)
}

// problems says, per container, what kubectl describe would make a person
// look at: a waiting reason, not ready, restarts and how the last one ended.
func problems(p *Pod) (out []string, serious bool) {
	for _, c := range p.Containers {
		var what []string
		n := len(what)
		switch {
		case c.State == "waiting" && c.Reason != "" && c.Reason != "ContainerCreating" && c.Reason != "PodInitializing":
			what = append(what, c.Reason)
		case c.State == "terminated" && c.Reason != "Completed":
			what = append(what, "terminated: "+c.Reason)
		case c.State == "running" && !c.Ready && p.Phase == string(corev1.PodRunning):
			what = append(what, "running, not ready")
		}
		serious = serious || len(what) > n
		if c.RestartCount > 0 {
			what = append(what, fmt.Sprintf("%d restart%s", c.RestartCount, plural(int(c.RestartCount))))
		}
		if len(what) == 0 {
			continue
		}
		line := "container " + c.Name + ": " + strings.Join(what, ", ")
		if c.Last != nil {
			line += "; last exit: " + c.Last.String()
		}
		out = append(out, line)
	}
	return out, serious
}

// String is "exit code 137 (OOMKilled)".
func (t *Termination) String() string {
	s := fmt.Sprintf("exit code %d", t.ExitCode)
	var why []string
	if t.Reason != "" {
		why = append(why, t.Reason)
	}
	if t.Signal != 0 {
		why = append(why, fmt.Sprintf("signal %d", t.Signal))
	}
	if t.ExitCode == 137 && t.Reason != "OOMKilled" {
		why = append(why, "SIGKILL: a failed liveness probe or the memory limit")
	}
	if len(why) > 0 {
		s += " (" + strings.Join(why, ", ") + ")"
	}
	if t.Message != "" {
		s += ": " + t.Message
	}
	return s
}

// AddEvents attaches Warning events (probe failures, back-off) to the pods they concern.
func AddEvents(pods []Pod, events []corev1.Event) {
	idx := map[string]*Pod{}
	for i := range pods {
		idx[pods[i].Key()] = &pods[i]
	}
	type agg struct {
		line  string
		count int32
		last  time.Time
	}
	byPod := map[string]map[string]*agg{}
	for _, e := range events {
		k := e.InvolvedObject.Namespace + "/" + e.InvolvedObject.Name
		if idx[k] == nil || e.Type != corev1.EventTypeWarning {
			continue
		}
		line := e.Reason + ": " + oneLine(e.Message)
		if byPod[k] == nil {
			byPod[k] = map[string]*agg{}
		}
		a := byPod[k][line]
		if a == nil {
			a = &agg{line: line}
			byPod[k][line] = a
		}
		a.count += max(e.Count, 1)
		if t := e.LastTimestamp.Time; t.After(a.last) {
			a.last = t
		}
	}
	for k, m := range byPod {
		var as []*agg
		for _, a := range m {
			as = append(as, a)
		}
		sort.Slice(as, func(i, j int) bool {
			if !as[i].last.Equal(as[j].last) {
				return as[i].last.After(as[j].last)
			}
			return as[i].line < as[j].line
		})
		p := idx[k]
		p.Events = nil
		for i, a := range as {
			if i == 5 {
				break
			}
			l := a.line
			if a.count > 1 {
				l += fmt.Sprintf(" (×%d)", a.count)
			}
			p.Events = append(p.Events, l)
		}
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
