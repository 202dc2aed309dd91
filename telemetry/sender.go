package telemetry

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
)

// senders finds the exporting containers of w, and the collector the
// Operator injects as a sidecar (sidecar.opentelemetry.io/inject).
func (m *Model) senders(w *inventory.Workload) {
	own := m.CollectorOf(w)
	if local := m.sidecarCollector(w); local != nil {
		m.Collectors = append(m.Collectors, local)
		own = local
	}
	injections := m.injections(w)
	for _, c := range w.Template.Spec.Containers {
		if isCollectorImage(c.Image) {
			continue
		}
		var inj *injection
		for i := range injections {
			if injectedContainers(w, injections[i].lang)[c.Name] {
				inj = &injections[i]
				break
			}
		}
		if inj != nil && inj.err != nil {
			// The webhook admits the pod unchanged when it cannot pick an
			// Instrumentation (opentelemetry-operator internal/webhook/podmutation
			// → pkg/instrumentation podmutator.go Mutate: "failed to select an
			// OpenTelemetry Instrumentation instance for this pod" is logged and
			// the pod returned as it is): the container keeps only its own settings.
			m.Unresolved = append(m.Unresolved, Unresolved{Workload: w, Container: c.Name, From: inj.from, Reason: inj.err.Error()})
			inj = nil
		}
		var extra []corev1.EnvVar
		var from, lang string
		var inst *Instrumentation
		if inj != nil {
			lang, inst = inj.lang, inj.inst
			if inst != nil {
				extra = inst.Env(lang)
				from = fmt.Sprintf("Instrumentation %s/%s, %s:%d, via %s", inst.Ref.Namespace, inst.Ref.Name, inst.Ref.File, inst.Ref.Line, inj.from)
			}
		}
		s := m.containerSettings(w, c, extra, from)
		sdk, ok := detectSDK(w, s, inst, lang)
		if !ok {
			continue
		}
		snd := &Sender{Workload: w, Container: c.Name, SDK: sdk, Instrumentation: inst, LocalCollector: own}
		snd.Exports, snd.Off = exports(s, sdk, inj != nil)
		m.Senders = append(m.Senders, snd)
	}
}

// signalKey are the settings exports reads for one signal, spelt once:
// concatenated for every signal of every sender they were 16 MB of
// garbage on the 20k mesh.
type signalKey struct {
	exporter, protocol, endpoint string
	// insecure, then the certificate settings: each per signal, then generic.
	insecure [2]string
	certs    [3][2]string
}

var signalKeys = func() []signalKey {
	out := make([]signalKey, len(Signals))
	for i, sig := range Signals {
		up := strings.ToUpper(string(sig))
		k := &out[i]
		k.exporter = "OTEL_" + up + "_EXPORTER"
		k.protocol = "OTEL_EXPORTER_OTLP_" + up + "_PROTOCOL"
		k.endpoint = "OTEL_EXPORTER_OTLP_" + up + "_ENDPOINT"
		k.insecure = [2]string{"OTEL_EXPORTER_OTLP_" + up + "_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE"}
		for j, c := range []string{"CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY"} {
			k.certs[j] = [2]string{"OTEL_EXPORTER_OTLP_" + up + "_" + c, "OTEL_EXPORTER_OTLP_" + c}
		}
	}
	return out
}()

