// Package telemetry models OpenTelemetry pipelines from manifests: who
// exports which signal over which OTLP protocol to which endpoint (SDKs,
// the Java agent, the Operator's auto-instrumentation, collectors' own
// exporters), and which collector receives it on which port with which
// TLS. It reads the inventory only; edges turns its links into candidates.
package telemetry

import (
	"slices"
	"sort"

	"github.com/meshdoctor/meshdoctor/internal/parallel"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// Signal is an OpenTelemetry signal.
type Signal string

// The signals, in the order exporters are reported.
const (
	Traces  Signal = "traces"
	Metrics Signal = "metrics"
	Logs    Signal = "logs"
)

// Signals lists every signal.
var Signals = []Signal{Traces, Metrics, Logs}

// Protocol is an OTLP transport (spec protocol/exporter.md "Specify Protocol").
type Protocol string

// The OTLP protocols; Unknown when neither a setting nor a known default decides.
const (
	GRPC         Protocol = "grpc"
	HTTPProtobuf Protocol = "http/protobuf"
	HTTPJSON     Protocol = "http/json"
	Unknown      Protocol = "unknown"
)

// HTTP reports whether p is one of the OTLP/HTTP encodings.
func (p Protocol) HTTP() bool { return p == HTTPProtobuf || p == HTTPJSON }

// Export is one signal's exporter as the SDK (or collector) configures it.
type Export struct {
	Signal   Signal
	Protocol Protocol
	// URL is what the exporter dials: for OTLP/HTTP with the generic
	// endpoint, /v1/<signal> appended (spec: "Endpoint URLs for OTLP/HTTP").
	URL    string
	Scheme string
	Host   string
	Port   int32
	// TLS: the exporter originates TLS (https://, or a gRPC exporter that is not insecure).
	TLS bool
	// Default: no endpoint was configured; the SDK's default applies.
	Default bool
	// Because lists the settings (or defaults) that decided endpoint and protocol, with where.
	Because []string
}

// SDK names what exports: an agent or SDK and its version ("" when unknown).
type SDK struct {
	Lang    string // java, python, nodejs, dotnet, go, collector, unknown
	Kind    string // e.g. "java-agent", "python-distro", "collector"
	Version string
	Hint    string // how it was recognised
}

func (s SDK) String() string {
	out := s.Kind
	if out == "" {
		out = s.Lang
	}
	if s.Version != "" {
		out += " " + s.Version
	} else {
		out += " (version unknown)"
	}
	return out
}

// Sender is one container (or collector) that exports telemetry.
type Sender struct {
	Workload  *inventory.Workload
	Container string
	SDK       SDK
	Exports   []Export
	// Off says which signals are switched off and why (OTEL_SDK_DISABLED, OTEL_<S>_EXPORTER=none).
	Off []string
	// Collector is set when the sender is a collector's exporters.
	Collector *Collector
	// Instrumentation is the Operator's Instrumentation injected into the container.
	Instrumentation *Instrumentation
	// LocalCollector is a collector running in the same pod (sidecar), the
	// destination of localhost exports.
	LocalCollector *Collector
}

// Ref is the object that carries the sender's configuration.
func (s *Sender) Ref() inventory.Ref {
	if s.Collector != nil && s.Collector.Ref.Kind != "" {
		return s.Collector.Ref
	}
	return s.Workload.Ref()
}

// Model is every sender, collector and link found in an inventory.
type Model struct {
	Inv             *inventory.Inventory
	Senders         []*Sender
	Collectors      []*Collector
	Instrumentation []*Instrumentation
	Links           []Link
	// Synthetic are Services and workloads the Operator would create for
	// OpenTelemetryCollector resources, when the inputs lack them.
	SyntheticServices  []*inventory.Service
	SyntheticWorkloads []*inventory.Workload
	// ConfigKeys are "ns/configmap|key" values that hold collector configs,
	// which generic reference scanning must leave to this package.
	ConfigKeys map[string]bool
	// Problems are inputs that could not be decoded (CRs, collector configs).
	Problems []Problem
	// Unresolved are Operator injections that name no resource, or several:
	// the webhook admits such pods without the injection.
	Unresolved []Unresolved
	// UndefinedProviders are provider names selected but never defined.
	UndefinedProviders []UndefinedProvider

	sidecarTemplates []*Collector // sidecar-mode CRs, instantiated per injected pod
}

// Unresolved is an injection annotation the Operator cannot resolve.
type Unresolved struct {
	Workload  *inventory.Workload
	Container string
	From      string // the annotation and the object that carries it
	Reason    string
}

// Problem is an object of this package's kinds that could not be read.
type Problem struct {
	Ref     inventory.Ref
	Message string
}

// Build reads inv.
func Build(inv *inventory.Inventory) *Model {
	m := &Model{Inv: inv, ConfigKeys: map[string]bool{}}
	m.decodeOperator()
	m.findCollectors()
	m.allSenders()
	for _, c := range m.Collectors {
		m.collectorSenders(c)
	}
	m.proxySenders()
	m.undefinedProviders()
	m.link()
	for i := range m.Links {
		m.Links[i].source()
	}
	sort.SliceStable(m.Links, func(i, j int) bool { return linkLess(m.Links[i], m.Links[j]) })
	return m
}

// allSenders finds every workload's senders on every core (0.27 s on one
// on the 20k mesh). Each workload is read against the model as it stands
// before any sender is found — all senders of w depend on is the collectors
// decoded so far, the Instrumentations and the inventory — into its own
// copy of the model, and what each adds (its sidecar collector, senders,
// unresolved injections) is appended in workload order, as one pass would.
func (m *Model) allSenders() {
	type added struct {
		collectors []*Collector
		senders    []*Sender
		unresolved []Unresolved
	}
	ws := m.Inv.Workloads
	out := make([]added, len(ws))
	base := *m
	base.Collectors, base.Senders, base.Unresolved = slices.Clip(m.Collectors), nil, nil
	parallel.For(len(ws), func(i int) {
		sub := base
		sub.senders(ws[i])
		out[i] = added{sub.Collectors[len(base.Collectors):], sub.Senders, sub.Unresolved}
	})
	for _, a := range out {
		m.Collectors = append(m.Collectors, a.collectors...)
		m.Senders = append(m.Senders, a.senders...)
		m.Unresolved = append(m.Unresolved, a.unresolved...)
	}
}

// Service finds a Service by namespace and name, in the inputs or synthesized.
func (m *Model) Service(ns, name string) *inventory.Service {
	for _, s := range m.Inv.Services {
		if s.Namespace == ns && s.Name == name {
			return s
		}
	}
	for _, s := range m.SyntheticServices {
		if s.Namespace == ns && s.Name == name {
			return s
		}
	}
	return nil
}

// Backends are the workloads behind s, including synthesized ones.
func (m *Model) Backends(s *inventory.Service) []*inventory.Workload {
	out := m.Inv.Backends(s)
	for _, w := range m.SyntheticWorkloads {
		if w.Namespace == s.Namespace && s.Selects(w.Template.Labels) {
			out = append(out, w)
		}
	}
	return out
}

// CollectorOf returns the collector running in w (its own, or a sidecar), or nil.
func (m *Model) CollectorOf(w *inventory.Workload) *Collector {
	for _, c := range m.Collectors {
		if c.Workload == w {
			return c
		}
	}
	return nil
}

// ReceiverAt returns the collector receiver listening on container port
// port of w, the collector, or nils.
func (m *Model) ReceiverAt(w *inventory.Workload, port int32) (*Collector, *Receiver) {
	c := m.CollectorOf(w)
	if c == nil || c.Sidecar {
		return c, nil
	}
	for i := range c.Receivers {
		if c.Receivers[i].Port == port {
			return c, &c.Receivers[i]
		}
	}
	return c, nil
}

func originOf(r inventory.Ref) source.Origin { return source.Origin{File: r.File, Line: r.Line} }
