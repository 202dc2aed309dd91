package inventory

import (
	"encoding/json"
	"fmt"

	"github.com/meshdoctor/meshdoctor/source"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Instrumentation is an opentelemetry.io Instrumentation (v1alpha1): the
// Operator's recipe for auto-instrumentation. Only the fields the webhook
// turns into a container's exporter settings are kept (opentelemetry-operator
// apis/v1alpha1/instrumentation_types.go).
type Instrumentation struct {
	Meta
	Spec InstrumentationSpec
}

// InstrumentationSpec is the part of spec the exporter settings come from.
type InstrumentationSpec struct {
	Exporter struct {
		Endpoint string `json:"endpoint"`
	} `json:"exporter"`
	Env    []corev1.EnvVar     `json:"env"`
	Java   InstrumentationLang `json:"java"`
	Python InstrumentationLang `json:"python"`
	NodeJS InstrumentationLang `json:"nodejs"`
	DotNet InstrumentationLang `json:"dotnet"`
	Go     InstrumentationLang `json:"go"`
}

// InstrumentationLang is one language's image and environment.
type InstrumentationLang struct {
	Image string          `json:"image"`
	Env   []corev1.EnvVar `json:"env"`
}

// OpenTelemetryCollector is an opentelemetry.io OpenTelemetryCollector
// (v1alpha1 holds config as a YAML string, v1beta1 as an object: Config
// keeps it raw for the telemetry package to read either way).
type OpenTelemetryCollector struct {
	Meta
	Spec OpenTelemetryCollectorSpec
}

// OpenTelemetryCollectorSpec is the part of spec the model reads.
type OpenTelemetryCollectorSpec struct {
	Mode           string            `json:"mode"`
	Image          string            `json:"image"`
	Config         json.RawMessage   `json:"config"`
	Env            []corev1.EnvVar   `json:"env"`
	PodAnnotations map[string]string `json:"podAnnotations"`
}

// addOTel decodes the opentelemetry.io kinds, with the namespace
// defaulting of every other kind (an Instrumentation without a namespace
// lands in -n, as kubectl apply -n would put it); other kinds of the group
// are kept raw in Extra.
func (inv *Inventory) addOTel(o source.Object, defNS string) error {
	switch o.Kind {
	case "Instrumentation":
		om, spec, err := decodeSpec[InstrumentationSpec](o)
		if err != nil {
			return err
		}
		inv.Instrumentations = append(inv.Instrumentations, &Instrumentation{Meta: meta(o.Kind, om, o, defNS), Spec: spec})
	case "OpenTelemetryCollector":
		om, spec, err := decodeSpec[OpenTelemetryCollectorSpec](o)
		if err != nil {
			return err
		}
		inv.OpenTelemetryCollectors = append(inv.OpenTelemetryCollectors, &OpenTelemetryCollector{Meta: meta(o.Kind, om, o, defNS), Spec: spec})
	default:
		inv.Extra = append(inv.Extra, o)
	}
	return nil
}

// decodeSpec reads metadata and a spec of type S.
func decodeSpec[S any](o source.Object) (metav1.ObjectMeta, S, error) {
	var v struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
		Spec     S                 `json:"spec"`
	}
	if err := json.Unmarshal(o.JSON, &v); err != nil {
		return v.Metadata, v.Spec, fmt.Errorf("reading spec: %w", err)
	}
	return v.Metadata, v.Spec, nil
}
