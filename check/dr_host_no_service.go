package check

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// DRHostNoService: an exact DR host that no Service or ServiceEntry has.
var DRHostNoService = &Check{
	Code:     "MD0201",
	Name:     "dr-host-no-service",
	Severity: Warning,
	Doc: `DestinationRule host matches no Service or ServiceEntry in the inputs

Its traffic policy (and tls) applies to nothing; often a typo or a host in the wrong namespace.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, d := range inv.DestinationRules {
			h := mesh.ResolveHost(d.Spec.GetHost(), d.Namespace, inv.Mesh.DomainSuffix)
			if strings.HasPrefix(h, "*") || inv.ServiceByHost(h) != nil || serviceEntryHas(p, h) || dottedShort(d.Spec.GetHost(), inv.Mesh.DomainSuffix) {
				continue
			}
			p.Report(d.Ref(), fmt.Sprintf("host %s (resolved to %s) matches no Service or ServiceEntry in the inputs", d.Spec.GetHost(), h))
		}
	},
}

func serviceEntryHas(p *Pass, h string) bool {
	for _, se := range p.Model.Inv.ServiceEntries {
		for _, x := range se.Spec.GetHosts() {
			if x == h {
				return true
			}
		}
	}
	return false
}

// dottedShort recognises "name.ns" or "name.ns.svc": taken verbatim, they
// never match the Service's FQDN (§2.2).
func dottedShort(h, domain string) bool {
	parts := strings.Split(h, ".")
	return !strings.HasPrefix(h, "*") && (len(parts) == 2 || len(parts) == 3 && parts[2] == "svc") && !strings.HasSuffix(h, domain)
}
