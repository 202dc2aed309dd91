package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// PortAcceptance is what one backend workload accepts on one target port,
// independent of any client: the server half of every edge to it.
type PortAcceptance struct {
	Namespace  string `json:"namespace"`
	Workload   string `json:"workload"`
	Kind       string `json:"kind"`
	TargetPort int32  `json:"targetPort"`
	Services   string `json:"services"`
	Accepts    string `json:"accepts"`
}

// Key identifies the port across two analyses.
func (p PortAcceptance) Key() string {
	return fmt.Sprintf("%s/%s %s:%d", p.Namespace, p.Workload, p.Kind, p.TargetPort)
}

// AcceptsPlaintext reports whether plaintext from anyone is accepted.
func (p PortAcceptance) AcceptsPlaintext() bool { return strings.Contains(p.Accepts, "plaintext") }

// Ports lists, for every Service port and backend, what the server accepts.
func Ports(inv *inventory.Inventory) []PortAcceptance {
	m := mesh.New(inv)
	byKey := map[string]*PortAcceptance{}
	for _, s := range inv.Services {
		for _, p := range s.Spec.Ports {
			for _, b := range inv.Backends(s) {
				tp, err := inventory.TargetPort(p, b.Template)
				if err != nil {
					continue
				}
				pa := PortAcceptance{Namespace: b.Namespace, Workload: b.Name, Kind: b.Kind, TargetPort: tp}
				if prev, ok := byKey[pa.Key()]; ok {
					prev.Services += "," + s.Name
					continue
				}
				a := mesh.ServerAccepts(m.ServerInputOf(mesh.Hop{Service: s, Port: p, Backend: b, TargetPort: tp}))
				pa.Services, pa.Accepts = s.Name, string(a.Accepts)
				byKey[pa.Key()] = &pa
			}
		}
	}
	out := make([]PortAcceptance, 0, len(byKey))
	for _, p := range byKey {
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}
