package explain

import "github.com/meshdoctor/meshdoctor/category"

var tlsToPlaintextCauses = []string{
	// Auto mTLS alone never sends Istio mTLS to an endpoint without a sidecar
	// (it reads the endpoint's tlsMode label), so an explicit DestinationRule
	// — often a mesh-wide "*.local" one — is the common case.
	"a DestinationRule with tls.mode ISTIO_MUTUAL (or SIMPLE/MUTUAL) applies to a destination that has no sidecar, or whose port is PeerAuthentication DISABLE (a mesh-wide host \"*.local\" rule is the common case)",
	"the destination port is excluded from the destination sidecar's inbound capture (traffic.sidecar.istio.io/excludeInboundPorts, or missing from includeInboundPorts): auto-mTLS still sends Istio mTLS because the pod has a sidecar (istio#30311), and the app answers in plaintext",
	"the destination pod carries security.istio.io/tlsMode=istio but runs no sidecar (copied labels, sidecar.istio.io/inject=false added later, hostNetwork)",
}

var certPeerRejectedCauses = []string{
	"the two ends trust different roots (multi-cluster without a shared root, a plugged-in CA on one side, a root rotation in progress)",
	"a DestinationRule MUTUAL with a client certificate the server does not trust",
	"the server is not an Istio sidecar and has its own client-certificate policy",
}

