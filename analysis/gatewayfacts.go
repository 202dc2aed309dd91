package analysis

import (
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// gatewayFacts: a gateway client's edge to a host that a VirtualService
// routes to through a Gateway the inputs do not hold hangs on that Gateway
// (docs/semantics.md §10.7): if it selects the gateway, the route applies;
// if not, the Service's own cluster does. The Gateway's shape is unknown, so
// the "selects" value assumes one serving every host of the VirtualService
// on the usual ports (HTTP 80, TCP 31400, TLS passthrough 443) — the words
// say so.
func (fs *facts) gatewayFacts(e verdict.Edge) []*fact {
	if e.Client.Proxy != mesh.ProxyGateway || len(fs.inv.VirtualServices) == 0 {
		return nil
	}
	w := fs.inv.Workload(e.Client.Kind, e.Client.Namespace, e.Client.Workload)
	if w == nil {
		return nil
	}
	var out []*fact
	for _, mg := range mesh.MissingGateways(fs.inv, w) {
		if !slices.Contains(mg.Hosts, e.Server.Host) {
			continue
		}
		out = append(out, fs.get("Gateway "+mg.Name, func() *fact { return gatewayFact(mg) }))
	}
	return out
}

func gatewayFact(mg mesh.MissingGateway) *fact {
	ns, name, _ := strings.Cut(mg.Name, "/")
	var servers []any
	if len(mg.From.Spec.GetHttp()) > 0 {
		servers = append(servers, map[string]any{"port": map[string]any{"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": []string{"*/*"}})
	}
	if len(mg.From.Spec.GetTcp()) > 0 {
		servers = append(servers, map[string]any{"port": map[string]any{"number": 31400, "name": "tcp", "protocol": "TCP"}, "hosts": []string{"*/*"}})
	}
	if len(mg.From.Spec.GetTls()) > 0 {
		servers = append(servers, map[string]any{"port": map[string]any{"number": 443, "name": "tls", "protocol": "TLS"}, "hosts": []string{"*/*"},
			"tls": map[string]any{"mode": "PASSTHROUGH"}})
	}
	// No selector: it selects every gateway, and each edge reads only its own.
	gw := assumed("networking.istio.io/v1", "Gateway", ns, name, map[string]any{"spec": map[string]any{"servers": servers}})
	return &fact{id: "Gateway " + mg.Name, client: true,
		missing: "Gateway " + mg.Name + ", which VirtualService " + mg.From.Key() + " binds to, is not in the inputs (whether it selects this gateway is unknown)",
		values: []assumption{
			{"Gateway " + mg.Name + " does not select this gateway", nil},
			{"Gateway " + mg.Name + " selects this gateway and serves every host of VirtualService " + mg.From.Key() + " (assumed on HTTP 80, TCP 31400, TLS 443)", []source.Object{gw}},
		}}
}

// localGatewayNamespaces: a Gateway laid over a live cluster changes the
// edges of the gateways it selects, in any namespace (§10.7): its own
// namespace and theirs.
func localGatewayNamespaces(inv *inventory.Inventory) []string {
	var out []string
	for _, g := range inv.Gateways {
		if strings.HasPrefix(g.Origin.File, "cluster:") {
			continue
		}
		out = append(out, g.Namespace)
		for _, w := range inv.Workloads {
			if slices.Contains(mesh.GatewaysFor(inv, w), g) {
				out = append(out, w.Namespace)
			}
		}
	}
	return out
}

// gatewaySelectors adds what tells gateways apart for the all-pairs
// classes (allpairs.go newKeyer): a Gateway's selector sees gateways in
// every namespace (as a route's sourceLabels does), and its server hosts
// name namespaces (ns/host).
func gatewaySelectors(inv *inventory.Inventory, selectors map[string][]map[string]string, mention func(...string)) {
	for _, g := range inv.Gateways {
		mention(g.Namespace)
		for _, srv := range g.Spec.GetServers() {
			for _, h := range srv.GetHosts() {
				if ns, _, ok := strings.Cut(h, "/"); ok && ns != "*" && ns != "." {
					mention(ns) // only the namespace: a "*/*" host names none
				}
			}
		}
		sel := g.Spec.GetSelector()
		if sel == nil {
			sel = map[string]string{}
		}
		for ns := range inv.Namespaces {
			selectors[ns] = append(selectors[ns], sel)
		}
		selectors[""] = append(selectors[""], sel) // every namespace
	}
}
