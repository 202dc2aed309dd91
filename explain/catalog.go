// Package explain turns log lines into mTLS diagnoses: it recognises error
// text written by Envoy, TLS libraries, language runtimes and tools, works out
// which component wrote it and therefore which way the mismatch runs, and says
// what to check next. The catalogue is one table (split across catalog_*.go by
// emitter family); see Catalogue.
package explain

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
)

// Emitter names the component that writes a line.
type Emitter string

// Emitters. The client/server split for Envoy matters: it decides direction.
const (
	EnvoyClient   Emitter = "envoy-client-sidecar" // outbound: the caller's sidecar (or a gateway/waypoint acting as client)
	EnvoyServer   Emitter = "envoy-server-sidecar" // inbound: the destination's sidecar
	BoringSSL     Emitter = "boringssl"            // BoringSSL (inside Envoy, gRPC C-core)
	OpenSSL       Emitter = "openssl"              // OpenSSL (curl, s_client, nginx, python, node)
	GoTLS         Emitter = "go"                   // Go crypto/tls, crypto/x509, net/http, net
	GRPCGo        Emitter = "grpc-go"              // google.golang.org/grpc (clients, the OTel collector's receiver)
	OTelCollector Emitter = "otel-collector"       // the OpenTelemetry collector's exporter helper
	JSSE          Emitter = "java/jsse"            // the JDK's TLS and socket stack
	GRPCJava      Emitter = "grpc-java"            // grpc-java, Netty, OkHttp
	OTelJava      Emitter = "otel-java-agent"      // OpenTelemetry Java agent / SDK exporters
	Curl          Emitter = "curl"
	Python        Emitter = "python" // ssl module, urllib3, requests
	Node          Emitter = "node"
	Kubelet       Emitter = "kubelet"
	OS            Emitter = "os" // errno text (ECONNRESET, ECONNREFUSED) printed by any program
)

// library emitters are TLS libraries linked into some other program; the
// program that wraps their message is the better answer to "who wrote it".
func (e Emitter) library() bool { return e == BoringSSL || e == OpenSSL }

// Layer orders signatures found in one event: the highest layer decides the
// category. A wrapper says that something failed; a reason says what.
type Layer int

// Layers, lowest first.
const (
	LayerWrapper  Layer = 1 // e.g. "Failed to export spans", "UNAVAILABLE: io exception", curl (35)
	LayerEnvoy    Layer = 2 // Envoy's local reply or reset reason: the client sidecar was in the path
	LayerGeneric  Layer = 3 // a specific but not very telling symptom (connection reset, EOF)
	LayerSpecific Layer = 4 // a precise runtime message (Go, JSSE, Node codes)
	LayerReason   Layer = 5 // the TLS library's own reason code: decides the direction
	LayerDetail   Layer = 6 // refines a reason (a SAN mismatch inside CERTIFICATE_VERIFY_FAILED)
)

// Signature is one catalogue entry.
type Signature struct {
	ID       string            // stable; never reuse or rename
	Emitter  Emitter           // who writes this text
	Category category.Category // the direction or kind of failure
	Layer    Layer
	// Match lists literal substrings, any of which selects the entry
	// (case-sensitive, ≥ 8 bytes, no '/', '<', '>', '&', '\\' so that JSON
	// escaping cannot hide them).
	Match []string
	// Confirm, when set, must also match the event text (the literals are
	// only a fast gate).
	Confirm *regexp.Regexp
	Meaning string   // what the line says, precisely
	Causes  []string // likely mesh causes, most likely first
	Next    []string // commands to run; {host} {ns} {port} {target} are filled from the targets
}

var catalogue = concat(envoySignatures, tlsLibSignatures, goSignatures, javaSignatures, otelSignatures, toolSignatures)

func concat(parts ...[]Signature) []Signature {
	var out []Signature
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// Catalogue returns a copy of the signature table in its fixed order.
func Catalogue() []Signature { return append([]Signature(nil), catalogue...) }

// Literals returns every match literal of the catalogue, deduplicated, in
// catalogue order (what `grep -F -f` would need to find the same lines).
func Literals() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range catalogue {
		for _, m := range s.Match {
			if !seen[m] {
				seen[m] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// Common next steps, reused by several entries.
const (
	nextDescribeDst = "istioctl x describe pod $(kubectl get pod -n {ns} -l {selector} -o name | head -1 | cut -d/ -f2) -n {ns}"
	nextSidecarDst  = "kubectl get pod -n {ns} -l {selector} -o jsonpath='{range .items[*]}{.metadata.name}{\" \"}{.spec.containers[*].name} {.spec.initContainers[*].name}{\" \"}{.metadata.annotations}{\"\\n\"}{end}'"
	nextDRs         = "kubectl get destinationrules -A -o yaml | grep -n -B20 -A3 'mode: ISTIO_MUTUAL\\|mode: DISABLE\\|mode: SIMPLE\\|mode: MUTUAL'"
	nextPAs         = "kubectl get peerauthentications -A -o yaml"
	nextClientTLS   = "istioctl proxy-config cluster <client-pod> -n <client-ns> --fqdn {host} -o json | grep -A3 -i 'transportSocket\\|tlsMode'"
	nextEndpoints   = "istioctl proxy-config endpoints <client-pod> -n <client-ns> --cluster '{cluster}'"
	nextEvents      = "kubectl get events -n <ns> --sort-by=.lastTimestamp"
	nextDescribePod = "kubectl describe pod <pod> -n <ns>   # Last State, Reason, Exit Code, probe failures"
	nextPrevLogs    = "kubectl logs <pod> -n <ns> -c <app-container> --previous"
	nextSvcPorts    = "kubectl get svc {svc} -n {ns} -o yaml   # port names/appProtocol and targetPort"
	nextAccessLog   = "kubectl logs <client-pod> -n <client-ns> -c istio-proxy | grep '{host}'"
	nextServerLog   = "kubectl logs -n {ns} -l {selector} -c istio-proxy | grep -E 'NR filter_chain_not_found|{port}'"
)

// checkCatalogue reports the first defect of a signature table: a reused
// id, an entry without emitter, known category, meaning, causes, next
// steps or literals, or a literal that is too short for the matcher or
// could be hidden by JSON escaping.
func checkCatalogue(sigs []Signature) error {
	ids := map[string]bool{}
	known := map[category.Category]bool{}
	for _, c := range category.All {
		known[c] = true
	}
	for _, s := range sigs {
		switch {
		case s.ID == "":
			return fmt.Errorf("an entry has no id")
		case ids[s.ID]:
			return fmt.Errorf("%s: id reused", s.ID)
		case s.Emitter == "":
			return fmt.Errorf("%s: no emitter", s.ID)
		case !known[s.Category]:
			return fmt.Errorf("%s: category %q is not in category.All", s.ID, s.Category)
		case s.Meaning == "" || len(s.Causes) == 0 || len(s.Next) == 0:
			return fmt.Errorf("%s: needs Meaning, Causes and Next", s.ID)
		case len(s.Match) == 0:
			return fmt.Errorf("%s: no match literal", s.ID)
		}
		ids[s.ID] = true
		for _, m := range s.Match {
			if len(m) < minLiteral || strings.ContainsAny(m, "<>&\\\n") {
				return fmt.Errorf("%s: literal %q is shorter than %d bytes or contains <>&\\ or a newline", s.ID, m, minLiteral)
			}
		}
	}
	return nil
}

// minLiteral bounds the matcher's skip distance from below.
const minLiteral = 6
