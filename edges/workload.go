package edges

import (
	"fmt"
	"maps"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/telemetry"
	corev1 "k8s.io/api/core/v1"
)

// value is one string a workload carries, with a description of where.
type value struct {
	name  string // env var or ConfigMap key ("" for args)
	text  string
	where string
	cm    *inventory.ConfigMap // the mounted ConfigMap holding it, if any
	ports []portVar            // port variables completing a host variable
}

// portVar is a variable that gives a host variable's port.
type portVar struct {
	name string
	port int32
}

// workload scans everything w carries for Service addresses.
func (d *discoverer) workload(w *inventory.Workload) {
	for _, v := range d.values(w) {
		if d.telemetryOwned(v, v.cm) {
			continue
		}
		telemetryVar := strings.Contains(strings.ToUpper(v.name), "OTEL")
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
			if r.Port == 0 && r.Scheme == "" && len(v.ports) > 0 {
				// The host and its port are given apart: one address per port variable.
				for _, p := range v.ports {
					r.Port = p.port
					pv := v
					pv.name = fmt.Sprintf("%s=%s + %s", v.name, tok, p.name)
					d.reference(w, pv, fmt.Sprintf("%s:%d", tok, p.port), r, telemetry)
				}
				continue
			}
			d.reference(w, v, tok, r, telemetry)
		}
	}
}

func (d *discoverer) reference(w *inventory.Workload, v value, tok string, r Ref, telemetry bool) {
	s := Resolve(d.inv, w.Namespace, r.Host)
	if s == nil && d.rec != nil {
		*d.rec = append(*d.rec, op{ref: &deferredRef{w, v, tok, r, telemetry}})
		return
	}
	if s == nil {
		s = d.unregistered(w, r)
	}
	if s == nil {
		if looksInCluster(d.inv, r.Host) {
			d.dangling(Dangling{Client: w, Value: tok, Where: v.where, Telemetry: telemetry,
				Reason: fmt.Sprintf("%s names no Service in the inputs", r.Host)})
		}
		return
	}
	p, err := pickPort(s, r)
	if err != nil && r.Port == 0 && r.Scheme == "" && len(s.Spec.Ports) > 1 {
		// A bare host of a multi-port Service: the port is chosen in code,
		// the Service exists; nothing dangles and nothing is guessed.
		return
	}
	if err != nil {
		d.dangling(Dangling{Client: w, Value: tok, Where: v.where, Telemetry: telemetry, Reason: err.Error()})
		return
	}
	var label string
	if v.name != "" {
		label = kindOfValue(v) + " " + v.name + "=" + tok + " (" + v.where + ")"
	} else {
		label = tok + " (" + v.where + ")"
	}
	d.add(w, s, p, label, r.Host, r.Scheme == "https" || r.Scheme == "grpcs", telemetry)
}

func kindOfValue(v value) string {
	if strings.HasPrefix(v.where, "ConfigMap") {
		return "key"
	}
	return "env"
}

