package telemetry

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	telemetryv1alpha1 "istio.io/api/telemetry/v1alpha1"
)

// ProxyKind is the SDK.Lang of a sender that is the Istio proxy itself.
const ProxyKind = "istio-proxy"

// proxySenders makes a sender of every workload's Istio proxy that Telemetry
// resources (or meshConfig defaultProviders) point at an extension provider
// with a Service: opentelemetry tracing, envoyOtelAls access logs, zipkin.
// The proxy dials the provider's Service through its own outbound cluster,
// so DestinationRule tls and auto mTLS apply as to any client of that
// Service (istio pilot/pkg/networking/core/tracing.go and accesslog.go build
// the provider's cluster from the Service's outbound cluster name). Whether
// the workload has a proxy at all is the mesh's decision: edges keeps these
// senders only for workloads with a sidecar or a gateway.
func (m *Model) proxySenders() {
	mc := m.Inv.Mesh
	if len(mc.ExtensionProviders) == 0 {
		return
	}
	// istiod matches provider names case-insensitively
	// (pilot/pkg/model/telemetry.go fetchProvider: strings.EqualFold).
	byName := map[string]inventory.ExtensionProvider{}
	for _, p := range mc.ExtensionProviders {
		byName[strings.ToLower(p.Name)] = p
	}
	for _, w := range m.Inv.Workloads {
		snd := &Sender{Workload: w, Container: "istio-proxy", SDK: SDK{Lang: ProxyKind, Kind: ProxyKind, Hint: "Telemetry / meshConfig extensionProviders"}}
		for _, pick := range m.providersFor(w) {
			p, ok := byName[strings.ToLower(pick.name)]
			if !ok {
				continue
			}
			host := providerHost(p.Service, w.Namespace)
			e := Export{Signal: Traces, Protocol: GRPC, URL: fmt.Sprintf("%s:%d", host, p.Port)}
			switch {
			case p.Kind == "envoyOtelAls":
				e.Signal = Logs
			case p.Kind == "zipkin":
				e.Protocol, e.URL = Unknown, fmt.Sprintf("http://%s:%d", host, p.Port)
			case p.HTTP:
				e.Protocol, e.URL = HTTPProtobuf, fmt.Sprintf("http://%s:%d/v1/traces", host, p.Port)
			}
			from := "meshConfig defaultProviders"
			if mc.From != nil {
				from += " (" + mc.From.String() + ")"
			}
			if pick.by != nil {
				from = fmt.Sprintf("Telemetry %s (%s:%d)", pick.by.Key(), pick.by.Origin.File, pick.by.Origin.Line)
			}
			e.Because = []string{fmt.Sprintf("%s selects %s provider %s (%s %s:%d in meshConfig extensionProviders)", from, pick.what, p.Name, p.Kind, p.Service, p.Port)}
			e.Scheme, e.Host, e.Port = parseURL(e.URL)
			snd.Exports = append(snd.Exports, e)
		}
		if len(snd.Exports) > 0 {
			m.Senders = append(m.Senders, snd)
		}
	}
}

// providerHost turns a provider's service ("name.ns.svc.cluster.local", or
// "ns/name.ns.svc.cluster.local", or a short "name") into a host.
func providerHost(service, ns string) string {
	if _, h, ok := strings.Cut(service, "/"); ok {
		return h
	}
	return service
}

type providerPick struct {
	name string
	what string // tracing, access logging
	by   *inventory.Telemetry
}