// exports derives each signal's exporter as the SDK does: the per-signal
// endpoint as-is, else the generic one (+ /v1/<signal> for OTLP/HTTP), else
// the SDK's default; per-signal protocol, else generic, else default.
func exports(s settings, sdk SDK, operator bool) ([]Export, []string) {
	java := sdk.Lang == "java"
	def := defaultsOf(sdk, operator)
	if v, ok := s.get("OTEL_SDK_DISABLED", java); ok && strings.EqualFold(v.value, "true") {
		return nil, []string{"all signals: " + v.from}
	}
	// otel.javaagent.enabled=false turns the whole Java agent off.
	if v, ok := s.get("OTEL_JAVAAGENT_ENABLED", java); java && ok && strings.EqualFold(v.value, "false") {
		return nil, []string{"all signals (the Java agent is disabled): " + v.from}
	}
	out := make([]Export, 0, len(Signals))
	var off []string
	byDefault := defaultProtocolReason(def)
	for i, sig := range Signals {
		key := &signalKeys[i]
		var forced Protocol
		if v, ok := s.get(key.exporter, java); ok {
			var on bool
			if on, forced = otlpExporter(v.value); !on {
				off = append(off, string(sig)+": "+v.from)
				continue
			}
		} else if !containsSignal(def.signals, sig) {
			off = append(off, fmt.Sprintf("%s: off by default (%s)", sig, def.source))
			continue
		}
		var buf [6]string
		because := buf[:0]
		e := Export{Signal: sig, Protocol: def.protocol}
		if v, ok := s.get(key.protocol, java); ok {
			e.Protocol, because = Protocol(v.value), append(because, v.from)
		} else if v, ok := s.get("OTEL_EXPORTER_OTLP_PROTOCOL", java); ok {
			e.Protocol, because = Protocol(v.value), append(because, v.from)
		} else {
			because = append(because, byDefault)
		}
		if forced != "" {
			// Python's otlp_proto_http / otlp_proto_grpc exporter names fix the protocol.
			name := "otlp_proto_http"
			if forced == GRPC {
				name = "otlp_proto_grpc"
			}
			e.Protocol, because = forced, append(because, "exporter "+name+" fixes the protocol")
		}
		if v, ok := s.get(key.endpoint, java); ok {
			e.URL, because = v.value, append(because, v.from)
		} else if v, ok := s.get("OTEL_EXPORTER_OTLP_ENDPOINT", java); ok {
			e.URL, because = v.value, append(because, v.from)
			if e.Protocol.HTTP() {
				e.URL = strings.TrimRight(e.URL, "/") + "/v1/" + string(sig)
			}
		} else {
			e.Default = true
			e.URL = defaultGRPCEndpoint
			if e.Protocol != GRPC {
				e.URL = defaultHTTPEndpoint
			}
			if e.Protocol.HTTP() {
				e.URL += "/v1/" + string(sig)
			}
			because = append(because, "endpoint "+e.URL+" by default (spec protocol/exporter.md)")
		}
		insecure := false
		for _, k := range key.insecure {
			if v, ok := s.get(k, java); ok {
				insecure = strings.EqualFold(v.value, "true")
				because = append(because, v.from)
				break
			}
		}
		for _, names := range key.certs {
			for _, name := range names {
				if v, ok := s.get(name, java); ok {
					because = append(because, v.from)
					break
				}
			}
		}
		// The signals of a sender usually share their settings and their
		// URL: the list is kept once (read-only) and the URL read once.
		var prev *Export
		if len(out) > 0 {
			prev = &out[len(out)-1]
		}
		if prev != nil && slices.Equal(prev.Because, because) {
			e.Because = prev.Because
		} else {
			e.Because = slices.Clone(because)
		}
		if prev != nil && prev.URL == e.URL {
			e.Scheme, e.Host, e.Port = prev.Scheme, prev.Host, prev.Port
		} else {
			e.Scheme, e.Host, e.Port = parseURL(e.URL)
		}
		// gRPC exporters take host:port without a scheme; then the spec's
		// "insecure" option (default false) decides TLS.
		e.TLS = e.Scheme == "https" || e.Scheme == "" && e.Protocol == GRPC && !insecure
		out = append(out, e)
	}
	return out, off
}

// defaultReasons holds the words of each default protocol, the same for
// every sender of an SDK: worded per signal of every sender, they were
// 60,000 copies on the 20k mesh. (Senders are found on every core.)
var defaultReasons sync.Map

// reasonKey keys defaultReasons (a concatenated key was a string per call).
type reasonKey struct {
	protocol Protocol
	source   string
}

func defaultProtocolReason(def sdkDefault) string {
	k := reasonKey{def.protocol, def.source}
	if v, ok := defaultReasons.Load(k); ok {
		return v.(string)
	}
	v, _ := defaultReasons.LoadOrStore(k, "protocol "+string(def.protocol)+" by default: "+def.source)
	return v.(string)
}

// otlpExporter reads OTEL_<SIGNAL>_EXPORTER: whether an OTLP exporter is on,
// and the protocol its name fixes (Python's otlp_proto_http / otlp_proto_grpc,
// opentelemetry-exporter-otlp-proto-* entry points).
func otlpExporter(list string) (bool, Protocol) {
	for _, x := range strings.Split(list, ",") {
		switch strings.TrimSpace(x) {
		case "otlp":
			return true, ""
		case "otlp_proto_http":
			return true, HTTPProtobuf
		case "otlp_proto_grpc":
			return true, GRPC
		}
	}
	return false, ""
}

