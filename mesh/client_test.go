package mesh

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
)

func TestClientSends(t *testing.T) {
	visible := Visibility{Visible: true}
	sidecar := ClientInput{Proxy: ProxySidecar, Outbound: Yes, Visibility: visible, AutoMtls: true, NsMode: Permissive,
		EndpointIstio: true, EndpointMode: Permissive, Port: 8080}
	with := func(f func(*ClientInput)) ClientInput { in := sidecar; f(&in); return in }
	drWith := func(tls string) *ConsolidatedDR {
		d := dr("default", "d", "svc.default.svc.cluster.local", nil, nil, tls)
		return &ConsolidatedDR{Rule: d.Spec, From: []*inventory.DestinationRule{d}}
	}
	for _, tc := range []struct {
		rule string
		in   ClientInput
		want Sends
	}{
		{"§8.2.7 auto mTLS, namespace PERMISSIVE, sidecar endpoint → istio mTLS", sidecar, SendsIstioMTLS},
		{"§8.2.7 auto mTLS, namespace STRICT → istio mTLS", with(func(i *ClientInput) { i.NsMode = Strict }), SendsIstioMTLS},
		{"§8.2.7 namespace DISABLE → plaintext", with(func(i *ClientInput) { i.NsMode = Disable }), SendsPlaintext},
		{"§8.2.7 meshExternal → plaintext", with(func(i *ClientInput) { i.MeshExternal = true }), SendsPlaintext},
		{"§8.2.7 autoMtls=false → plaintext", with(func(i *ClientInput) { i.AutoMtls = false }), SendsPlaintext},
		{"§8.2.7 DR ISTIO_MUTUAL is used as written, even to a pod without sidecar",
			with(func(i *ClientInput) { i.DR = drWith("ISTIO_MUTUAL"); i.EndpointIstio = false }), SendsIstioMTLS},
		{"§3.1 DR DISABLE → plaintext", with(func(i *ClientInput) { i.DR = drWith("DISABLE") }), SendsPlaintext},
		{"§2.9 DR SIMPLE → one-way TLS", with(func(i *ClientInput) { i.DR = drWith("SIMPLE") }), SendsTLS},
		{"§2.9 DR MUTUAL → TLS with a non-mesh client cert", with(func(i *ClientInput) { i.DR = drWith("MUTUAL") }), SendsMTLS},
		{"§2.9 sidecar + SIMPLE + credentialName + no selector → plaintext", with(func(i *ClientInput) {
			i.DR = drWith("SIMPLE")
			i.DR.Rule.TrafficPolicy.Tls.CredentialName = "my-secret"
		}), SendsPlaintext},
		{"§3.2 endpoint without tlsMode=istio → plaintext", with(func(i *ClientInput) { i.EndpointIstio = false }), SendsPlaintext},
		{"§3.3 endpoint PA DISABLE on its target port → plaintext", with(func(i *ClientInput) { i.EndpointMode = Disable }), SendsPlaintext},
		{"§3.3 endpoint workload STRICT is irrelevant when namespace view is DISABLE", with(func(i *ClientInput) { i.NsMode = Disable; i.EndpointMode = Strict }), SendsPlaintext},
		{"§3.1 headless with a disabled endpoint → plaintext for all", with(func(i *ClientInput) { i.OriginalDst, i.PassthroughMTLS, i.HeadlessDisabled = true, true, true }), SendsPlaintext},
		{"§3.1 headless, all sidecars → istio mTLS even if the port is DISABLE (istio#39439)", with(func(i *ClientInput) { i.OriginalDst, i.PassthroughMTLS = true, true; i.EndpointMode = Disable }), SendsIstioMTLS},
		{"§10.4 ORIGINAL_DST subset cluster whose own policy is not PASSTHROUGH: istio mTLS even to a pod without sidecar", with(func(i *ClientInput) {
			i.OriginalDst, i.HeadlessDisabled, i.EndpointIstio = true, true, false
		}), SendsIstioMTLS},
		{"§10.5 Service port 15001: the blackhole chain drops it even under ALLOW_ANY", with(func(i *ClientInput) { i.Visibility = Visibility{BlackHole: true} }), SendsBlackHole},
		{"§4.2 outbound port excluded from capture → app bytes", with(func(i *ClientInput) { i.Outbound = No }), SendsPlaintext},
		{"§4.2 capture undecidable → unknown", with(func(i *ClientInput) { i.Outbound = Undecided }), SendsUnknown},
		{"§3.4 no proxy → app bytes", with(func(i *ClientInput) { i.Proxy = ProxyNone }), SendsPlaintext},
		{"§3.4 no proxy, app dials https → TLS", with(func(i *ClientInput) { i.Proxy = ProxyNone; i.AppTLS = true }), SendsTLS},
		{"§3.4 not visible, ALLOW_ANY → PassthroughCluster plaintext", with(func(i *ClientInput) { i.Visibility = Visibility{} }), SendsPlaintext},
		{"§3.4 not visible, REGISTRY_ONLY → BlackHole", with(func(i *ClientInput) { i.Visibility = Visibility{RegistryOnly: true} }), SendsBlackHole},
		{"§3.5 ambient destination with HBONE sending → HBONE", with(func(i *ClientInput) { i.EndpointIstio = false; i.EndpointTunnel = true; i.HBONESending = true }), SendsHBONE},
		{"§4.6 ambient client to a non-tunnel destination → plaintext", with(func(i *ClientInput) { i.Proxy = ProxyAmbient }), SendsPlaintext},
		{"§2.8 port-level entry without tls under top-level ISTIO_MUTUAL keeps mTLS even if PA DISABLE", with(func(i *ClientInput) {
			i.DR = drWith("ISTIO_MUTUAL")
			i.DR.Rule.TrafficPolicy.PortLevelSettings = portLevelNoTLS(8080)
			i.EndpointMode = Disable
		}), SendsIstioMTLS},
		{"§2.8 port-level entry without tls under top-level DISABLE → plaintext even to a STRICT sidecar", with(func(i *ClientInput) {
			i.DR = drWith("DISABLE")
			i.DR.Rule.TrafficPolicy.PortLevelSettings = portLevelNoTLS(8080)
			i.EndpointMode = Strict
		}), SendsPlaintext},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := ClientSends(tc.in); got.Sends != tc.want {
				t.Errorf("sends %s (%s), want %s", got.Sends, got.Reason, tc.want)
			}
		})
	}
}
