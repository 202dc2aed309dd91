package mesh

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
)

// Sends is what arrives on the wire from the client side.
type Sends string

// The client behaviours.
const (
	SendsIstioMTLS Sends = "istio-mtls" // Istio mutual TLS (SPIFFE certs, istio ALPN)
	SendsPlaintext Sends = "plaintext"
	SendsTLS       Sends = "tls"  // one-way TLS (DR SIMPLE, or the app's own https)
	SendsMTLS      Sends = "mtls" // TLS with a non-mesh client certificate (DR MUTUAL)
	SendsHBONE     Sends = "hbone"
	SendsBlackHole Sends = "blackhole" // REGISTRY_ONLY and no cluster: the proxy drops it
	SendsUnknown   Sends = "unknown"
)

// ClientInput is everything the client rule depends on, and nothing else,
// so that equal inputs can be decided once (§3.4).
type ClientInput struct {
	Proxy        ProxyKind
	Outbound     Tri // capture of the destination by the client's sidecar
	OutboundWhy  string
	AppTLS       bool // the app dials https:// (originates TLS itself)
	Visibility   Visibility
	DR           *ConsolidatedDR
	Port         uint32 // Service port P
	Subset       string
	AutoMtls     bool
	MeshExternal bool
	// NsMode is the service namespace's mode as the cluster builder sees it
	// (GetNamespaceMutualTLSMode; §3.1); NsModeFrom the PA behind it.
	NsMode     Mode
	NsModeFrom *inventory.PeerAuthentication
	// OriginalDst: the cluster is ORIGINAL_DST (headless for a sidecar, or a
	// PASSTHROUGH load balancer), so auto mTLS is all or nothing (§3.1, §10.3).
	OriginalDst bool
	// PassthroughMTLS: the service's mTLS mode is inferred from its
	// endpoints — headless, or PASSTHROUGH in the cluster's own policy (§10.4).
	PassthroughMTLS bool
	// HeadlessDisabled: some endpoint's tlsMode is exactly "disabled" or there are none.
	HeadlessDisabled bool
	// Endpoint facts (§3.2, §3.3).
	EndpointIstio    bool // endpoint tlsMode label is "istio"
	EndpointMode     Mode // the endpoint's composed PA mode at its target port
	EndpointModeFrom *inventory.PeerAuthentication
	EndpointTunnel   bool // endpoint supports HBONE (ambient pod or tunnel label)
	HBONESending     bool // control plane sends HBONE (ambient enabled)
}

// ClientDecision is what the client sends and why.
type ClientDecision struct {
	Sends     Sends
	Reason    string
	DecidedBy []inventory.Ref
	// ByCreation: SendsUnknown only for want of creation timestamps (§11 creation-order).
	ByCreation bool
	// PilotOrder: SendsUnknown because pilot's answer hangs on an order it
	// does not fix (§11 pilot-order).
	PilotOrder bool
	// Symptom: what the client sees of a SendsBlackHole other than the
	// BlackHoleCluster's answer (empty: that answer).
	Symptom string
}

func appBytes(in ClientInput) Sends {
	if in.AppTLS {
		return SendsTLS
	}
	return SendsPlaintext
}

func refOf(pa *inventory.PeerAuthentication) []inventory.Ref {
	if pa == nil {
		return nil
	}
	return []inventory.Ref{pa.Ref()}
}

