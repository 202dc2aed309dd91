package gitops

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/spf13/pflag"
)

// ArgoCD and Flux objects are an input kind: --argocd-app FILE and --flux
// FILE, rendered from the checkouts --repo-root names.
func init() { source.RegisterKind(source.Kind{Name: "gitops", Register: register}) }

func register(fs *pflag.FlagSet, in *source.Inputs) {
	repos := &repoRoots{}
	remote := helm.RegisterRemote(fs)
	fs.Var(fileFlag{in, repos, remote, "argocd"}, "argocd-app", "render an ArgoCD Application or ApplicationSet file from the checkout --repo-root names, as ArgoCD would; repeatable")
	fs.Var(fileFlag{in, repos, remote, "flux"}, "flux", "render a file of Flux HelmRelease or Kustomization objects (with their GitRepository, HelmRepository and ConfigMaps) from the checkout --repo-root names, as Flux would; repeatable")
	fs.Var(repos, "repo-root", "the local checkout of the git repository that --argocd-app and --flux objects name: DIR, or URL=DIR for one of several; repeatable")
}

// Input is one GitOps file to render.
type Input struct {
	File   string
	Kind   string // "argocd" or "flux"
	repos  *repoRoots
	remote *helm.Remote
}

func (i Input) String() string {
	if i.Kind == "flux" {
		return "--flux " + i.File
	}
	return "--argocd-app " + i.File
}

func (i Input) Read(env source.Env) (source.Set, error) {
	o := Options{Root: i.repos.root, ByURL: i.repos.byURL, Namespace: env.DefaultNamespace}
	if i.remote != nil {
		o.Remote = *i.remote
	}
	if o.Root == "" && len(o.ByURL) == 0 {
		return source.Set{}, fmt.Errorf("%s: give the checkout it renders from with --repo-root DIR", i)
	}
	if i.Kind == "flux" {
		return ReadFlux(i.File, o)
	}
	return ReadArgoCD(i.File, o)
}

type repoRoots struct {
	root  string
	byURL map[string]string
}

func (r *repoRoots) Type() string   { return "[URL=]DIR" }
func (r *repoRoots) String() string { return r.root }
func (r *repoRoots) Set(x string) error {
	if i := strings.LastIndex(x, "="); i > 0 && strings.Contains(x[:i], "/") && (strings.Contains(x[:i], "://") || strings.Contains(x[:i], "@")) {
		if r.byURL == nil {
			r.byURL = map[string]string{}
		}
		r.byURL[x[:i]] = x[i+1:]
		return nil
	}
	if r.root != "" {
		return fmt.Errorf("--repo-root %s given twice; for several repositories give URL=DIR", r.root)
	}
	r.root = x
	return nil
}

type fileFlag struct {
	in     *source.Inputs
	repos  *repoRoots
	remote *helm.Remote
	kind   string
}

func (v fileFlag) Type() string   { return "file" }
func (v fileFlag) String() string { return "" }
func (v fileFlag) Set(x string) error {
	v.in.Add(Input{File: x, Kind: v.kind, repos: v.repos, remote: v.remote})
	return nil
}
