package inventory

import (
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	meshv1alpha1 "istio.io/api/mesh/v1alpha1"
	sigsyaml "sigs.k8s.io/yaml"
)

// isMeshConfigMap recognises istiod's ConfigMaps: "istio" (or "istio-<rev>")
// with a "mesh" key, and the injector's "istio-sidecar-injector[-<rev>]".
func isMeshConfigMap(cm *ConfigMap) bool {
	switch n := cm.name(); {
	case strings.HasPrefix(n, "istio-sidecar-injector"):
		return true
	case n == "istio" || strings.HasPrefix(n, "istio-"):
		_, ok := cm.Data["mesh"]
		return ok
	}
	return false
}

// apply lays a mesh or injector ConfigMap over the defaults.
func (mc *MeshConfig) apply(cm *ConfigMap) error {
	ref := cm.Ref()
	if strings.HasPrefix(cm.name(), "istio-sidecar-injector") {
		mc.From = &ref
		return mc.applyInjector(cm)
	}
	js, err := sigsyaml.YAMLToJSON([]byte(cm.Data["mesh"]))
	if err != nil {
		return fmt.Errorf("%s %s: mesh config: %v", cm.Kind, cm.Key(), err)
	}
	var m meshv1alpha1.MeshConfig
	if err := (protojson.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(js, &m); err != nil {
		return fmt.Errorf("%s %s: mesh config: %v", cm.Kind, cm.Key(), err)
	}
	mc.From, mc.MeshFrom = &ref, &ref
	if m.RootNamespace != "" {
		mc.RootNamespace = m.RootNamespace
	}
	if m.TrustDomain != "" {
		mc.TrustDomain = m.TrustDomain
	}
	if m.EnableAutoMtls != nil {
		mc.EnableAutoMtls = m.EnableAutoMtls.Value
	}
	if m.OutboundTrafficPolicy != nil {
		mc.OutboundRegistryOnly = m.OutboundTrafficPolicy.Mode == meshv1alpha1.MeshConfig_OutboundTrafficPolicy_REGISTRY_ONLY
	}
	mc.DefaultDestinationRuleExportTo = m.DefaultDestinationRuleExportTo
	mc.setProviders(&m)
	if dc := m.DefaultConfig; dc != nil {
		if dc.HoldApplicationUntilProxyStarts != nil {
			mc.HoldApplicationUntilProxyStarts = dc.HoldApplicationUntilProxyStarts.Value
		}
		mc.EnableHBONE = dc.ProxyMetadata["ISTIO_META_ENABLE_HBONE"] == "true"
	}
	return nil
}

// applyInjector reads the injector's values (JSON) and config (YAML).
func (mc *MeshConfig) applyInjector(cm *ConfigMap) error {
	var values struct {
		Global struct {
			Proxy struct {
				AutoInject string `json:"autoInject"`
			} `json:"proxy"`
		} `json:"global"`
		SidecarInjectorWebhook struct {
			RewriteAppHTTPProbe       *bool `json:"rewriteAppHTTPProbe"`
			EnableNamespacesByDefault bool  `json:"enableNamespacesByDefault"`
		} `json:"sidecarInjectorWebhook"`
	}
	if v := cm.Data["values"]; v != "" {
		if err := json.Unmarshal([]byte(v), &values); err != nil {
			return fmt.Errorf("%s %s: injector values: %v", cm.Kind, cm.Key(), err)
		}
	}
	if values.SidecarInjectorWebhook.RewriteAppHTTPProbe != nil {
		mc.RewriteAppHTTPProbe = *values.SidecarInjectorWebhook.RewriteAppHTTPProbe
	}
	mc.EnableNamespacesByDefault = values.SidecarInjectorWebhook.EnableNamespacesByDefault
	var config struct {
		Policy string `json:"policy"`
	}
	if c := cm.Data["config"]; c != "" {
		if err := sigsyaml.Unmarshal([]byte(c), &config); err != nil {
			return fmt.Errorf("%s %s: injector config: %v", cm.Kind, cm.Key(), err)
		}
	}
	mc.AutoInjectDisabled = config.Policy == "disabled" || values.Global.Proxy.AutoInject == "disabled"
	return nil
}
