package telemetry

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Collector is an OpenTelemetry Collector: where it runs, where its config
// came from, and its OTLP receivers and exporters.
type Collector struct {
	Name      string
	Workload  *inventory.Workload
	Container string
	// Mode is the Operator's mode (deployment, daemonset, statefulset,
	// sidecar) for CRs, "standalone" for a plain workload.
	Mode string
	// Sidecar: the collector runs inside another workload's pod.
	Sidecar bool
	Version string
	// Ref is the object holding the config (ConfigMap or CR); ConfigFrom says where exactly.
	Ref        inventory.Ref
	ConfigFrom string
	Config
	Err error
}

func (c *Collector) String() string {
	v := c.Version
	if v == "" {
		v = "version unknown"
	}
	return fmt.Sprintf("collector %s (%s, %s)", c.Name, c.Mode, v)
}

// isCollectorImage recognises the collector distributions' images.
func isCollectorImage(image string) bool {
	i := strings.ToLower(image)
	return strings.Contains(i, "opentelemetry-collector") || strings.Contains(i, "otelcol")
}

// findCollectors recognises collector containers in plain workloads (the
// collector Helm chart, or any pod running a collector image with --config).
func (m *Model) findCollectors() {
	for _, w := range m.Inv.Workloads {
		if m.CollectorOf(w) != nil {
			continue // created by the Operator for a CR already read
		}
		for _, c := range w.Template.Spec.Containers {
			if !isCollectorImage(c.Image) {
				continue
			}
			col := &Collector{Name: w.Name, Workload: w, Container: c.Name, Mode: "standalone", Version: tagOf(c.Image), Ref: w.Ref()}
			s := m.containerSettings(w, c, nil, "")
			text, cm, key := m.collectorConfigText(w, c)
			if cm == nil {
				col.Err = fmt.Errorf("no --config of container %s maps to a ConfigMap in the inputs", c.Name)
				m.Collectors = append(m.Collectors, col)
				continue
			}
			m.ConfigKeys[cm.Key()+"|"+key] = true
			col.Ref = cm.Ref()
			col.ConfigFrom = fmt.Sprintf("ConfigMap %s key %s (%s)", cm.Key(), key, cm.Origin)
			host, because := defaultHost(col.Version, false)
			col.Config, col.Err = parseConfig(text, expanderFor(s), host, because)
			m.Collectors = append(m.Collectors, col)
		}
	}
}

// defaultHost is the host of an unset receiver endpoint.
func defaultHost(version string, operator bool) (string, string) {
	if operator {
		return "0.0.0.0", "the Operator (≥ 0.104) writes 0.0.0.0 for an unset receiver endpoint (opentelemetry-operator #3126, #3333)"
	}
	minor := 0
	if parts := strings.SplitN(version, ".", 3); len(parts) >= 2 && parts[0] == "0" {
		fmt.Sscanf(parts[1], "%d", &minor)
	}
	if version != "" && minor > 0 && minor < localhostDefaultSince {
		return "0.0.0.0", "collector " + version + " (< 0.104) binds 0.0.0.0 by default"
	}
	why := "collector " + version + " (≥ 0.104, component.UseLocalHostAsDefaultHost) binds localhost by default"
	if version == "" || minor == 0 {
		why = "collector version unknown: since 0.104 (component.UseLocalHostAsDefaultHost) an unset endpoint binds localhost"
	}
	return "localhost", why
}

// collectorConfigText finds the file named by --config in a mounted ConfigMap.
func (m *Model) collectorConfigText(w *inventory.Workload, c corev1.Container) (string, *inventory.ConfigMap, string) {
	var file string
	args := append(append([]string(nil), c.Command...), c.Args...)
	for i, a := range args {
		switch {
		case strings.HasPrefix(a, "--config="):
			file = strings.TrimPrefix(a, "--config=")
		case a == "--config" && i+1 < len(args):
			file = args[i+1]
		}
	}
	file = strings.TrimPrefix(file, "file:")
	for _, vm := range c.VolumeMounts {
		for _, vol := range w.Template.Spec.Volumes {
			if vol.Name != vm.Name || vol.ConfigMap == nil {
				continue
			}
			cm := m.Inv.ConfigMap(w.Namespace, vol.ConfigMap.Name)
			if cm == nil {
				continue
			}
			for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
				p := k
				for _, it := range vol.ConfigMap.Items {
					if it.Key == k {
						p = it.Path
					}
				}
				full := path.Join(vm.MountPath, p)
				if file == full || file == "" && strings.Contains(cm.Data[k], "receivers:") {
					return cm.Data[k], cm, k
				}
			}
		}
	}
	return "", nil, ""
}

