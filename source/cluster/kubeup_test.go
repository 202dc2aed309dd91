package cluster

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/internal/kubeup"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

const liveSeed = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: Namespace
metadata: {name: staging-webs, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default-mtls, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: v1
kind: Service
metadata: {name: otel-collector, namespace: monitoring}
spec:
  selector: {app.kubernetes.io/name: opentelemetry-collector}
  ports: [{name: otlp, port: 4317, appProtocol: grpc}]
`

func livePod(name string) string {
	return `
apiVersion: v1
kind: Pod
metadata:
  name: ` + name + `
  namespace: staging-webs
  labels: {app.kubernetes.io/name: auth-guard}
  annotations: {sidecar.istio.io/status: '{"containers":["istio-proxy"]}'}
spec:
  containers:
  - name: app
    image: registry.example.com/auth-guard:1.4.2
    env: [{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.monitoring.svc.cluster.local:4317"}]
`
}

// TestKubeUpE2E reads a real kube-apiserver (started by kube-up on
// loopback) as admin and as a user forbidden to list PeerAuthentications.
func TestKubeUpE2E(t *testing.T) {
	script, kubectl := kubeup.Find(t)
	dir := t.TempDir()
	start := time.Now()
	if out, err := exec.Command(script, "start", dir).CombinedOutput(); err != nil {
		t.Fatalf("kube-up start: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(script, "stop", dir).Run() })
	t.Logf("kube-up started in %s", time.Since(start))
	admin := filepath.Join(dir, "kubeconfig")
	manifests := liveSeed
	for _, n := range []string{"auth-guard-0", "auth-guard-1", "auth-guard-2"} {
		manifests += "---" + livePod(n)
	}
	apply := exec.Command(kubectl, "--kubeconfig", admin, "apply", "-f", "-")
	apply.Stdin = strings.NewReader(manifests)
	if out, err := apply.CombinedOutput(); err != nil {
		t.Fatalf("kubectl apply: %v\n%s", err, out)
	}
	flags := func(kc string) *genericclioptions.ConfigFlags {
		cf := genericclioptions.NewConfigFlags(false)
		cf.KubeConfig = &kc
		return cf
	}

	start = time.Now()
	set, err := Read(context.Background(), Options{Getter: flags(admin), AllNamespaces: true, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("admin read %d objects in %s", len(set.Objects), time.Since(start))
	got := ids(set)
	for _, want := range []string{"cluster:PeerAuthentication/istio-system/default security.istio.io/v1",
		"cluster:DestinationRule/istio-system/default-mtls networking.istio.io/v1",
		"cluster:Pod/staging-webs/auth-guard-0 v1", "cluster:Namespace/staging-webs v1", "cluster:Service/monitoring/otel-collector v1"} {
		if !strings.Contains(got, want) {
			t.Errorf("admin read lacks %s:\n%s", want, got)
		}
	}
	if len(set.Problems) != 0 {
		t.Errorf("admin problems: %v", set.Problems)
	}

	set, err = Read(context.Background(), Options{Getter: flags(filepath.Join(dir, "kubeconfig-limited")), AllNamespaces: true})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, p := range set.Problems {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	t.Logf("limited user: %d objects, problems:\n%s", len(set.Objects), all)
	if !strings.Contains(all, "cluster: cannot list peerauthentications.security.istio.io in all namespaces: forbidden — conclusions that depend on PeerAuthentication are unknown") {
		t.Errorf("limited problems:\n%s", all)
	}
	if got := ids(set); strings.Contains(got, "PeerAuthentication") || !strings.Contains(got, "DestinationRule/istio-system/default-mtls") {
		t.Errorf("limited read:\n%s", got)
	}
}
