package inventory

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// intern makes the workloads' and Services' repeated strings — namespaces,
// label and selector values, container names and images, env names and
// values, port names — share one copy each. Every object decodes its own
// copy of each; on the 20k mesh the 60,000 env vars alone repeat a handful
// of names and collector URLs (about 5 MB kept to the end).
//
// Label, selector and annotation maps with the same content share one map
// too: a Service's selector is usually its pods' template labels, and each
// small map is about 300 bytes (12 MB of them on the 20k mesh). Nothing
// writes to the inventory's maps after Build; a writer must copy first.
func (inv *Inventory) intern() {
	seen := map[string]string{}
	str := func(s *string) {
		if *s == "" {
			return
		}
		if t, ok := seen[*s]; ok {
			*s = t
		} else {
			seen[*s] = *s
		}
	}
	values := func(m map[string]string) {
		for k, v := range m {
			if t, ok := seen[v]; ok {
				m[k] = t
			} else if v != "" {
				seen[v] = v
			}
		}
	}
	maps := map[string]map[string]string{}
	var key strings.Builder
	shared := func(m *map[string]string) {
		if len(*m) == 0 {
			return
		}
		keys := make([]string, 0, len(*m))
		for k := range *m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		key.Reset()
		for _, k := range keys {
			key.WriteString(k)
			key.WriteByte(0)
			key.WriteString((*m)[k])
			key.WriteByte(0)
		}
		if t, ok := maps[key.String()]; ok {
			*m = t
			return
		}
		values(*m)
		maps[key.String()] = *m
	}
	meta := func(m *Meta) {
		shared(&m.Labels)
		shared(&m.Annotations)
	}
	containers := func(cs []corev1.Container) {
		for i := range cs {
			c := &cs[i]
			str(&c.Name)
			str(&c.Image)
			for j := range c.Env {
				str(&c.Env[j].Name)
				str(&c.Env[j].Value)
			}
			for j := range c.Ports {
				str(&c.Ports[j].Name)
			}
		}
	}
	for _, w := range inv.Workloads {
		str(&w.Namespace)
		str(&w.Template.Namespace)
		meta(&w.Meta)
		shared(&w.Template.Labels)
		shared(&w.Template.Annotations)
		containers(w.Template.Spec.InitContainers)
		containers(w.Template.Spec.Containers)
	}
	for _, s := range inv.Services {
		str(&s.Namespace)
		meta(&s.Meta)
		shared(&s.Spec.Selector)
		for i := range s.Spec.Ports {
			str(&s.Spec.Ports[i].Name)
		}
	}
}
