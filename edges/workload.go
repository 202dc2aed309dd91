package edges

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	corev1 "k8s.io/api/core/v1"
)

// value is one string a workload carries, with a description of where.
type value struct {
	name  string // env var or ConfigMap key ("" for args)
	text  string
	where string
	cm    *inventory.ConfigMap // the mounted ConfigMap holding it, if any
}

// workload scans everything w carries for Service addresses.
func (d *discoverer) workload(w *inventory.Workload) {
	for _, v := range d.values(w) {
		if d.telemetryOwned(v, v.cm) {
			continue
		}
		telemetryVar := strings.HasPrefix(strings.ToUpper(v.name), "OTEL_")
		for _, tok := range Tokens(otlpOption.ReplaceAllString(v.text, "")) {
			r, ok := ParseRef(tok)
			if !ok {
				continue
			}
			// A bare word is an address only under a host-ish name or with ".svc".
			bare := r.Scheme == "" && r.Port == 0
			if bare && !(v.name != "" && isHostish(v.name)) && !strings.Contains(r.Host, ".svc") {
				continue
			}
			telemetry := telemetryVar || strings.Contains(strings.ToLower(v.text), "otel.exporter")
			d.reference(w, v, tok, r, telemetry)
		}
	}
}

func (d *discoverer) reference(w *inventory.Workload, v value, tok string, r Ref, telemetry bool) {
	s := Resolve(d.inv, w.Namespace, r.Host)
	if s == nil {
		s = d.unregistered(w, r)
	}
	if s == nil {
		if looksInCluster(r.Host, d.inv.Mesh.DomainSuffix) || telemetry && r.Host != "localhost" && !strings.Contains(r.Host, ".com") {
			d.dangling(Dangling{Client: w, Value: tok, Where: v.where, Telemetry: telemetry,
				Reason: fmt.Sprintf("%s names no Service in the inputs", r.Host)})
		}
		return
	}
	p, err := pickPort(s, r)
	if err != nil {
		d.dangling(Dangling{Client: w, Value: tok, Where: v.where, Telemetry: telemetry, Reason: err.Error()})
		return
	}
	label := v.where
	if v.name != "" {
		label = fmt.Sprintf("%s %s=%s (%s)", kindOfValue(v), v.name, tok, v.where)
	} else {
		label = fmt.Sprintf("%s (%s)", tok, v.where)
	}
	d.add(w, s, p, label, r.Scheme == "https" || r.Scheme == "grpcs", telemetry)
}

func kindOfValue(v value) string {
	if strings.HasPrefix(v.where, "ConfigMap") {
		return "key"
	}
	return "env"
}

// values lists env vars (literal, from ConfigMaps), args and commands of
// every container, and the data of ConfigMaps mounted as volumes.
func (d *discoverer) values(w *inventory.Workload) []value {
	var out []value
	at := fmt.Sprintf("%s %s/%s, %s", w.Kind, w.Namespace, w.Name, w.Origin)
	spec := w.Template.Spec
	containers := append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...)
	for _, c := range containers {
		where := fmt.Sprintf("container %s of %s", c.Name, at)
		for _, e := range c.Env {
			switch {
			case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
				ref := e.ValueFrom.ConfigMapKeyRef
				if cm := d.inv.ConfigMap(w.Namespace, ref.Name); cm != nil {
					out = append(out, value{name: e.Name, text: cm.Data[ref.Key], where: fmt.Sprintf("ConfigMap %s key %s via %s", cm.Key(), ref.Key, where)})
				}
			default:
				out = append(out, value{name: e.Name, text: e.Value, where: where})
			}
		}
		for _, ef := range c.EnvFrom {
			if ef.ConfigMapRef == nil {
				continue
			}
			if cm := d.inv.ConfigMap(w.Namespace, ef.ConfigMapRef.Name); cm != nil {
				for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
					out = append(out, value{name: ef.Prefix + k, text: cm.Data[k], where: fmt.Sprintf("ConfigMap %s (%s) via envFrom of %s", cm.Key(), cm.Origin, where)})
				}
			}
		}
		for _, a := range append(append([]string(nil), c.Command...), c.Args...) {
			out = append(out, value{text: a, where: "args of " + where})
		}
	}
	for _, vol := range spec.Volumes {
		if vol.ConfigMap == nil {
			continue
		}
		if cm := d.inv.ConfigMap(w.Namespace, vol.ConfigMap.Name); cm != nil {
			for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
				out = append(out, value{name: k, text: cm.Data[k], where: fmt.Sprintf("ConfigMap %s (%s) mounted by %s", cm.Key(), cm.Origin, at), cm: cm})
			}
		}
	}
	return out
}

// dangling records a miss once per client and value (a ConfigMap may be both
// mounted and imported with envFrom).
func (d *discoverer) dangling(x Dangling) {
	k := x.Client.Kind + "/" + x.Client.Key() + "|" + x.Value
	if d.seenDangling == nil {
		d.seenDangling = map[string]bool{}
	}
	if !d.seenDangling[k] {
		d.seenDangling[k] = true
		d.res.Dangling = append(d.res.Dangling, x)
	}
}

// unregistered returns an external host that no ServiceEntry registers, for
// a client whose outbound policy is REGISTRY_ONLY: there the mesh drops it
// (BlackHoleCluster), which is worth an edge. Under ALLOW_ANY it passes
// through untouched and is not listed.
func (d *discoverer) unregistered(w *inventory.Workload, r Ref) *inventory.Service {
	port := r.Port
	if port == 0 {
		port = defaultPort(r.Scheme)
	}
	if port == 0 || !strings.Contains(r.Host, ".") || net.ParseIP(r.Host) != nil ||
		looksInCluster(r.Host, d.inv.Mesh.DomainSuffix) || !d.registryOnly(w) {
		return nil
	}
	if d.external == nil {
		d.external = map[string]*inventory.Service{}
	}
	key := fmt.Sprintf("%s:%d", r.Host, port)
	if s, ok := d.external[key]; ok {
		return s
	}
	s := &inventory.Service{Meta: inventory.Meta{Kind: "ExternalHost", Name: r.Host},
		External: &inventory.ExternalHost{Host: r.Host}}
	s.Spec.Ports = []corev1.ServicePort{{Name: r.Scheme, Port: port}}
	d.external[key] = s
	return s
}

// registryOnly is the client's effective outbound policy: its Sidecar's, else the mesh's.
func (d *discoverer) registryOnly(w *inventory.Workload) bool {
	sc := mesh.SidecarFor(d.inv.Sidecars, w.Namespace, w.Template.Labels, d.inv.Mesh.RootNamespace)
	if sc != nil && sc.Spec.GetOutboundTrafficPolicy() != nil {
		return sc.Spec.GetOutboundTrafficPolicy().GetMode().String() == "REGISTRY_ONLY"
	}
	return d.inv.Mesh.OutboundRegistryOnly
}
