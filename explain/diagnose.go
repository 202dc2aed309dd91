package explain

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
)

// finding is the reasoning over the signatures of one event.
type finding struct {
	sigs     []int // catalogue indexes, ascending
	decisive int
	cat      category.Category
	emitter  Emitter
	summary  string
	causes   []string
	notes    []string
	next     []string
}

func has(sigs []int, id string) bool {
	for _, i := range sigs {
		if catalogue[i].ID == id {
			return true
		}
	}
	return false
}

// better reports whether a should decide over b.
func better(a, b int) bool {
	sa, sb := &catalogue[a], &catalogue[b]
	if sa.Layer != sb.Layer {
		return sa.Layer > sb.Layer
	}
	if sa.Emitter.library() != sb.Emitter.library() {
		return !sa.Emitter.library()
	}
	return a < b
}

const (
	noteOTelExport  = "An OpenTelemetry exporter failure is logged and the batch is retried or dropped; it does not stop or crash the JVM. If the pod is in CrashLoopBackOff the cause is elsewhere: a failing liveness/readiness probe (STRICT on the probed port without probe rewrite), OOMKilled, or the app failing at startup (for example calling out before its sidecar is ready). Look at kubectl describe pod (Last State, Events), kubectl get events, the previous container's logs and istioctl x describe pod."
	noteWrapperOnly = "Only a wrapper was recognised; the underlying reason is not in this event. Look at the lines around it, or at the client sidecar's access log."
	inPath          = "This is the client-side Envoy's own error (its local reply or reset reason), so the client's sidecar was in the path: the application did NOT bypass it. "
	strictNotCause  = " STRICT mTLS on the destination is not the cause: a STRICT sidecar accepts the Istio mTLS this sidecar sent."
)

func diagnose(sigs []int, text string) finding {
	f := finding{sigs: sigs, decisive: sigs[0]}
	for _, i := range sigs[1:] {
		if better(i, f.decisive) {
			f.decisive = i
		}
	}
	d := &catalogue[f.decisive]
	f.cat, f.emitter = d.Category, d.Emitter
	if f.cat == category.Other { // a wrapper decided: borrow a direction from below
		best := -1
		for _, i := range sigs {
			if catalogue[i].Category != category.Other && (best < 0 || better(i, best)) {
				best = i
			}
		}
		if best >= 0 {
			f.cat = catalogue[best].Category
		}
	}
	if d.Emitter.library() { // who wrapped the library's reason wrote the line
		host := -1
		for _, i := range sigs {
			if !catalogue[i].Emitter.library() && (host < 0 || better(i, host)) {
				host = i
			}
		}
		if host >= 0 {
			f.emitter = catalogue[host].Emitter
		}
	}
	envoy := false
	for _, i := range sigs {
		if catalogue[i].Emitter == EnvoyClient {
			envoy = true
		}
	}
	if f.emitter == EnvoyClient && (strings.Contains(text, "inbound|") || strings.Contains(text, "InboundPassthroughCluster")) {
		f.emitter, envoy = EnvoyServer, false // a server sidecar's access log line
	}
	if envoy && f.emitter.library() {
		f.emitter = EnvoyClient
	}
	if d.Emitter.library() && d.Category == category.PlaintextToTLS && f.emitter == EnvoyClient {
		f.emitter, envoy = EnvoyServer, false // a TLS server's reason: this Envoy was the server
	}
	f.summary, f.causes, f.next = d.Meaning, d.Causes, d.Next

	switch {
	case has(sigs, "kubelet-probe-failed"):
		f.emitter = Kubelet
		if f.cat == category.PlaintextToTLS || strings.Contains(text, ": EOF") {
			f.cat = category.PlaintextToTLS
			f.summary = "kubelet's probe (plaintext, no mesh certificate) was reset or closed. With probe rewriting off and STRICT mTLS on the probed port, the destination's sidecar rejects kubelet; rewritten probes go to the sidecar's :15020 and are not affected by PeerAuthentication."
		}
		f.causes = catalogue[indexOf("kubelet-probe-failed")].Causes
		f.next = catalogue[indexOf("kubelet-probe-failed")].Next
	case has(sigs, "go-tls-handshake-error-server") && d.ID == "go-first-record-not-tls":
		f.cat = category.PlaintextToTLS
		f.summary = "A Go TLS server logged that a client's first bytes were not TLS: a plaintext client reached this TLS port (the direction is the reverse of the same text written by a client)."
		f.causes = []string{"a client without a sidecar, or a client sidecar with DestinationRule tls DISABLE/auto-mTLS plaintext, sends plaintext to a port where the app terminates TLS itself", "a port scanner or a kubelet TCP/HTTP probe"}
	case envoy && f.emitter == EnvoyClient:
		f.summary = inPath + f.summary
		if f.cat == category.TLSToPlaintext {
			f.causes = tlsToPlaintextCauses
			if !strings.Contains(f.summary, "STRICT mTLS on the destination is not the cause") {
				f.summary += strictNotCause
			}
		}
	}
	if has(sigs, "otel-java-export-failed") {
		f.notes = append(f.notes, noteOTelExport)
		// The crash to look into is the exporting app's own pod: the client's namespace.
		for _, n := range []string{nextDescribePod, nextEvents, nextPrevLogs, "istioctl x describe pod <pod> -n <ns>"} {
			f.next = append(f.next, strings.ReplaceAll(n, "-n <ns>", "-n <client-ns>"))
		}
	}
	if d.Layer == LayerWrapper {
		f.notes = append(f.notes, noteWrapperOnly)
	}
	return f
}

var byID = func() map[string]int {
	m := map[string]int{}
	for i, s := range catalogue {
		m[s.ID] = i
	}
	return m
}()

func indexOf(id string) int { return byID[id] }

// severity orders categories for output: mTLS direction mismatches first.
func severity(c category.Category) int {
	switch c {
	case category.TLSToPlaintext, category.PlaintextToTLS:
		return 0
	case category.ClientCertificateRequired, category.UntrustedCertificate, category.NameMismatch:
		return 1
	case category.ProtocolVersion:
		return 2
	case category.NoRoute:
		return 3
	case category.ConnectionRefused:
		return 4
	case category.Timeout:
		return 5
	}
	return 6
}
