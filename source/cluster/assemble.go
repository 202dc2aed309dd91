package cluster

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
)

// controllers are the kinds whose pods stand for them once read.
var controllers = map[string]bool{"Deployment": true, "ReplicaSet": true, "StatefulSet": true,
	"DaemonSet": true, "Job": true, "CronJob": true}

// assemble lays the overlay over the live items and keeps one object per
// running thing:
//   - a live object with the same group/kind/namespace/name as an overlay
//     object is replaced by it, and the live pods a replaced controller
//     owns are dropped (the pending change would roll them);
//   - live pods show what admission really did, so a controller whose pods
//     were read is represented by them, and identical replicas (same
//     owner, same injection) by one pod;
//   - controllers without pods (scaled to zero, pods unreadable) stay.
func assemble(live []item, overlay source.Set, overlayNS string) source.Set {
	byUID := map[string]*item{}
	for i := range live {
		byUID[live[i].uid] = &live[i]
	}
	var out source.Set
	replace := map[string]bool{}
	for _, o := range overlay.Objects {
		if o.Namespace == "" && o.Kind != "Namespace" && overlayNS != "" {
			o = source.WithNamespace(o, overlayNS)
		}
		replace[key(groupOf(o.APIVersion), o.Kind, o.Namespace, o.Name)] = true
		out.Objects = append(out.Objects, o)
	}
	replaced := map[string]bool{}
	for _, it := range live {
		if replace[key(it.group, it.obj.Kind, it.obj.Namespace, it.obj.Name)] {
			replaced[it.uid] = true
		}
	}
	// ancestors walks the controller chain (Pod → ReplicaSet → Deployment).
	ancestors := func(it *item) []*item {
		var up []*item
		for o := byUID[it.owner]; o != nil && len(up) < 4; o = byUID[o.owner] {
			up = append(up, o)
		}
		return up
	}
	represented := map[string]bool{} // controllers with a live pod standing for them
	seen := map[string]bool{}
	keep := make([]bool, len(live))
	for i := range live {
		it := &live[i]
		if replaced[it.uid] || it.obj.Kind != "Pod" {
			continue
		}
		up := ancestors(it)
		gone := false
		for _, a := range up {
			gone = gone || replaced[a.uid]
		}
		if gone {
			continue
		}
		if it.owner != "" {
			k := it.owner + "|" + boolKey(it.injected)
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		keep[i] = true
		for _, a := range up {
			represented[a.uid] = true
		}
	}
	for i := range live {
		it := &live[i]
		switch {
		case replaced[it.uid] || it.obj.Kind == "Pod":
		case controllers[it.obj.Kind] && (represented[it.uid] || byUID[it.owner] != nil && controllers[byUID[it.owner].obj.Kind]):
			// Its pods, or the controller that owns it, stand for it.
		default:
			keep[i] = true
		}
	}
	var kept []source.Object
	for i, it := range live {
		if keep[i] {
			kept = append(kept, it.obj)
		}
	}
	out.Objects = append(kept, out.Objects...)
	out.Problems = append(out.Problems, overlay.Problems...)
	return out
}

func key(group, kind, ns, name string) string { return group + "/" + kind + "/" + ns + "/" + name }

func boolKey(b bool) string {
	if b {
		return "injected"
	}
	return "plain"
}

func groupOf(apiVersion string) string {
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}
