package inventory

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	meshv1alpha1 "istio.io/api/mesh/v1alpha1"
	telemetryv1alpha1 "istio.io/api/telemetry/v1alpha1"

	"encoding/json"

	"github.com/meshdoctor/meshdoctor/source"
)

// ExtensionProvider is a meshConfig extensionProviders entry whose proxies
// send telemetry to a Service: opentelemetry (tracing over OTLP), envoyOtelAls
// (access logs over OTLP/gRPC), zipkin.
type ExtensionProvider struct {
	Name    string
	Kind    string // opentelemetry, envoyOtelAls, zipkin
	Service string // host as written: name.ns.svc.cluster.local, or ns/name
	Port    uint32
	// HTTP: the opentelemetry provider exports OTLP/HTTP (its http block),
	// else OTLP/gRPC (istio pilot/pkg/networking/core/tracing.go).
	HTTP bool
}

// builtinProviders are the extension providers of Istio's default mesh
// config, kept when a mesh config defines its own (pkg/config/mesh/mesh.go
// DefaultMeshConfig and ApplyMeshConfig, which merges providers by name).
var builtinProviders = []string{"prometheus", "stackdriver", "envoy"}

// setProviders reads m's extension providers — every name, Istio's
// built-in ones first, and those that dial a Service — and its default
// tracing, access-logging and metrics providers.
func (mc *MeshConfig) setProviders(m *meshv1alpha1.MeshConfig) {
	mc.ExtensionProviders = nil
	mc.ProviderNames = append([]string(nil), builtinProviders...)
	for _, p := range m.GetExtensionProviders() {
		mc.ProviderNames = append(mc.ProviderNames, p.GetName())
		switch {
		case p.GetOpentelemetry() != nil:
			o := p.GetOpentelemetry()
			mc.ExtensionProviders = append(mc.ExtensionProviders, ExtensionProvider{Name: p.GetName(), Kind: "opentelemetry", Service: o.GetService(), Port: o.GetPort(), HTTP: o.GetHttp() != nil})
		case p.GetEnvoyOtelAls() != nil:
			o := p.GetEnvoyOtelAls()
			mc.ExtensionProviders = append(mc.ExtensionProviders, ExtensionProvider{Name: p.GetName(), Kind: "envoyOtelAls", Service: o.GetService(), Port: o.GetPort()})
		case p.GetZipkin() != nil:
			o := p.GetZipkin()
			mc.ExtensionProviders = append(mc.ExtensionProviders, ExtensionProvider{Name: p.GetName(), Kind: "zipkin", Service: o.GetService(), Port: o.GetPort(), HTTP: true})
		}
	}
	d := m.GetDefaultProviders()
	mc.DefaultTracing, mc.DefaultAccessLogging, mc.DefaultMetrics = d.GetTracing(), d.GetAccessLogging(), d.GetMetrics()
}

// Telemetry is a telemetry.istio.io Telemetry resource.
type Telemetry struct {
	Meta
	Spec *telemetryv1alpha1.Telemetry
}

// addTelemetry decodes a Telemetry (v1alpha1 and v1 share the schema).
func (inv *Inventory) addTelemetry(o source.Object, defNS string) error {
	om, raw, err := decodeSpec[json.RawMessage](o)
	if err != nil {
		return err
	}
	spec := &telemetryv1alpha1.Telemetry{}
	if len(raw) > 0 {
		if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, spec); err != nil {
			return fmt.Errorf("spec: %v", err)
		}
	}
	inv.Telemetries = append(inv.Telemetries, &Telemetry{Meta: meta(o.Kind, om, o, defNS), Spec: spec})
	return nil
}
