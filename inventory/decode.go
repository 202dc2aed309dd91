package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
	netv1 "istio.io/client-go/pkg/apis/networking/v1"
	netv1alpha3 "istio.io/client-go/pkg/apis/networking/v1alpha3"
	netv1beta1 "istio.io/client-go/pkg/apis/networking/v1beta1"
	secv1 "istio.io/client-go/pkg/apis/security/v1"
	secv1beta1 "istio.io/client-go/pkg/apis/security/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Build decodes every object of set into an inventory. Objects without a
// namespace land in defaultNamespace, as kubectl apply -n would put them.
// A document that does not decode becomes a Problem; unknown kinds are counted.
func Build(set source.Set, defaultNamespace string) *Inventory {
	if defaultNamespace == "" {
		defaultNamespace = "default"
	}
	inv := &Inventory{
		Namespaces: map[string]*Namespace{},
		Mesh:       DefaultMeshConfig(),
		Problems:   append([]source.Problem(nil), set.Problems...),
		Skipped:    map[string]int{},
	}
	var meshMaps []*ConfigMap
	for _, o := range latest(set.Objects, defaultNamespace) {
		if err := inv.add(o, defaultNamespace, &meshMaps); err != nil {
			inv.Problems = append(inv.Problems, source.Problem{Origin: o.Origin,
				Message: fmt.Sprintf("%s %s: %v", o.Kind, o.Name, err)})
		}
	}
	for _, cm := range meshMaps {
		if err := inv.Mesh.apply(cm); err != nil {
			inv.Problems = append(inv.Problems, source.Problem{Origin: cm.Origin, Message: err.Error()})
		}
	}
	inv.index()
	return inv
}

// latest keeps, for each kind/namespace/name, the object read last, at the
// place of the first: later inputs replace earlier ones, as applying them
// in order would (this is how fixes and overlays are laid over a base).
func latest(objs []source.Object, defNS string) []source.Object {
	out := make([]source.Object, 0, len(objs))
	at := map[string]int{}
	for _, o := range objs {
		ns := o.Namespace
		if ns == "" && o.Kind != "Namespace" {
			ns = defNS
		}
		key := group(o.APIVersion) + "/" + o.Kind + "/" + ns + "/" + o.Name
		if i, ok := at[key]; ok && o.Name != "" {
			out[i] = o
			continue
		}
		at[key] = len(out)
		out = append(out, o)
	}
	return out
}

