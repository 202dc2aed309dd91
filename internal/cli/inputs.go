package cli

import (
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/spf13/cobra"

	// Input kinds register their flags with source (source.RegisterKind).
	_ "github.com/meshdoctor/meshdoctor/source/cluster"
	_ "github.com/meshdoctor/meshdoctor/source/gitops"
	_ "github.com/meshdoctor/meshdoctor/source/helm"
	_ "github.com/meshdoctor/meshdoctor/source/kustomize"
)

// inputs registers every input flag on c: one registration for every
// command, so that a flag means the same everywhere.
func inputs(c *cobra.Command) *source.Inputs {
	in := &source.Inputs{}
	in.Register(c.Flags())
	return in
}

// read reads in, with the positional paths args at their place in the
// order; anything unreadable is an input error (exit 2).
func read(cmd *cobra.Command, in *source.Inputs, args []string) (source.Set, error) {
	in.SetArgs(args)
	set, err := in.Read(cmd.Context(), cmd.InOrStdin(), cmd.ErrOrStderr())
	if err != nil {
		return set, usageErr(err)
	}
	return set, nil
}

// load reads in into an inventory.
func load(cmd *cobra.Command, in *source.Inputs, args []string) (*inventory.Inventory, error) {
	set, err := read(cmd, in, args)
	if err != nil {
		return nil, err
	}
	return inventory.Build(set, in.Namespace()), nil
}
