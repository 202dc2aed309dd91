package edges

import (
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// gateways declares the edges a gateway proxy's Gateway-bound routes give
// it: one per Service port a route's destination names (mesh.GatewayRoutes,
// §10.7). A destination port the Service lacks is the first port's edge,
// which then fails; a host that is no Service is not an edge here. Routes
// bound to a Gateway the inputs do not hold declare their edges too, for
// every gateway workload: whether they apply is then undecided (the edge
// says so), never silently absent.
func (d *discoverer) gateways() {
	if len(d.inv.Gateways) == 0 && !mesh.AnyMissingGateway(d.inv) {
		return
	}
	for _, w := range d.inv.Workloads {
		if mesh.Injection(w.Namespace, d.inv.Namespace(w.Namespace), w, d.inv.Mesh).Kind != mesh.ProxyGateway {
			continue
		}
		for _, r := range mesh.GatewayRoutes(d.inv, w) {
			s := d.inv.ServiceByHost(r.Host)
			if s == nil || len(s.Spec.Ports) == 0 {
				continue
			}
			p := &s.Spec.Ports[0]
			for i := range s.Spec.Ports {
				if s.Spec.Ports[i].Port == r.Port {
					p = &s.Spec.Ports[i]
				}
			}
			d.add(w, s, p, gatewaySource(r), r.Host, false, false)
		}
		for _, mg := range mesh.MissingGateways(d.inv, w) {
			for _, h := range mg.Hosts {
				s := d.inv.ServiceByHost(h)
				if s == nil || len(s.Spec.Ports) == 0 {
					continue
				}
				ports := mesh.DestinationPorts(mg.From, s, d.inv.Mesh.DomainSuffix)
				for i := range ports {
					d.add(w, s, &ports[i], "route of VirtualService "+mg.From.Key()+" ("+origin(mg.From.Meta)+") on Gateway "+mg.Name+", which is not in the inputs", h, false, false)
				}
			}
		}
	}
}

func gatewaySource(r mesh.GatewayRoute) string {
	return "route of VirtualService " + r.From.Key() + " (" + origin(r.From.Meta) + ") on Gateway " + r.Gateway.Key() + " server " + r.Server
}

func origin(m inventory.Meta) string {
	return m.Origin.String()
}
