package telemetry

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
)

// setting is one configuration value and where it was read.
type setting struct {
	value string
	// from says where. For a container's own literal env vars and its
	// envFrom keys it is worded when read (settings.get), from the value as
	// written (held in from until then) or cm: most variables are never
	// read, and worded for every variable of every container they were
	// 11 MB of garbage on the 20k mesh.
	from string
	cm   *inventory.ConfigMap // an envFrom ConfigMap, worded when read
	lazy fromKind
}

// fromKind says how a setting's from is worded when it is read.
type fromKind uint8

const (
	fromWorded  fromKind = iota // from is the text
	fromLiteral                 // env NAME=<from: the value as written> (where)
	fromEnvFrom                 // env NAME=value (ConfigMap cm, origin, via envFrom of where)
)

// settings is a container's effective OTel configuration, keyed by the
// environment-variable spelling (OTEL_EXPORTER_OTLP_ENDPOINT). JVM system
// properties (-Dotel.exporter.otlp.endpoint=…) are folded into the same keys
// by the Java agent's rule (lower case, "." for "_"), and win over env vars
// (opentelemetry-java sdk-extensions/autoconfigure DefaultConfigProperties:
// system properties are read after, and override, the environment).
type settings struct {
	env   map[string]setting
	props map[string]setting
	// fieldRefs maps env names set from the downward API to their fieldPath.
	fieldRefs map[string]string
	// words are the container's image, command and args, for SDK detection.
	words []string
	image string
	where string // the container, for the settings worded when read
}

// get returns the setting for key: a JVM system property first (when java),
// then the environment.
func (s settings) get(key string, java bool) (setting, bool) {
	if java {
		if v, ok := s.props[key]; ok && strings.TrimSpace(v.value) != "" {
			return v, true
		}
	}
	v, ok := s.env[key]
	// The spec: an empty value MUST be treated as unset (Helm charts often render value: "").
	if !ok || strings.TrimSpace(v.value) == "" {
		return v, false
	}
	if v.lazy != fromWorded {
		// Worded once: the exports of every signal share the text.
		v = s.worded(key, v)
		s.env[key] = v
	}
	return v, true
}

// worded returns the env setting named name with its from worded.
func (s settings) worded(name string, v setting) setting {
	switch v.lazy {
	case fromLiteral:
		v.from = "env " + name + "=" + v.from + " (" + s.where + ")"
	case fromEnvFrom:
		v.from = "env " + name + "=" + v.value + " (ConfigMap " + v.cm.Key() + ", " + v.cm.Origin.String() + ", via envFrom of " + s.where + ")"
	}
	v.lazy = fromWorded
	return v
}

// jvmOptionVars are the env vars the JVM (JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS)
// or common entrypoint scripts (JAVA_OPTS) turn into command-line options.
var jvmOptionVars = []string{"JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "JAVA_OPTS"}

// containerSettings resolves c's environment as the kubelet would: envFrom
// first, then env (later wins), ConfigMap references read from the inputs,
// $(VAR) dependent values expanded; then JVM options.
func (m *Model) containerSettings(w *inventory.Workload, c corev1.Container, extra []corev1.EnvVar, extraFrom string) settings {
	where := "container " + c.Name + " of " + w.Kind + " " + w.Key() + ", " + w.Origin.String()
	s := settings{env: make(map[string]setting, len(c.Env)), props: map[string]setting{}, fieldRefs: map[string]string{}, image: c.Image, where: where}
	// Operator-injected variables do not override the container's own
	// (opentelemetry-operator pkg/instrumentation: env already set is kept),
	// so they go in first.
	for _, e := range extra {
		s.env[e.Name] = setting{value: e.Value, from: fmt.Sprintf("env %s=%s (%s, injected into %s)", e.Name, e.Value, extraFrom, where)}
	}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			continue
		}
		cm := m.Inv.ConfigMap(w.Namespace, ef.ConfigMapRef.Name)
		if cm == nil {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
			s.env[ef.Prefix+k] = setting{value: cm.Data[k], cm: cm, lazy: fromEnvFrom}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			if cm := m.Inv.ConfigMap(w.Namespace, ref.Name); cm != nil {
				v := cm.Data[ref.Key]
				s.env[e.Name] = setting{value: v, from: fmt.Sprintf("env %s=%s (ConfigMap %s key %s, %s, via %s)", e.Name, v, cm.Key(), ref.Key, cm.Origin, where)}
			}
		case e.ValueFrom != nil && e.ValueFrom.FieldRef != nil:
			s.fieldRefs[e.Name] = e.ValueFrom.FieldRef.FieldPath
			s.env[e.Name] = setting{value: "$(" + e.ValueFrom.FieldRef.FieldPath + ")", from: where}
		case e.ValueFrom != nil:
			// Secrets and resource fields are not in the inputs.
		default:
			v := Expand(e.Value, func(name string) (string, bool) {
				d, ok := s.env[name]
				return d.value, ok
			})
			s.env[e.Name] = setting{value: v, from: e.Value, lazy: fromLiteral}
		}
	}
	s.words = append([]string{c.Image}, append(append([]string(nil), c.Command...), c.Args...)...)
	for _, name := range jvmOptionVars {
		if v, ok := s.env[name]; ok {
			s.words = append(s.words, v.value)
			s.addProps(v.value, name+" in "+s.worded(name, v).from)
		}
	}
	// Command-line -D options come after JAVA_TOOL_OPTIONS and override it.
	for _, a := range append(append([]string(nil), c.Command...), c.Args...) {
		s.addProps(a, "args of "+where)
	}
	return s
}

// addProps records otel.* JVM system properties found in a command line.
func (s settings) addProps(line, where string) {
	for _, f := range splitArgs(line) {
		key, val, ok := strings.Cut(strings.TrimPrefix(f, "-D"), "=")
		if !ok || !strings.HasPrefix(f, "-Dotel.") {
			continue
		}
		env := strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(key))
		s.props[env] = setting{value: val, from: fmt.Sprintf("-D%s=%s (%s)", key, val, where)}
	}
}

// splitArgs splits a shell-like option string on blanks, honouring quotes.
func splitArgs(line string) []string {
	var out []string
	var cur strings.Builder
	var quote rune
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote == 0 && (r == '"' || r == '\''):
			quote = r
		case quote == 0 && (r == ' ' || r == '\t' || r == '\n'):
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return out
}
