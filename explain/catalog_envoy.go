package explain

import (
	"regexp"

	"github.com/meshdoctor/meshdoctor/category"
)

// flagRe confirms an Envoy access-log response flag (text or JSON format).
func flagRe(flag string) *regexp.Regexp {
	return regexp.MustCompile(`(?:" (?:0|\d{3}) |"response_flags":")(?:[A-Z]+,)*` + flag + `[ ,"]`)
}

// flagGates are the literals that select an access-log line carrying flag.
func flagGates(flag string, codes ...string) []string {
	out := []string{`"response_flags":"` + flag}
	for _, c := range codes {
		out = append(out, `" `+c+` `+flag)
	}
	return out
}

var envoyPlaintextToStrictCauses = []string{
	"a DestinationRule with tls.mode DISABLE (or SIMPLE/MUTUAL with a credentialName but no workloadSelector) makes the client sidecar send plaintext to a STRICT destination",
	"the destination namespace's (or mesh) PeerAuthentication is DISABLE while the workload's own PeerAuthentication is STRICT: auto-mTLS reads only the namespace/mesh mode and sends plaintext",
	"the client sidecar does not know the service (Sidecar egress hosts, exportTo) and sends it through PassthroughCluster in plaintext",
	// Not Istio mTLS into a plaintext app: Envoy counts an upstream TLS
	// connection as connected only once its handshake succeeds, so a close
	// during the handshake is "remote connection failure", never this.
	"not a TLS mismatch at all when it is rare: the destination closed a pooled keep-alive connection as the client sidecar reused it (the app's idle timeout is shorter than Envoy's)",
}