func group(apiVersion string) string {
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

func meta(kind string, om metav1.ObjectMeta, o source.Object, defaultNS string) Meta {
	ns := om.Namespace
	if ns == "" && kind != "Namespace" {
		ns = defaultNS
	}
	return Meta{Kind: kind, Namespace: ns, Name: om.Name, Labels: om.Labels,
		Annotations: om.Annotations, Created: om.CreationTimestamp.Time, Origin: o.Origin}
}

// decode unmarshals the object's JSON into a typed value of T.
func decode[T any](o source.Object) (*T, error) {
	var v T
	if err := json.Unmarshal(o.JSON, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

func (inv *Inventory) add(o source.Object, defNS string, meshMaps *[]*ConfigMap) error {
	g := group(o.APIVersion)
	switch {
	case g == "" && o.Kind == "Namespace":
		v, err := decode[corev1.Namespace](o)
		if err != nil {
			return err
		}
		inv.Namespaces[v.Name] = &Namespace{Meta: meta(o.Kind, v.ObjectMeta, o, defNS)}
	case g == "" && o.Kind == "Service":
		v, err := decode[corev1.Service](o)
		if err != nil {
			return err
		}
		inv.Services = append(inv.Services, &Service{Meta: meta(o.Kind, v.ObjectMeta, o, defNS), Spec: v.Spec})
	case g == "" && o.Kind == "ConfigMap":
		v, err := decode[corev1.ConfigMap](o)
		if err != nil {
			return err
		}
		cm := &ConfigMap{Meta: meta(o.Kind, v.ObjectMeta, o, defNS), Data: v.Data}
		inv.ConfigMaps = append(inv.ConfigMaps, cm)
		if isMeshConfigMap(cm) {
			*meshMaps = append(*meshMaps, cm)
		}
	case g == "" && o.Kind == "Pod":
		v, err := decode[corev1.Pod](o)
		if err != nil {
			return err
		}
		inv.addWorkload(o, defNS, v.ObjectMeta, corev1.PodTemplateSpec{ObjectMeta: v.ObjectMeta, Spec: v.Spec})
	case g == "apps" || g == "batch":
		return inv.addController(o, defNS)
	case g == "security.istio.io" && o.Kind == "PeerAuthentication":
		om, spec, err := decodePeerAuthentication(o)
		if err != nil {
			return err
		}
		inv.PeerAuthentications = append(inv.PeerAuthentications, &PeerAuthentication{Meta: meta(o.Kind, om, o, defNS), Spec: spec})
	case g == "networking.istio.io":
		return inv.addNetworking(o, defNS)
	case strings.HasSuffix(g, "opentelemetry.io"):
		return inv.addOTel(o, defNS)
	default:
		inv.Skipped[o.Kind]++
	}
	return nil
}

func (inv *Inventory) addWorkload(o source.Object, defNS string, om metav1.ObjectMeta, t corev1.PodTemplateSpec) {
	m := meta(o.Kind, om, o, defNS)
	if t.Namespace == "" {
		t.Namespace = m.Namespace
	}
	w := &Workload{Meta: m, Template: t, Pods: podsOf(o)}
	if o.Kind == "Pod" && admitted(o, om) {
		// An admitted pod shows what injection did; it is not predicted (§4.1).
		w.Live = true
		_, status := om.Annotations["sidecar.istio.io/status"]
		w.Injected = status || hasProxyContainer(t.Spec)
	}
	inv.Workloads = append(inv.Workloads, w)
}

// admitted reports a pod the API server has already accepted: read from a
// cluster, or carrying what only admission sets (uid, status, owner, injection).
func admitted(o source.Object, om metav1.ObjectMeta) bool {
	_, status := om.Annotations["sidecar.istio.io/status"]
	return strings.HasPrefix(o.Origin.File, "cluster:") || om.UID != "" || len(om.OwnerReferences) > 0 || status ||
		bytes.Contains(o.JSON, []byte(`"status":{"phase"`))
}

func hasProxyContainer(spec corev1.PodSpec) bool {
	for _, c := range append(append([]corev1.Container(nil), spec.InitContainers...), spec.Containers...) {
		if c.Name == "istio-proxy" {
			return true
		}
	}
	return false
}

func (inv *Inventory) addController(o source.Object, defNS string) error {
	var om metav1.ObjectMeta
	var t corev1.PodTemplateSpec
	switch o.Kind {
	case "Deployment":
		v, err := decode[appsv1.Deployment](o)
		if err != nil {
			return err
		}
		om, t = v.ObjectMeta, v.Spec.Template
	case "StatefulSet":
		v, err := decode[appsv1.StatefulSet](o)
		if err != nil {
			return err
		}
		om, t = v.ObjectMeta, v.Spec.Template
	case "DaemonSet":
		v, err := decode[appsv1.DaemonSet](o)
		if err != nil {
			return err
		}
		om, t = v.ObjectMeta, v.Spec.Template
	case "ReplicaSet":
		v, err := decode[appsv1.ReplicaSet](o)
		if err != nil {
			return err
		}
		om, t = v.ObjectMeta, v.Spec.Template
	case "Job":
		v, err := decode[batchv1.Job](o)
		if err != nil {
			return err
		}
		om, t = v.ObjectMeta, v.Spec.Template
	case "CronJob":
		v, err := decode[batchv1.CronJob](o)
		if err != nil {
			return err
		}
		om, t = v.ObjectMeta, v.Spec.JobTemplate.Spec.Template
	default:
		inv.Skipped[o.Kind]++
		return nil
	}
	inv.addWorkload(o, defNS, om, t)
	return nil
}

// decodePeerAuthentication accepts every served version into the one spec type.
func decodePeerAuthentication(o source.Object) (metav1.ObjectMeta, *security.PeerAuthentication, error) {
	switch o.APIVersion {
	case "security.istio.io/v1":
		v, err := decode[secv1.PeerAuthentication](o)
		if err != nil {
			return metav1.ObjectMeta{}, nil, err
		}
		return v.ObjectMeta, &v.Spec, nil
	case "security.istio.io/v1beta1":
		v, err := decode[secv1beta1.PeerAuthentication](o)
		if err != nil {
			return metav1.ObjectMeta{}, nil, err
		}
		return v.ObjectMeta, &v.Spec, nil
	}
	return metav1.ObjectMeta{}, nil, fmt.Errorf("unsupported apiVersion %s (want security.istio.io/v1 or v1beta1)", o.APIVersion)
}

// netObject is the shape shared by the networking kinds of every version.
type netObject struct {
	om   metav1.ObjectMeta
	dr   *networking.DestinationRule
	se   *networking.ServiceEntry
	side *networking.Sidecar
	vs   *networking.VirtualService
}

func decodeNetworking(o source.Object) (netObject, error) {
	var n netObject
	var err error
	switch o.APIVersion + " " + o.Kind {
	case "networking.istio.io/v1 DestinationRule":
		var v *netv1.DestinationRule
		if v, err = decode[netv1.DestinationRule](o); err == nil {
			n.om, n.dr = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1beta1 DestinationRule":
		var v *netv1beta1.DestinationRule
		if v, err = decode[netv1beta1.DestinationRule](o); err == nil {
			n.om, n.dr = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1alpha3 DestinationRule":
		var v *netv1alpha3.DestinationRule
		if v, err = decode[netv1alpha3.DestinationRule](o); err == nil {
			n.om, n.dr = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1 ServiceEntry":
		var v *netv1.ServiceEntry
		if v, err = decode[netv1.ServiceEntry](o); err == nil {
			n.om, n.se = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1beta1 ServiceEntry":
		var v *netv1beta1.ServiceEntry
		if v, err = decode[netv1beta1.ServiceEntry](o); err == nil {
			n.om, n.se = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1alpha3 ServiceEntry":
		var v *netv1alpha3.ServiceEntry
		if v, err = decode[netv1alpha3.ServiceEntry](o); err == nil {
			n.om, n.se = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1 Sidecar":
		var v *netv1.Sidecar
		if v, err = decode[netv1.Sidecar](o); err == nil {
			n.om, n.side = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1beta1 Sidecar":
		var v *netv1beta1.Sidecar
		if v, err = decode[netv1beta1.Sidecar](o); err == nil {
			n.om, n.side = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1 VirtualService":
		var v *netv1.VirtualService
		if v, err = decode[netv1.VirtualService](o); err == nil {
			n.om, n.vs = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1beta1 VirtualService":
		var v *netv1beta1.VirtualService
		if v, err = decode[netv1beta1.VirtualService](o); err == nil {
			n.om, n.vs = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1alpha3 VirtualService":
		var v *netv1alpha3.VirtualService
		if v, err = decode[netv1alpha3.VirtualService](o); err == nil {
			n.om, n.vs = v.ObjectMeta, &v.Spec
		}
	case "networking.istio.io/v1alpha3 Sidecar":
		var v *netv1alpha3.Sidecar
		if v, err = decode[netv1alpha3.Sidecar](o); err == nil {
			n.om, n.side = v.ObjectMeta, &v.Spec
		}
	}
	return n, err
}

func (inv *Inventory) addNetworking(o source.Object, defNS string) error {
	n, err := decodeNetworking(o)
	if err != nil {
		return err
	}
	m := meta(o.Kind, n.om, o, defNS)
	switch {
	case n.dr != nil:
		inv.DestinationRules = append(inv.DestinationRules, &DestinationRule{Meta: m, Spec: n.dr})
	case n.se != nil:
		inv.ServiceEntries = append(inv.ServiceEntries, &ServiceEntry{Meta: m, Spec: n.se})
	case n.side != nil:
		inv.Sidecars = append(inv.Sidecars, &Sidecar{Meta: m, Spec: n.side})
	case n.vs != nil:
		inv.VirtualServices = append(inv.VirtualServices, &VirtualService{Meta: m, Spec: n.vs})
	default:
		inv.Skipped[o.Kind]++
	}
	return nil
}
