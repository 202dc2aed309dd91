package inventory

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
)

// TestSpecFieldError: an Istio object whose spec does not decode names the
// field its error comes from (Istio's decoder says only what it read); a
// second bad field elsewhere is not the one named, and the error's own
// text is kept.
func TestSpecFieldError(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"a string where a port number goes", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bad}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: "eighty", protocol: HTTP}
    hosts: "*"`, "Gateway bad: spec.servers[0].port.number: invalid character 'e'"},
		{"the second server's bad hosts", `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: bad}
spec:
  servers:
  - port: {number: 80, protocol: HTTP}
    hosts: ["*"]
  - port: {number: 81, protocol: HTTP}
    hosts: "*"`, "Gateway bad: spec.servers[1].hosts: "},
		{"an enum value that does not exist", `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: bad}
spec: {host: x, trafficPolicy: {tls: {mode: "eighty"}}}`, `DestinationRule bad: spec.trafficPolicy.tls.mode: unknown value "\"eighty\""`},
		{"a PeerAuthentication mode", `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: bad}
spec: {mtls: {mode: strict}}`, "PeerAuthentication bad: spec.mtls.mode: unknown value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := Build(source.Parse("bad.yaml", []byte(tc.doc)), "default")
			if len(inv.Problems) != 1 || !strings.Contains(inv.Problems[0].Message, tc.want) {
				t.Errorf("problems %v, want one containing %q", inv.Problems, tc.want)
			}
		})
	}
}
