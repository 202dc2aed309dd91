package cli

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/diff"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/git"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newDiff) }

func newDiff() *cobra.Command {
	var in *source.Inputs
	var output, baseRef string
	var allowWeaken bool
	c := &cobra.Command{
		Use:   "diff [flags] OLD NEW | --base-ref REF PATH...",
		Short: "Compare the mesh model of two inputs edge by edge (the pull-request check)",
		Long: `diff judges two inputs — two folders or rendered manifests, or the working tree against a
git revision with --base-ref — and reports edges that start failing, stop failing, lose or gain
mutual TLS, and server ports whose accepted modes change.

Exit status: 1 when the change breaks an edge, or weakens mTLS (an edge loses it, or a port starts
accepting plaintext) unless --allow-weaken; 0 otherwise; 2 on usage or unreadable input.`,
		Example: `  meshdoctor diff main/ pr/
  meshdoctor diff --base-ref origin/main ./k8s/ -o markdown`,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The flags are shared with every command; diff compares paths.
			if err := in.OnlyPaths("diff"); err != nil {
				return usageErr(err)
			}
			var before, after *source.Inputs
			switch {
			case baseRef != "":
				if len(args) == 0 {
					return usageErr(fmt.Errorf("--base-ref needs the paths to compare"))
				}
				in.SetArgs(args)
				b, err := git.AtRevision(in, baseRef)
				if err != nil {
					return usageErr(err)
				}
				before, after = b, in
			case len(args) == 2:
				before, after = side(in, args[0]), side(in, args[1])
			default:
				return usageErr(fmt.Errorf("give OLD and NEW, or --base-ref REF and paths"))
			}
			bs, err := read(cmd, before, nil)
			if err != nil {
				return err
			}
			as, err := read(cmd, after, nil)
			if err != nil {
				return err
			}
			r := compareSets(bs, as, in.Namespace())
			out := cmd.OutOrStdout()
			switch output {
			case "text":
				err = report.DiffText(out, r)
			case "markdown":
				err = report.DiffMarkdown(out, r)
			case "json":
				if err := report.JSON(out, r); err != nil {
					return err
				}
			default:
				return usageErr(fmt.Errorf("unknown output %q (want text, json or markdown)", output))
			}
			if r.Breaks() || r.MayBreak() || (r.Weakens() && !allowWeaken) {
				return problemsFound
			}
			return nil
		},
	}
	in = inputs(c)
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text, json or markdown")
	c.Flags().StringVar(&baseRef, "base-ref", "", "compare the paths in the working tree against this git revision")
	c.Flags().BoolVar(&allowWeaken, "allow-weaken", false, "do not fail when mTLS is weakened (edges still must not break)")
	return c
}

func compareSets(before, after source.Set, ns string) diff.Report {
	bi, ai := inventory.Build(before, ns), inventory.Build(after, ns)
	return diff.Compare(analysis.Run(bi, analysis.Options{}), analysis.Run(ai, analysis.Options{}), analysis.Ports(bi), analysis.Ports(ai))
}

// side is one side of a diff: the shared flags (--ns-label, -n) with one path.
func side(in *source.Inputs, path string) *source.Inputs {
	s := *in
	s.List = []source.Input{source.Paths{Path: path}}
	return &s
}
