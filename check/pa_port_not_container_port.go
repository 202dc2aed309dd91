package check

import (
	"fmt"
	"sort"

	"github.com/meshdoctor/meshdoctor/inventory"
	"k8s.io/apimachinery/pkg/labels"
)

// selected lists the workloads a workload-level PA selects.
func selected(inv *inventory.Inventory, pa *inventory.PeerAuthentication) []*inventory.Workload {
	var out []*inventory.Workload
	sel := labels.SelectorFromSet(pa.Spec.GetSelector().GetMatchLabels())
	for _, w := range inv.WorkloadsIn(pa.Namespace) {
		if sel.Matches(labels.Set(w.Template.Labels)) {
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
