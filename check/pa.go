package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"k8s.io/apimachinery/pkg/labels"
)

// selected lists the workloads a workload-level PA selects.
func selected(inv *inventory.Inventory, pa *inventory.PeerAuthentication) []*inventory.Workload {
	var out []*inventory.Workload
	sel := labels.SelectorFromSet(pa.Spec.GetSelector().GetMatchLabels())
	for _, w := range inv.Workloads {
		if w.Namespace == pa.Namespace && sel.Matches(labels.Set(w.Template.Labels)) {
			out = append(out, w)
		}
	}
	return out
}

// PAPortNotContainerPort: portLevelMtls keys are target ports (§1.6).
var PAPortNotContainerPort = &Check{
	Code:     "MD0301",
	Name:     "pa-port-not-container-port",
	Severity: Warning,
	Doc: `port-level PeerAuthentication key is not a container port of the selected pods

portLevelMtls is keyed by the workload (target) port; a Service port there never matches unless the two are equal.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, pa := range inv.PeerAuthentications {
			ws := selected(inv, pa)
			if len(ws) == 0 {
				continue
			}
			for _, port := range sortedPorts(pa) {
				if hint, ok := portMissing(inv, ws, int32(port)); ok {
					p.Report(pa.Ref(), fmt.Sprintf("portLevelMtls key %d is not a container port of %s%s", port, names(ws), hint))
				}
			}
		}
	},
}

func sortedPorts(pa *inventory.PeerAuthentication) []uint32 {
	var ps []uint32
	for k := range pa.Spec.GetPortLevelMtls() {
		ps = append(ps, k)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i] < ps[j] })
	return ps
}

// portMissing reports whether port is declared by none of ws, with a hint
// when it is a Service port whose target port differs.
func portMissing(inv *inventory.Inventory, ws []*inventory.Workload, port int32) (string, bool) {
	for _, w := range ws {
		if inventory.ContainerPorts(w.Template)[port] {
			return "", false
		}
	}
	for _, s := range inv.Services {
		for _, w := range ws {
			if !s.Selects(w.Template.Labels) || s.Namespace != w.Namespace {
				continue
			}
			for _, sp := range s.Spec.Ports {
				if sp.Port != port {
					continue
				}
				if tp, err := inventory.TargetPort(sp, w.Template); err == nil && tp != port {
					return fmt.Sprintf(": it is Service %s's port, whose target port is %d — use %d", s.Name, tp, tp), true
				}
			}
		}
	}
	return " (the mode still applies to that port if something listens there)", true
}

func names(ws []*inventory.Workload) string {
	var n []string
	for _, w := range ws {
		n = append(n, w.Kind+" "+w.Name)
	}
	return strings.Join(n, ", ")
}

// PASelectorMatchesNothing: a workload PA with no target.
var PASelectorMatchesNothing = &Check{
	Code:     "MD0302",
	Name:     "pa-selector-matches-nothing",
	Severity: Warning,
	Doc: `PeerAuthentication selector matches no workload in its namespace

The policy has no effect; check the labels (pod template labels, not Deployment labels) and the namespace.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, pa := range inv.PeerAuthentications {
			if len(pa.Spec.GetSelector().GetMatchLabels()) == 0 || pa.Namespace == inv.Mesh.RootNamespace {
				continue
			}
			if len(selected(inv, pa)) == 0 {
				p.Report(pa.Ref(), fmt.Sprintf("selector %v matches no workload in namespace %s", pa.Spec.GetSelector().GetMatchLabels(), pa.Namespace))
			}
		}
	},
}

// PARootSelectorIgnored: §1.3, follow the code, not the proto comment.
var PARootSelectorIgnored = &Check{
	Code:     "MD0303",
	Name:     "pa-root-selector-ignored",
	Severity: Warning,
	Doc: `PeerAuthentication with a selector in the root namespace is ignored

ComposePeerAuthentication drops it (test "ignore non-emptypb selector in root namespace"); put it in the workload's namespace.`,
	Run: func(p *Pass) {
		for _, pa := range p.Model.PeerAuth.IgnoredRootSelector {
			p.Report(pa.Ref(), fmt.Sprintf("selector PeerAuthentication in the root namespace %s is ignored by Istio", pa.Namespace))
		}
	},
}

// PAOrderDependent: oldest-wins decided by creation order the inputs lack (§1.4).
var PAOrderDependent = &Check{
	Code:     "MD0304",
	Name:     "pa-order-dependent",
	Severity: Warning,
	Doc: `several PeerAuthentications compete at one level and the winner depends on creation order

The oldest wins; without creationTimestamps the model used Istio's tie-break (name, then namespace), which a real apply order may contradict.`,
	Run: func(p *Pass) {
		ix := p.Model.PeerAuth
		for _, pa := range ix.Shadowed {
			winner := ix.Namespace(pa.Namespace)
			if pa.Namespace == p.Model.Inv.Mesh.RootNamespace {
				winner = ix.Mesh()
			}
			p.Report(pa.Ref(), fmt.Sprintf("ignored: %s/%s is older (or wins the tie-break) at the same level; only one mesh- or namespace-level policy survives per namespace", winner.Namespace, winner.Name))
		}
		seen := map[*inventory.PeerAuthentication]bool{}
		for _, w := range p.Model.Inv.Workloads {
			e := ix.For(w.Namespace, w.Template.Labels)
			for _, pa := range e.OrderDependent[min(1, len(e.OrderDependent)):] {
				if !seen[pa] {
					seen[pa] = true
					p.Report(pa.Ref(), fmt.Sprintf("also selects %s %s, where %s wins only by name order; the oldest by creation time wins in a cluster", w.Kind, w.Name, e.Workload.Name))
				}
			}
		}
	},
}

// PANoEffect: a workload PA whose workloads have no sidecar.
var PANoEffect = &Check{
	Code:     "MD0305",
	Name:     "pa-no-effect",
	Severity: Info,
	Doc: `PeerAuthentication selects only workloads without a sidecar: it has no effect

PeerAuthentication is enforced by the server's sidecar (or ztunnel); without one the app receives whatever is sent.`,
	Run: func(p *Pass) {
		inv := p.Model.Inv
		for _, pa := range inv.PeerAuthentications {
			ws := selected(inv, pa)
			if len(ws) == 0 || len(pa.Spec.GetSelector().GetMatchLabels()) == 0 {
				continue
			}
			none := true
			for _, w := range ws {
				if k := p.Model.Proxy(w).Kind; k != mesh.ProxyNone {
					none = false
				}
			}
			if none {
				p.Report(pa.Ref(), fmt.Sprintf("selects %s, which has no sidecar: the policy changes nothing", names(ws)))
			}
		}
	},
}
