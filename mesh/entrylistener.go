package mesh

import (
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
)

// wildcardTCPHosts are the ServiceEntry hosts whose chain on a sidecar's
// 0.0.0.0:p listener matches every TCP connection (§10.8), in the order
// pilot builds them, so the first one owns the listener. A ServiceEntry
// without addresses binds its opaque TCP ports (TCP, MONGO, REDIS, MYSQL)
// to 0.0.0.0:p (networking/core/listener.go buildSidecarOutboundListener:
// no VIP, so the wildcard address), with one filter chain without any
// match; a second such chain "conflicts" and is dropped
// (mergeTCPFilterChains, filterChainOpts.conflictsWith), so the service
// built first keeps the listener. That order is the egress listener's
// services (model/sidecar.go, push_context.go servicesExportedToNamespace):
// the services exported to the client's namespace by name or "." first,
// then the public ones, each oldest first, then by hostname, then
// namespace (push_context.go SortServicesByCreationTime). Resolution NONE
// builds the wildcard chain only without endpoints or workloadSelector
// (buildSidecarOutboundListeners: "only a plain ServiceEntry with
// resolution NONE"); it forwards to the address dialled. HTTP ports match
// by Host header and TLS ports by SNI, so they take nothing else.
func (m *Model) wildcardTCPHosts(p int32, clientNs string, sc *inventory.Sidecar) []*inventory.Service {
	mc := m.Inv.Mesh
	var out []*inventory.Service
	for _, h := range m.Inv.ServiceEntryHosts {
		se := h.External.Entry
		if se == nil || len(se.Spec.GetAddresses()) > 0 {
			continue
		}
		if se.Spec.GetResolution() == networking.ServiceEntry_NONE && (len(se.Spec.GetEndpoints()) > 0 || se.Spec.GetWorkloadSelector() != nil) {
			continue // one listener per endpoint address instead
		}
		for _, sp := range se.Spec.GetPorts() {
			if int32(sp.GetNumber()) == p && opaqueTCP(sp.GetProtocol()) && VisibilityOf(h, clientNs, sc, mc).Visible {
				out = append(out, h)
				break
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *inventory.Service) int {
		if ga, gb := exportGroup(a), exportGroup(b); ga != gb {
			return ga - gb
		}
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.Namespace, b.Namespace)
	})
	return out
}

func opaqueTCP(proto string) bool {
	switch strings.ToUpper(proto) {
	case "TCP", "MONGO", "REDIS", "MYSQL":
		return true
	}
	return false
}

// exportGroup: 0 for an entry exported by name or "." (pilot's
// exportedToNamespace index, listed first), 1 for a public one. Only
// visible hosts are asked, so a non-public exportTo includes the client.
func exportGroup(h *inventory.Service) int {
	ex := h.External.Entry.Spec.GetExportTo()
	if len(ex) == 0 || slices.Contains(ex, "*") {
		return 1
	}
	return 0
}

// forwards: the host's wildcard chain is an ORIGINAL_DST cluster
// (resolution NONE), so it sends the connection on to the address dialled.
func forwards(h *inventory.Service) bool {
	return h.External.Entry.Spec.GetResolution() == networking.ServiceEntry_NONE
}

// orderUndecided: pilot orders a before b, or b before a, by creation times
// the inputs do not hold (both untimed, in the same export group).
func orderUndecided(a, b *inventory.Service) bool {
	return exportGroup(a) == exportGroup(b) && a.Created.IsZero() && b.Created.IsZero()
}

// portTake is what the 0.0.0.0:p listener does with a sidecar's connection
// to dialled: by is the host whose chain takes it elsewhere (nil: none
// does), undecided when the inputs do not say which chain is first.
type portTake struct {
	by        *inventory.Service
	undecided bool
	// rivals: the hosts that may own the listener instead of dialled.
	rivals []*inventory.Service
}

