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
