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

// DRDottedShortHost: "reviews.default" is taken verbatim and matches nothing.
var DRDottedShortHost = &Check{
	Code:     "MD0202",
	Name:     "dr-dotted-short-host",
	Severity: Warning,
	Doc: `DestinationRule host is a dotted short name that Istio takes verbatim

Only a host without dots expands to <host>.<DR namespace>.svc.<domain> (ResolveShortnameToFQDN); "name.ns" matches no Service.`,
	Run: func(p *Pass) {
		domain := p.Model.Inv.Mesh.DomainSuffix
		for _, d := range p.Model.Inv.DestinationRules {
			if h := d.Spec.GetHost(); dottedShort(h, domain) {
				parts := strings.Split(h, ".")
				p.Report(d.Ref(), fmt.Sprintf("host %q is taken verbatim and never matches %s.%s.svc.%s; write the full name", h, parts[0], parts[1], domain))
			}
		}
	},
}

// DRNeverApplies: a DR that lives where no client ever looks (§2.4).
var DRNeverApplies = &Check{
	Code:     "MD0203",
	Name:     "dr-never-applies",
	Severity: Warning,
	Doc: `DestinationRule lives in a namespace that neither its clients nor its service use

A client looks in its own namespace, the service's, then the root namespace; a DR elsewhere applies only to clients in its own namespace.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, d := range inv.DestinationRules {
			h := mesh.ResolveHost(d.Spec.GetHost(), d.Namespace, inv.Mesh.DomainSuffix)
			s := inv.ServiceByHost(h)
			if s == nil || d.Namespace == s.Namespace || d.Namespace == inv.Mesh.RootNamespace || hasWorkloadIn(p, d.Namespace) {
				continue
			}
			p.Report(d.Ref(), fmt.Sprintf("DestinationRule for %s lives in %s, which is neither the service's namespace (%s) nor the root namespace, and no client runs in %s: it never applies",
				h, d.Namespace, s.Namespace, d.Namespace))
		}
	},
}

func hasWorkloadIn(p *Pass, ns string) bool {
	for _, w := range p.Model.Inv.Workloads {
		if w.Namespace == ns {
			return true
		}
	}
	return false
}
