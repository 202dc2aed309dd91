package inventory

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
)

const operator = `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig:
    enableAutoMtls: false
    outboundTrafficPolicy: {mode: REGISTRY_ONLY}
    extensionProviders:
    - name: otel
      envoyOtelAls: {service: opentelemetry-collector.istio-system.svc.cluster.local, port: 4317}
  values:
    sidecarInjectorWebhook: {rewriteAppHTTPProbe: false}
`

// An IstioOperator's meshConfig and values are what istioctl install
// renders into the istio and istio-sidecar-injector ConfigMaps.
func TestIstioOperator(t *testing.T) {
	inv := Build(source.Parse("iop.yaml", []byte(operator)), "")
	mc := inv.Mesh
	if mc.EnableAutoMtls || !mc.OutboundRegistryOnly || mc.RewriteAppHTTPProbe {
		t.Errorf("IstioOperator meshConfig/values not read: %+v", mc)
	}
	if len(mc.ExtensionProviders) != 1 || mc.ExtensionProviders[0].Kind != "envoyOtelAls" || mc.MeshFrom == nil || mc.MeshFrom.Kind != "IstioOperator" || mc.MeshFrom.Name != "control-plane" {
		t.Errorf("providers or origin: %+v %v", mc.ExtensionProviders, mc.MeshFrom)
	}
	if inv.Skipped["IstioOperator"] != 0 {
		t.Errorf("IstioOperator counted as skipped: %v", inv.Skipped)
	}
	// The installed ConfigMap, what istiod reads, has the last word, read
	// before or after the IstioOperator.
	cm := `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    enableAutoMtls: true
`
	for _, in := range []string{operator + "---" + cm, cm + "---" + operator} {
		mc := Build(source.Parse("both.yaml", []byte(in)), "").Mesh
		if !mc.EnableAutoMtls || mc.MeshFrom.Kind != "ConfigMap" {
			t.Errorf("the ConfigMap must win over the IstioOperator: autoMtls=%v from %v", mc.EnableAutoMtls, mc.MeshFrom)
		}
	}
}
