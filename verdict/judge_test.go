package verdict

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	security "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
)

// TestJudgeMatrix restates the inbound matrix of §4.3–4.4 (client sends ×
// server accepts), one row per documented behaviour.
func TestJudgeMatrix(t *testing.T) {
	// The port's protocol is both the dialled port's and the server sidecar's
	// inbound chain's here; §10.9 cases where they differ are in TestJudgeInboundChain.
	acc := func(a mesh.Accepts, p mesh.Protocol) mesh.Acceptance { return mesh.Acceptance{Accepts: a, Chain: p} }
	send := func(s mesh.Sends) mesh.ClientDecision { return mesh.ClientDecision{Sends: s, Reason: "test"} }
	for _, tc := range []struct {
		rule   string
		sends  mesh.Sends
		proxy  mesh.ProxyKind
		accept mesh.Accepts
		proto  mesh.Protocol
		want   Outcome
		mtls   bool
		cat    category.Category
	}{
		{"§4.3 STRICT: istio mTLS from a mesh client succeeds", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsIstioMTLS, mesh.ProtoHTTP, OK, true, ""},
		{"§4.3 STRICT: plaintext from a bare client is reset (curl 56)", mesh.SendsPlaintext, mesh.ProxyNone, mesh.AcceptsIstioMTLS, mesh.ProtoHTTP, Fail, false, category.PlaintextToTLS},
		{"§4.3 STRICT: plaintext from a client sidecar → 503 connection termination", mesh.SendsPlaintext, mesh.ProxySidecar, mesh.AcceptsIstioMTLS, mesh.ProtoTCP, Fail, false, category.PlaintextToTLS},
		{"§4.3 STRICT: one-way TLS fails (no client certificate; mesh cert untrusted)", mesh.SendsTLS, mesh.ProxySidecar, mesh.AcceptsIstioMTLS, mesh.ProtoHTTP, Fail, false, category.UntrustedCertificate},
		{"§4.3 STRICT: MUTUAL with a non-mesh CA fails", mesh.SendsMTLS, mesh.ProxySidecar, mesh.AcceptsIstioMTLS, mesh.ProtoHTTP, Fail, false, category.UntrustedCertificate},
		{"§4.3 PERMISSIVE: istio mTLS is terminated", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoAuto, OK, true, ""},
		{"§4.3 PERMISSIVE: plaintext is accepted", mesh.SendsPlaintext, mesh.ProxyNone, mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoAuto, OK, false, ""},
		{"§4.3/§9.3 PERMISSIVE: non-istio TLS on an HTTP port has no chain", mesh.SendsTLS, mesh.ProxyNone, mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoHTTP, Fail, false, category.NoRoute},
		{"§4.3 PERMISSIVE: non-istio TLS on a TCP port goes to the app: undecidable", mesh.SendsTLS, mesh.ProxyNone, mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoTCP, Unknown, false, ""},
		{"§4.3 DISABLE: plaintext succeeds", mesh.SendsPlaintext, mesh.ProxySidecar, mesh.AcceptsPlaintext, mesh.ProtoHTTP, OK, false, ""},
		{"§4.3 DISABLE: istio mTLS on an HTTP port is a protocol error", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsPlaintext, mesh.ProtoHTTP, Fail, false, category.TLSToPlaintext},
		{"§4.3 DISABLE: istio mTLS on a TCP port reaches the app and fails", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsPlaintext, mesh.ProtoTCP, Fail, false, category.TLSToPlaintext},
		{"§4.4 no sidecar: istio mTLS fails (the seed)", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsApp, mesh.ProtoHTTP, Fail, false, category.TLSToPlaintext},
		{"§4.4 no sidecar: plaintext reaches the app", mesh.SendsPlaintext, mesh.ProxySidecar, mesh.AcceptsApp, mesh.ProtoHTTP, OK, false, ""},
		{"§10.7 gateway plaintext listener: plaintext is taken", mesh.SendsPlaintext, mesh.ProxySidecar, mesh.AcceptsGateway, mesh.ProtoHTTP, OK, false, ""},
		{"§10.7 gateway plaintext listener: istio mTLS is not terminated", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsGateway, mesh.ProtoHTTP, Fail, false, category.TLSToPlaintext},
		{"§4.6 ambient STRICT: plaintext is denied", mesh.SendsPlaintext, mesh.ProxyNone, mesh.AcceptsHBONE, mesh.ProtoHTTP, Fail, false, category.PlaintextToTLS},
		{"§4.6 HBONE to an ambient pod", mesh.SendsHBONE, mesh.ProxyAmbient, mesh.AcceptsHBONE, mesh.ProtoHTTP, OK, true, ""},
		{"§3.4 BlackHole always fails", mesh.SendsBlackHole, mesh.ProxySidecar, mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoHTTP, Fail, false, category.NoRoute},
		{"unknown client → unknown outcome, never a guess", mesh.SendsUnknown, mesh.ProxyUnknown, mesh.AcceptsIstioMTLS, mesh.ProtoHTTP, Unknown, false, ""},
		{"unknown server → unknown outcome", mesh.SendsIstioMTLS, mesh.ProxySidecar, mesh.AcceptsUnknown, mesh.ProtoHTTP, Unknown, false, ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			j := Judge(send(tc.sends), tc.proxy, acc(tc.accept, tc.proto), tc.proto, AppAnswers)
			if j.Outcome != tc.want || j.MTLS != tc.mtls || j.Category != tc.cat {
				t.Errorf("got %s mtls=%v %q (%s), want %s mtls=%v %q", j.Outcome, j.MTLS, j.Category, j.Cause, tc.want, tc.mtls, tc.cat)
			}
			if j.Outcome == Unknown && j.Cause == "" {
				t.Error("unknown without a reason")
			}
			if j.Outcome == Fail && j.Symptom == "" {
				t.Error("failure without a symptom")
			}
		})
	}
}

