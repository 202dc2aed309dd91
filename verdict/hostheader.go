package verdict

import (
	"fmt"
	"slices"
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
// The names the pair's references dial decide it: all on one side, that
// side's answer; on both sides the app makes both calls, so the edge is the
// worse one (a failing call fails the edge). With no name (all pairs alone)
// an edge both answers fail fails, and one whose answers differ otherwise
// is unknown with both as alternatives — never the rule's 503 on a guess of
// the name, never an all-clear because one guess passes.
func byHostHeader(c edges.Candidate, domain string, matched, other []Edge) []Edge {
	var in, out []string // dialled names the domain matches, and the rest
	if !c.Unnamed {
		for _, h := range c.Hosts {
			if mesh.HostMatchesDomain(h, domain) {
				in = append(in, h)
			} else {
				out = append(out, h)
			}
		}
	}
	switch {
	case len(in) > 0 && len(out) == 0:
		return matched
	case len(in) == 0 && len(out) > 0:
		return other
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
		if ok && len(in) > 0 && bothCalls(e, o, in, out) {
			continue
		}
		if ok && e.Outcome == Fail && o.Outcome == Fail {
			e.Cause = fmt.Sprintf("fails whichever Host header the app sends: with Host %s (the one domain of the port-80 virtual host of %s's VirtualService): %s; with any other Host: %s", domain, fqdn, e.Cause, o.Cause)
			e.DecidedBy = appendNewRefs(slices.Clone(e.DecidedBy), o.DecidedBy)
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
			e.DecidedBy = appendNewRefs(slices.Clone(e.DecidedBy), o.DecidedBy)
		}
		if e.ClientSends != o.ClientSends || !ok {
			reason := fmt.Sprintf("hangs on the Host header: with Host %s it sends %s (%s)", domain, e.ClientSends, e.ClientReason)
			if ok {
				reason += fmt.Sprintf("; with any other Host %s (%s)", o.ClientSends, o.ClientReason)
			}
			e.ClientSends, e.ClientReason = mesh.SendsUnknown, reason
		}
		e.Outcome, e.Cause, e.Symptom, e.Category, e.MTLS, e.Encrypted = Unknown, cause, "", "", false, false
		e.Alternatives, e.byHost = alts, true
	}
	return matched
}

// bothCalls settles e when the references dial names on both sides of the
// domain (in: ones it matches, out: the rest): each call is made, so the
// edge is the worse of the two — a failing call fails it, and it is mutual
// TLS only if both are. It reports false, leaving e alone, when neither
// fails and either is unknown (the edge is then unknown with both answers).
func bothCalls(e *Edge, o Edge, in, out []string) bool {
	if e.Outcome != Fail && o.Outcome != Fail && (e.Outcome == Unknown || o.Outcome == Unknown) {
		return false
	}
	refs := appendNewRefs(slices.Clone(e.DecidedBy), o.DecidedBy)
	pickOther := o.Outcome == Fail && e.Outcome != Fail || e.Outcome == OK && o.Outcome == OK && e.MTLS && !o.MTLS
	if pickOther {
		o.Cause = fmt.Sprintf("the call by %s (Host %s, which only the catch-all virtual host matches): %s", strings.Join(out, ", "), out[0], o.Cause)
		*e = o
	} else {
		e.Cause = fmt.Sprintf("the call by %s (Host %s, which the port-80 virtual host matches): %s", strings.Join(in, ", "), in[0], e.Cause)
	}
	e.DecidedBy = refs
	return true
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
