package inventory

import (
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
)

// PeerAuthentication is a security.istio.io PeerAuthentication of any served
// version (v1, v1beta1): the spec type is the same istio.io/api message.
type PeerAuthentication struct {
	Meta
	Spec *security.PeerAuthentication
}

// DestinationRule is a networking.istio.io DestinationRule (v1, v1beta1, v1alpha3).
type DestinationRule struct {
	Meta
	Spec *networking.DestinationRule
}

// ServiceEntry is a networking.istio.io ServiceEntry.
type ServiceEntry struct {
	Meta
	Spec *networking.ServiceEntry
}

// Sidecar is a networking.istio.io Sidecar (only egress hosts and the
// outbound traffic policy matter to the model).
type Sidecar struct {
	Meta
	Spec *networking.Sidecar
}

// VirtualService is a networking.istio.io VirtualService (only its routes'
// destinations and subsets matter to the model).
type VirtualService struct {
	Meta
	Spec *networking.VirtualService
}

// Gateway is a networking.istio.io Gateway (v1, v1beta1, v1alpha3): which
// gateway workloads it selects and the servers (ports, hosts, TLS) they
// listen with. Gateway API gateways (gateway.networking.k8s.io) are not read.
type Gateway struct {
	Meta
	Spec *networking.Gateway
}

// MeshConfig holds the mesh-wide settings the model reads, with Istio's
// defaults (pkg/config/mesh/mesh.go DefaultMeshConfig) where the inputs are silent.
type MeshConfig struct {
	RootNamespace  string
	DomainSuffix   string
	TrustDomain    string
	EnableAutoMtls bool
	// OutboundRegistryOnly is outboundTrafficPolicy.mode REGISTRY_ONLY.
	OutboundRegistryOnly bool
	// DefaultDestinationRuleExportTo is empty when the mesh default ("*") applies.
	DefaultDestinationRuleExportTo  []string
	HoldApplicationUntilProxyStarts bool
	// EnableHBONE is defaultConfig.proxyMetadata.ISTIO_META_ENABLE_HBONE (ambient profile).
	EnableHBONE bool
	// RewriteAppHTTPProbe is sidecarInjectorWebhook.rewriteAppHTTPProbe (default true).
	RewriteAppHTTPProbe bool
	// EnableNamespacesByDefault is sidecarInjectorWebhook.enableNamespacesByDefault.
	EnableNamespacesByDefault bool
	// AutoInjectDisabled is global.proxy.autoInject=disabled (injector policy).
	AutoInjectDisabled bool
	// ExtensionProviders that send telemetry to a Service, and the
	// defaultProviders for tracing and access logging (telemetry_istio.go).
	ExtensionProviders                   []ExtensionProvider
	DefaultTracing, DefaultAccessLogging []string
	DefaultMetrics                       []string
	// ProviderNames are the names of every extension provider, of any
	// kind, Istio's built-in ones included: a Telemetry naming another is
	// ignored by istiod.
	ProviderNames []string
	// From is the ConfigMap the settings were read from; zero when defaults.
	From *Ref
	// MeshFrom is the object whose mesh config (not injector settings) was
	// read; nil when the inputs hold none and Istio's defaults stand in.
	MeshFrom *Ref
}

// DefaultMeshConfig is Istio's default mesh config for the model's fields.
func DefaultMeshConfig() MeshConfig {
	return MeshConfig{
		RootNamespace:       "istio-system",
		DomainSuffix:        "cluster.local",
		TrustDomain:         "cluster.local",
		EnableAutoMtls:      true,
		RewriteAppHTTPProbe: true,
		ProviderNames:       append([]string(nil), builtinProviders...),
	}
}
