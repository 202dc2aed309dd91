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
// whole replacement of the original.
func replace(o source.Object, defNS string, mutate func(obj map[string]any)) Change {
	var obj map[string]any
	_ = json.Unmarshal(o.JSON, &obj)
	mutate(obj)
	ns := o.Namespace
	if ns == "" && o.Kind != "Namespace" {
		ns = defNS
	}
	return Change{Action: "apply", Kind: o.Kind, Namespace: ns, Name: o.Name, Object: obj, Replaces: o.Origin.String()}
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
