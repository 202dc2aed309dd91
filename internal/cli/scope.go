package cli

import (
	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source/cluster"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// scope is what to judge. Only the live cluster has a scope today: -n NS,
// -A, the namespaces local manifests laid over it touch, or else the
// context's namespace. Local inputs alone are judged whole.
func (f *inputFlags) scope(inv *inventory.Inventory, paths []string) (analysis.Scope, error) {
	s := &f.sources
	switch {
	case !s.cluster || s.all:
		return analysis.Scope{}, nil
	case s.nsGiven:
		return analysis.Namespaces(s.defaultNS()), nil
	case len(paths) > 0 || len(s.charts) > 0 || len(s.kustomize) > 0:
		return analysis.LocalChanges(inv), nil
	}
	ns, err := cluster.ContextNamespace(s.kubeFlags())
	return analysis.Namespaces(ns), err
}

func (s *sourceFlags) kubeFlags() *genericclioptions.ConfigFlags {
	cf := genericclioptions.NewConfigFlags(false)
	cf.KubeConfig, cf.Context = &s.kubeconfig, &s.kubeCtx
	return cf
}