// entryTakesPort is whether another ServiceEntry host's wildcard TCP chain
// takes the sidecar's connection on port p to dialled (§10.8): a Service or
// host hidden from the client (no listener of its own, so the 0.0.0.0:p
// listener gets it), or an entry host without addresses that is itself one
// of the chains but not the first. The connection then goes to the owner's
// own endpoints (DNS, STATIC), not the address dialled. Nothing is taken
// where a visible HTTP-declared Service port already holds 0.0.0.0:p (the
// HTTP listener wins it, istio-diff seed 40236), nor when the first chain
// forwards to the address dialled (resolution NONE).
func (m *Model) entryTakesPort(p int32, clientNs string, sc *inventory.Sidecar, dialled *inventory.Service, visible bool) portTake {
	if m.httpListenerOn(p, clientNs, sc) {
		return portTake{}
	}
	hosts := m.wildcardTCPHosts(p, clientNs, sc)
	if len(hosts) == 0 || (visible && !slices.Contains(hosts, dialled)) {
		// A visible host outside the chains has a listener of its own.
		return portTake{}
	}
	// The chains that may come first: hosts[0] and those pilot may order
	// before it, for want of creation timestamps.
	first := []*inventory.Service{hosts[0]}
	for _, h := range hosts[1:] {
		if orderUndecided(hosts[0], h) {
			first = append(first, h)
		}
	}
	var rivals []*inventory.Service
	own := false
	for _, h := range first {
		if h == dialled {
			own = true
		} else if !forwards(h) {
			rivals = append(rivals, h)
		}
	}
	switch {
	case len(rivals) == 0:
		return portTake{}
	case own || len(rivals) < len(first):
		// dialled's own chain, or one that forwards to it, may be first.
		return portTake{undecided: true, rivals: rivals}
	}
	return portTake{by: rivals[0], rivals: rivals}
}

// entryTake applies entryTakesPort to a sidecar's visibility of svc port
// p: a connection another host's chain takes is blackholed for svc (it
// reaches the other host's endpoints); an undecided one is unknown, with
// both answers as alternatives.
func (m *Model) entryTake(vis Visibility, svc *inventory.Service, p int32, clientNs string, sc *inventory.Sidecar) Visibility {
	if vis.BlackHole {
		return vis
	}
	t := m.entryTakesPort(p, clientNs, sc, svc, vis.Visible)
	if t.by == nil && !t.undecided {
		return vis
	}
	by := t.rivals[0]
	taken := vis
	taken.Visible, taken.BlackHole = false, true
	taken.Symptom = "the connection reaches the endpoints of " + by.External.Host + " (ServiceEntry " + by.External.Entry.Key() +
		"), not " + svc.Name + ": whatever that server answers"
	for _, r := range t.rivals {
		taken.DecidedBy = append(taken.DecidedBy, r.External.Entry.Ref())
	}
	takes := "ServiceEntry " + by.External.Entry.Key() + " (" + by.External.Host + ", no addresses) binds TCP port " +
		itoa(p) + " on 0.0.0.0, so its listener takes the connection to its own endpoints: " + svc.Name + " is never reached"
	if vis.Reason != "" {
		taken.Reason = vis.Reason + "; " + takes
	} else {
		taken.Reason = takes
	}
	if t.by != nil {
		return taken
	}
	names := make([]string, 0, len(t.rivals))
	for _, r := range t.rivals {
		names = append(names, r.External.Entry.Key()+" ("+r.External.Host+")")
	}
	alone := vis
	u := vis
	u.Visible, u.Undecided, u.ByCreation = false, true, true
	u.DecidedBy = taken.DecidedBy
	u.Reason = "the sidecar's 0.0.0.0:" + itoa(p) + " TCP listener keeps one chain of the ServiceEntries without addresses that declare the port, the oldest one's, and " +
		strings.Join(names, ", ") + " carry no creation timestamp to order them against " + svc.Name +
		": if " + by.External.Host + " is older the connection goes to its endpoints, otherwise " + svc.Name + " is reached"
	u.Alternatives = []VisibilityAlternative{
		{Assume: "ServiceEntry " + by.External.Entry.Key() + " was created first", Visibility: taken},
		{Assume: ownFirst(svc), Visibility: alone},
	}
	return u
}

func ownFirst(svc *inventory.Service) string {
	if svc.External != nil && svc.External.Entry != nil {
		return "ServiceEntry " + svc.External.Entry.Key() + " was created first"
	}
	return svc.Name + "'s own chain comes first"
}
