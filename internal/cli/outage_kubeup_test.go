package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/meshdoctor/meshdoctor/internal/kubeup"
)

// The seed's lines as the pods write them: the OTel Java agent in the app
// container, the client sidecar's access log in istio-proxy.
const (
	seedAgentLog = `[otel.javaagent 2025-01-15 10:00:00:000 +0000] [OkHttp http://otel-collector.monitoring.svc.cluster.local:4317/...] ERROR io.opentelemetry.exporter.internal.grpc.GrpcExporter - Failed to export metrics. Server is UNAVAILABLE. Make sure your collector is running and reachable from this network. Full error message: upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end
`
	seedEnvoyLog = `[2025-01-15T10:00:02.000Z] "POST /opentelemetry.proto.collector.metrics.v1.MetricsService/Export HTTP/2" 503 UF upstream_reset_before_response_started{remote_connection_failure|TLS_error:|268435703:SSL_routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end} - "TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end" 0 0 3 - "-" "grpc-java-okhttp/1.68.1" "b2c1" "otel-collector.monitoring.svc.cluster.local:4317" "10.244.1.7:4317" outbound|4317||otel-collector.monitoring.svc.cluster.local - 10.96.12.40:4317 10.244.2.9:53210 - default
`
	cleanAppLog   = "Started AuthGuardApplication in 4.2 seconds (process running for 5.1)\n"
	cleanEnvoyLog = "2025-01-15T10:05:00.000Z info Envoy proxy is ready\n"
)

