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

// providerNames is builtinProviders plus every provider m defines.
func providerNames(m *meshv1alpha1.MeshConfig) []string {
	out := append([]string(nil), builtinProviders...)
	for _, p := range m.GetExtensionProviders() {
		out = append(out, p.GetName())
	}
	return out
}

// providersOf reads the extension providers that dial a Service and the
// default tracing and access-logging providers.
func providersOf(m *meshv1alpha1.MeshConfig) (out []ExtensionProvider, tracing, logging []string) {
	for _, p := range m.GetExtensionProviders() {
		switch {
		case p.GetOpentelemetry() != nil:
			o := p.GetOpentelemetry()
			out = append(out, ExtensionProvider{Name: p.GetName(), Kind: "opentelemetry", Service: o.GetService(), Port: o.GetPort(), HTTP: o.GetHttp() != nil})
		case p.GetEnvoyOtelAls() != nil:
			o := p.GetEnvoyOtelAls()
			out = append(out, ExtensionProvider{Name: p.GetName(), Kind: "envoyOtelAls", Service: o.GetService(), Port: o.GetPort()})
		case p.GetZipkin() != nil:
			o := p.GetZipkin()
			out = append(out, ExtensionProvider{Name: p.GetName(), Kind: "zipkin", Service: o.GetService(), Port: o.GetPort(), HTTP: true})
		}
	}
	return out, m.GetDefaultProviders().GetTracing(), m.GetDefaultProviders().GetAccessLogging()
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
