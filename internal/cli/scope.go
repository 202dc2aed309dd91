package cli

import (
	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/cluster"
)

// scope is what to judge. Only the live cluster has a scope today: -n NS,
// -A, the namespaces local manifests laid over it touch, or else the
// context's namespace. Local inputs alone are judged whole.
func scope(in *source.Inputs, inv *inventory.Inventory) (analysis.Scope, error) {
	live, ok := in.Base.(*cluster.Input)
	switch {
	case !ok || in.Scope.All:
		return analysis.Scope{}, nil
	case in.Scope.Namespace != "":
		return analysis.Namespaces(in.Scope.Namespace), nil
	case len(in.List) > 0:
		return analysis.LocalChanges(inv), nil
	}
	ns, err := cluster.ContextNamespace(live.Getter())
	return analysis.Namespaces(ns), err
}
