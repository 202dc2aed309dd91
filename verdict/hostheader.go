package verdict

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/mesh"
)

// HostAssumePrefix opens the alternative that assumes the app sends the
// Host header named after it (the differential harness, istio-diff, reads
// this form to compare the alternative for the FQDN pilot's simulation
// sends).
const HostAssumePrefix = "the app sends Host: "

// byHostHeader settles an edge the port-80 rule decides only for requests
// whose Host header matches its virtual host's one domain (§10.2): matched
// is the expansion for such a request, other for any other Host header.
// The names the pair's references dial decide it when every one gives the
// same answer; otherwise (all pairs alone, or names on both sides) each
// edge whose two answers differ is unknown with both as alternatives —
// never the rule's 503 on a guess of the name.
func byHostHeader(c edges.Candidate, domain string, matched, other []Edge) []Edge {
	if !c.Unnamed && len(c.Hosts) > 0 {
		n := 0
		for _, h := range c.Hosts {
			if mesh.HostMatchesDomain(h, domain) {
				n++
			}
		}
		switch n {
		case len(c.Hosts):
			return matched
		case 0:
			return other
		}
	}
	if len(matched) == 0 {
		return matched
	}
	fqdn := matched[0].Server.Host
	for i := range matched {
		e := &matched[i]
		o, ok := otherFor(other, e.Server.Workload)
		if ok && o.Outcome == e.Outcome && o.ClientSends == e.ClientSends {
			continue
		}
		hostWords := HostAssumePrefix + fqdn + " (or another name the virtual host's domain " + domain + " matches)"
		var alts []Alternative
		for _, a := range e.Alternatives { // the answer with that Host hangs on other facts too
			a.Assume = append([]string{hostWords}, a.Assume...)
			alts = append(alts, a)
		}
		if len(alts) == 0 {
			alts = append(alts, altOf(e, hostWords))
		}
		otherWords := "the app sends another Host header (a short name such as " + shortName(fqdn) + ", the ClusterIP), which only the catch-all virtual host matches"
		if ok {
			alts = append(alts, altOf(&o, otherWords))
		} else {
			alts = append(alts, Alternative{Assume: []string{otherWords}, Outcome: Unknown})
		}
		cause := fmt.Sprintf("the outcome hangs on the Host header the app sends, which the inputs do not show: the port-80 virtual host of %s's VirtualService has the one domain %s; with it: %s", fqdn, domain, e.Cause)
		if ok {
			cause += "; with any other Host: " + o.Cause
		}
		if e.ClientSends != o.ClientSends || !ok {
			e.ClientSends = mesh.SendsUnknown
		}
		e.Outcome, e.Cause, e.Symptom, e.Category, e.MTLS, e.Encrypted = Unknown, cause, "", "", false, false
		e.Alternatives, e.byHost = alts, true
	}
	return matched
}

// otherFor is the other-Host answer toward backend w: its edge, or, for a
// matched edge that reaches no backend, the answer every backend shares.
func otherFor(other []Edge, w string) (Edge, bool) {
	var same *Edge
	for i := range other {
		o := &other[i]
		if w != "" && o.Server.Workload == w {
			return *o, true
		}
		if w == "" {
			if same != nil && (same.Outcome != o.Outcome || same.ClientSends != o.ClientSends) {
				return Edge{}, false
			}
			same = o
		}
	}
	if same == nil {
		return Edge{}, false
	}
	return *same, true
}

func altOf(e *Edge, assume string) Alternative {
	a := Alternative{Assume: []string{assume}, Outcome: e.Outcome, MTLS: e.MTLS, Category: string(e.Category), Symptom: e.Symptom}
	if e.Outcome != Unknown {
		a.Sends = e.ClientSends
	}
	return a
}

func shortName(fqdn string) string {
	name, _, _ := strings.Cut(fqdn, ".")
	return name
}
