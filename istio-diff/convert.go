package istiodiff

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// ToYAML writes objs as one multi-document YAML stream: the mesh both
// meshdoctor and (through Cluster) Istio are given.
func ToYAML(objs []obj) []byte {
	var b bytes.Buffer
	for i, o := range objs {
		if i > 0 {
			b.WriteString("---\n")
		}
		y, err := yaml.Marshal(o)
		if err != nil {
			panic(err)
		}
		b.Write(y)
	}
	return b.Bytes()
}

// FromYAML parses a multi-document stream (comments allowed).
func FromYAML(data []byte) ([]obj, error) {
	var out []obj
	for _, doc := range strings.Split("\n"+string(data), "\n---") {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var o obj
		if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
			return nil, err
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

func stripComments(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// Normalize round-trips objs through YAML so numbers and lists have the
// types a parsed file has (the shrinker edits either).
func Normalize(objs []obj) []obj {
	o, err := FromYAML(ToYAML(objs))
	if err != nil {
		panic(err)
	}
	return o
}

func get(o any, path ...string) any {
	for _, p := range path {
		m, ok := o.(map[string]any)
		if !ok {
			return nil
		}
		o = m[p]
	}
	return o
}

func str(o any, path ...string) string {
	v := get(o, path...)
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

func num(o any, path ...string) int {
	switch v := get(o, path...).(type) {
	case float64:
		return int(v)
	case int:
		return v
	case string:
		n, _ := strconv.Atoi(v)
		return n
	}
	return 0
}

func list(o any, path ...string) []any {
	l, _ := get(o, path...).([]any)
	return l
}

func strMap(o any, path ...string) map[string]string {
	out := map[string]string{}
	if m, ok := get(o, path...).(map[string]any); ok {
		for k, v := range m {
			out[k] = str(v)
		}
	}
	return out
}

func kindOf(o obj) string { return str(o, "kind") }
func nameOf(o obj) string { return str(o, "metadata", "name") }
func nsOf(o obj) string   { return str(o, "metadata", "namespace") }

// Pod is one replica of a Deployment as the cluster would run it.
type Pod struct {
	Name, Namespace, Workload string
	IP                        string
	Labels, Annotations       map[string]string
	Sidecar                   bool
	// Gateway: the pod runs a gateway proxy (router), not a sidecar.
	Gateway        bool
	ContainerPorts map[string]int // name → number
	// Calls are the ServiceEntry addresses the app's env values name.
	Calls []Call
}

// Svc is a Service with its ports.
type Svc struct {
	Name, Namespace string
	ClusterIP       string // "None" when headless
	Selector        map[string]string
	Ports           []SvcPort
	Obj             obj
}

// SvcPort is one Service port.
type SvcPort struct {
	Name        string
	Port        int
	TargetPort  string // number or container port name; "" = Port
	AppProtocol string
}

// Host is the Service's FQDN.
func (s *Svc) Host() string { return s.Name + "." + s.Namespace + ".svc.cluster.local" }

// Headless reports clusterIP: None.
func (s *Svc) Headless() bool { return s.ClusterIP == "None" }

// Target resolves the port's targetPort on pod p (0 when p has no such named port).
func (sp SvcPort) Target(p *Pod) int {
	if sp.TargetPort == "" {
		return sp.Port
	}
	if n, err := strconv.Atoi(sp.TargetPort); err == nil {
		return n
	}
	return p.ContainerPorts[sp.TargetPort]
}

// Cluster is a mesh laid out as a cluster would run it: pods with IPs and
// the injection decision, Services, and the Istio objects.
type Cluster struct {
	Namespaces map[string]map[string]string // labels
	Pods       []*Pod
	Services   []*Svc
	Istio      []obj
	MeshYAML   string
	// Entries are the ServiceEntries, with the pods their selectors pick.
	Entries []*Entry
}

// Selects reports whether s selects p.
func (s *Svc) Selects(p *Pod) bool {
	if p.Namespace != s.Namespace || len(s.Selector) == 0 {
		return false
	}
	for k, v := range s.Selector {
		if p.Labels[k] != v {
			return false
		}
	}
	return true
}

// Backends are the pods s selects, in order.
func (c *Cluster) Backends(s *Svc) []*Pod {
	var out []*Pod
	for _, p := range c.Pods {
		if s.Selects(p) {
			out = append(out, p)
		}
	}
	return out
}

// Layout turns manifests into a Cluster: one pod per Deployment with an IP
// in 10.244.0.0/16 and the webhook's injection decision.
func Layout(objs []obj) (*Cluster, error) {
	c := &Cluster{Namespaces: map[string]map[string]string{}}
	for _, o := range objs {
		switch kindOf(o) {
		case "Namespace":
			c.Namespaces[nameOf(o)] = strMap(o, "metadata", "labels")
		}
	}
	for _, o := range objs {
		switch kindOf(o) {
		case "ConfigMap":
			if nameOf(o) == "istio" && nsOf(o) == "istio-system" {
				c.MeshYAML = str(o, "data", "mesh")
			}
		case "Deployment":
			tm := get(o, "spec", "template", "metadata")
			p := &Pod{Name: nameOf(o) + "-0", Namespace: nsOf(o), Workload: nameOf(o),
				IP:     fmt.Sprintf("10.244.%d.%d", len(c.Pods)/200, 10+len(c.Pods)%200),
				Labels: strMap(tm, "labels"), Annotations: strMap(tm, "annotations"), ContainerPorts: map[string]int{}}
			for _, ct := range list(o, "spec", "template", "spec", "containers") {
				for _, cp := range list(ct, "ports") {
					p.ContainerPorts[str(cp, "name")] = num(cp, "containerPort")
				}
				for _, e := range list(ct, "env") {
					if call, ok := parseCall(str(e, "value")); ok {
						p.Calls = append(p.Calls, call)
					}
				}
			}
			p.Sidecar = injected(c.Namespaces[p.Namespace], p.Labels, p.Annotations)
			// The gateway injection template runs the proxy as a router
			// (manifests/charts/istio-control/istio-discovery/files/gateway-injection-template.yaml).
			p.Gateway = p.Annotations["inject.istio.io/templates"] == "gateway"
			p.Sidecar = p.Sidecar && !p.Gateway
			c.Pods = append(c.Pods, p)
		case "Service":
			s := &Svc{Name: nameOf(o), Namespace: nsOf(o), ClusterIP: str(o, "spec", "clusterIP"),
				Selector: strMap(o, "spec", "selector"), Obj: o}
			for _, sp := range list(o, "spec", "ports") {
				s.Ports = append(s.Ports, SvcPort{Name: str(sp, "name"), Port: num(sp, "port"),
					TargetPort: str(sp, "targetPort"), AppProtocol: str(sp, "appProtocol")})
			}
			c.Services = append(c.Services, s)
		case "Namespace":
		default:
			if strings.Contains(str(o, "apiVersion"), "istio.io") {
				c.Istio = append(c.Istio, o)
				if kindOf(o) == "ServiceEntry" {
					c.Entries = append(c.Entries, entryOf(o))
				}
			} else {
				return nil, fmt.Errorf("layout: unsupported kind %s", kindOf(o))
			}
		}
	}
	return c, nil
}

// injected is the sidecar injector's decision for a pod, as the default
// istiod chart installs it: the MutatingWebhookConfiguration's selectors
// (manifests/charts/istio-control/istio-discovery/templates/mutatingwebhook.yaml:
// namespace label istio-injection=enabled unless the pod label
// sidecar.istio.io/inject=false; without the namespace label, the pod label
// sidecar.istio.io/inject=true; istio-injection=disabled never), then
// pkg/kube/inject/inject.go injectRequired (policy enabled, no hostNetwork
// and not kube-system/kube-public here, so the label decides).
func injected(nsLabels, podLabels, ann map[string]string) bool {
	nsl, hasNs := nsLabels["istio-injection"]
	pl := podLabels["sidecar.istio.io/inject"]
	switch {
	case hasNs && nsl == "enabled":
		return pl != "false"
	case hasNs:
		return false
	case nsLabels["istio.io/rev"] != "":
		return pl != "false"
	default:
		return pl == "true"
	}
}

// KubeYAML is what Istio's Kubernetes registry is given: namespaces, pods
// (running, ready, labelled as the injector labels them), Services and the
// EndpointSlices the endpoint-slice controller would write.
func (c *Cluster) KubeYAML() string {
	var objs []obj
	for _, ns := range sortedKeys(c.Namespaces) {
		m := obj{"name": ns}
		if l := c.Namespaces[ns]; len(l) > 0 {
			m["labels"] = toObj(l)
		}
		objs = append(objs, obj{"apiVersion": "v1", "kind": "Namespace", "metadata": m})
	}
	for _, p := range c.Pods {
		labels := toObj(p.Labels)
		ann := toObj(p.Annotations)
		if p.Sidecar {
			// The injection template's labels and status annotation.
			labels["security.istio.io/tlsMode"] = "istio"
			labels["service.istio.io/canonical-name"] = p.Labels["app"]
			ann["sidecar.istio.io/status"] = `{"containers":["istio-proxy"],"initContainers":["istio-init"]}`
		}
		m := obj{"name": p.Name, "namespace": p.Namespace, "labels": labels}
		if len(ann) > 0 {
			m["annotations"] = ann
		}
		var ports []any
		for _, n := range sortedKeys(p.ContainerPorts) {
			ports = append(ports, obj{"name": n, "containerPort": p.ContainerPorts[n]})
		}
		objs = append(objs, obj{"apiVersion": "v1", "kind": "Pod", "metadata": m,
			"spec":   obj{"nodeName": "node-1", "serviceAccountName": "default", "containers": []any{obj{"name": "app", "image": "x", "ports": ports}}},
			"status": obj{"phase": "Running", "podIP": p.IP, "podIPs": []any{obj{"ip": p.IP}}, "conditions": []any{obj{"type": "Ready", "status": "True"}}}})
	}
	for _, s := range c.Services {
		objs = append(objs, storedService(s.Obj))
		var eps []any
		for _, p := range c.Backends(s) {
			eps = append(eps, obj{"addresses": []any{p.IP}, "conditions": obj{"ready": true},
				"targetRef": obj{"kind": "Pod", "name": p.Name, "namespace": p.Namespace}})
		}
		if len(eps) == 0 {
			continue
		}
		// One slice per distinct resolved target port set keeps named
		// targetPorts exact; every generated pod of a Service shares its ports.
		var ports []any
		bs := c.Backends(s)
		for _, sp := range s.Ports {
			t := sp.Target(bs[0])
			if t == 0 {
				continue
			}
			ports = append(ports, obj{"name": sp.Name, "port": t, "protocol": "TCP"})
		}
		objs = append(objs, obj{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
			"metadata":  obj{"name": s.Name + "-slice", "namespace": s.Namespace, "labels": obj{"kubernetes.io/service-name": s.Name}},
			"endpoints": eps, "ports": ports})
	}
	return string(ToYAML(objs))
}

// IstioYAML is the Istio configuration.
func (c *Cluster) IstioYAML() string { return string(ToYAML(c.Istio)) }

func toObj(m map[string]string) obj {
	o := obj{}
	for k, v := range m {
		o[k] = v
	}
	return o
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Call is one host:port an app dials by name.
type Call struct {
	Scheme, Host string
	Port         int
}

// parseCall reads the generator's env value form scheme://host:port.
func parseCall(v string) (Call, bool) {
	scheme, rest, ok := strings.Cut(v, "://")
	if !ok {
		return Call{}, false
	}
	h, p, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(p)
	if !ok || err != nil {
		return Call{}, false
	}
	return Call{Scheme: scheme, Host: h, Port: n}, true
}

// Entry is a ServiceEntry as the harness needs it.
type Entry struct {
	Name, Namespace      string
	Host                 string
	Location, Resolution string
	Addresses            []string
	Endpoints            []string
	Selector             map[string]string
	Ports                []EntryPort
}

// EntryPort is one ServiceEntry port.
type EntryPort struct {
	Name, Protocol string
	Number, Target int
}

func entryOf(o obj) *Entry {
	e := &Entry{Name: nameOf(o), Namespace: nsOf(o), Location: str(o, "spec", "location"),
		Resolution: str(o, "spec", "resolution"), Selector: strMap(o, "spec", "workloadSelector", "labels")}
	if hs := list(o, "spec", "hosts"); len(hs) > 0 {
		e.Host = str(hs[0])
	}
	for _, a := range list(o, "spec", "addresses") {
		e.Addresses = append(e.Addresses, str(a))
	}
	for _, ep := range list(o, "spec", "endpoints") {
		e.Endpoints = append(e.Endpoints, str(ep, "address"))
	}
	for _, p := range list(o, "spec", "ports") {
		e.Ports = append(e.Ports, EntryPort{Name: str(p, "name"), Protocol: str(p, "protocol"), Number: num(p, "number"), Target: num(p, "targetPort")})
	}
	return e
}

// EntryPods are the pods an entry's workloadSelector picks (its namespace only).
func (c *Cluster) EntryPods(e *Entry) []*Pod {
	if len(e.Selector) == 0 {
		return nil
	}
	var out []*Pod
	for _, p := range c.Pods {
		ok := p.Namespace == e.Namespace
		for k, v := range e.Selector {
			ok = ok && p.Labels[k] == v
		}
		if ok {
			out = append(out, p)
		}
	}
	return out
}
