package analysis

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// openUnread makes undecided the edges that a Sidecar or a VirtualService
// the reader could not see may change. What such an object says is open
// ended (which hosts a Sidecar hides, where a VirtualService routes), so no
// alternatives are enumerated — but an edge decided without them is not
// decided (a narrowed read must never give an all-clear). Only a client
// with a proxy consults them (§3.4, §2.8).
func openUnread(fs *facts, es []verdict.Edge) {
	root := fs.inv.Mesh.RootNamespace
	for i := range es {
		e := &es[i]
		if e.Client.Proxy == mesh.ProxyNone || e.Client.Proxy == mesh.ProxyUnknown || e.Outcome == verdict.Unknown && len(e.Alternatives) > 0 {
			continue
		}
		var open []*fact
		// A Sidecar of the client's namespace, or the root namespace's default.
		for _, ns := range []string{e.Client.Namespace, root} {
			if why, ok := fs.unreadIn("Sidecar", ns); ok {
				open = append(open, &fact{client: true, missing: fmt.Sprintf("Sidecars in %s could not be read (%s): one may hide %s from the client's proxy", ns, why, e.Server.Host)})
				break
			}
		}
		// A VirtualService of any namespace may be exported to the client
		// (exportTo defaults to every namespace).
		if us := fs.unread["VirtualService"]; len(us) > 0 {
			where := []string{}
			for _, u := range us {
				if u.Namespace != "" {
					where = append(where, u.Namespace)
				} else {
					where = append(where, "every namespace but "+strings.Join(u.Except, ", "))
				}
			}
			open = append(open, &fact{client: true, missing: fmt.Sprintf("VirtualServices in %s could not be read (%s): one may route %s elsewhere",
				strings.Join(where, "; "), us[0].Reason, e.Server.Host)})
		}
		// A Gateway of any namespace may select a gateway (§10.7): which
		// VirtualServices it applies, and what its listener takes.
		if us := fs.unread["Gateway"]; len(us) > 0 && (e.Client.Proxy == mesh.ProxyGateway || e.Server.Proxy == mesh.ProxyGateway) {
			open = append(open, &fact{client: true, missing: fmt.Sprintf("Gateways could not be read (%s): one may select the gateway, binding routes to it or its listener", us[0].Reason)})
		}
		if len(open) > 0 {
			markUndecided(e, open, "what an unread Sidecar or VirtualService says has no short list of values, so no alternatives are given: grant read access to decide it")
		}
	}
}
