package inventory

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
)

// Gateways of every served version decode into istio.io/api's type; one
// that does not decode is a problem at its file:line and the rest is read.
func TestGateways(t *testing.T) {
	inv := Build(source.Parse("gw.yaml", []byte(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: v1, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["shop/*.example.com"]
    tls: {mode: SIMPLE, credentialName: shop-cert}
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: v1beta1, namespace: a}
spec: {selector: {app: gw}, servers: [{port: {number: 31400, name: tcp, protocol: TCP}, hosts: ["*"]}]}
---
apiVersion: networking.istio.io/v1alpha3
kind: Gateway
metadata: {name: v1alpha3}
spec: {servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["./*"]}], someFutureField: true}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: broken, namespace: a}
spec: {servers: [{port: {number: "eighty"}}]}
---
apiVersion: networking.istio.io/v2
kind: Gateway
metadata: {name: unserved, namespace: a}
`)), "dflt")
	got := map[string]int{}
	for _, g := range inv.Gateways {
		got[g.Key()] = len(g.Spec.GetServers())
	}
	want := map[string]int{"istio-system/v1": 2, "a/v1beta1": 1, "dflt/v1alpha3": 1}
	if len(got) != len(want) {
		t.Fatalf("gateways: %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("gateway %s: %d servers, want %d", k, got[k], n)
		}
	}
	if tls := inv.Gateways[0].Spec.GetServers()[1].GetTls(); tls.GetMode().String() != "SIMPLE" || tls.GetCredentialName() != "shop-cert" {
		t.Errorf("server TLS not decoded: %v", tls)
	}
	if len(inv.Problems) != 1 || inv.Problems[0].Origin.Line != 24 || !strings.Contains(inv.Problems[0].Message, "Gateway broken") {
		t.Errorf("a Gateway that does not decode is one problem at gw.yaml:24: %v", inv.Problems)
	}
}
