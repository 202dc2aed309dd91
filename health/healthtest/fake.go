// Package healthtest is an in-memory cluster for the tests of health,
// doctor and verify: pods, events, objects and container logs, with the
// API's refusals (forbidden, no previous log) as cluster.ReadError.
package healthtest

import (
	"context"
	"errors"
	"sync"

	"github.com/meshdoctor/meshdoctor/source/cluster"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Forbidden as a log body makes reading that log an RBAC refusal.
const Forbidden = "\x00forbidden"

// Cluster is the fake. Logs are keyed "ns/pod/container", with
// " (previous)" appended for the last terminated instance; a missing key
// answers as the API does for an absent log (400).
type Cluster struct {
	mu       sync.Mutex
	Pods     []corev1.Pod
	Warnings []corev1.Event
	Logs     map[string]string
	Objects  map[string]map[string]any // "Kind/ns/name"
	// NoPods makes listing pods forbidden.
	NoPods bool
}

func (c *Cluster) List(_ context.Context, ns string) ([]corev1.Pod, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.NoPods {
		return nil, refusal("list pods in namespace "+ns, "forbidden", apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("RBAC")))
	}
	var out []corev1.Pod
	for _, p := range c.Pods {
		if ns == "" || p.Namespace == ns {
			out = append(out, *p.DeepCopy())
		}
	}
	return out, nil
}

func (c *Cluster) Events(_ context.Context, ns string) ([]corev1.Event, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]corev1.Event(nil), c.Warnings...), nil
}

func (c *Cluster) Log(_ context.Context, r cluster.LogRequest) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := r.Namespace + "/" + r.Pod + "/" + r.Container
	if r.Previous {
		k += " (previous)"
	}
	body, ok := c.Logs[k]
	what := "read the log of " + r.Namespace + "/" + r.Pod + " container " + r.Container
	switch {
	case !ok:
		return nil, refusal(what, "bad request", apierrors.NewBadRequest("previous terminated container not found"))
	case body == Forbidden:
		return nil, refusal(what, "forbidden", apierrors.NewForbidden(schema.GroupResource{Resource: "pods/log"}, r.Pod, errors.New("RBAC")))
	}
	return []byte(body), nil
}

func (c *Cluster) Object(_ context.Context, apiVersion, kind, ns, name string) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.Objects[kind+"/"+ns+"/"+name]; ok {
		return o, nil
	}
	return nil, refusal("get "+kind+" "+ns+"/"+name, "not found", apierrors.NewNotFound(schema.GroupResource{Resource: kind}, name))
}

// SetLog replaces one log, safely while a reader runs.
func (c *Cluster) SetLog(key, body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Logs[key] = body
}

func refusal(what, reason string, err error) error {
	return &cluster.ReadError{What: what, Reason: reason, Err: err}
}

// The seed's lines as the pods write them: the OTel Java agent's export
// failure (app container) and the client sidecar's access log (istio-proxy).
const (
	AgentLine = `[otel.javaagent 2025-01-15 10:00:00:000 +0000] ERROR io.opentelemetry.exporter.internal.grpc.GrpcExporter - Failed to export metrics. Server is UNAVAILABLE. Full error message: upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end` + "\n"
	EnvoyLine = `[2025-01-15T10:00:02.000Z] "POST /opentelemetry.proto.collector.metrics.v1.MetricsService/Export HTTP/2" 503 UF upstream_reset_before_response_started{remote_connection_failure|TLS_error:|268435703:SSL_routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end} - "-" 0 0 3 - "-" "grpc-java-okhttp/1.68.1" "b2c1" "otel-collector.monitoring.svc.cluster.local:4317" "10.244.1.7:4317" outbound|4317||otel-collector.monitoring.svc.cluster.local - 10.96.12.40:4317 10.244.2.9:53210 - default` + "\n"
)

// SeedPod is the one replica of app's Deployment in staging-webs (owned by
// ReplicaSet app-7d9f8c6b5), with a sidecar: Ready, or its app container
// in CrashLoopBackOff after 6 restarts. restarts overrides the count when > 0.
func SeedPod(app string, crash bool, restarts int32) corev1.Pod {
	yes := true
	p := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "staging-webs", Name: app + "-7d9f8c6b5-x2k4q",
		OwnerReferences: []metav1.OwnerReference{{Kind: "ReplicaSet", Name: app + "-7d9f8c6b5", Controller: &yes}}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app"}, {Name: "istio-proxy"}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			ContainerStatuses: []corev1.ContainerStatus{
				{Name: "app", Ready: true, RestartCount: restarts, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}},
				{Name: "istio-proxy", Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}}}}}
	if crash {
		if restarts == 0 {
			restarts = 6
		}
		p.Status.Conditions[0].Status = corev1.ConditionFalse
		p.Status.ContainerStatuses[0] = corev1.ContainerStatus{Name: "app", RestartCount: restarts,
			State:                corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error"}}}
	}
	return p
}

// SeedLogs are the logs of SeedPod(app)s that show the seed's failure:
// current and previous app logs with the agent's line, the sidecar's with Envoy's.
func SeedLogs(apps ...string) map[string]string {
	logs := map[string]string{}
	for _, a := range apps {
		k := "staging-webs/" + a + "-7d9f8c6b5-x2k4q/"
		logs[k+"app"], logs[k+"app (previous)"], logs[k+"istio-proxy"] = AgentLine, AgentLine, EnvoyLine
	}
	return logs
}