// TestOutageLoopKubeUp is issue 15's loop on one real API server: the seed's
// cluster with two crash-looping Java pods → doctor → verify fails → the
// fix applied, pods Ready, logs clean → verify passes; an error left in a
// current log fails it; --wait passes once a later read is clean; a user
// forbidden pods/log is never told healthy. Nothing is ever written.
func TestOutageLoopKubeUp(t *testing.T) {
	kc := kubeup.Start(t)
	seed, _ := filepath.Abs("../../examples/seed")
	kc.ApplyNamespacesFirst(t, seed)

	// No controller manager runs: create what it would — a ReplicaSet per
	// Deployment and its pod, bound to the fake kubelet's Node, with the
	// sidecar the injector would add to staging-webs pods.
	pods := map[string]string{} // app → pod name
	for _, d := range []struct{ ns, name string }{{"staging-webs", "auth-guard"}, {"staging-webs", "order-core"}, {"monitoring", "otel-collector"}} {
		pods[d.name] = runPod(t, kc, d.ns, d.name, d.ns == "staging-webs")
	}
	guard, order, collector := pods["auth-guard"], pods["order-core"], pods["otel-collector"]
	setStatus(t, kc, "monitoring", collector, podStatus(false, 0, "opentelemetry-collector"))
	for _, p := range []string{guard, order} {
		setStatus(t, kc, "staging-webs", p, podStatus(true, 6, "app", "istio-proxy"))
		kc.WriteLog(t, "staging-webs", p, "app", false, cleanAppLog+seedAgentLog+seedAgentLog)
		kc.WriteLog(t, "staging-webs", p, "app", true, cleanAppLog+seedAgentLog+"Exception in thread \"main\" java.lang.IllegalStateException: startup check failed\n")
		kc.WriteLog(t, "staging-webs", p, "istio-proxy", false, seedEnvoyLog+seedEnvoyLog)
	}
	kc.WriteLog(t, "monitoring", collector, "opentelemetry-collector", false, "Everything is ready. Begin running and processing data.\n")
	kc.Kubectl(t, warningEvent("staging-webs", guard), "create", "-f", "-")

	scope := []string{"--cluster", "--kubeconfig", kc.Kubeconfig, "-n", "staging-webs"}
	before := objectVersions(t, kc)

	// doctor: pods → errors → cause → fix.
	start := time.Now()
	code, out, stderr := run(t, "", append([]string{"doctor"}, scope...)...)
	t.Logf("doctor took %s:\n%s\nstderr: %s", time.Since(start).Round(time.Millisecond), out, stderr)
	if code != ExitProblems {
		t.Errorf("doctor exit %d, want 1", code)
	}
	for _, want := range []string{guard, order, "CrashLoopBackOff", "last exit: exit code 1 (Error)", "Readiness probe failed",
		"WRONG_VERSION_NUMBER", "written by envoy-client-sidecar", "otel-collector.monitoring.svc.cluster.local:4317",
		"mesh-wide DestinationRule", "DestinationRule istio-system/default-mtls", "$ meshdoctor fix --cluster",
		"COULD NOT READ"} {
		if want == "COULD NOT READ" {
			if strings.Contains(out, want) {
				t.Errorf("admin doctor could not read something:\n%s", out)
			}
			continue
		}
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q", want)
		}
	}
	if !inOrder(out, "PODS", "ERRORS", "CAUSE", "FIX") {
		t.Errorf("doctor's sections are not pods → errors → cause → fix")
	}
	if !strings.Contains(stderr, "doctor: read ") {
		t.Errorf("no progress on stderr: %q", stderr)
	}
	code, js, _ := run(t, "", append([]string{"doctor", "-o", "json"}, scope...)...)
	var rep struct {
		Status    string
		Pods      []struct{ Name string }
		Diagnoses []struct {
			Pods      []string
			Agrees    bool
			DecidedBy []struct{ Kind, Name, Reach string }
		}
		Fixes []struct {
			Best    *struct{ Strategy string }
			Command string
		}
		Verify string
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil || code != ExitProblems {
		t.Fatalf("doctor -o json: exit %d, %v\n%s", code, err, js)
	}
	if rep.Status != "broken" || len(rep.Pods) != 2 || len(rep.Diagnoses) == 0 || len(rep.Fixes) == 0 || rep.Fixes[0].Best == nil {
		t.Errorf("doctor json: %+v", rep)
	}
	for _, d := range rep.Diagnoses {
		if len(d.Pods) != 2 || !d.Agrees {
			t.Errorf("diagnosis not on both pods, or the model disagrees: %+v", d)
		}
	}
	if after := objectVersions(t, kc); after != before {
		t.Errorf("doctor changed the cluster:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// verify before the fix: fails, naming the error.
	code, out, _ = run(t, "", append([]string{"verify"}, scope...)...)
	t.Logf("verify before the fix:\n%s", out)
	if code != ExitProblems || !strings.Contains(out, "✗ pods-ready") || !strings.Contains(out, "✗ logs-clean") || !strings.Contains(out, "✗ edges-ok") {
		t.Errorf("verify before the fix: exit %d", code)
	}

	// doctor's fix, written by the command it printed and applied; pods
	// Ready (restarts as they were), logs clean.
	fixArgs := strings.Fields(strings.TrimSuffix(rep.Fixes[0].Command, " > mtls-fix.yaml"))[1:]
	code, fixYAML, stderr := run(t, "", fixArgs...)
	t.Logf("%s:\n%s\nstderr: %s", rep.Fixes[0].Command, fixYAML, stderr)
	if code != ExitOK || !strings.Contains(fixYAML, "kind: DestinationRule") {
		t.Fatalf("doctor's fix command: exit %d", code)
	}
	fixFile := filepath.Join(kc.Dir, "mtls-fix.yaml")
	if err := os.WriteFile(fixFile, []byte(fixYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rep.Verify, "meshdoctor verify --cluster --kubeconfig "+kc.Kubeconfig+" -n staging-webs mtls-fix.yaml --wait 5m") {
		t.Errorf("doctor's verify line: %q", rep.Verify)
	}
	kc.Kubectl(t, "", "apply", "-f", fixFile)
	for _, p := range []string{guard, order} {
		setStatus(t, kc, "staging-webs", p, podStatus(false, 6, "app", "istio-proxy"))
		kc.WriteLog(t, "staging-webs", p, "app", false, cleanAppLog)
		kc.WriteLog(t, "staging-webs", p, "istio-proxy", false, cleanEnvoyLog)
	}
	code, out, _ = run(t, "", append(append([]string{"verify"}, scope...), fixFile)...)
	t.Logf("verify after the fix:\n%s", out)
	if code != ExitOK || !strings.Contains(out, "PASS") || !strings.Contains(out, "✓ fix-present") {
		t.Errorf("verify after the fix: exit %d", code)
	}

	// Ready, but the error still in a current log: fails and names it.
	kc.WriteLog(t, "staging-webs", order, "app", false, cleanAppLog+seedAgentLog)
	code, out, _ = run(t, "", append([]string{"verify"}, scope...)...)
	t.Logf("verify with the error in a current log:\n%s", out)
	if code != ExitProblems || !regexp.MustCompile(`✗ logs-clean .*\n.*tls-to-plaintext .*`+order+`/app: .*WRONG_VERSION_NUMBER`).MatchString(out) {
		t.Errorf("verify with the error still logged: exit %d", code)
	}

	// --wait: the next read is clean. The clock's After is the poll hook.
	clock := &hookClock{now: time.Now(), hook: func() {
		kc.WriteLog(t, "staging-webs", order, "app", false, cleanAppLog)
	}}
	verifyClock = clock
	t.Cleanup(func() { verifyClock = defaultVerifyClock })
	code, out, stderr = run(t, "", append([]string{"verify", "--wait", "5m", "--interval", "30s"}, scope...)...)
	t.Logf("verify --wait:\n%s\nstderr: %s", out, stderr)
	if code != ExitOK || clock.polls != 1 || !strings.Contains(out, "2 reads") || !strings.Contains(stderr, "round 1: logs-clean fail") {
		t.Errorf("verify --wait: exit %d after %d polls", code, clock.polls)
	}
	verifyClock = defaultVerifyClock

	// A user that may read everything but pods/log: both commands say what
	// they could not read, and neither reports healthy.
	noLog := impersonating(t, kc, "meshdoctor-no-logs")
	kc.Kubectl(t, noLogsRBAC, "apply", "-f", "-")
	limited := []string{"--cluster", "--kubeconfig", noLog, "-n", "staging-webs"}
	code, out, _ = run(t, "", append([]string{"doctor"}, limited...)...)
	t.Logf("doctor without pods/log:\n%s", out)
	if code != ExitProblems || !strings.Contains(out, "UNKNOWN") || !strings.Contains(out, "COULD NOT READ") ||
		!strings.Contains(out, "cannot read the log of staging-webs/"+guard+" container app: forbidden") || strings.Contains(out, "HEALTHY") {
		t.Errorf("doctor without pods/log: exit %d", code)
	}
	code, out, _ = run(t, "", append([]string{"verify"}, limited...)...)
	t.Logf("verify without pods/log:\n%s", out)
	if code != ExitProblems || !strings.Contains(out, "? logs-clean") || !strings.Contains(out, "forbidden") || strings.Contains(out, "PASS") {
		t.Errorf("verify without pods/log: exit %d", code)
	}
	if after := objectVersions(t, kc); !strings.Contains(after, "DestinationRule/monitoring/otel-collector-mtls-exception") {
		t.Errorf("lost the applied fix?\n%s", after)
	}
}

var defaultVerifyClock = verifyClock

// hookClock is a fake clock: each wait moves time on and runs hook.
type hookClock struct {
	now   time.Time
	hook  func()
	polls int
}

func (c *hookClock) Now() time.Time { return c.now }
func (c *hookClock) After(d time.Duration) <-chan time.Time {
	c.polls++
	c.now = c.now.Add(d)
	c.hook()
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

// runPod creates what the controller manager and the injector would: a
// ReplicaSet owned by the Deployment and one pod of it, bound to the Node.
func runPod(t *testing.T, kc *kubeup.Cluster, ns, name string, inject bool) string {
	var d appsv1.Deployment
	if err := json.Unmarshal([]byte(kc.Kubectl(t, "", "get", "deployment", "-n", ns, name, "-o", "json")), &d); err != nil {
		t.Fatal(err)
	}
	yes := true
	rs := appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{APIVersion: "apps/v1", Kind: "ReplicaSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name + "-7d9f8c6b5", Namespace: ns, Labels: d.Spec.Template.Labels,
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment", Name: name, UID: d.UID, Controller: &yes}}},
		Spec: appsv1.ReplicaSetSpec{Replicas: d.Spec.Replicas, Selector: d.Spec.Selector, Template: d.Spec.Template}}
	b, _ := json.Marshal(rs)
	kc.Kubectl(t, string(b), "create", "-f", "-")
	if err := json.Unmarshal([]byte(kc.Kubectl(t, "", "get", "replicaset", "-n", ns, rs.Name, "-o", "json")), &rs); err != nil {
		t.Fatal(err)
	}
	pod := corev1.Pod{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: rs.Name + "-x2k4q", Namespace: ns, Labels: d.Spec.Template.Labels, Annotations: map[string]string{},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "ReplicaSet", Name: rs.Name, UID: rs.UID, Controller: &yes}}},
		Spec: d.Spec.Template.Spec}
	pod.Spec.NodeName = kc.Node
	if inject {
		pod.Annotations["sidecar.istio.io/status"] = `{"containers":["istio-proxy"],"initContainers":["istio-init"]}`
		pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: "istio-proxy", Image: "docker.io/istio/proxyv2:1.24.2",
			Args: []string{"proxy", "sidecar"}})
	}
	b, _ = json.Marshal(pod)
	kc.Kubectl(t, string(b), "create", "-f", "-")
	return pod.Name
}

