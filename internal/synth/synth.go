// Package synth generates large synthetic clusters as manifests, for
// benchmarks and for trying meshdoctor at scale (cmd/gencluster).
package synth

import (
	"bytes"
	"fmt"
	"math/rand/v2"
)

// Shape sizes the cluster: Namespaces × WorkloadsPerNS workloads, each with a
// two-port Service (http 8080, grpc 9090), an OTLP exporter to the
// collector and a call to its neighbour on each port.
type Shape struct {
	Namespaces     int
	WorkloadsPerNS int
}

// Workloads is the number of workloads the shape yields (plus the collector).
func (s Shape) Workloads() int { return s.Namespaces * s.WorkloadsPerNS }

// Cluster writes the manifests: mesh-wide STRICT; every third namespace
// without injection; namespace-level PeerAuthentications (every fifth
// PERMISSIVE, every eleventh DISABLE); in every thirteenth a workload-level
// PA with a port-level DISABLE on 9090; DestinationRules at namespace level
// (every seventh: DISABLE for *.ns), host level with port-level settings
// (every ninth: ISTIO_MUTUAL top level, DISABLE on 9090) and with a
// workloadSelector (every seventeenth); and a collector without sidecar in
// "monitoring" — so every outcome and every level of policy occurs.
func Cluster(s Shape) []byte {
	var b bytes.Buffer
	b.Grow(s.Workloads() * 900)
	doc := func(format string, a ...any) {
		fmt.Fprintf(&b, format, a...)
		b.WriteString("---\n")
	}
	doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n")
	doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: STRICT}}\n")
	doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n")
	doc(deployment, "otel-collector", "monitoring", "otel-collector", "otel-collector", "")
	doc("apiVersion: v1\nkind: Service\nmetadata: {name: otel-collector, namespace: monitoring}\nspec:\n  selector: {app: otel-collector}\n  ports: [{name: grpc-otlp, port: 4317, targetPort: 8080}, {name: http-otlp, port: 4318, targetPort: 9090}]\n")
	for n := 0; n < s.Namespaces; n++ {
		ns := fmt.Sprintf("team-%04d", n)
		labels := "{istio-injection: enabled}"
		if n%3 == 2 {
			labels = "{}"
		}
		doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: %s}\n", ns, labels)
		switch {
		case n%5 == 4:
			doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec: {mtls: {mode: PERMISSIVE}}\n", ns)
		case n%11 == 10:
			doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec: {mtls: {mode: DISABLE}}\n", ns)
		}
		if n%13 == 12 && s.WorkloadsPerNS > 1 {
			doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: svc-0001, namespace: %s}\nspec:\n  selector: {matchLabels: {app: svc-0001}}\n  mtls: {mode: STRICT}\n  portLevelMtls: {9090: {mode: DISABLE}}\n", ns)
		}
		if n%7 == 6 {
			doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: plain, namespace: %s}\nspec: {host: \"*.%s.svc.cluster.local\", trafficPolicy: {tls: {mode: DISABLE}}}\n", ns, ns)
		}
		if n%9 == 8 {
			doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: svc-0000, namespace: %s}\nspec:\n  host: svc-0000\n  trafficPolicy:\n    tls: {mode: ISTIO_MUTUAL}\n    portLevelSettings: [{port: {number: 9090}, tls: {mode: DISABLE}}]\n", ns)
		}
		if n%17 == 16 && s.WorkloadsPerNS > 2 {
			doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: from-svc-0002, namespace: %s}\nspec:\n  host: \"*.svc.cluster.local\"\n  workloadSelector: {matchLabels: {app: svc-0002}}\n  trafficPolicy: {tls: {mode: DISABLE}}\n", ns)
		}
		for w := 0; w < s.WorkloadsPerNS; w++ {
			name := fmt.Sprintf("svc-%04d", w)
			next := fmt.Sprintf("svc-%04d", (w+1)%s.WorkloadsPerNS)
			env := fmt.Sprintf(`
          env:
            - {name: OTEL_EXPORTER_OTLP_ENDPOINT, value: "http://otel-collector.monitoring.svc.cluster.local:4317"}
            - {name: DOWNSTREAM_URL, value: "http://%s:8080"}
            - {name: DOWNSTREAM_GRPC, value: "%s:9090"}`, next, next)
			doc(deployment, name, ns, name, name, env)
			doc("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{name: http, port: 8080, targetPort: 8080}, {name: grpc, port: 9090, targetPort: 9090}]\n", name, ns, name)
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
          ports: [{containerPort: 8080}, {containerPort: 9090}]%s
`

// Random writes a small random mesh for property tests: a few namespaces
// with random injection, namespace/workload/port-level PeerAuthentications,
// DestinationRules (namespace-wide, per host, port-level, with selectors),
// Sidecars, capture annotations and Services of one or two ports — the
// inputs the equivalence classes of all-pairs must keep apart.
func Random(r *rand.Rand) []byte {
	var b bytes.Buffer
	doc := func(format string, a ...any) {
		fmt.Fprintf(&b, format, a...)
		b.WriteString("---\n")
	}
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	modes := []string{"STRICT", "PERMISSIVE", "DISABLE", "UNSET"}
	tls := []string{"DISABLE", "ISTIO_MUTUAL", "SIMPLE", "MUTUAL"}
	doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: istio-system}\n")
	if r.IntN(2) == 0 {
		doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: istio-system}\nspec: {mtls: {mode: %s}}\n", pick(modes...))
	}
	if r.IntN(3) == 0 {
		doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: mesh, namespace: istio-system}\nspec: {host: \"*.svc.cluster.local\", trafficPolicy: {tls: {mode: %s}}}\n", pick(tls...))
	}
	nss := 1 + r.IntN(4)
	for n := 0; n < nss; n++ {
		ns := fmt.Sprintf("ns%d", n)
		doc("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: {%s}}\n", ns, pick("istio-injection: enabled", "", "istio-injection: disabled", "istio.io/dataplane-mode: ambient"))
		if r.IntN(2) == 0 {
			doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec: {mtls: {mode: %s}}\n", ns, pick(modes...))
		}
		if r.IntN(3) == 0 {
			doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ns-wide, namespace: %s}\nspec: {host: \"*.%s.svc.cluster.local\", trafficPolicy: {tls: {mode: %s}}}\n", ns, ns, pick(tls...))
		}
		if r.IntN(4) == 0 {
			doc("apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: %s}\nspec: {egress: [{hosts: [\"./*\", \"istio-system/*\"]}], outboundTrafficPolicy: {mode: %s}}\n", ns, pick("REGISTRY_ONLY", "ALLOW_ANY"))
		}
		apps := 1 + r.IntN(4)
		for w := 0; w < apps; w++ {
			app := fmt.Sprintf("app%d", w)
			if r.IntN(3) == 0 {
				doc("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  mtls: {mode: %s}\n  portLevelMtls: {9090: {mode: %s}}\n", app, ns, app, pick(modes...), pick(modes[:3]...))
			}
			if r.IntN(3) == 0 {
				doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: %s, namespace: %s}\nspec:\n  host: %s\n  exportTo: [%s]\n  trafficPolicy:\n    tls: {mode: %s}\n    portLevelSettings: [{port: {number: 9090}, tls: {mode: %s}}]\n", app, ns, app, pick("\"*\"", "\".\""), pick(tls...), pick(tls...))
			}
			if r.IntN(5) == 0 {
				doc("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: from-%s, namespace: %s}\nspec:\n  host: \"*.svc.cluster.local\"\n  workloadSelector: {matchLabels: {app: %s}}\n  trafficPolicy: {tls: {mode: %s}}\n", app, ns, app, pick(tls...))
			}
			ann := pick("", "", "traffic.sidecar.istio.io/excludeInboundPorts: \"9090\"", "traffic.sidecar.istio.io/excludeOutboundPorts: \"8080\"", "sidecar.istio.io/inject: \"false\"", "sidecar.istio.io/inject: \"true\"")
			lbl := pick("", "", "security.istio.io/tlsMode: disabled", "networking.istio.io/tunnel: http")
			doc("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {matchLabels: {app: %s}}\n  template:\n    metadata: {labels: {app: %s, %s}, annotations: {%s}}\n    spec:\n      containers: [{name: app, image: example/app:1, ports: [{containerPort: 8080}, {containerPort: 9090}]}]\n", app, ns, app, app, lbl, ann)
			switch r.IntN(5) {
			case 0: // no Service
			case 1:
				doc("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  clusterIP: None\n  selector: {app: %s}\n  ports: [{name: grpc, port: 9090, targetPort: 9090}]\n", app, ns, app)
			case 2:
				doc("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s, annotations: {networking.istio.io/exportTo: \".\"}}\nspec:\n  selector: {app: %s}\n  ports: [{name: http, port: 8080, targetPort: 8080}]\n", app, ns, app)
			default:
				doc("apiVersion: v1\nkind: Service\nmetadata: {name: %s, namespace: %s}\nspec:\n  selector: {app: %s}\n  ports: [{name: http, port: 8080, targetPort: 8080}, {name: tcp, port: 9090, targetPort: 9090}]\n", app, ns, app)
			}
		}
	}
	return b.Bytes()
}

// WithoutKind drops the documents of kind from manifests written here (a
// rendered chart without its Namespace objects, say: every namespace's
// labels become a missing fact).
func WithoutKind(manifests []byte, kind string) []byte {
	var kept [][]byte
	for _, d := range bytes.Split(manifests, []byte("---\n")) {
		if !bytes.Contains(d, []byte("kind: "+kind+"\n")) {
			kept = append(kept, d)
		}
	}
	return bytes.Join(kept, []byte("---\n"))
}