var tlsLibSignatures = []Signature{
	{ID: "boringssl-wrong-version-number", Emitter: BoringSSL, Category: category.TLSToPlaintext, Layer: LayerReason,
		Match:   []string{"OPENSSL_internal:WRONG_VERSION_NUMBER"},
		Meaning: "BoringSSL inside Envoy originated TLS (Istio mTLS) toward the destination and the first bytes back were not a TLS record: the destination answered in plaintext (an HTTP/2 SETTINGS frame from a gRPC server such as the OTel collector on 4317, or an HTTP/1 400). The destination does not terminate Istio mTLS on that port. STRICT mTLS on the destination is not the cause: a STRICT sidecar would have completed the handshake, and making it PERMISSIVE does not fix this.",
		Causes:  tlsToPlaintextCauses,
		Next:    []string{nextSidecarDst, nextDescribeDst, nextDRs, nextClientTLS, nextEndpoints}},
	{ID: "openssl-wrong-version-number", Emitter: OpenSSL, Category: category.TLSToPlaintext, Layer: LayerReason,
		Match:   []string{"wrong version number", "WRONG_VERSION_NUMBER]"},
		Meaning: "An OpenSSL TLS client received a reply that is not a TLS record: it spoke TLS to a plaintext server.",
		Causes: []string{
			"the app uses https:// (or TLS on) toward a port that speaks plaintext; in the mesh, use http:// and let the sidecars do mTLS",
			"the destination sidecar's port is PERMISSIVE/DISABLE and the app-level TLS is terminated nowhere",
		},
		Next: []string{nextSvcPorts, nextDescribeDst}},
	{ID: "boringssl-http-request", Emitter: BoringSSL, Category: category.PlaintextToTLS, Layer: LayerReason,
		Match:   []string{"OPENSSL_internal:HTTP_REQUEST", "OPENSSL_internal:HTTPS_PROXY_REQUEST"},
		Meaning: "A BoringSSL TLS server (an Envoy listener or gateway) received a plaintext HTTP request where it expected a ClientHello.",
		Causes:  []string{"a client sent http:// to a port that terminates TLS (gateway HTTPS port, or a sidecar port configured for TLS)"},
		Next:    []string{"kubectl get gateways -A -o yaml"}},
	{ID: "openssl-http-request", Emitter: OpenSSL, Category: category.PlaintextToTLS, Layer: LayerReason,
		Match:   []string{":http request", "[SSL: HTTP_REQUEST]"},
		Meaning: "An OpenSSL TLS server received a plaintext HTTP request instead of a ClientHello: a plaintext client reached a TLS port.",
		Causes:  []string{"the client uses http:// toward an app that terminates TLS itself", "a client sidecar sent plaintext to an app-TLS port (DestinationRule DISABLE, or PERMISSIVE passthrough of plaintext)"},
		Next:    []string{nextSvcPorts, nextDRs}},
	{ID: "tls-verify-san", Emitter: BoringSSL, Category: category.NameMismatch, Layer: LayerDetail,
		Match:   []string{"verify SAN list", "verify_SAN_list"},
		Meaning: "The peer's certificate chains to a trusted root but its SAN (SPIFFE identity) is not one the client sidecar expects for this service.",
		Causes:  []string{"destination pods run under a service account the client does not expect (DestinationRule subjectAltNames, or a ServiceEntry/multi-cluster identity mismatch)", "the trust domain changed without trustDomainAliases"},
		Next:    []string{nextClientTLS, "kubectl get pod -n {ns} -l {selector} -o jsonpath='{.items[*].spec.serviceAccountName}'"}},
	{ID: "tls-certificate-verify-failed", Emitter: BoringSSL, Category: category.UntrustedCertificate, Layer: LayerReason,
		Match:   []string{"CERTIFICATE_VERIFY_FAILED", "certificate verify failed"},
		Meaning: "The TLS client could not verify the server's certificate chain against its trusted roots.",
		Causes:  []string{"Istio mTLS to a server that presents a non-mesh certificate (an app terminating its own TLS on a port excluded from capture)", "a different mesh root (multi-cluster, plugged-in CA, rotation)", "outside the mesh: a self-signed or private-CA certificate the client does not trust"},
		Next:    []string{"istioctl proxy-config secret <client-pod> -n <client-ns>", "openssl s_client -connect {target} -showcerts </dev/null"}},
	{ID: "tls-alert-unknown-ca", Emitter: BoringSSL, Category: category.UntrustedCertificate, Layer: LayerReason,
		Match:   []string{"TLSV1_ALERT_UNKNOWN_CA", "tlsv1 alert unknown ca"},
		Meaning: "The peer sent an unknown_ca alert: it did not trust the certificate this side presented (the rejection happened on the other end).",
		Causes:  certPeerRejectedCauses,
		Next:    []string{"istioctl proxy-config secret <pod> -n <ns>", nextDRs}},
	{ID: "tls-alert-certificate-unknown", Emitter: BoringSSL, Category: category.UntrustedCertificate, Layer: LayerReason,
		Match:   []string{"SSLV3_ALERT_CERTIFICATE_UNKNOWN", "sslv3 alert certificate unknown", "SSLV3_ALERT_BAD_CERTIFICATE", "sslv3 alert bad certificate"},
		Meaning: "The peer sent a certificate_unknown/bad_certificate alert: it rejected the certificate this side presented (JSSE and Go servers send these).",
		Causes:  certPeerRejectedCauses,
		Next:    []string{"istioctl proxy-config secret <pod> -n <ns>", nextDRs}},
	{ID: "tls-certificate-required", Emitter: BoringSSL, Category: category.ClientCertificateRequired, Layer: LayerReason,
		Match:   []string{"ALERT_CERTIFICATE_REQUIRED", "alert certificate required", "PEER_DID_NOT_RETURN_A_CERTIFICATE", "peer did not return a certificate"},
		Meaning: "The server requires a client certificate and the client presented none. A STRICT Istio sidecar does exactly this to one-way TLS.",
		Causes:  []string{"the client originates one-way TLS to a STRICT sidecar: a DestinationRule tls.mode SIMPLE instead of ISTIO_MUTUAL, or app-level https:// through an excluded outbound port", "a DestinationRule MUTUAL without client certificate files/credentialName"},
		Next:    []string{nextDRs, nextPAs}},
	{ID: "tls-handshake-failure", Emitter: BoringSSL, Category: category.ProtocolVersion, Layer: LayerReason,
		Match:   []string{"SSLV3_ALERT_HANDSHAKE_FAILURE", "sslv3 alert handshake failure", "NO_SHARED_CIPHER", "no shared cipher", "NO_CIPHERS_AVAILABLE"},
		Meaning: "The handshake failed before certificates were checked: no common cipher suite or parameters (with TLS 1.2 servers this alert can also mean a required client certificate was missing).",
		Causes:  []string{"minProtocolVersion/cipherSuites in MeshConfig or a DestinationRule that the peer does not support", "FIPS-restricted builds on one side", "a TLS 1.2 server demanding a client certificate"},
		Next:    []string{"kubectl get configmap istio -n istio-system -o yaml | grep -i -A3 'tlsDefaults\\|minProtocolVersion\\|cipherSuites'", nextDRs}},
	{ID: "tls-protocol-version", Emitter: BoringSSL, Category: category.ProtocolVersion, Layer: LayerReason,
		Match:   []string{"UNSUPPORTED_PROTOCOL", "unsupported protocol", "TLSV1_ALERT_PROTOCOL_VERSION", "tlsv1 alert protocol version", "no protocols available"},
		Meaning: "The two ends share no TLS version.",
		Causes:  []string{"meshConfig.meshMTLS.minProtocolVersion TLSV1_3 with an old client", "a legacy client limited to TLS 1.0/1.1"},
		Next:    []string{"kubectl get configmap istio -n istio-system -o yaml | grep -i minProtocolVersion"}},
	{ID: "tls-unexpected-eof", Emitter: OpenSSL, Category: category.Other, Layer: LayerGeneric,
		Match:   []string{"unexpected eof while reading", "UNEXPECTED_EOF_WHILE_READING", "EOF occurred in violation of protocol"},
		Meaning: "The peer closed the TCP connection in the middle of the TLS session, without a close_notify and without an alert.",
		Causes:  []string{"TLS sent to something that is not a TLS server and closes on unknown bytes (a port excluded from capture)", "a STRICT sidecar or proxy reset the connection", "the server crashed or hit an idle timeout"},
		Next:    []string{nextServerLog, nextDescribeDst}},
}
