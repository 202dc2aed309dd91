package inventory

import corev1 "k8s.io/api/core/v1"

// intern makes the workloads' and Services' repeated strings — namespaces,
// label and selector values, container names and images, env names and
// values, port names — share one copy each. Every object decodes its own
// copy of each; on the 20k mesh the 60,000 env vars alone repeat a handful
// of names and collector URLs (about 5 MB kept to the end).
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
		values(w.Labels)
		values(w.Template.Labels)
		containers(w.Template.Spec.InitContainers)
		containers(w.Template.Spec.Containers)
	}
	for _, s := range inv.Services {
		str(&s.Namespace)
		values(s.Spec.Selector)
		for i := range s.Spec.Ports {
			str(&s.Spec.Ports[i].Name)
		}
	}
}