// TestPassthroughPorts restates §8.2.6 (TestPeerAuthenticationPassthrough):
// workload STRICT with port 9000 DISABLE; ports not in any Service still
// follow the port-level mode.
func TestPassthroughPorts(t *testing.T) {
	pa := &inventory.PeerAuthentication{Meta: inventory.Meta{Namespace: "ns", Name: "w"}, Spec: &security.PeerAuthentication{
		Selector: &typev1beta1.WorkloadSelector{MatchLabels: map[string]string{"app": "a"}},
		Mtls:     &security.PeerAuthentication_MutualTLS{Mode: security.PeerAuthentication_MutualTLS_STRICT},
		PortLevelMtls: map[uint32]*security.PeerAuthentication_MutualTLS{
			9000: {Mode: security.PeerAuthentication_MutualTLS_DISABLE}},
	}}
	eff := mesh.NewPeerAuthIndex([]*inventory.PeerAuthentication{pa}, "istio-system").For("ns", map[string]string{"app": "a"})
	for _, tc := range []struct {
		port  uint32
		sends mesh.Sends
		want  Outcome
	}{
		{8000, mesh.SendsPlaintext, Fail}, // no filter chain: reset
		{8000, mesh.SendsIstioMTLS, OK},
		{9000, mesh.SendsPlaintext, OK},
		// Envoy accepts it (the passthrough chain forwards raw TCP, which is
		// what the Istio test checks), but the bytes reach the app still in
		// TLS; §4.3 DISABLE: "the TLS bytes are forwarded to the app, which
		// normally fails". The model reports the app-level failure.
		{9000, mesh.SendsIstioMTLS, Fail},
	} {
		mode, from := eff.ModeForPort(tc.port)
		a := mesh.ServerAccepts(mesh.ServerInput{Proxy: mesh.ProxySidecar, Captured: true, Mode: mode, ModeFrom: from})
		j := Judge(mesh.ClientDecision{Sends: tc.sends}, mesh.ProxyNone, a, mesh.ProtoTCP, AppAnswers)
		if j.Outcome != tc.want {
			t.Errorf(":%d %s: got %s (%s), want %s", tc.port, tc.sends, j.Outcome, j.Cause, tc.want)
		}
	}
}

// TestJudgeInboundChain restates §10.9: non-istio TLS into a captured
// sidecar port meets the port's inbound chain, whose protocol is the oldest
// service target's, not the dialled Service port's.
func TestJudgeInboundChain(t *testing.T) {
	for _, tc := range []struct {
		rule    string
		accept  mesh.Accepts
		dialled mesh.Protocol
		chain   mesh.Protocol
		want    Outcome
		cat     category.Category
	}{
		{"PERMISSIVE, TCP port dialled, HTTP chain: no chain matches the TLS", mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoTCP, mesh.ProtoHTTP, Fail, category.NoRoute},
		{"PERMISSIVE, HTTP port dialled, TCP chain: passed to the app", mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoHTTP, mesh.ProtoTCP, Unknown, ""},
		{"PERMISSIVE, sniffed chain: the plain-TLS chain passes it to the app", mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoHTTP, mesh.ProtoAuto, Unknown, ""},
		{"PERMISSIVE, chain undecided: never a guess", mesh.AcceptsIstioMTLSPlaintext, mesh.ProtoHTTP, mesh.ProtoUndecided, Unknown, ""},
		{"DISABLE, TCP port dialled, HTTP chain: the codec answers 400", mesh.AcceptsPlaintext, mesh.ProtoTCP, mesh.ProtoHTTP, Fail, category.TLSToPlaintext},
		{"DISABLE, HTTP port dialled, TCP chain: passed to the app", mesh.AcceptsPlaintext, mesh.ProtoHTTP, mesh.ProtoTCP, Unknown, ""},
		{"DISABLE, sniffed chain: the TCP chain passes it to the app", mesh.AcceptsPlaintext, mesh.ProtoTCP, mesh.ProtoAuto, Unknown, ""},
		{"DISABLE, chain undecided: never a guess", mesh.AcceptsPlaintext, mesh.ProtoHTTP, mesh.ProtoUndecided, Unknown, ""},
		{"§10.7 gateway's own HTTP listener (15021, 15090): the codec answers 400", mesh.AcceptsGateway, mesh.ProtoTCP, mesh.ProtoHTTP, Fail, category.TLSToPlaintext},
		{"§10.7 gateway server, chain not told: passed on, never a guess", mesh.AcceptsGateway, mesh.ProtoHTTP, "", Unknown, ""},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			for _, s := range []mesh.Sends{mesh.SendsTLS, mesh.SendsMTLS} {
				a := mesh.Acceptance{Accepts: tc.accept, Chain: tc.chain, ChainWhy: "test"}
				j := Judge(mesh.ClientDecision{Sends: s, Reason: "DR"}, mesh.ProxySidecar, a, tc.dialled, AppAnswers)
				if j.Outcome != tc.want || j.Category != tc.cat {
					t.Errorf("%s: got %s %q (%s), want %s %q", s, j.Outcome, j.Category, j.Cause, tc.want, tc.cat)
				}
				if j.Outcome == Unknown && j.Cause == "" {
					t.Error("unknown without a reason")
				}
			}
		})
	}
}