func containsSignal(list []Signal, s Signal) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseURL reads scheme, host and port (the scheme's default when absent).
func parseURL(raw string) (string, string, int32) {
	// gRPC name syntax (dns:///host:port, dns://authority/host:port) as the
	// collector's configgrpc accepts it: the target is what follows.
	if rest, ok := strings.CutPrefix(raw, "dns:"); ok {
		rest = strings.TrimPrefix(rest, "//")
		if i := strings.Index(rest, "/"); i >= 0 {
			rest = rest[i+1:]
		}
		raw = rest
	}
	if !strings.Contains(raw, "://") {
		h, p := splitHostPort(raw, 0)
		return "", strings.ToLower(h), p
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", 0
	}
	scheme := strings.ToLower(u.Scheme)
	port := int32(0)
	if p := u.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		port = int32(n)
	} else if scheme == "https" {
		port = 443
	} else if scheme == "http" {
		port = 80
	}
	return scheme, strings.ToLower(u.Hostname()), port
}

// collectorSenders makes a sender of each collector's exporters: the next hop.
func (m *Model) collectorSenders(c *Collector) {
	if c.Workload == nil || c.Err != nil || len(c.Exporters) == 0 {
		return
	}
	snd := &Sender{Workload: c.Workload, Container: c.Container, Collector: c,
		SDK: SDK{Lang: "collector", Kind: "collector", Version: c.Version, Hint: c.ConfigFrom}}
	for _, x := range c.Exporters {
		for _, sig := range x.Signals {
			e := Export{Signal: sig, Protocol: x.Protocol, URL: x.Endpoint, TLS: x.TLS,
				Because: []string{fmt.Sprintf("%s %s %s %s in %s", x.role(), x.Name, x.Setting, x.Endpoint, c.ConfigFrom)}}
			if x.Protocol.HTTP() && x.Setting == "endpoint" && !strings.Contains(strings.TrimPrefix(x.Endpoint, "https://"), "/v1/") {
				e.URL = strings.TrimRight(x.Endpoint, "/") + "/v1/" + string(sig)
			}
			e.Scheme, e.Host, e.Port = parseURL(e.URL)
			if e.Port == 0 && x.Protocol == GRPC {
				e.Port = 4317
			}
			snd.Exports = append(snd.Exports, e)
		}
	}
	m.Senders = append(m.Senders, snd)
}

// sidecarCollector instantiates the sidecar-mode collector the Operator
// injects into w (annotation on the pod, else on its Namespace: "true" is
// the only sidecar collector of the namespace, else "name" or "ns/name").
func (m *Model) sidecarCollector(w *inventory.Workload) *Collector {
	const key = "sidecar.opentelemetry.io/inject"
	v, ok := w.Template.Annotations[key]
	if ns := m.Inv.Namespace(w.Namespace); !ok && ns != nil {
		v, ok = ns.Annotations[key]
	}
	if !ok || v == "false" || v == "" {
		return nil
	}
	var found []*Collector
	for _, t := range m.sidecarTemplates {
		switch {
		case v == "true" && t.Ref.Namespace == w.Namespace,
			t.Ref.Namespace == w.Namespace && t.Ref.Name == v,
			t.Ref.Namespace+"/"+t.Ref.Name == v:
			found = append(found, t)
		}
	}
	if len(found) != 1 {
		// The Operator injects no sidecar then (opentelemetry-operator
		// internal/webhook/podmutation sidecar: "failed to select an
		// OpenTelemetry Collector instance for this pod's sidecar").
		m.Unresolved = append(m.Unresolved, Unresolved{Workload: w, From: fmt.Sprintf("annotation %s=%q", key, v),
			Reason: fmt.Sprintf("%d sidecar-mode OpenTelemetryCollectors in the inputs match it, the Operator needs exactly one", len(found))})
		return nil
	}
	c := *found[0]
	c.Workload = w
	c.Name = found[0].Name + " (sidecar in " + w.Kind + " " + w.Key() + ")"
	return &c
}
