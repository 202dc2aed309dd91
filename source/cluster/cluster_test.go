package cluster

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

type meta struct {
	ns, name, uid, owner, ownerKind string
	labels, annotations             map[string]string
}

// obj builds an object as the API returns it, managedFields included.
func obj(apiVersion, kind string, m meta, spec map[string]any) map[string]any {
	md := map[string]any{"name": m.name, "uid": m.uid, "creationTimestamp": "2025-11-20T08:00:00Z",
		"resourceVersion": "7", "managedFields": []any{map[string]any{"manager": "kubectl", "operation": "Apply"}}}
	if m.ns != "" {
		md["namespace"] = m.ns
	}
	if m.labels != nil {
		md["labels"] = m.labels
	}
	if m.annotations != nil {
		md["annotations"] = m.annotations
	}
	if m.owner != "" {
		md["ownerReferences"] = []any{map[string]any{"apiVersion": "apps/v1", "kind": m.ownerKind, "name": "x", "uid": m.owner, "controller": true}}
	}
	o := map[string]any{"metadata": md}
	if !strings.HasPrefix(apiVersion, "v1") && !strings.HasPrefix(apiVersion, "apps/") {
		o["apiVersion"], o["kind"] = apiVersion, kind // CRD lists carry them; built-in lists do not
	}
	for k, v := range spec {
		o[k] = v
	}
	return o
}

var (
	authLabels = map[string]string{"app.kubernetes.io/name": "auth-guard"}
	otelLabels = map[string]string{"app.kubernetes.io/name": "opentelemetry-collector", "app.kubernetes.io/instance": "otel-collector", "component": "standalone-collector"}
	injected   = map[string]string{"sidecar.istio.io/status": `{"containers":["istio-proxy"]}`}
)

func podSpec(env ...map[string]any) map[string]any {
	return map[string]any{"containers": []any{map[string]any{"name": "app", "image": "app:1", "env": env}}}
}

