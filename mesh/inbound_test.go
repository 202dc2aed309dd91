package mesh

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// TestInboundChain pins §10.9: the protocol of the inbound chain a sidecar
// builds for a container port is its first service target's — oldest
// Service, then hostname; spec order within one — not the dialled port's.
func TestInboundChain(t *testing.T) {
	const pod = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: store, namespace: shop}
spec:
  template:
    metadata: {labels: {app: store}}
    spec:
      containers: [{name: app, image: store:1, ports: [{name: api, containerPort: 7000}, {containerPort: 7100}]}]
`
	svc := func(name, created string, ports ...string) string {
		ts := ""
		if created != "" {
			ts = ", creationTimestamp: " + created
		}
		return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: shop" + ts + "}\nspec:\n  selector: {app: store}\n  ports:\n" +
			"  - " + strings.Join(ports, "\n  - ") + "\n"
	}
	for _, tc := range []struct {
		rule  string
		yaml  string
		port  int32
		want  Protocol
		cause string
	}{
		{"spec order within one Service: the first port on the target wins", svc("store", "", "{name: http-a, port: 80, targetPort: 7000}", "{name: tcp-b, port: 81, targetPort: api}"),
			7000, ProtoHTTP, "Service shop/store port 80"},
		{"a named targetPort resolves on the pod", svc("store", "", "{name: tcp-b, port: 81, targetPort: api}", "{name: http-a, port: 80, targetPort: 7000}"),
			7000, ProtoTCP, "port 81"},
		{"the older Service wins", svc("zeta", "2026-01-01T00:00:00Z", "{name: http, port: 80, targetPort: 7000}") + svc("alpha", "2026-02-01T00:00:00Z", "{name: tcp, port: 81, targetPort: 7000}"),
			7000, ProtoHTTP, "shop/zeta"},
		{"equal timestamps: hostname order", svc("zeta", "2026-01-01T00:00:00Z", "{name: http, port: 80, targetPort: 7000}") + svc("alpha", "2026-01-01T00:00:00Z", "{name: tcp, port: 81, targetPort: 7000}"),
			7000, ProtoTCP, "shop/alpha"},
		{"a Service with a timestamp is older than one without", svc("zeta", "2026-01-01T00:00:00Z", "{name: http, port: 80, targetPort: 7000}") + svc("alpha", "", "{name: tcp, port: 81, targetPort: 7000}"),
			7000, ProtoHTTP, "shop/zeta"},
		{"no timestamps, protocols differ: the creation order decides, undecided", svc("zeta", "", "{name: http, port: 80, targetPort: 7000}") + svc("alpha", "", "{name: tcp, port: 81, targetPort: 7000}"),
			7000, ProtoUndecided, "no creation timestamp"},
		{"no timestamps, protocols agree: decided", svc("zeta", "", "{name: http, port: 80, targetPort: 7000}") + svc("alpha", "", "{name: grpc, port: 81, targetPort: 7000}"),
			7000, ProtoHTTP, ""},
		{"an unnamed port is sniffed", svc("store", "", "{port: 9999, targetPort: 7100}"), 7100, ProtoAuto, "sniffed"},
		{"no Service targets the port: passthrough chains, sniffed", svc("store", "", "{name: http, port: 80, targetPort: 7000}"), 7100, ProtoAuto, "passthrough"},
		{"a Sidecar's ingress replaces the service targets", svc("store", "", "{name: http, port: 80, targetPort: 7000}") +
			"---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: sc, namespace: shop}\nspec:\n  ingress: [{port: {number: 7000, protocol: TCP, name: t}, defaultEndpoint: '127.0.0.1:7000'}]\n",
			7000, ProtoTCP, "Sidecar shop/sc"},
		{"a Sidecar's ingress without the port: undecided", svc("store", "", "{name: http, port: 80, targetPort: 7000}") +
			"---\napiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: sc, namespace: shop}\nspec:\n  ingress: [{port: {number: 7100, protocol: HTTP, name: h}, defaultEndpoint: '127.0.0.1:7100'}]\n",
			7000, ProtoUndecided, "none on port 7000"},
		{"a ServiceEntry selecting the pod with another protocol on the port: undecided", svc("store", "", "{name: http, port: 80, targetPort: 7000}") +
			"---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: shop}\nspec:\n  hosts: [store.example]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  workloadSelector: {labels: {app: store}}\n  ports: [{number: 9000, targetPort: 7000, name: x, protocol: TCP}]\n",
			7000, ProtoUndecided, "ServiceEntry shop/se"},
		{"a ServiceEntry selecting the pod with the same protocol on the port: decided", svc("store", "", "{name: http, port: 80, targetPort: 7000}") +
			"---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: shop}\nspec:\n  hosts: [store.example]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  workloadSelector: {labels: {app: store}}\n  ports: [{number: 9000, targetPort: 7000, name: x, protocol: HTTP}]\n",
			7000, ProtoHTTP, "(HTTP)"},
		{"one older ServiceEntry's TLS and HTTP ports on the container port: pilot's order is a set's, undecided (istio-diff seed 52993)", svc("store", "", "{name: http, port: 80, targetPort: 7000}") +
			"---\napiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: shop, creationTimestamp: '2025-01-01T00:00:00Z'}\nspec:\n  hosts: [store.example]\n  location: MESH_INTERNAL\n  resolution: STATIC\n  workloadSelector: {labels: {app: store}}\n  ports: [{number: 443, targetPort: 7000, name: tls, protocol: TLS}, {number: 80, targetPort: 7000, name: http, protocol: HTTP}]\n",
			7000, ProtoUndecided, "krt index"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			inv := inventory.Build(source.Parse("shop.yaml", []byte(pod+tc.yaml)), "default")
			var w *inventory.Workload
			for _, x := range inv.Workloads {
				if x.Name == "store" {
					w = x
				}
			}
			if w == nil {
				t.Fatal("no workload store")
			}
			got, why, byCreation := New(inv).InboundChain(w, tc.port)
			if got != tc.want || !strings.Contains(why, tc.cause) {
				t.Errorf("got %q (%s), want %q with %q", got, why, tc.want, tc.cause)
			}
			// Only a conflict of untimed targets is for want of timestamps.
			if want := strings.Contains(why, "no creation timestamp"); byCreation != want {
				t.Errorf("byCreation = %v, want %v (%s)", byCreation, want, why)
			}
			if want := strings.Contains(why, "krt index"); New(inv).InboundChainShuffled(w, tc.port) != want {
				t.Errorf("shuffled = %v, want %v (%s)", !want, want, why)
			}
		})
	}
}
