package inventory

import (
	"encoding/json"

	"github.com/meshdoctor/meshdoctor/source"
)

// addIstioOperator reads an IstioOperator (install.istio.io) as the two
// ConfigMaps istioctl install renders from it: "istio[-<revision>]" whose
// mesh key is spec.meshConfig, and "istio-sidecar-injector[-<revision>]"
// whose values are spec.values (manifests/charts/istio-control/istio-discovery
// templates/configmap.yaml and injector configmap). Build applies them before
// every ConfigMap read, so an installed ConfigMap in the inputs — what
// istiod actually reads — has the last word.
func (inv *Inventory) addIstioOperator(o source.Object, defNS string, meshMaps *[]*ConfigMap) error {
	om, spec, err := decodeSpec[struct {
		Revision   string          `json:"revision"`
		MeshConfig json.RawMessage `json:"meshConfig"`
		Values     json.RawMessage `json:"values"`
	}](o)
	if err != nil {
		return err
	}
	suffix := ""
	if spec.Revision != "" && spec.Revision != "default" {
		suffix = "-" + spec.Revision
	}
	m := meta(o.Kind, om, o, defNS)
	if m.Name == "" {
		// istioctl install takes a file without metadata (Istio's samples).
		m.Name = "(unnamed)"
	}
	var maps []*ConfigMap
	if len(spec.MeshConfig) > 0 && string(spec.MeshConfig) != "null" {
		// JSON is YAML: apply reads the mesh key as istiod would.
		maps = append(maps, &ConfigMap{Meta: m, Data: map[string]string{"mesh": string(spec.MeshConfig)}, rendered: "istio" + suffix})
	}
	if len(spec.Values) > 0 && string(spec.Values) != "null" {
		maps = append(maps, &ConfigMap{Meta: m, Data: map[string]string{"values": string(spec.Values)}, rendered: "istio-sidecar-injector" + suffix})
	}
	*meshMaps = append(*meshMaps, maps...)
	return nil
}