// seedCluster is the seed incident as a cluster shows it: injected app
// pods, an uninjected collector, STRICT mesh-wide (forbidden to us) and the
// *.local ISTIO_MUTUAL rule served only as networking.istio.io/v1beta1.
func seedCluster(t *testing.T) *fakeAPI {
	f := newFakeAPI(t)
	f.serve("", "v1", "namespaces", "Namespace", false)
	f.serve("", "v1", "pods", "Pod", true)
	f.serve("", "v1", "services", "Service", true)
	f.serve("", "v1", "configmaps", "ConfigMap", true)
	for _, r := range []string{"deployments/Deployment", "statefulsets/StatefulSet", "daemonsets/DaemonSet", "replicasets/ReplicaSet"} {
		p, k, _ := strings.Cut(r, "/")
		f.serve("apps", "v1", p, k, true)
	}
	f.serve("batch", "v1", "jobs", "Job", true)
	f.serve("batch", "v1", "cronjobs", "CronJob", true)
	f.serve("security.istio.io", "v1", "peerauthentications", "PeerAuthentication", true)
	f.serve("networking.istio.io", "v1beta1", "destinationrules", "DestinationRule", true)
	f.serve("networking.istio.io", "v1beta1", "serviceentries", "ServiceEntry", true)
	f.serve("networking.istio.io", "v1beta1", "sidecars", "Sidecar", true)
	f.serve("networking.istio.io", "v1beta1", "virtualservices", "VirtualService", true)
	f.serve("networking.istio.io", "v1", "gateways", "Gateway", true)
	f.serve("telemetry.istio.io", "v1", "telemetries", "Telemetry", true)
	f.forbidden["security.istio.io/v1/peerauthentications"] = true

	f.add("/v1/namespaces",
		obj("v1", "Namespace", meta{name: "istio-system", uid: "ns1"}, nil),
		obj("v1", "Namespace", meta{name: "monitoring", uid: "ns2"}, nil),
		obj("v1", "Namespace", meta{name: "staging-webs", uid: "ns3", labels: map[string]string{"istio-injection": "enabled"}}, nil))
	env := map[string]any{"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.monitoring.svc.cluster.local:4317"}
	var pods []map[string]any
	for i := 0; i < 3; i++ { // three identical replicas: one stands for them
		pods = append(pods, obj("v1", "Pod", meta{ns: "staging-webs", name: fmt.Sprintf("auth-guard-7d9f-%d", i), uid: fmt.Sprintf("p%d", i),
			owner: "rs1", ownerKind: "ReplicaSet", labels: authLabels, annotations: injected}, map[string]any{"spec": podSpec(env)}))
	}
	pods = append(pods, obj("v1", "Pod", meta{ns: "monitoring", name: "otel-collector-5c6b-0", uid: "p9", owner: "rs2", ownerKind: "ReplicaSet", labels: otelLabels},
		map[string]any{"spec": podSpec()}))
	f.add("/v1/pods", pods...)
	f.add("apps/v1/deployments",
		obj("apps/v1", "Deployment", meta{ns: "staging-webs", name: "auth-guard", uid: "d1"}, nil),
		obj("apps/v1", "Deployment", meta{ns: "monitoring", name: "otel-collector", uid: "d2"}, nil),
		obj("apps/v1", "Deployment", meta{ns: "staging-webs", name: "batch-idle", uid: "d3"}, nil))
	f.add("apps/v1/replicasets",
		obj("apps/v1", "ReplicaSet", meta{ns: "staging-webs", name: "auth-guard-7d9f", uid: "rs1", owner: "d1", ownerKind: "Deployment"}, nil),
		obj("apps/v1", "ReplicaSet", meta{ns: "monitoring", name: "otel-collector-5c6b", uid: "rs2", owner: "d2", ownerKind: "Deployment"}, nil))
	f.add("/v1/services",
		obj("v1", "Service", meta{ns: "monitoring", name: "otel-collector", uid: "s1"}, map[string]any{"spec": map[string]any{
			"selector": otelLabels, "ports": []any{map[string]any{"name": "otlp", "port": 4317, "targetPort": 4317, "appProtocol": "grpc"}}}}))
	f.add("/v1/configmaps",
		obj("v1", "ConfigMap", meta{ns: "istio-system", name: "istio", uid: "c1"}, map[string]any{"data": map[string]any{"mesh": "rootNamespace: istio-system\n"}}))
	f.add("networking.istio.io/v1beta1/destinationrules",
		obj("networking.istio.io/v1beta1", "DestinationRule", meta{ns: "istio-system", name: "default-mtls", uid: "dr1"},
			map[string]any{"spec": map[string]any{"host": "*.local", "trafficPolicy": map[string]any{"tls": map[string]any{"mode": "ISTIO_MUTUAL"}}}}))
	// Routes and Telemetry change edges too: they are read like the rest.
	f.add("networking.istio.io/v1beta1/virtualservices",
		obj("networking.istio.io/v1beta1", "VirtualService", meta{ns: "monitoring", name: "otel-collector", uid: "vs1"},
			map[string]any{"spec": map[string]any{"hosts": []any{"otel-collector"}}}))
	// Gateways decide which VirtualServices a gateway proxy applies.
	f.add("networking.istio.io/v1/gateways",
		obj("networking.istio.io/v1", "Gateway", meta{ns: "istio-system", name: "ingress", uid: "gw1"},
			map[string]any{"spec": map[string]any{"selector": map[string]any{"istio": "ingressgateway"}}}))
	f.add("telemetry.istio.io/v1/telemetries",
		obj("telemetry.istio.io/v1", "Telemetry", meta{ns: "istio-system", name: "mesh-default", uid: "t1"}, map[string]any{"spec": map[string]any{}}))
	return f
}

func ids(set source.Set) string {
	var out []string
	for _, o := range set.Objects {
		out = append(out, o.Origin.String()+" "+o.APIVersion)
	}
	return strings.Join(out, "\n")
}

