package telemetry

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
)

// Languages the Operator injects, each with its pod annotation
// instrumentation.opentelemetry.io/inject-<lang>.
// "sdk" injects no agent, only the Instrumentation's environment
// (endpoint, service name, resource, propagators, sampler) into an app that
// carries its own SDK (opentelemetry-operator pkg/instrumentation sdk.go
// injectCommonSDKConfig); its exporter protocol is the app's own.
var Languages = []string{"java", "python", "nodejs", "dotnet", "go", "sdk"}

// Instrumentation is an opentelemetry.io Instrumentation resource: the
// Operator's recipe for auto-instrumentation, read as the webhook applies it.
type Instrumentation struct {
	Ref  inventory.Ref
	Spec inventory.InstrumentationSpec
}

func (i *Instrumentation) lang(l string) inventory.InstrumentationLang {
	switch l {
	case "java":
		return i.Spec.Java
	case "python":
		return i.Spec.Python
	case "nodejs":
		return i.Spec.NodeJS
	case "dotnet":
		return i.Spec.DotNet
	case "go":
		return i.Spec.Go
	}
	return inventory.InstrumentationLang{}
}

// Image is the auto-instrumentation image for lang ("" when defaulted).
func (i *Instrumentation) Image(lang string) string { return i.lang(lang).Image }

// Env is what the webhook injects for lang, in increasing precedence:
// spec.env, then spec.<lang>.env, then OTEL_EXPORTER_OTLP_ENDPOINT from
// spec.exporter.endpoint unless already set (opentelemetry-operator
// pkg/instrumentation sdk.go injectCommonEnvVar / inject<Lang>: an env var
// already present is never overridden).
func (i *Instrumentation) Env(lang string) []corev1.EnvVar {
	seen := map[string]bool{}
	var out []corev1.EnvVar
	add := func(list []corev1.EnvVar) {
		for _, e := range list {
			if e.ValueFrom == nil && !seen[e.Name] {
				seen[e.Name] = true
				out = append(out, e)
			}
		}
	}
	add(i.lang(lang).Env)
	add(i.Spec.Env)
	if ep := i.Spec.Exporter.Endpoint; ep != "" {
		add([]corev1.EnvVar{{Name: "OTEL_EXPORTER_OTLP_ENDPOINT", Value: ep}})
	}
	// Reverse so that higher precedence comes last (applied last wins).
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

// decodeOperator reads the Operator's resources from the inventory.
func (m *Model) decodeOperator() {
	for _, x := range m.Inv.Instrumentations {
		m.Instrumentation = append(m.Instrumentation, &Instrumentation{Ref: x.Ref(), Spec: x.Spec})
	}
	for _, x := range m.Inv.OpenTelemetryCollectors {
		m.fromCR(x.Ref(), x.Spec)
	}
}

// instrumentationFor resolves an inject-<lang> annotation value for a pod
// in ns: "true" is the only Instrumentation of ns, "name" one in ns,
// "ns/name" one anywhere; "false" or empty none.
func (m *Model) instrumentationFor(ns, value string) (*Instrumentation, error) {
	switch value {
	case "", "false":
		return nil, nil
	case "true":
		var in []*Instrumentation
		for _, i := range m.Instrumentation {
			if i.Ref.Namespace == ns {
				in = append(in, i)
			}
		}
		if len(in) != 1 {
			return nil, fmt.Errorf("%q needs exactly one Instrumentation in namespace %s, the inputs hold %d", value, ns, len(in))
		}
		return in[0], nil
	}
	want := ns + "/" + value
	if strings.Contains(value, "/") {
		want = value
	}
	for _, i := range m.Instrumentation {
		if i.Ref.Namespace+"/"+i.Ref.Name == want {
			return i, nil
		}
	}
	return nil, fmt.Errorf("Instrumentation %s is not in the inputs", want)
}

// injection is the Operator's auto-instrumentation decision for a workload.
type injection struct {
	lang    string
	inst    *Instrumentation
	from    string // annotation and object that asked
	err     error
	fromPod bool // the pod's annotation (wins over the namespace's)
}

// injectKeys are the inject-<lang> annotations of Languages, spelt once
// (per language of every workload they were 5 MB of garbage on the 20k mesh).
var injectKeys = func() []string {
	out := make([]string, len(Languages))
	for i, lang := range Languages {
		out[i] = "instrumentation.opentelemetry.io/inject-" + lang
	}
	return out
}()

// injections reads instrumentation.opentelemetry.io/inject-<lang> on the
// pod template, then on its Namespace (the pod annotation wins).
func (m *Model) injections(w *inventory.Workload) []injection {
	var out []injection
	ns := m.Inv.Namespace(w.Namespace)
	for i, lang := range Languages {
		key := injectKeys[i]
		v, ok := w.Template.Annotations[key]
		fromPod := ok
		if !ok && ns != nil {
			v, ok = ns.Annotations[key]
		}
		if !ok || v == "false" {
			continue
		}
		// Worded only for an annotation that is there: formatting it for
		// every language of every workload was 37 MB of garbage on the 20k mesh.
		from := fmt.Sprintf("annotation %s=%q on %s %s (%s)", key, v, w.Kind, w.Key(), w.Origin)
		if !fromPod {
			from = fmt.Sprintf("annotation %s=%q on Namespace %s (%s)", key, v, ns.Name, ns.Origin)
		}
		inst, err := m.instrumentationFor(w.Namespace, v)
		out = append(out, injection{lang: lang, inst: inst, from: from, err: err, fromPod: fromPod})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].fromPod && !out[j].fromPod })
	return out
}

// containerNames lists the containers an injection applies to: the
// instrumentation.opentelemetry.io/container-names annotation, or the first.
func injectedContainers(w *inventory.Workload, lang string) map[string]bool {
	out := map[string]bool{}
	for _, key := range []string{"instrumentation.opentelemetry.io/" + lang + "-container-names", "instrumentation.opentelemetry.io/container-names"} {
		if v := w.Template.Annotations[key]; v != "" {
			for _, n := range strings.Split(v, ",") {
				out[strings.TrimSpace(n)] = true
			}
			return out
		}
	}
	if cs := w.Template.Spec.Containers; len(cs) > 0 {
		out[cs[0].Name] = true
	}
	return out
}
