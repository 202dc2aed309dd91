package analysis

import (
	"slices"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// A Gateway laid over a live cluster changes the edges of the gateway it
// selects, whose namespace is then judged (§10.7).
func TestLocalGatewayScope(t *testing.T) {
	live := source.Parse("cluster:Deployment/istio-system/ingress", []byte(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}, annotations: {inject.istio.io/templates: gateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
`))
	local := source.Parse("gw.yaml", []byte(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}]
`))
	live.Add(local)
	inv := inventory.Build(live, "default")
	inv.Mesh.RootNamespace = "mesh-root" // istio-system is no root here: the scope must come from the Gateway
	s := LocalChanges(inv)
	if s.All() || !slices.Contains(s.Namespaces, "istio-system") || !slices.Contains(s.Namespaces, "shop") {
		t.Errorf("scope %v: want the Gateway's namespace shop and its gateway's istio-system", s.Namespaces)
	}
}

// Gateways stay apart in the all-pairs classes when Gateways tell them
// apart: two gateway pods alike but for one label, in namespaces nothing
// names, one of them selected by a Gateway whose route sends it to a
// subset that fails (§10.7). Classes must give what pair-by-pair does.
func TestAllPairsGatewayClasses(t *testing.T) {
	gw := func(ns string, extra string) string {
		return `
apiVersion: v1
kind: Namespace
metadata: {name: ` + ns + `}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: ` + ns + `}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway` + extra + `}, annotations: {inject.istio.io/templates: gateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---`
	}
	data := gw("edge-a", ", tier: public") + gw("edge-b", "") + `
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: shop}
spec:
  selector: {tier: public}
  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: web, namespace: shop}
spec:
  hosts: ["*"]
  gateways: [public]
  http: [{route: [{destination: {host: web, subset: plain}}]}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web, namespace: shop}
spec: {host: web, subsets: [{name: plain, labels: {app: web}, trafficPolicy: {tls: {mode: DISABLE}}}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
`
	checkClasses(t, "gateways.yaml", []byte(data))
}
