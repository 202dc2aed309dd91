package check

import (
	"fmt"
	"strings"
)

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