// ClientSends is the consolidated client rule of §3.4. Where the proxy adds
// no TLS, the wire carries the app's own bytes (plaintext, or the app's TLS). Istio:
// cluster_traffic_policy.go applyTrafficPolicy → cluster_tls.go
// buildUpstreamTLSSettings; xds/endpoints/mtls_checker.go checkMtlsEnabled.
func ClientSends(in ClientInput) ClientDecision {
	switch in.Proxy {
	case ProxyNone:
		return ClientDecision{Sends: appBytes(in), Reason: "the client has no proxy: the app's bytes leave as they are"}
	case ProxyUnknown:
		return ClientDecision{Sends: SendsUnknown, Reason: "whether the client has a sidecar is unknown"}
	case ProxyAmbient:
		return ambientClient(in)
	}
	switch in.Outbound {
	case No:
		return ClientDecision{Sends: appBytes(in), Reason: "the client's sidecar does not capture this traffic: " + in.OutboundWhy}
	case Undecided:
		return ClientDecision{Sends: SendsUnknown, Reason: in.OutboundWhy}
	}
	if !in.Visibility.Visible {
		if in.Visibility.Undecided {
			return ClientDecision{Sends: SendsUnknown, Reason: in.Visibility.Reason, DecidedBy: in.Visibility.DecidedBy, ByCreation: in.Visibility.ByCreation, PilotOrder: in.Visibility.ByPilotOrder}
		}
		if in.Visibility.BlackHole {
			return ClientDecision{Sends: SendsBlackHole, Reason: in.Visibility.Reason, DecidedBy: in.Visibility.DecidedBy, Symptom: in.Visibility.Symptom}
		}
		if in.Visibility.RegistryOnly {
			return ClientDecision{Sends: SendsBlackHole, Reason: in.Visibility.Reason + "; outboundTrafficPolicy REGISTRY_ONLY sends it to the BlackHoleCluster", DecidedBy: in.Visibility.DecidedBy}
		}
		return ClientDecision{Sends: appBytes(in), Reason: in.Visibility.Reason + "; ALLOW_ANY passes the app's bytes through the PassthroughCluster", DecidedBy: in.Visibility.DecidedBy}
	}
	var drRefs []inventory.Ref
	var rule *networking.DestinationRule
	if in.DR != nil {
		drRefs, rule = in.DR.Refs(), in.DR.Rule
	}
	if in.HBONESending && in.EndpointTunnel && !in.EndpointIstio {
		// Tunnel-capable endpoints get HBONE whatever the DR says: ISTIO_MUTUAL
		// means "HBONE or mTLS", DISABLE and auto mean "HBONE or plaintext", and
		// SIMPLE/MUTUAL ride inside it (cluster_tls.go applyHBONETransportSocketMatches, §3.5).
		return ClientDecision{Sends: SendsHBONE, Reason: "the destination accepts HBONE and the control plane sends it (DestinationRule tls rides inside the tunnel)", DecidedBy: drRefs}
	}
	if tls := ClusterTLS(rule, in.Port, in.Subset); tls != nil {
		return userTLS(in, tls, drRefs)
	}
	switch {
	case !in.AutoMtls:
		return ClientDecision{Sends: appBytes(in), Reason: "no DestinationRule tls and enableAutoMtls is false", DecidedBy: drRefs}
	case in.MeshExternal:
		return ClientDecision{Sends: appBytes(in), Reason: "auto mTLS never applies to a MESH_EXTERNAL service", DecidedBy: drRefs}
	case in.PassthroughMTLS && in.HeadlessDisabled:
		return ClientDecision{Sends: appBytes(in), Reason: "the service's mTLS mode is read from its endpoints (headless, or a PASSTHROUGH load balancer), and one has tlsMode disabled (or there are none): auto mTLS is off for every endpoint", DecidedBy: drRefs}
	case in.NsMode == Disable:
		return ClientDecision{Sends: appBytes(in), Reason: "auto mTLS reads the service namespace's mode, DISABLE (workload-level PAs are not consulted here)",
			DecidedBy: append(drRefs, refOf(in.NsModeFrom)...)}
	case in.OriginalDst:
		return ClientDecision{Sends: SendsIstioMTLS, Reason: "ORIGINAL_DST cluster (headless service, or a PASSTHROUGH load balancer): auto mTLS sends istio mTLS to every endpoint, without reading their tlsMode or port-level PAs", DecidedBy: drRefs}
	}
	if top := CheckerTLSMode(rule, in.Port, in.Subset); top != nil {
		if *top == networking.ClientTLSSettings_ISTIO_MUTUAL && in.EndpointIstio {
			return ClientDecision{Sends: SendsIstioMTLS, Reason: "a port-level DestinationRule entry without tls leaves auto mTLS on, and the top-level ISTIO_MUTUAL keeps the endpoint's istio tag whatever its PeerAuthentication says", DecidedBy: drRefs}
		}
		return ClientDecision{Sends: appBytes(in), Reason: "a port-level DestinationRule entry without tls clears the cluster tls, and the top-level mode " + top.String() + " clears every endpoint's istio tag", DecidedBy: drRefs}
	}
	if !in.EndpointIstio {
		return ClientDecision{Sends: appBytes(in), Reason: "auto mTLS: the destination pod has no security.istio.io/tlsMode=istio label (no sidecar), so its endpoint gets plaintext", DecidedBy: drRefs}
	}
	if in.EndpointMode == Disable {
		return ClientDecision{Sends: appBytes(in), Reason: "auto mTLS: the destination's PeerAuthentication is DISABLE on its target port, so the endpoint gets plaintext",
			DecidedBy: append(drRefs, refOf(in.EndpointModeFrom)...)}
	}
	return ClientDecision{Sends: SendsIstioMTLS, Reason: "auto mTLS: the destination has a sidecar (tlsMode=istio) and its port is not DISABLE", DecidedBy: drRefs}
}

// userTLS applies a DR tls block as written (§2.9), with the credentialName trap.
func userTLS(in ClientInput, tls *networking.ClientTLSSettings, refs []inventory.Ref) ClientDecision {
	mode := tls.GetMode()
	where := "DestinationRule tls mode " + mode.String()
	switch mode {
	case networking.ClientTLSSettings_DISABLE:
		return ClientDecision{Sends: appBytes(in), Reason: where + ": plaintext to every endpoint", DecidedBy: refs}
	case networking.ClientTLSSettings_ISTIO_MUTUAL:
		return ClientDecision{Sends: SendsIstioMTLS, Reason: where + ": istio mTLS to every endpoint, sidecar or not", DecidedBy: refs}
	}
	cred := tls.GetCredentialName()
	if in.Proxy == ProxySidecar && cred != "" && !strings.HasPrefix(cred, "configmap://") &&
		(in.DR == nil || in.DR.Rule.GetWorkloadSelector() == nil) {
		return ClientDecision{Sends: appBytes(in), Reason: where + " with credentialName and no workloadSelector: a sidecar builds no TLS context and sends plaintext", DecidedBy: refs}
	}
	if mode == networking.ClientTLSSettings_MUTUAL {
		return ClientDecision{Sends: SendsMTLS, Reason: where + ": TLS with a client certificate that is not the mesh's", DecidedBy: refs}
	}
	return ClientDecision{Sends: SendsTLS, Reason: where + ": one-way TLS origination, no client certificate", DecidedBy: refs}
}

// ambientClient is ztunnel's choice (§4.6): HBONE to tunnel-capable
// destinations, else plaintext; ztunnel reads no DR tls.
func ambientClient(in ClientInput) ClientDecision {
	if in.EndpointTunnel {
		return ClientDecision{Sends: SendsHBONE, Reason: "ambient client: ztunnel sends HBONE to a tunnel-capable destination"}
	}
	return ClientDecision{Sends: appBytes(in), Reason: "ambient client: ztunnel sends plaintext to a destination without HBONE support"}
}
