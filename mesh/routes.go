package mesh

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/labels"
)

// Route is one destination subset a client's traffic to a host:port takes,
// and the VirtualService that sends it there ("" subset: the whole service).
type Route struct {
	Subset string
	From   *inventory.VirtualService
}

// RoutesFor returns where a sidecar client in clientNs is routed for host:port
// by the VirtualService that applies to it, or nil for the default route.
// A VirtualService applies to sidecars when its gateways are unset or name
// "mesh", and when it is exported to the client's namespace; of several for
// one host, the client's namespace wins, then the oldest (Istio ignores the
// later duplicates, IST0109).
func RoutesFor(vss []*inventory.VirtualService, clientNs, host string, port uint32, domain string) []Route {
	var cands []*inventory.VirtualService
	for _, vs := range vss {
		if appliesToMesh(vs.Spec) && exported(vs, clientNs) && vsHasHost(vs, host, domain) {
			cands = append(cands, vs)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if (a.Namespace == clientNs) != (b.Namespace == clientNs) {
			return a.Namespace == clientNs
		}
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c < 0
		}
		return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
	})
	vs := cands[0]
	seen := map[string]bool{}
	var out []Route
	add := func(d *networking.Destination, matchPorts []uint32) {
		if d == nil || ResolveHost(d.GetHost(), vs.Namespace, domain) != host {
			return
		}
		if p := d.GetPort().GetNumber(); p != 0 && p != port && len(matchPorts) == 0 {
			return
		}
		if len(matchPorts) > 0 && !containsPort(matchPorts, port) {
			return
		}
		if !seen[d.GetSubset()] {
			seen[d.GetSubset()] = true
			out = append(out, Route{Subset: d.GetSubset(), From: vs})
		}
	}
	for _, h := range vs.Spec.GetHttp() {
		var ports []uint32
		for _, m := range h.GetMatch() {
			if m.GetPort() != 0 {
				ports = append(ports, m.GetPort())
			}
		}
		for _, r := range h.GetRoute() {
			add(r.GetDestination(), ports)
		}
	}
	for _, t := range vs.Spec.GetTcp() {
		var ports []uint32
		for _, m := range t.GetMatch() {
			if m.GetPort() != 0 {
				ports = append(ports, m.GetPort())
			}
		}
		for _, r := range t.GetRoute() {
			add(r.GetDestination(), ports)
		}
	}
	for _, t := range vs.Spec.GetTls() {
		for _, r := range t.GetRoute() {
			add(r.GetDestination(), nil)
		}
	}
	return out
}

func containsPort(ps []uint32, p uint32) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func appliesToMesh(vs *networking.VirtualService) bool {
	gws := vs.GetGateways()
	return len(gws) == 0 || slices.Contains(gws, "mesh")
}

func exported(vs *inventory.VirtualService, clientNs string) bool {
	ex := vs.Spec.GetExportTo()
	return len(ex) == 0 || slices.Contains(ex, "*") || slices.Contains(ex, clientNs) || (slices.Contains(ex, ".") && vs.Namespace == clientNs)
}

func vsHasHost(vs *inventory.VirtualService, host, domain string) bool {
	for _, h := range vs.Spec.GetHosts() {
		r := ResolveHost(h, vs.Namespace, domain)
		if r == host || r == "*" || (strings.HasPrefix(r, "*") && strings.HasSuffix(host, r[1:])) {
			return true
		}
	}
	return false
}

// SubsetSelects reports whether the DR subset named subset selects pods
// labelled l, and whether the DR defines that subset at all.
func SubsetSelects(dr *ConsolidatedDR, subset string, l map[string]string) (selects, defined bool) {
	if subset == "" {
		return true, true
	}
	if dr == nil {
		return false, false
	}
	for _, s := range dr.Rule.GetSubsets() {
		if s.GetName() == subset {
			return labels.SelectorFromSet(s.GetLabels()).Matches(labels.Set(l)), true
		}
	}
	return false, false
}