// providersFor resolves the tracing and access-logging providers of w as
// istiod merges Telemetry resources (pilot/pkg/model/telemetry.go): the
// root namespace's (mesh-wide, no selector), then w's namespace's without a
// selector, then one whose selector matches w; a more specific level's
// providers replace the less specific ones; none at all means meshConfig
// defaultProviders. Span reporting or access logging switched off leaves none.
func (m *Model) providersFor(w *inventory.Workload) []providerPick {
	root := m.Inv.Mesh.RootNamespace
	var levels [3]*inventory.Telemetry
	for _, t := range m.Inv.Telemetries {
		sel := t.Spec.GetSelector().GetMatchLabels()
		switch {
		case t.Namespace == root && len(sel) == 0:
			levels[0] = t
		case t.Namespace == w.Namespace && len(sel) == 0:
			levels[1] = t
		case t.Namespace == w.Namespace && matches(sel, w.Template.Labels):
			levels[2] = t
		}
	}
	var out []providerPick
	for _, what := range []string{"tracing", "access logging"} {
		var names []string
		var by *inventory.Telemetry
		off := false
		for _, t := range levels {
			if t == nil {
				continue
			}
			p, o, set := telemetryProviders(t.Spec, what)
			if set {
				names, by, off = p, t, o
			}
		}
		if by == nil && !off {
			names = m.Inv.Mesh.DefaultTracing
			if what == "access logging" {
				names = m.Inv.Mesh.DefaultAccessLogging
			}
		}
		if off {
			continue
		}
		for _, n := range names {
			out = append(out, providerPick{name: n, what: what, by: by})
		}
	}
	return out
}

// telemetryProviders reads one Telemetry's providers for tracing or access
// logging: the providers named (set when it names any or switches off).
func telemetryProviders(t *telemetryv1alpha1.Telemetry, what string) (names []string, off, set bool) {
	if what == "tracing" {
		for _, tr := range t.GetTracing() {
			names = append(names, refNames(tr.GetProviders())...)
			if tr.GetDisableSpanReporting().GetValue() {
				return nil, true, true
			}
		}
		return names, false, len(names) > 0
	}
	for _, al := range t.GetAccessLogging() {
		names = append(names, refNames(al.GetProviders())...)
		if al.GetDisabled().GetValue() {
			return nil, true, true
		}
	}
	return names, false, len(names) > 0
}

func matches(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// UndefinedProvider is a provider name a Telemetry resource (or meshConfig
// defaultProviders) selects that no extension provider defines: istiod
// finds none (fetchProvider returns nil) and configures nothing for it, so
// the proxies it selects send no such telemetry, without an error anywhere.
type UndefinedProvider struct {
	Name string
	What string               // tracing, access logging, metrics
	By   *inventory.Telemetry // nil: meshConfig defaultProviders
}

// undefinedProviders lists every provider name selected but not defined,
// once per Telemetry (or defaultProviders) and name, in input order.
func (m *Model) undefinedProviders() {
	mc := m.Inv.Mesh
	defined := func(n string) bool {
		for _, d := range mc.ProviderNames {
			if strings.EqualFold(d, n) {
				return true
			}
		}
		return false
	}
	add := func(by *inventory.Telemetry, what string, names []string) {
		for _, n := range names {
			if n != "" && !defined(n) {
				m.UndefinedProviders = append(m.UndefinedProviders, UndefinedProvider{Name: n, What: what, By: by})
			}
		}
	}
	add(nil, "tracing", mc.DefaultTracing)
	add(nil, "access logging", mc.DefaultAccessLogging)
	add(nil, "metrics", mc.DefaultMetrics)
	for _, t := range m.Inv.Telemetries {
		var tr, al, mt []string
		for _, x := range t.Spec.GetTracing() {
			tr = append(tr, refNames(x.GetProviders())...)
		}
		for _, x := range t.Spec.GetAccessLogging() {
			al = append(al, refNames(x.GetProviders())...)
		}
		for _, x := range t.Spec.GetMetrics() {
			mt = append(mt, refNames(x.GetProviders())...)
		}
		add(t, "tracing", tr)
		add(t, "access logging", al)
		add(t, "metrics", mt)
	}
}

func refNames(refs []*telemetryv1alpha1.ProviderRef) []string {
	var out []string
	for _, r := range refs {
		out = append(out, r.GetName())
	}
	return out
}
