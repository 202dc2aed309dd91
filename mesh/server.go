package mesh

import (
	"github.com/meshdoctor/meshdoctor/inventory"
)

// Accepts names what a server port takes on the wire.
type Accepts string

// The server behaviours (§4.3–4.6). "app" means the bytes reach the
// application unchanged, which the model assumes speaks plaintext.
const (
	AcceptsIstioMTLS          Accepts = "istio-mtls"
	AcceptsIstioMTLSPlaintext Accepts = "istio-mtls+plaintext"
	AcceptsPlaintext          Accepts = "plaintext"
	AcceptsApp                Accepts = "plaintext (app, no proxy)"
	// AcceptsGateway: a gateway proxy's own plaintext listener (a Gateway
	// server without TLS, §10.7); judged as AcceptsApp is — nothing there
	// terminates istio mTLS — but it is the proxy, not an app, that listens.
	AcceptsGateway        Accepts = "plaintext (gateway)"
	AcceptsHBONE          Accepts = "hbone"
	AcceptsHBONEPlaintext Accepts = "hbone+plaintext"
	AcceptsUnknown        Accepts = "unknown"
)

// ServerInput is what the server side depends on.
type ServerInput struct {
	Proxy      ProxyKind
	Captured   bool // inbound capture of the target port
	CaptureWhy string
	Mode       Mode // composed PA mode at the target port (sidecar, ambient)
	ModeFrom   *inventory.PeerAuthentication
	Tunnel     bool // sidecar with networking.istio.io/tunnel=http (HBONE inbound, always STRICT)
	// Chain is the protocol of the sidecar's inbound filter chain for the
	// target port (§10.9, Model.InboundChain), ChainWhy where it comes from.
	Chain    Protocol
	ChainWhy string
	// ChainByCreation: Chain is undecided only for want of creation timestamps.
	ChainByCreation bool
	// ChainShuffled: Chain is undecided because pilot orders the targets at random.
	ChainShuffled bool
	// Gateway is what a gateway pod's Gateway servers take on the port
	// (Model.gatewayAccepts); nil where not computed.
	Gateway *Acceptance
}

// Acceptance is what the server accepts and why.
type Acceptance struct {
	Accepts Accepts
	// HBONE: the server also terminates HBONE on 15008, always STRICT, and
	// forwards to the app whatever its port's mode or capture (§4.6).
	HBONE     bool
	Mode      Mode
	Reason    string
	DecidedBy []inventory.Ref
	// Chain and ChainWhy: a captured sidecar port's inbound chain protocol
	// (§10.9), which decides what non-istio TLS meets there.
	Chain    Protocol
	ChainWhy string
	// ChainByCreation: Chain is undecided only for want of creation timestamps.
	ChainByCreation bool
	// ChainShuffled: Chain is undecided because pilot orders the targets at random.
	ChainShuffled bool
}

// ServerAccepts is the inbound matrix: §4.3 for a captured sidecar port,
// §4.4 without a proxy or capture, §4.5 gateways, §4.6 ambient. Istio:
// networking/core/listener_inbound.go buildInboundListeners,
// filterchain_options.go getFilterChainMatchOptions (the chains per mode),
// security/authn/utils/utils.go BuildInboundTLS; ztunnel for ambient.
func ServerAccepts(in ServerInput) Acceptance {
	switch in.Proxy {
	case ProxyUnknown:
		return Acceptance{Accepts: AcceptsUnknown, Reason: "whether the server has a sidecar is unknown"}
	case ProxyNone:
		return Acceptance{Accepts: AcceptsApp, Reason: "the server has no sidecar: the app receives the bytes"}
	case ProxyGateway:
		if in.Gateway != nil {
			return *in.Gateway
		}
		return Acceptance{Accepts: AcceptsGateway, Reason: "a gateway takes its TLS from Gateway servers, not PeerAuthentication; mesh clients reach it in plaintext"}
	case ProxyAmbient:
		if in.Mode == Strict {
			return Acceptance{Accepts: AcceptsHBONE, Mode: Strict, Reason: "ambient pod under STRICT: ztunnel denies connections without a peer identity", DecidedBy: refOf(in.ModeFrom)}
		}
		return Acceptance{Accepts: AcceptsHBONEPlaintext, Mode: in.Mode, Reason: "ambient pod: ztunnel accepts HBONE and plaintext", DecidedBy: refOf(in.ModeFrom)}
	}
	a := sidecarAccepts(in)
	a.HBONE = in.Tunnel
	if in.Captured {
		a.Chain, a.ChainWhy, a.ChainByCreation, a.ChainShuffled = in.Chain, in.ChainWhy, in.ChainByCreation, in.ChainShuffled
	}
	return a
}

func sidecarAccepts(in ServerInput) Acceptance {
	if !in.Captured {
		return Acceptance{Accepts: AcceptsApp, Reason: in.CaptureWhy + ": no PeerAuthentication is enforced there"}
	}
	refs := refOf(in.ModeFrom)
	switch in.Mode {
	case Strict:
		return Acceptance{Accepts: AcceptsIstioMTLS, Mode: Strict, Reason: "sidecar inbound in STRICT: only istio mTLS has a filter chain", DecidedBy: refs}
	case Disable:
		return Acceptance{Accepts: AcceptsPlaintext, Mode: Disable, Reason: "sidecar inbound in DISABLE: plaintext chains only", DecidedBy: refs}
	}
	why := "sidecar inbound in PERMISSIVE: istio mTLS and plaintext"
	if in.ModeFrom == nil {
		why += " (no PeerAuthentication applies; Istio's default)"
	}
	return Acceptance{Accepts: AcceptsIstioMTLSPlaintext, Mode: Permissive, Reason: why, DecidedBy: refs}
}