// podStatus is what a kubelet reports: Running, and either the app
// crash-looping (restarts times) or every container Ready.
func podStatus(crashing bool, restarts int32, containers ...string) corev1.PodStatus {
	now := metav1.NewTime(time.Now().Add(-time.Minute).Truncate(time.Second))
	ready := corev1.ConditionTrue
	if crashing {
		ready = corev1.ConditionFalse
	}
	st := corev1.PodStatus{Phase: corev1.PodRunning, HostIP: "127.0.0.1", PodIP: "127.0.0.1", StartTime: &now,
		Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: ready, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: ready, LastTransitionTime: now}}}
	for _, c := range containers {
		cs := corev1.ContainerStatus{Name: c, Image: c, ImageID: c, Ready: true, State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: now}}}
		if c == "app" {
			cs.RestartCount = restarts
			if restarts > 0 {
				cs.LastTerminationState.Terminated = &corev1.ContainerStateTerminated{ExitCode: 1, Reason: "Error", StartedAt: now, FinishedAt: now}
			}
			if crashing {
				cs.Ready = false
				cs.State = corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff",
					Message: "back-off 2m40s restarting failed container=app"}}
			}
		}
		st.ContainerStatuses = append(st.ContainerStatuses, cs)
	}
	return st
}

// setStatus writes a pod's status through the status subresource, as the kubelet does.
func setStatus(t *testing.T, kc *kubeup.Cluster, ns, pod string, st corev1.PodStatus) {
	b, _ := json.Marshal(map[string]any{"status": st})
	kc.Kubectl(t, "", "patch", "pod", "-n", ns, pod, "--subresource=status", "--type=merge", "-p", string(b))
}