// values lists env vars (literal, from ConfigMaps), args and commands of
// every container, and the data of ConfigMaps mounted as volumes. Env
// values are read as the kubelet resolves them: envFrom first, then env in
// order, each literal value with its $(VAR) references expanded
// (telemetry.Expand). A host variable (FLAGD_HOST, CART_ADDR) carries the
// port variables of the same prefix (FLAGD_PORT) that complete it.
func (d *discoverer) values(w *inventory.Workload) []value {
	at := w.Kind + " " + w.Namespace + "/" + w.Name + ", " + w.Origin.String()
	spec := &w.Template.Spec
	// Init containers first; each read in place, and the values sized for
	// the containers' own (copied and grown, they were 25 MB of garbage on
	// the 20k mesh).
	lists := [2][]corev1.Container{spec.InitContainers, spec.Containers}
	n := 0
	for _, cs := range lists {
		for i := range cs {
			n += len(cs[i].Env) + len(cs[i].Command) + len(cs[i].Args)
		}
	}
	out := make([]value, 0, n)
	for _, cs := range lists {
		for i := range cs {
			out = d.containerValues(out, w, &cs[i], at)
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

// containerValues appends the values of container c of w to out: its env
// (whose host variables withPorts completes), then its command and args.
func (d *discoverer) containerValues(out []value, w *inventory.Workload, c *corev1.Container, at string) []value {
	where := "container " + c.Name + " of " + at
	defined := make(map[string]string, len(c.Env))
	start := len(out)
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			continue
		}
		if cm := d.inv.ConfigMap(w.Namespace, ef.ConfigMapRef.Name); cm != nil {
			for _, k := range slices.Sorted(maps.Keys(cm.Data)) {
				defined[ef.Prefix+k] = cm.Data[k]
				out = append(out, value{name: ef.Prefix + k, text: cm.Data[k], where: fmt.Sprintf("ConfigMap %s (%s) via envFrom of %s", cm.Key(), cm.Origin, where)})
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			if cm := d.inv.ConfigMap(w.Namespace, ref.Name); cm != nil {
				defined[e.Name] = cm.Data[ref.Key]
				out = append(out, value{name: e.Name, text: cm.Data[ref.Key], where: fmt.Sprintf("ConfigMap %s key %s via %s", cm.Key(), ref.Key, where)})
			}
		case e.ValueFrom != nil:
			// Secrets and the downward API: the value is not in the inputs.
		default:
			v := telemetry.Expand(e.Value, func(n string) (string, bool) { x, ok := defined[n]; return x, ok })
			defined[e.Name] = v
			where := where
			if v != e.Value {
				where = fmt.Sprintf("%s, from %s", where, e.Value)
			}
			out = append(out, value{name: e.Name, text: v, where: where})
		}
	}
	withPorts(out[start:])
	if len(c.Command)+len(c.Args) > 0 {
		args := "args of " + where
		for _, list := range [2][]string{c.Command, c.Args} {
			for _, a := range list {
				out = append(out, value{text: a, where: args})
			}
		}
	}
	return out
}

// hostSuffixes end the names of variables that hold a host whose port is
// given apart, in a variable of the same prefix.
var hostSuffixes = []string{"_HOST", "_HOSTNAME", "_ADDR", "_ADDRESS"}

// withPorts attaches to each host variable (PREFIX_HOST, PREFIX_ADDR) the
// numeric port variables of its prefix: PREFIX_PORT, PREFIX_PORT_<X> and
// PREFIX_<X>_PORT (FLAGD_HOST + FLAGD_PORT, OTEL_COLLECTOR_HOST +
// OTEL_COLLECTOR_PORT_GRPC, JAEGER_HOST + JAEGER_UI_PORT).
func withPorts(env []value) []value {
	prefixOf := func(name string) string {
		up := strings.ToUpper(name)
		for _, suf := range hostSuffixes {
			if p, ok := strings.CutSuffix(up, suf); ok && p != "" {
				return p + "_"
			}
		}
		return ""
	}
	for _, p := range env {
		text := strings.TrimSpace(p.text)
		if !digits(text) {
			continue // ParseUint's error would allocate, for most values
		}
		port, err := strconv.ParseUint(text, 10, 16)
		if err != nil || port == 0 {
			continue
		}
		// The port belongs to the host variable of the longest prefix:
		// FLAGD_UI_PORT completes FLAGD_UI_HOST, not FLAGD_HOST.
		best := -1
		for i := range env {
			prefix := prefixOf(env[i].name)
			rest, ok := strings.CutPrefix(strings.ToUpper(p.name), prefix)
			if prefix == "" || !ok || !(rest == "PORT" || strings.HasPrefix(rest, "PORT_") || strings.HasSuffix(rest, "_PORT")) {
				continue
			}
			if best < 0 || len(prefix) > len(prefixOf(env[best].name)) {
				best = i
			}
		}
		if best >= 0 {
			env[best].ports = append(env[best].ports, portVar{name: p.name, port: int32(port)})
		}
	}
	return env
}

// digits reports whether s is a non-empty string of ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// dangling records a miss once per client and value (a ConfigMap may be both
// mounted and imported with envFrom).
func (d *discoverer) dangling(x Dangling) {
	if d.rec != nil {
		*d.rec = append(*d.rec, op{dangling: &x})
		return
	}
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
		looksInCluster(d.inv, r.Host) || !d.registryOnly(w) {
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