func TestReadLiveCluster(t *testing.T) {
	f := seedCluster(t)
	_, flags := f.start()
	var progress bytes.Buffer
	start := time.Now()
	set, err := Read(context.Background(), Options{Getter: flags, AllNamespaces: true, PageSize: 2, Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("read the fake cluster (%d requests, %d objects) in %s", f.count(""), len(set.Objects), time.Since(start))
	want := `cluster:Namespace/istio-system v1
cluster:Namespace/monitoring v1
cluster:Namespace/staging-webs v1
cluster:Pod/staging-webs/auth-guard-7d9f-0 v1
cluster:Pod/monitoring/otel-collector-5c6b-0 v1
cluster:Service/monitoring/otel-collector v1
cluster:ConfigMap/istio-system/istio v1
cluster:Deployment/staging-webs/batch-idle apps/v1
cluster:DestinationRule/istio-system/default-mtls networking.istio.io/v1beta1
cluster:VirtualService/monitoring/otel-collector networking.istio.io/v1beta1
cluster:Gateway/istio-system/ingress networking.istio.io/v1
cluster:Telemetry/istio-system/mesh-default telemetry.istio.io/v1`
	if got := ids(set); got != want {
		t.Errorf("objects:\n%s\nwant:\n%s", got, want)
	}
	wantProblem := "cluster: cannot list peerauthentications.security.istio.io in all namespaces: forbidden — conclusions that depend on PeerAuthentication are unknown"
	if len(set.Problems) != 1 || set.Problems[0].Error() != wantProblem {
		t.Errorf("problems = %v, want [%s]", set.Problems, wantProblem)
	}
	if n := f.count("/api/v1/pods?continue="); n < 1 {
		t.Errorf("pods were not paged: %v", f.requests)
	}
	if n := f.count("limit=2"); n < 5 {
		t.Errorf("lists do not send limit: %d", n)
	}
	pod := string(set.Objects[3].JSON)
	if strings.Contains(pod, "managedFields") || !strings.Contains(pod, `"creationTimestamp":"2025-11-20T08:00:00Z"`) || !strings.Contains(pod, `"kind":"Pod"`) {
		t.Errorf("pod JSON: %s", pod)
	}
	if !strings.Contains(progress.String(), "cluster: reading pods in all namespaces") || !strings.HasSuffix(progress.String(), "\r\033[K") {
		t.Errorf("progress: %q", progress.String())
	}
	// The live state fails the same way the seed did, even without seeing PeerAuthentications.
	inv := inventory.Build(set, "default")
	for _, w := range inv.Workloads {
		if w.Kind == "Pod" && (!w.Live || w.Injected != (w.Name == "auth-guard-7d9f-0")) {
			t.Errorf("%s %s: live = %v, injected = %v", w.Kind, w.Name, w.Live, w.Injected)
		}
	}
	res := analysis.Run(inv, analysis.Options{})
	found := false
	for _, e := range res.Edges {
		if e.Client.Workload != "" && e.Server.Port == 4317 {
			found = true
			if e.Outcome != verdict.Fail {
				t.Errorf("%s/%s -> 4317: %s (%s)", e.Client.Namespace, e.Client.Workload, e.Outcome, e.Cause)
			}
		}
	}
	if !found {
		t.Errorf("no 4317 edge: %+v", res.Edges)
	}
}

func TestNamespaceScopeAndFallback(t *testing.T) {
	f := seedCluster(t)
	delete(f.forbidden, "security.istio.io/v1/peerauthentications")
	f.groups["security.istio.io"] = []string{"v1beta1"} // an older Istio: v1 not served
	f.resources["security.istio.io/v1beta1"] = f.resources["security.istio.io/v1"]
	f.add("security.istio.io/v1beta1/peerauthentications", obj("security.istio.io/v1beta1", "PeerAuthentication",
		meta{ns: "istio-system", name: "default", uid: "pa1"}, map[string]any{"spec": map[string]any{"mtls": map[string]any{"mode": "STRICT"}}}))
	_, flags := f.start()
	// -n is what to judge, not what to read: the collector's namespace and
	// the mesh policies decide staging-webs' edges, so everything is read.
	set, err := Read(context.Background(), Options{Getter: flags, Namespace: "staging-webs"})
	if err != nil {
		t.Fatal(err)
	}
	want := `cluster:Namespace/istio-system v1
cluster:Namespace/monitoring v1
cluster:Namespace/staging-webs v1
cluster:Pod/staging-webs/auth-guard-7d9f-0 v1
cluster:Pod/monitoring/otel-collector-5c6b-0 v1
cluster:Service/monitoring/otel-collector v1
cluster:ConfigMap/istio-system/istio v1
cluster:Deployment/staging-webs/batch-idle apps/v1
cluster:PeerAuthentication/istio-system/default security.istio.io/v1beta1
cluster:DestinationRule/istio-system/default-mtls networking.istio.io/v1beta1
cluster:VirtualService/monitoring/otel-collector networking.istio.io/v1beta1
cluster:Gateway/istio-system/ingress networking.istio.io/v1
cluster:Telemetry/istio-system/mesh-default telemetry.istio.io/v1`
	if got := ids(set); got != want || len(set.Problems) != 0 || len(set.Unread) != 0 {
		t.Errorf("objects:\n%s\nwant:\n%s\nproblems: %v unread: %v", got, want, set.Problems, set.Unread)
	}
}

// A user bound to a few namespaces cannot list across them: each kind is
// read in the scope, the root namespace and the namespaces its workloads
// name as destinations; what stays hidden is said, once per set of kinds.
func TestNamespaceBoundUser(t *testing.T) {
	f := seedCluster(t)
	delete(f.forbidden, "security.istio.io/v1/peerauthentications")
	f.onlyIn = []string{"staging-webs", "monitoring"}
	_, flags := f.start()
	set, err := Read(context.Background(), Options{Getter: flags, Namespace: "staging-webs"})
	if err != nil {
		t.Fatal(err)
	}
	want := `cluster:Namespace/staging-webs v1
cluster:Pod/staging-webs/auth-guard-7d9f-0 v1
cluster:Deployment/staging-webs/batch-idle apps/v1
cluster:Namespace/monitoring v1
cluster:Pod/monitoring/otel-collector-5c6b-0 v1
cluster:Service/monitoring/otel-collector v1
cluster:VirtualService/monitoring/otel-collector networking.istio.io/v1beta1`
	if got := ids(set); got != want {
		t.Errorf("objects:\n%s\nwant:\n%s", got, want)
	}
	if f.count("/api/v1/namespaces/monitoring/pods") == 0 {
		t.Error("the collector's namespace, named by the apps' OTLP endpoint, was not read")
	}
	wantProblem := "cluster: cannot list namespaces, pods, services, configmaps, deployments.apps, statefulsets.apps, daemonsets.apps, replicasets.apps, jobs.batch, cronjobs.batch, peerauthentications.security.istio.io, destinationrules.networking.istio.io, serviceentries.networking.istio.io, sidecars.networking.istio.io, virtualservices.networking.istio.io, gateways.networking.istio.io, telemetries.telemetry.istio.io in all namespaces: forbidden — read in staging-webs, monitoring only; conclusions that depend on them in other namespaces are unknown"
	if len(set.Problems) != 1 || set.Problems[0].Error() != wantProblem {
		t.Errorf("problems:\n%v\nwant:\n%s", set.Problems, wantProblem)
	}
	var pa *source.Unread
	for i, u := range set.Unread {
		if u.Kind == "PeerAuthentication" {
			pa = &set.Unread[i]
		}
	}
	if pa == nil || !pa.In("istio-system") || pa.In("monitoring") || pa.Reason != "forbidden" {
		t.Errorf("unread: %+v", set.Unread)
	}
	// A namespace that does not exist is said, not skipped.
	f.onlyIn = []string{"typo"}
	set, err = Read(context.Background(), Options{Getter: flags, Namespace: "typo"})
	if err != nil || len(set.Problems) != 3 || set.Problems[0].Error() != "cluster: cannot get namespace typo: not found — conclusions that depend on it are unknown" {
		t.Errorf("err=%v problems=%v", err, set.Problems)
	}
}

func TestOverlayReplacesLive(t *testing.T) {
	f := seedCluster(t)
	_, flags := f.start()
	local := source.Parse("pending-change/fix.yaml", []byte(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default-mtls, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: DISABLE}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: auth-guard}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: auth-guard}}
  template:
    metadata: {labels: {app.kubernetes.io/name: auth-guard}}
    spec: {containers: [{name: app, image: app:2}]}
`))
	set, err := Read(context.Background(), Options{Getter: flags, Namespace: "staging-webs", Overlay: local})
	if err != nil {
		t.Fatal(err)
	}
	got := ids(set)
	for _, gone := range []string{"cluster:DestinationRule", "cluster:Pod/staging-webs/auth-guard"} {
		if strings.Contains(got, gone) {
			t.Errorf("%s should be replaced by the local change:\n%s", gone, got)
		}
	}
	for _, want := range []string{"pending-change/fix.yaml:1 networking.istio.io/v1", "pending-change/fix.yaml:6 apps/v1", "cluster:Namespace/staging-webs"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s:\n%s", want, got)
		}
	}
	if o := set.Objects[len(set.Objects)-1]; o.Namespace != "staging-webs" || !strings.Contains(string(o.JSON), `"namespace":"staging-webs"`) {
		t.Errorf("local object without namespace not placed in staging-webs: %s", o.JSON)
	}
}

func TestBoundedInTime(t *testing.T) {
	f := seedCluster(t)
	f.delay["/api/v1/pods"] = 5 * time.Second
	_, flags := f.start()
	start := time.Now()
	_, err := Read(context.Background(), Options{Getter: flags, AllNamespaces: true, Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out after 300ms") {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %s", d)
	}
}

func TestUnreachableAndUnserved(t *testing.T) {
	f := seedCluster(t)
	delete(f.groups, "security.istio.io")
	srv, flags := f.start()
	set, err := Read(context.Background(), Options{Getter: flags, AllNamespaces: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 1 || !strings.Contains(set.Problems[0].Message, "peerauthentications.security.istio.io: its API group is not served") {
		t.Errorf("problems: %v", set.Problems)
	}
	srv.Close()
	if _, err := Read(context.Background(), Options{Getter: flags, AllNamespaces: true, Timeout: 2 * time.Second}); err == nil {
		t.Error("unreachable server: no error")
	}
}
