package kustomize

import (
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/spf13/pflag"
)

// Kustomize builds are an input kind: --kustomize DIR.
func init() {
	source.RegisterKind(source.Kind{Name: "kustomize", Register: func(fs *pflag.FlagSet, in *source.Inputs) {
		fs.Var(flag{in}, "kustomize", "build a kustomization folder (local bases only) at this place of the input order; repeatable")
	}})
}

// Input is a kustomization to build as one of the inputs.
type Input struct{ Dir string }

func (i Input) String() string                      { return "--kustomize " + i.Dir }
func (i Input) Read(source.Env) (source.Set, error) { return Build(i.Dir) }

type flag struct{ in *source.Inputs }

func (v flag) Type() string   { return "dir" }
func (v flag) String() string { return "" }
func (v flag) Set(x string) error {
	v.in.Add(Input{x})
	return nil
}
