// Package synth generates large synthetic clusters as manifests, for
// benchmarks and for trying meshdoctor at scale (cmd/gencluster).
package synth

import (
	"bytes"
	"fmt"
)

// Shape sizes the cluster: Namespaces × WorkloadsPerNS workloads, each with a
// Service, an OTLP exporter to the collector and a call to its neighbour.
type Shape struct {
	Namespaces     int
	WorkloadsPerNS int
}

// Workloads is the number of workloads the shape yields (plus the collector).
func (s Shape) Workloads() int { return s.Namespaces * s.WorkloadsPerNS }

// Cluster writes the manifests: mesh-wide STRICT, every third namespace
// without injection, every fifth with a PERMISSIVE namespace policy, every
// seventh with a DISABLE DestinationRule for its neighbour calls, and a
// collector without sidecar in "monitoring" — so every outcome occurs.
func Cluster(s Shape) []byte {
	var b bytes.Buffer
	doc := func(format string, a ...any) {
		fmt.Fprintf(&b, format, a...)
		b.WriteString("---\n")
	}
	doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n")
	doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n")
	doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n")
	doc(deployment, "otel-collector", "monitoring", "otel-collector", "otel-collector", "")
	doc("apiVersion: v1\nkind: Service\nmetadata: {name: otel-collector, namespace: monitoring}\nspec:\n  selector: {app: otel-collector}\n  ports: [{name: grpc-otlp, port: 4317, targetPort: 8080}]\n")
	for n := 0; n < s.Namespaces; n++ {
		ns := fmt.Sprintf("team-%04d", n)
		labels := "{istio-injection: enabled}"
		if n%3 == 2 {
			labels = "{}"
		}
		doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: %s}\n", ns, labels)
		if n%5 == 4 {
			doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec: {mtls: {mode: PERMISSIVE}}\n", ns)
		}
		if n%7 == 6 {
			doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: plain, namespace: %s}\nspec: {host: \"*.%s.svc.cluster.local\", trafficPolicy: {tls: {mode: DISABLE}}}\n", ns, ns)
		}
		for w := 0; w < s.WorkloadsPerNS; w++ {
			name := fmt.Sprintf("svc-%04d", w)
			next := fmt.Sprintf("svc-%04d", (w+1)%s.WorkloadsPerNS)
			env := fmt.Sprintf(`
          env:
            - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.monitoring.svc.cluster.local:4317"}
            - {name: DOWNSTREAM_URL, value: "http://%s:8080"}`, next)
			doc(deployment, name, ns, name, name, env)
			doc("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{name: http, port: 8080, targetPort: 8080}]\n", name, ns, name)
		}
	}
	return b.Bytes()
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: %s}
spec:
  selector: {matchLabels: {app: %s}}
  template:
    metadata: {labels: {app: %s}}
    spec:
      containers:
        - name: app
          image: example/app:1
          ports: [{containerPort: 8080}]%s
`
