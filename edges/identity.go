package edges

import (
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/telemetry"
)

// key names a candidate: its client, Service and port. Clients and
// Services count as named (kind, namespace and name; namespace and name): an
// object given twice in the inputs is one, as when the key was a formatted
// string of the names. It holds each by the first pointer of its name
// (identities), where a key of five strings made the index 13 MB on the 20k
// mesh.
type key struct {
	w    *inventory.Workload
	s    *inventory.Service
	port int32
}

// identities maps each workload and Service that shares its name with an
// earlier one to that one; the maps are empty unless the inputs repeat an
// object.
type identities struct {
	workloads map[*inventory.Workload]*inventory.Workload
	services  map[*inventory.Service]*inventory.Service
}

// newIdentities finds the repeated names among what candidates hold: the
// inventory's workloads and Services (sorted by namespace and name, so
// repeats are adjacent; the inventory keeps one object of a name, so there
// are none but a ServiceEntry host named like a Service of its namespace),
// ServiceEntry hosts and the telemetry model's synthesized ones.
// Discovery's own external hosts are one per host and port, and so unique.
func newIdentities(inv *inventory.Inventory, tel *telemetry.Model) identities {
	id := identities{workloads: map[*inventory.Workload]*inventory.Workload{}, services: map[*inventory.Service]*inventory.Service{}}
	sameW := func(a, b *inventory.Workload) bool {
		return a.Kind == b.Kind && a.Namespace == b.Namespace && a.Name == b.Name
	}
	sameS := func(a, b *inventory.Service) bool { return a.Namespace == b.Namespace && a.Name == b.Name }
	ws := inv.Workloads
	for i := 1; i < len(ws); i++ {
		// Sorted by namespace, name, kind: a repeat follows its first.
		if sameW(ws[i], ws[i-1]) {
			id.workloads[ws[i]] = id.workload(ws[i-1])
		}
	}
	for i, w := range tel.SyntheticWorkloads {
		if first := inv.Workload(w.Kind, w.Namespace, w.Name); first != nil {
			id.workloads[w] = id.workload(first)
			continue
		}
		for _, prev := range tel.SyntheticWorkloads[:i] {
			if sameW(w, prev) {
				id.workloads[w] = id.workload(prev)
				break
			}
		}
	}
	ss := inv.Services
	for i := 1; i < len(ss); i++ {
		if sameS(ss[i], ss[i-1]) {
			id.services[ss[i]] = id.service(ss[i-1])
		}
	}
	// ServiceEntry hosts and synthesized Services (few) against the
	// namespace's Services and each other.
	extra := map[[2]string]*inventory.Service{}
	for _, list := range [2][]*inventory.Service{inv.ServiceEntryHosts, tel.SyntheticServices} {
		for _, s := range list {
			name := [2]string{s.Namespace, s.Name}
			if prev, ok := extra[name]; ok {
				id.services[s] = id.service(prev)
				continue
			}
			extra[name] = s
			for _, prev := range inv.ServicesIn(s.Namespace) {
				if sameS(s, prev) {
					id.services[s] = id.service(prev)
					break
				}
			}
		}
	}
	return id
}

func (id identities) workload(w *inventory.Workload) *inventory.Workload {
	if first, ok := id.workloads[w]; ok {
		return first
	}
	return w
}

func (id identities) service(s *inventory.Service) *inventory.Service {
	if first, ok := id.services[s]; ok {
		return first
	}
	return s
}

// keyOf is the key of the pair.
func (id identities) keyOf(w *inventory.Workload, s *inventory.Service, port int32) key {
	return key{id.workload(w), id.service(s), port}
}
