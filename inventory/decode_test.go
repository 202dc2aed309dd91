package inventory

import (
	"maps"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
)

const versions = `
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: {name: pa-beta, namespace: a}
spec: {mtls: {mode: STRICT}, portLevelMtls: {"8080": {mode: DISABLE}}}
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: dr-alpha, namespace: a}
spec: {host: x, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: networking.istio.io/v1beta1
kind: Sidecar
metadata: {name: sc, namespace: a}
spec: {egress: [{hosts: ["./*"]}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: se, namespace: a}
spec: {hosts: [api.example.com], location: MESH_EXTERNAL, ports: [{number: 443, name: https, protocol: TLS}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, namespace: a}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: cj}}
        spec: {containers: [{name: c, image: x}], restartPolicy: Never}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds}
spec:
  selector: {matchLabels: {app: ds}}
  template:
    metadata: {labels: {app: ds}}
    spec: {containers: [{name: c, image: x}]}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
---
apiVersion: v1
kind: Service
metadata: {name: bad, namespace: a}
spec: {ports: [{port: "not-a-number"}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    rootNamespace: mesh-root
    enableAutoMtls: false
    outboundTrafficPolicy: {mode: REGISTRY_ONLY}
    defaultConfig:
      holdApplicationUntilProxyStarts: true
`

func TestBuild(t *testing.T) {
	inv := Build(source.Parse("v.yaml", []byte(versions)), "dflt")
	if len(inv.PeerAuthentications) != 1 || inv.PeerAuthentications[0].Spec.GetPortLevelMtls()[8080].GetMode().String() != "DISABLE" {
		t.Errorf("v1beta1 PeerAuthentication not decoded into the istio.io/api type: %+v", inv.PeerAuthentications)
	}
	if len(inv.DestinationRules) != 1 || inv.DestinationRules[0].Spec.GetTrafficPolicy().GetTls().GetMode().String() != "ISTIO_MUTUAL" {
		t.Errorf("v1alpha3 DestinationRule not decoded")
	}
	if len(inv.Sidecars) != 1 || len(inv.ServiceEntries) != 1 {
		t.Errorf("Sidecar/ServiceEntry: %d/%d", len(inv.Sidecars), len(inv.ServiceEntries))
	}
	kinds := map[string]string{}
	for _, w := range inv.Workloads {
		kinds[w.Kind] = w.Namespace + "/" + w.Template.Labels["app"]
	}
	if kinds["CronJob"] != "a/cj" || kinds["DaemonSet"] != "dflt/ds" {
		t.Errorf("workloads (pod templates, default namespace): %v", kinds)
	}
	if inv.Skipped["Widget"] != 1 {
		t.Errorf("unknown kinds are counted and skipped: %v", inv.Skipped)
	}
	if len(inv.Problems) != 1 || inv.Problems[0].Origin.Line == 0 {
		t.Errorf("a Service that does not decode is a problem with a line: %v", inv.Problems)
	}
	mc := inv.Mesh
	if mc.RootNamespace != "mesh-root" || mc.EnableAutoMtls || !mc.OutboundRegistryOnly || !mc.HoldApplicationUntilProxyStarts || mc.From == nil {
		t.Errorf("mesh config not read from the istio ConfigMap: %+v", mc)
	}
}

func TestDefaultsAndReplacement(t *testing.T) {
	inv := Build(source.Parse("d.yaml", []byte(`
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: a}
`)), "")
	if mc := inv.Mesh; mc.RootNamespace != "istio-system" || !mc.EnableAutoMtls || mc.OutboundRegistryOnly || !mc.RewriteAppHTTPProbe {
		t.Errorf("Istio's defaults expected without a mesh config: %+v", mc)
	}
	if ns := inv.Namespace("a"); ns == nil || ns.Labels["istio-injection"] != "" || ns.Origin.Line != 6 {
		t.Errorf("the later Namespace a must replace the earlier: %+v", ns)
	}
}

// A kind of another API group that shares a name with one the model reads
// is counted with its group: a Gateway API Gateway is not an Istio Gateway.
func TestSkippedKindNamesItsGroup(t *testing.T) {
	inv := Build(source.Parse("g.yaml", []byte(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: web, namespace: a}
spec: {gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: a}
`)), "dflt")
	want := map[string]int{"Gateway (gateway.networking.k8s.io)": 1, "HTTPRoute": 1}
	if len(inv.Gateways) != 0 || !maps.Equal(inv.Skipped, want) {
		t.Errorf("skipped = %v, Istio Gateways = %d; want %v and none", inv.Skipped, len(inv.Gateways), want)
	}
}
