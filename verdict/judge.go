package verdict

import (
	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// Symptoms in the words of the component that writes them. Envoy's local
// reply text comes from source/common/router/router.cc; the TLS reason is
// BoringSSL's, as in the seed's log.
const (
	envoyReset          = "upstream connect error or disconnect/reset before headers. "
	SymptomWrongVersion = envoyReset + "retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end (client sidecar: 503 / gRPC UNAVAILABLE)"
	SymptomTermination  = envoyReset + "reset reason: connection termination (client sidecar: 503 / gRPC UNAVAILABLE)"
	SymptomBareReset    = "connection reset by peer (curl: (56) Recv failure: Connection reset by peer; Java: java.net.SocketException: Connection reset; gRPC: UNAVAILABLE)"
	SymptomNoCert       = "TLS handshake failure: the server sidecar demands an Istio client certificate (a client that does not trust the mesh CA fails first with CERTIFICATE_VERIFY_FAILED)"
	SymptomNoChain      = "connection reset: the server sidecar has no filter chain for non-istio TLS on an HTTP port (Envoy NR filter_chain_not_found)"
	SymptomBlackHole    = "502 Bad Gateway or connection reset: the client sidecar routes to BlackHoleCluster (outboundTrafficPolicy REGISTRY_ONLY, Envoy response flag NR)"
	SymptomAppGotTLS    = "TLS handshake failure: the server application received TLS it does not speak"
)

// blackHoleSymptom is what the client sees of a connection its proxy does
// not deliver: the BlackHoleCluster's answer unless the model names another.
func blackHoleSymptom(c mesh.ClientDecision) string {
	if c.Symptom != "" {
		return c.Symptom
	}
	return SymptomBlackHole
}

// AppBehaviour is what the server application does when TLS bytes arrive on
// a plaintext port; it decides the client's error text (§4.4, istio#33208).
type AppBehaviour int

// Known behaviours.
const (
	// AppUnknown: the model cannot tell; the symptom names both cases.
	AppUnknown AppBehaviour = iota
	// AppAnswers: the app writes (HTTP/2 and gRPC servers send SETTINGS at
	// once; Go's net/http answers 400), so the client's TLS stack reads
	// plaintext: WRONG_VERSION_NUMBER.
	AppAnswers
)

// Judgement is the verdict of one edge.
type Judgement struct {
	Outcome   Outcome
	MTLS      bool
	Encrypted bool
	Symptom   string
	Category  category.Category
	Cause     string
	// PassedThrough: unknown because non-istio TLS reaches the server app
	// untouched, so the app's own TLS decides (an app known to terminate
	// TLS makes it ok).
	PassedThrough bool
	// ByCreation: unknown only because the inputs carry no creation
	// timestamps to order the objects that decide it (§11 creation-order).
	ByCreation bool
	// PilotOrder: unknown because pilot orders what decides it at random
	// (§11 pilot-order).
	PilotOrder bool
}

func fail(sym string, cat category.Category, cause string) Judgement {
	return Judgement{Outcome: Fail, Symptom: sym, Category: cat, Cause: cause}
}

func tlsToApp(app AppBehaviour) string {
	if app == AppAnswers {
		return SymptomWrongVersion
	}
	return SymptomWrongVersion + " if the server app writes or answers first; otherwise " + SymptomTermination
}

// Judge combines the two sides (§4.3 matrix, §9 checklist).
func Judge(c mesh.ClientDecision, clientProxy mesh.ProxyKind, a mesh.Acceptance, proto mesh.Protocol, app AppBehaviour) Judgement {
	if c.Sends == mesh.SendsUnknown {
		return Judgement{Outcome: Unknown, Cause: "cannot decide what the client sends: " + c.Reason, ByCreation: c.ByCreation, PilotOrder: c.PilotOrder}
	}
	if c.Sends == mesh.SendsBlackHole {
		return fail(blackHoleSymptom(c), category.NoRoute, "the client's proxy has no route to the service: "+c.Reason)
	}
	if a.Accepts == mesh.AcceptsUnknown {
		return Judgement{Outcome: Unknown, Cause: "cannot decide what the server accepts: " + a.Reason}
	}
	fromSidecar := clientProxy == mesh.ProxySidecar || clientProxy == mesh.ProxyGateway
	switch c.Sends {
	case mesh.SendsIstioMTLS:
		switch a.Accepts {
		case mesh.AcceptsIstioMTLS, mesh.AcceptsIstioMTLSPlaintext:
			return Judgement{Outcome: OK, MTLS: true, Encrypted: true, Cause: "istio mTLS end to end"}
		case mesh.AcceptsPlaintext:
			// The server sidecar's inbound chain decides (§10.9); the dialled
			// port's protocol stands in when the inputs do not tell it.
			if a.Chain == mesh.ProtoHTTP || (a.Chain == mesh.ProtoUndecided && proto == mesh.ProtoHTTP) {
				// Envoy's HTTP codec answers the ClientHello with a 400, which the
				// client's TLS stack reads as WRONG_VERSION_NUMBER (envoy#37268; the lab shows it).
				return fail(SymptomWrongVersion, category.TLSToPlaintext, "the client sidecar sends istio mTLS but the server port is DISABLE: its plaintext HTTP chain cannot parse TLS and answers 400")
			}
			return fail(tlsToApp(app), category.TLSToPlaintext, "the client sidecar sends istio mTLS but the server port is DISABLE: the TLS bytes are passed to the plaintext app")
		case mesh.AcceptsGateway:
			if a.Chain == mesh.ProtoHTTP {
				// A gateway's own plaintext HTTP listener (15021, 15090): the
				// same codec answer as a DISABLE HTTP chain's.
				return fail(SymptomWrongVersion, category.TLSToPlaintext, "the client sidecar originates istio mTLS ("+c.Reason+"), but nothing on the server side terminates it ("+a.Reason+"): its HTTP codec cannot parse TLS and answers 400")
			}
			return fail(tlsToApp(app), category.TLSToPlaintext, "the client sidecar originates istio mTLS ("+c.Reason+"), but nothing on the server side terminates it ("+a.Reason+")")
		default:
			return fail(tlsToApp(app), category.TLSToPlaintext, "the client sidecar originates istio mTLS ("+c.Reason+"), but nothing on the server side terminates it ("+a.Reason+"); STRICT is not the cause and the client did not bypass its sidecar")
		}
	case mesh.SendsHBONE:
		if a.HBONE || a.Accepts == mesh.AcceptsHBONE || a.Accepts == mesh.AcceptsHBONEPlaintext || a.Accepts == mesh.AcceptsIstioMTLS || a.Accepts == mesh.AcceptsIstioMTLSPlaintext {
			return Judgement{Outcome: OK, MTLS: true, Encrypted: true, Cause: "HBONE (mTLS tunnel) end to end"}
		}
		return fail(tlsToApp(app), category.TLSToPlaintext, "HBONE sent to a destination that does not terminate it")
	case mesh.SendsPlaintext:
		switch a.Accepts {
		case mesh.AcceptsIstioMTLS:
			if fromSidecar {
				return fail(SymptomTermination, category.PlaintextToTLS, "the client sidecar sends plaintext ("+c.Reason+") to a STRICT sidecar, which resets it")
			}
			return fail(SymptomBareReset, category.PlaintextToTLS, "plaintext ("+c.Reason+") reaches a STRICT sidecar, which has no plaintext filter chain and resets")
		case mesh.AcceptsHBONE:
			return fail(SymptomBareReset, category.PlaintextToTLS, "plaintext reaches an ambient pod under STRICT; ztunnel denies connections without a peer identity")
		}
		return Judgement{Outcome: OK, Cause: "plaintext end to end"}
	case mesh.SendsTLS, mesh.SendsMTLS:
		return judgeAppTLS(c, a)
	}
	return Judgement{Outcome: Unknown, Cause: "no rule for " + string(c.Sends) + " → " + string(a.Accepts)}
}

// judgeAppTLS handles non-istio TLS (DR SIMPLE/MUTUAL or the app's own TLS).
// What a captured sidecar port does with it hangs on the port's mode and on
// its inbound chain's protocol (§10.9: the chain is the oldest service
// target's, not the dialled Service port's). Istio: filterchain_options.go —
// PERMISSIVE HTTP chains match only istio ALPNs and plaintext, PERMISSIVE TCP
// and sniffed chains pass other TLS through; DISABLE chains match raw_buffer
// only, and no chain on the port asks for the TLS inspector
// (listener_inbound.go populateListenerFilters), so TLS meets an HTTP chain's
// codec or a TCP chain's proxy to the app.
func judgeAppTLS(c mesh.ClientDecision, a mesh.Acceptance) Judgement {
	switch a.Accepts {
	case mesh.AcceptsIstioMTLS:
		// A verifying client rejects the mesh certificate before the server's
		// certificate request matters (the lab shows untrusted-certificate).
		return fail(SymptomNoCert, category.UntrustedCertificate, "non-istio TLS ("+c.Reason+") reaches a STRICT sidecar that presents a mesh certificate and requires an Istio client certificate")
	case mesh.AcceptsIstioMTLSPlaintext:
		switch a.Chain {
		case mesh.ProtoHTTP:
			return fail(SymptomNoChain, category.NoRoute, "non-istio TLS ("+c.Reason+") reaches a PERMISSIVE sidecar whose inbound chain is HTTP ("+a.ChainWhy+"): no filter chain matches TLS without an istio ALPN")
		case mesh.ProtoUndecided:
			return chainUndecided(c, a, "no filter chain matches (PERMISSIVE HTTP chains take only istio mTLS and plaintext)")
		}
	case mesh.AcceptsPlaintext:
		switch a.Chain {
		case mesh.ProtoHTTP:
			return fail(SymptomWrongVersion, category.TLSToPlaintext, "non-istio TLS ("+c.Reason+") reaches a DISABLE sidecar port whose inbound chain is HTTP ("+a.ChainWhy+"): its HTTP codec cannot parse TLS and answers 400")
		case mesh.ProtoUndecided:
			return chainUndecided(c, a, "its HTTP codec cannot parse TLS and answers 400")
		}
	case mesh.AcceptsHBONE:
		return fail(SymptomBareReset, category.PlaintextToTLS, "non-HBONE traffic reaches an ambient pod under STRICT")
	case mesh.AcceptsGateway:
		if a.Chain == mesh.ProtoHTTP {
			return fail(SymptomWrongVersion, category.TLSToPlaintext, "non-istio TLS ("+c.Reason+") reaches a gateway's plaintext HTTP listener ("+a.Reason+"): its HTTP codec cannot parse TLS and answers 400")
		}
	}
	return Judgement{Outcome: Unknown, Encrypted: true, PassedThrough: true,
		Cause: "non-istio TLS (" + c.Reason + ") is passed through to the server app: it works only if the app terminates TLS itself, which the manifests do not show"}
}

// chainUndecided: the server sidecar's inbound chain protocol is not in the
// inputs, and the two protocols give different answers.
func chainUndecided(c mesh.ClientDecision, a mesh.Acceptance, onHTTP string) Judgement {
	return Judgement{Outcome: Unknown, Encrypted: true, ByCreation: a.ChainByCreation, PilotOrder: a.ChainShuffled,
		Cause: "non-istio TLS (" + c.Reason + ") reaches the server sidecar, whose inbound chain protocol is undecided (" + a.ChainWhy + "): on an HTTP chain " + onHTTP + "; on a TCP or sniffed chain it is passed through to the app, which works only if the app terminates TLS itself"}
}