// fromCR turns an OpenTelemetryCollector into a collector; for the
// non-sidecar modes it uses the workload and Service the Operator creates
// (<name>-collector), synthesizing them when the inputs lack them.
func (m *Model) fromCR(ref inventory.Ref, spec inventory.OpenTelemetryCollectorSpec) {
	col := &Collector{Name: ref.Name, Mode: spec.Mode, Version: tagOf(spec.Image), Ref: ref,
		ConfigFrom: fmt.Sprintf("OpenTelemetryCollector %s/%s spec.config (%s:%d)", ref.Namespace, ref.Name, ref.File, ref.Line), Container: "otc-container"}
	if col.Mode == "" {
		col.Mode = "deployment"
	}
	text := string(spec.Config)
	var s string
	if json.Unmarshal(spec.Config, &s) == nil {
		text = s // v1alpha1: config is a YAML string
	}
	env := settings{env: map[string]setting{}, fieldRefs: map[string]string{}}
	for _, e := range spec.Env {
		if e.ValueFrom != nil && e.ValueFrom.FieldRef != nil {
			env.fieldRefs[e.Name] = e.ValueFrom.FieldRef.FieldPath
		} else {
			env.env[e.Name] = setting{value: e.Value}
		}
	}
	host, because := defaultHost(col.Version, true)
	col.Config, col.Err = parseConfig(text, expanderFor(env), host, because)
	if col.Mode == "sidecar" {
		col.Sidecar = true
		m.sidecarTemplates = append(m.sidecarTemplates, col)
		return
	}
	name := ref.Name + "-collector"
	labels := map[string]string{
		"app.kubernetes.io/component":  "opentelemetry-collector",
		"app.kubernetes.io/instance":   ref.Namespace + "." + ref.Name,
		"app.kubernetes.io/managed-by": "opentelemetry-operator",
		"app.kubernetes.io/part-of":    "opentelemetry",
	}
	for _, w := range m.Inv.Workloads {
		if w.Namespace == ref.Namespace && w.Name == name {
			col.Workload = w
		}
	}
	if col.Workload == nil {
		kind := map[string]string{"daemonset": "DaemonSet", "statefulset": "StatefulSet"}[col.Mode]
		if kind == "" {
			kind = "Deployment"
		}
		tl := map[string]string{"app.kubernetes.io/name": name}
		for k, v := range labels {
			tl[k] = v
		}
		w := &inventory.Workload{Meta: inventory.Meta{Kind: kind, Namespace: ref.Namespace, Name: name, Labels: tl, Origin: originOf(ref)}}
		w.Template.Labels, w.Template.Annotations = tl, spec.PodAnnotations
		ctr := corev1.Container{Name: col.Container, Image: spec.Image}
		for _, r := range col.Receivers {
			ctr.Ports = append(ctr.Ports, corev1.ContainerPort{Name: portName(r), ContainerPort: r.Port})
		}
		w.Template.Spec.Containers = []corev1.Container{ctr}
		col.Workload = w
		m.SyntheticWorkloads = append(m.SyntheticWorkloads, w)
	}
	if m.Service(ref.Namespace, name) == nil {
		svc := &inventory.Service{Meta: inventory.Meta{Kind: "Service", Namespace: ref.Namespace, Name: name, Origin: originOf(ref)}}
		svc.Spec.Selector = labels
		for _, r := range col.Receivers {
			ap := "grpc"
			if r.Protocol != GRPC {
				ap = "http"
			}
			svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{Name: portName(r), Port: r.Port,
				TargetPort: intstr.FromInt32(r.Port), AppProtocol: &ap})
		}
		m.SyntheticServices = append(m.SyntheticServices, svc)
	}
	m.Collectors = append(m.Collectors, col)
}

// portName follows the Operator's naming: otlp-grpc, otlp-http, otlp-2-grpc.
func portName(r Receiver) string {
	p := "grpc"
	if r.Protocol != GRPC {
		p = "http"
	}
	return strings.ReplaceAll(r.Name, "/", "-") + "-" + p
}