func warningEvent(ns, pod string) string {
	now := time.Now().UTC().Format(time.RFC3339)
	return fmt.Sprintf(`{"apiVersion":"v1","kind":"Event","metadata":{"name":"%s.probe","namespace":"%s"},
"involvedObject":{"kind":"Pod","namespace":"%s","name":"%s","apiVersion":"v1"},"type":"Warning","reason":"Unhealthy",
"message":"Readiness probe failed: HTTP probe failed with statuscode: 503","count":14,"firstTimestamp":"%s","lastTimestamp":"%s",
"source":{"component":"kubelet","host":"kube-up-node"}}`, pod, ns, ns, pod, now, now)
}

// objectVersions lists every object meshdoctor reads with its resourceVersion:
// any write would change it.
func objectVersions(t *testing.T, kc *kubeup.Cluster) string {
	return kc.Kubectl(t, "", "get", "namespaces,pods,services,configmaps,events,deployments,replicasets,nodes,"+
		"destinationrules.networking.istio.io,peerauthentications.security.istio.io", "-A",
		"-o", `jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name} {.metadata.resourceVersion}{"\n"}{end}`)
}

// noLogsRBAC lets meshdoctor-no-logs read what meshdoctor models, pods and
// events — but not pods/log.
const noLogsRBAC = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: meshdoctor-no-logs}
rules:
- apiGroups: [""]
  resources: [namespaces, pods, services, configmaps, events]
  verbs: [get, list]
- apiGroups: [apps, batch, networking.istio.io, security.istio.io]
  resources: ["*"]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: meshdoctor-no-logs}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: meshdoctor-no-logs}
subjects:
- {apiGroup: rbac.authorization.k8s.io, kind: User, name: meshdoctor-no-logs}
`

// impersonating writes a kubeconfig that acts as user through the admin's
// credentials (kubectl --as), so a test can have any RBAC it defines.
func impersonating(t *testing.T, kc *kubeup.Cluster, user string) string {
	cfg, err := clientcmd.LoadFromFile(kc.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.AuthInfos {
		a.Impersonate = user
	}
	p := filepath.Join(kc.Dir, "kubeconfig-"+user)
	if err := clientcmd.WriteToFile(*cfg, p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func inOrder(s string, parts ...string) bool {
	at := 0
	for _, p := range parts {
		i := strings.Index(s[at:], "\n"+p)
		if i < 0 {
			return false
		}
		at += i + 1
	}
	return true
}
