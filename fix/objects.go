package fix

import (
	"encoding/json"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
)

// Objects are built as plain maps in the shape the API server accepts; the
// verification step decodes them through the same typed decoders as input.

func meta(name, ns string, labels map[string]any) map[string]any {
	m := map[string]any{"name": name}
	if ns != "" {
		m["namespace"] = ns
	}
	if len(labels) > 0 {
		m["labels"] = labels
	}
	return m
}

func managedBy() map[string]any { return map[string]any{"app.kubernetes.io/managed-by": "meshdoctor"} }

// destinationRule builds a DR for host with the given trafficPolicy.
func destinationRule(name, ns, host string, policy map[string]any) Change {
	return Change{Action: "apply", Kind: "DestinationRule", Namespace: ns, Name: name, Object: map[string]any{
		"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
		"metadata": meta(name, ns, managedBy()),
		"spec":     map[string]any{"host": host, "trafficPolicy": policy},
	}}
}

// peerAuthentication builds a workload-level PA selecting labels.
func peerAuthentication(name, ns string, selector map[string]string, spec map[string]any) Change {
	sel := map[string]any{}
	for k, v := range selector {
		sel[k] = v
	}
	spec["selector"] = map[string]any{"matchLabels": sel}
	return Change{Action: "apply", Kind: "PeerAuthentication", Namespace: ns, Name: name, Object: map[string]any{
		"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
		"metadata": meta(name, ns, managedBy()), "spec": spec,
	}}
}

// replace copies an input object, lets mutate change it, and marks it as a
// whole replacement of the original. What the API server owns is dropped,
// so that the object applies cleanly (kubectl apply) and reads as a
// manifest in git, whether it came from a file or from --cluster.
func replace(o source.Object, defNS string, mutate func(obj map[string]any)) Change {
	var obj, orig map[string]any
	_ = json.Unmarshal(o.JSON, &obj)
	stripServerFields(obj)
	origJSON, _ := json.Marshal(obj)
	_ = json.Unmarshal(origJSON, &orig)
	mutate(obj)
	ns := o.Namespace
	if ns == "" && o.Kind != "Namespace" {
		ns = defNS
	}
	return Change{Action: "apply", Kind: o.Kind, Namespace: ns, Name: o.Name, Object: obj, Replaces: o.Origin.String(), original: orig}
}

// serverFields are the metadata the API server writes (ObjectMeta's
// read-only fields) and kubectl apply's own bookkeeping.
var serverFields = []string{"resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"}

const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

func stripServerFields(obj map[string]any) {
	delete(obj, "status")
	md, ok := obj["metadata"].(map[string]any)
	if !ok {
		return
	}
	for _, k := range serverFields {
		delete(md, k)
	}
	if ann, ok := md["annotations"].(map[string]any); ok {
		delete(ann, lastApplied)
		if len(ann) == 0 {
			delete(md, "annotations")
		}
	}
}

// noop reports whether the change leaves the object as it was.
func (c Change) noop() bool {
	if c.Action != "apply" || c.original == nil {
		return false
	}
	a, _ := json.Marshal(c.Object)
	b, _ := json.Marshal(c.original)
	return string(a) == string(b)
}

// deletion removes an input object.
func deletion(o source.Object, defNS string) Change {
	ns := o.Namespace
	if ns == "" {
		ns = defNS
	}
	return Change{Action: "delete", Kind: o.Kind, Namespace: ns, Name: o.Name, Replaces: o.Origin.String()}
}

// path walks nested maps, creating them as needed.
func path(obj map[string]any, keys ...string) map[string]any {
	cur := obj
	for _, k := range keys {
		next, ok := cur[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cur[k] = next
		}
		cur = next
	}
	return cur
}

// podTemplate returns the pod template metadata of a workload object.
func podTemplateMeta(obj map[string]any) map[string]any {
	switch obj["kind"] {
	case "Pod":
		return path(obj, "metadata")
	case "CronJob":
		return path(obj, "spec", "jobTemplate", "spec", "template", "metadata")
	}
	return path(obj, "spec", "template", "metadata")
}

// removePort drops one port from a comma list annotation value.
func removePort(list, port string) string {
	var keep []string
	for _, p := range strings.Split(list, ",") {
		if p = strings.TrimSpace(p); p != "" && p != port {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}