var envoySignatures = []Signature{
	{ID: "envoy-local-reply-upstream-reset", Emitter: EnvoyClient, Category: category.Other, Layer: LayerEnvoy,
		Match:   []string{"upstream connect error or disconnect", "upstream_reset_before_response_started"},
		Meaning: "A client-side Envoy (the caller's own sidecar, or a gateway/waypoint on the way) answered the request itself with a 503 local reply: it could not get response headers from the upstream. The reset reason that follows says why.",
		Causes:  []string{"read the reset reason and transport failure reason in the same message; they decide the direction"},
		Next:    []string{nextAccessLog, nextClientTLS}},
	{ID: "envoy-reset-connection-termination", Emitter: EnvoyClient, Category: category.PlaintextToTLS, Layer: LayerGeneric,
		Match:   []string{"reset reason: connection termination", "{connection_termination}"},
		Meaning: "The upstream closed the connection after it was established and before any response, with no TLS error: the client sidecar sent plaintext and the destination's STRICT sidecar found no filter chain for it and reset.",
		Causes:  envoyPlaintextToStrictCauses,
		Next:    []string{nextClientTLS, nextDRs, nextPAs, nextServerLog, nextDescribeDst}},
	{ID: "envoy-reset-remote-connection-failure", Emitter: EnvoyClient, Category: category.TLSToPlaintext, Layer: LayerGeneric,
		Match:   []string{"reset reason: remote connection failure", "{remote_connection_failure"},
		Meaning: "The upstream closed the connection while the client sidecar was still establishing it; for an Istio mTLS cluster that means during the TLS handshake. With no transport failure reason, the destination read the ClientHello and closed without answering: something that is not a TLS server received Istio mTLS.",
		Causes: []string{
			"the destination port is excluded from inbound capture (traffic.sidecar.istio.io/excludeInboundPorts) and the app closes on unknown bytes",
			"a DestinationRule forces ISTIO_MUTUAL toward a destination without a sidecar",
			"the destination's sidecar was not ready yet (pod starting) or the pod is being terminated",
		},
		Next: []string{nextSidecarDst, nextDRs, nextClientTLS, nextDescribeDst}},
	{ID: "envoy-reset-connection-failure", Emitter: EnvoyClient, Category: category.ConnectionRefused, Layer: LayerGeneric,
		Match:   []string{"reset reason: connection failure", "reset reason: local connection failure", "{connection_failure", "{local_connection_failure"},
		Meaning: "The client sidecar could not open a TCP connection to the chosen endpoint (refused, unreachable or timed out); no TLS was exchanged.",
		Causes:  []string{"nothing listens on the endpoint's target port (app not started, wrong targetPort, container crashed)", "a NetworkPolicy or firewall drops the connection", "stale endpoints during a rollout"},
		Next:    []string{nextEndpoints, nextSvcPorts, "kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={svc} -o wide"}},
	{ID: "envoy-delayed-connect-error", Emitter: EnvoyClient, Category: category.ConnectionRefused, Layer: LayerSpecific,
		Match:   []string{"delayed connect error: 111", "delayed_connect_error:_111"},
		Meaning: "The client sidecar's TCP connect was refused (errno 111, ECONNREFUSED): nothing listens on that endpoint address and port.",
		Causes:  []string{"the destination app does not listen on the Service's targetPort (or listens on 127.0.0.1 only)", "the pod is starting or crashed", "a port in the Service points at the wrong container port"},
		Next:    []string{nextEndpoints, nextSvcPorts, "kubectl exec -n {ns} <dest-pod> -c istio-proxy -- netstat -tlnp"}},
	{ID: "envoy-reset-overflow", Emitter: EnvoyClient, Category: category.Other, Layer: LayerGeneric,
		Match:   []string{"reset reason: overflow", `" 503 UO`},
		Meaning: "The client sidecar's circuit breaker for this cluster was full (connection pool or pending request limit): the request was not sent.",
		Causes:  []string{"DestinationRule trafficPolicy.connectionPool limits too low for the load", "a slow destination keeping connections busy"},
		Next:    []string{"istioctl proxy-config cluster <client-pod> -n <client-ns> --fqdn {host} -o json | grep -A8 circuitBreakers", nextDRs}},
	{ID: "envoy-reset-connection-timeout", Emitter: EnvoyClient, Category: category.Timeout, Layer: LayerGeneric,
		Match:   []string{"reset reason: connection timeout", "{connection_timeout"},
		Meaning: "The client sidecar's connect to the endpoint timed out (no SYN-ACK).",
		Causes:  []string{"NetworkPolicy or security group dropping packets", "the endpoint IP is gone (stale endpoints)", "node networking problems"},
		Next:    []string{nextEndpoints, "kubectl get networkpolicies -n {ns}"}},
	{ID: "envoy-reset-protocol-error", Emitter: EnvoyClient, Category: category.Other, Layer: LayerGeneric,
		Match:   []string{"reset reason: protocol error", "{protocol_error"},
		Meaning: "The client sidecar could not parse the upstream's reply as the protocol it expected (HTTP/1.1 vs HTTP/2, or HTTP vs raw bytes).",
		Causes:  []string{"the Service port's name/appProtocol declares the wrong protocol (e.g. http for a gRPC port, or grpc for HTTP/1)", "a destination port with PeerAuthentication DISABLE received Istio mTLS under an ISTIO_MUTUAL DestinationRule (server-side HCM protocol error)"},
		Next:    []string{nextSvcPorts, nextDRs}},
	{ID: "envoy-transport-tls-error", Emitter: EnvoyClient, Category: category.Other, Layer: LayerEnvoy,
		Match:   []string{"transport failure reason: TLS_error", "TLS_error:|"},
		Meaning: "The TLS handshake that an Envoy originated toward the upstream failed; the BoringSSL reason inside TLS_error:...:TLS_error_end says why.",
		Causes:  []string{"read the BoringSSL reason code in the message"},
		Next:    []string{nextClientTLS, nextDRs}},
	{ID: "envoy-no-healthy-upstream", Emitter: EnvoyClient, Category: category.NoRoute, Layer: LayerSpecific,
		Match:   []string{"no healthy upstream", "no_healthy_upstream"},
		Meaning: "The client sidecar's cluster for the destination had no healthy endpoint to send to (flag UH).",
		Causes:  []string{"the Service has no ready endpoints (pods not Ready, selector matches nothing)", "outlier detection ejected every endpoint", "a DestinationRule subset selects labels no pod carries"},
		Next:    []string{nextEndpoints, "kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={svc} -o wide", nextDRs}},
	{ID: "envoy-filter-chain-not-found", Emitter: EnvoyServer, Category: category.PlaintextToTLS, Layer: LayerSpecific,
		Match:   []string{"filter_chain_not_found"},
		Meaning: "The destination's sidecar found no inbound filter chain for the connection (flag NR) and reset it. Under STRICT only TLS chains exist, so this is a plaintext connection reaching a STRICT port (or non-Istio TLS reaching a PERMISSIVE port declared as HTTP).",
		Causes: []string{
			"a client without a sidecar (not injected, or its outbound port/IP range excluded from capture) talks plaintext to this STRICT workload",
			"a client sidecar sends plaintext: DestinationRule tls DISABLE, or the destination namespace's PeerAuthentication is DISABLE while the workload is STRICT",
			"kubelet HTTP/gRPC probes with sidecar.istio.io/rewriteAppHTTPProbers: \"false\"",
			"the app started before its sidecar and called out before capture was ready (holdApplicationUntilProxyStarts)",
		},
		Next: []string{nextPAs, nextDescribeDst, "kubectl get pods -A -o wide | grep <downstream-ip-from-the-log>"}},
	{ID: "envoy-upstream-request-timeout", Emitter: EnvoyClient, Category: category.Timeout, Layer: LayerSpecific,
		Match:   []string{"upstream request timeout"},
		Meaning: "The client sidecar's route timeout passed before the upstream answered (flag UT).",
		Causes:  []string{"the destination is slow or stuck", "a VirtualService timeout shorter than the call needs"},
		Next:    []string{"kubectl get virtualservices -A -o yaml | grep -n -B5 timeout", nextAccessLog}},
	{ID: "envoy-route-not-found", Emitter: EnvoyClient, Category: category.NoRoute, Layer: LayerSpecific,
		Match:   []string{"route_not_found", "BlackHoleCluster"},
		Meaning: "The sidecar had no route for the request's host/port (flag NR), or sent it to BlackHoleCluster because outboundTrafficPolicy is REGISTRY_ONLY and the host is not in its registry.",
		Causes:  []string{"the host is not a known Service or ServiceEntry for this client (Sidecar egress hosts, exportTo)", "REGISTRY_ONLY outbound policy without a ServiceEntry", "a VirtualService that matches the host but no route"},
		Next:    []string{"istioctl proxy-config routes <client-pod> -n <client-ns> | grep {host}", "kubectl get sidecars,serviceentries -A"}},
	{ID: "envoy-flag-UF", Emitter: EnvoyClient, Category: category.ConnectionRefused, Layer: LayerEnvoy,
		Match: flagGates("UF", "503", "0"), Confirm: flagRe("UF"),
		Meaning: "Access-log flag UF: the sidecar failed to connect to the upstream (TCP or, for Istio mTLS, the handshake). The transport failure reason in the same line decides.",
		Causes:  []string{"see the reset/transport failure reason in the line; without one: nothing listening on the endpoint"},
		Next:    []string{nextEndpoints, nextClientTLS}},
	{ID: "envoy-flag-URX", Emitter: EnvoyClient, Category: category.Other, Layer: LayerWrapper,
		Match: append(flagGates("URX", "503", "0"), "UF,URX", "UC,URX"), Confirm: flagRe("URX"),
		Meaning: "Access-log flag URX: the request was rejected after the retry (or TCP connect-attempt) limit was reached; each attempt failed for the reason in the other flags.",
		Causes:  []string{"see the other flags in the same line (UF, UC)"},
		Next:    []string{nextAccessLog}},
	{ID: "envoy-flag-UC", Emitter: EnvoyClient, Category: category.PlaintextToTLS, Layer: LayerEnvoy,
		Match: flagGates("UC", "503", "0"), Confirm: flagRe("UC"),
		Meaning: "Access-log flag UC: the upstream terminated the connection. Without a TLS reason, from a client sidecar this is usually plaintext reaching a STRICT destination.",
		Causes:  envoyPlaintextToStrictCauses,
		Next:    []string{nextClientTLS, nextPAs, nextDRs}},
	{ID: "envoy-flag-UH", Emitter: EnvoyClient, Category: category.NoRoute, Layer: LayerEnvoy,
		Match: flagGates("UH", "503", "0"), Confirm: flagRe("UH"),
		Meaning: "Access-log flag UH: no healthy upstream host in the cluster.",
		Causes:  []string{"no ready endpoints behind the Service", "all endpoints ejected by outlier detection"},
		Next:    []string{nextEndpoints}},
	{ID: "envoy-flag-NR", Emitter: EnvoyClient, Category: category.NoRoute, Layer: LayerEnvoy,
		Match: flagGates("NR", "404", "0", "503"), Confirm: flagRe("NR"),
		Meaning: "Access-log flag NR: no route (HTTP) or no matching filter chain (TCP/inbound). With filter_chain_not_found it is the server sidecar rejecting plaintext.",
		Causes:  []string{"the host/port is unknown to this proxy", "on an inbound line: plaintext to a STRICT port"},
		Next:    []string{"istioctl proxy-config listeners <pod> -n <ns> --port {port}"}},
	{ID: "envoy-flag-DC", Emitter: EnvoyClient, Category: category.Other, Layer: LayerEnvoy,
		Match: flagGates("DC", "0", "499", "503"), Confirm: flagRe("DC"),
		Meaning: "Access-log flag DC: the downstream (the caller) closed the connection before the response was complete.",
		Causes:  []string{"the calling app timed out first (its client timeout is shorter than the upstream's latency)", "the calling pod was terminated"},
		Next:    []string{nextAccessLog}},
	{ID: "envoy-flag-UT", Emitter: EnvoyClient, Category: category.Timeout, Layer: LayerEnvoy,
		Match: flagGates("UT", "504", "0"), Confirm: flagRe("UT"),
		Meaning: "Access-log flag UT: upstream request timeout.",
		Causes:  []string{"slow destination", "route timeout too short"},
		Next:    []string{nextAccessLog}},
	{ID: "envoy-flag-UPE", Emitter: EnvoyClient, Category: category.Other, Layer: LayerEnvoy,
		Match: flagGates("UPE", "502", "503", "0"), Confirm: flagRe("UPE"),
		Meaning: "Access-log flag UPE: the upstream sent a response that violates the expected protocol.",
		Causes:  []string{"wrong protocol declared on the Service port (name/appProtocol)", "HTTP/2 vs HTTP/1.1 mismatch"},
		Next:    []string{nextSvcPorts}},
}
