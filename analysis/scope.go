package analysis

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Scope is what to judge, not what to read: the edges whose client or
// server is in one of Namespaces. Everything the inputs hold still decides
// those edges (mesh-wide policies, the destinations' namespaces, DRs
// exported from elsewhere). Nil Namespaces judges every edge.
type Scope struct {
	Namespaces []string
}

// Namespaces is the scope of the given namespaces (-n NS).
func Namespaces(ns ...string) Scope { return Scope{Namespaces: ns} }

// All reports whether every edge is judged.
func (s Scope) All() bool { return s.Namespaces == nil }

func (s Scope) has(ns string) bool { return s.All() || slices.Contains(s.Namespaces, ns) }

// Admits reports whether the scope judges e.
func (s Scope) Admits(e verdict.Edge) bool { return s.admits(e.Client.Namespace, e.Server.Namespace) }

// admits reports whether an edge from client namespace to server namespace is judged.
func (s Scope) admits(client, server string) bool { return s.has(client) || s.has(server) }

// LocalChanges is the scope of the objects laid over a live cluster (those
// not read from it): every namespace they sit in or whose hosts they name,
// so that clients in other namespaces calling into a changed namespace are
// judged too. An object in the root namespace, or naming a wildcard host,
// can change any edge: then every edge is judged.
func LocalChanges(inv *inventory.Inventory) Scope {
	var nss []string
	all := false
	add := func(m inventory.Meta, hosts ...string) {
		if strings.HasPrefix(m.Origin.File, "cluster:") {
			return
		}
		ns := m.Namespace
		if m.Kind == "Namespace" {
			ns = m.Name
		}
		if ns == inv.Mesh.RootNamespace {
			all = true
		}
		nss = append(nss, ns)
		for _, h := range hosts {
			hns, ok := hostNamespace(h, m.Namespace, inv.Mesh.DomainSuffix)
			all = all || !ok
			nss = append(nss, hns)
		}
	}
	for _, n := range inv.Namespaces {
		add(n.Meta)
	}
	for _, w := range inv.Workloads {
		add(w.Meta)
	}
	for _, s := range inv.Services {
		add(s.Meta)
	}
	for _, c := range inv.ConfigMaps {
		add(c.Meta)
	}
	for _, p := range inv.PeerAuthentications {
		add(p.Meta)
	}
	for _, d := range inv.DestinationRules {
		add(d.Meta, d.Spec.GetHost())
	}
	for _, v := range inv.VirtualServices {
		add(v.Meta, v.Spec.GetHosts()...)
	}
	for _, e := range inv.ServiceEntries {
		add(e.Meta)
	}
	for _, s := range inv.Sidecars {
		add(s.Meta)
	}
	for _, x := range inv.Instrumentations {
		add(x.Meta)
	}
	for _, x := range inv.OpenTelemetryCollectors {
		add(x.Meta)
	}
	nss = append(nss, localGatewayNamespaces(inv)...)
	for _, o := range inv.Extra {
		if !strings.HasPrefix(o.Origin.File, "cluster:") {
			nss = append(nss, o.Namespace)
		}
	}
	if all {
		return Scope{}
	}
	sort.Strings(nss)
	return Scope{Namespaces: slices.Compact(nss)}
}

// hostNamespace is the namespace of the Service a host names: NAME.NS.svc.DOMAIN,
// NAME.NS, or a short NAME in the object's own namespace; false for a
// wildcard spanning namespaces ("*", "*.local").
func hostNamespace(host, own, domain string) (string, bool) {
	h := strings.TrimSuffix(host, ".svc."+domain)
	parts := strings.Split(h, ".")
	switch {
	case len(parts) == 1 && parts[0] != "*":
		return own, true
	case len(parts) == 2 && parts[1] != "" && parts[1] != "*" && h != host: // NAME.NS.svc.DOMAIN, *.NS.svc.DOMAIN
		return parts[1], true
	case len(parts) == 2 && parts[0] != "*": // NAME.NS
		return parts[1], true
	}
	return "", false
}

// candidates keeps those the scope judges.
func (s Scope) candidates(found edges.Result) edges.Result {
	if s.All() {
		return found
	}
	out := found
	out.Candidates = nil
	for _, c := range found.Candidates {
		if s.admits(c.Client.Namespace, c.Service.Namespace) {
			out.Candidates = append(out.Candidates, c)
		}
	}
	out.Dangling = nil
	for _, d := range found.Dangling {
		if s.has(d.Client.Namespace) {
			out.Dangling = append(out.Dangling, d)
		}
	}
	return out
}

// findings keeps those about the scope, the root namespace (mesh-wide
// policy), the judged edges' servers, and the inputs as a whole.
func (s Scope) findings(fs []check.Finding, es []verdict.Edge, root string) []check.Finding {
	if s.All() {
		return fs
	}
	servers := map[string]bool{root: true, "": true}
	for _, e := range es {
		servers[e.Server.Namespace] = true
	}
	out := []check.Finding{}
	for _, f := range fs {
		if s.has(f.Object.Namespace) || servers[f.Object.Namespace] {
			out = append(out, f)
		}
	}
	return out
}
