package cli

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/fix"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newFix) }

func newFix() *cobra.Command {
	var output, outDir string
	var filter fix.Filter
	var force bool
	var in *source.Inputs
	c := &cobra.Command{
		Use:   "fix [flags] PATH... | -",
		Short: "Propose least-privilege remediations for failing edges, each verified by the model",
		Long: `fix proposes, for every failing edge, the remediations a mesh engineer would weigh —
give the server a sidecar, restore the client's sidecar in the path, a DestinationRule or
PeerAuthentication exception scoped to the port, or removing the DestinationRule that forces TLS —
and verifies each by applying it to the model and re-judging every edge. Options are ranked by
security first (a candidate that breaks an edge is never first), then blast radius, then size.

  -o text   the ranked options, each with why, its security cost, what it fixes and breaks
  -o yaml   the top option for every failing edge, as documents to apply on top of the input
  -o helm   the best option that only creates objects (what a chart's templates folder can
            hold), as Helm templates, one file per object, in --out-dir; it says so when
            -o yaml would choose a different option
  -o patch  the same changes as -o yaml, as kubectl commands for objects you already have:
            strategic-merge patches (Kubernetes kinds), merge patches (Istio's), apply for
            new objects, delete for removals
  -o json   the whole plan

Exit status: 0 no failing edge or every one fixed by -o yaml/helm, 1 failing edges remain, 2 usage.`,
		Example: `  meshdoctor fix examples/seed
  meshdoctor fix examples/seed -o yaml > mtls-fix.yaml
  meshdoctor fix ./k8s/ --edge staging-webs/auth-guard=otel-collector.monitoring:4317 --strategy pa-permissive-port -o helm --out-dir charts/otel-collector/templates`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if filter.Strategy != "" && fix.StrategyNamed(filter.Strategy) == nil {
				return usageErr(fmt.Errorf("unknown strategy %q (one of %s)", filter.Strategy, strings.Join(fix.StrategyNames(), ", ")))
			}
			set, err := read(cmd, in, args)
			if err != nil {
				return err
			}
			if err := checkEdgeFilter(set, in.Namespace(), filter); err != nil {
				return err
			}
			if filter.Scope, err = scope(in, inventory.Build(set, in.Namespace())); err != nil {
				return usageErr(err)
			}
			filter.NewObjectsOnly = output == "helm"
			out := cmd.OutOrStdout()
			switch output {
			case "text":
				plans := fix.PlanAll(set, in.Namespace(), filter)
				if err := report.FixText(out, plans, filter.Strategy); err != nil {
					return err
				}
				if len(plans) == 0 {
					u, mayFail := fix.Undecided(set, in.Namespace(), filter)
					report.FixUnknown(out, u, mayFail)
				}
				if len(plans) > 0 {
					return problemsFound
				}
				return nil
			case "json":
				plans := fix.PlanAll(set, in.Namespace(), filter)
				if err := report.JSON(out, map[string]any{"plans": plans}); err != nil {
					return err
				}
				if len(plans) > 0 {
					return problemsFound
				}
				return nil
			case "yaml", "helm", "patch":
				o := fix.TopChanges(set, in.Namespace(), filter)
				if output == "helm" {
					// -o helm can only write new objects; say when -o yaml would choose otherwise.
					all := filter
					all.NewObjectsOnly = false
					if y := fix.TopChanges(set, in.Namespace(), all); strings.Join(y.Applied, "\n") != strings.Join(o.Applied, "\n") {
						for _, a := range y.Applied {
							fmt.Fprintln(cmd.ErrOrStderr(), "note: -o yaml would choose:", a)
						}
						fmt.Fprintln(cmd.ErrOrStderr(), "note: -o helm writes only options that create objects; compare the costs with `meshdoctor fix` (text)")
					}
				}
				if output == "yaml" {
					fmt.Fprint(out, fix.YAML(o.Changes))
				} else if output == "patch" {
					ps, err := fix.Patches(o.Changes)
					if err != nil {
						return err
					}
					fmt.Fprint(out, fix.PatchScript(ps))
				} else if outDir == "" {
					return usageErr(fmt.Errorf("-o helm needs --out-dir"))
				} else if err := report.HelmFiles(outDir, o.Changes, force, cmd.ErrOrStderr()); err != nil {
					return usageErr(err)
				}
				for _, a := range o.Applied {
					fmt.Fprintln(cmd.ErrOrStderr(), "applied:", a)
				}
				report.FixUndecided(cmd.ErrOrStderr(), o.Undecided)
				for _, u := range o.Unfixed {
					fmt.Fprintln(cmd.ErrOrStderr(), "no safe fix for:", u)
				}
				if len(o.Applied) == 0 && len(o.Unfixed) == 0 {
					u, mayFail := fix.Undecided(set, in.Namespace(), filter)
					report.FixUnknown(cmd.ErrOrStderr(), u, mayFail)
				}
				if len(o.Unfixed) > 0 {
					return problemsFound
				}
				return nil
			}
			return usageErr(fmt.Errorf("unknown output %q (want text, yaml, patch, helm or json)", output))
		},
	}
	in = inputs(c)
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text, yaml, patch, helm or json")
	c.Flags().StringVar(&outDir, "out-dir", "", "with -o helm: the chart's templates folder to write into")
	c.Flags().StringVar(&filter.Edge, "edge", "", "only this edge: ns/workload=host:port")
	c.Flags().BoolVar(&force, "force", false, "with -o helm: overwrite templates that exist with other content")
	c.Flags().StringVar(&filter.Strategy, "strategy", "", "only this strategy: "+strings.Join(fix.StrategyNames(), ", "))
	return c
}

// checkEdgeFilter makes a mistyped --edge a usage error, listing the failing edges.
func checkEdgeFilter(set source.Set, ns string, f fix.Filter) error {
	if f.Edge == "" {
		return nil
	}
	if _, err := verdict.ParseEdgeID(f.Edge); err != nil {
		return usageErr(fmt.Errorf("--edge: %w", err))
	}
	var failing []string
	for _, e := range analysis.Run(inventory.Build(set, ns), analysis.Options{}).Edges {
		if f.MatchesEdge(e) {
			return nil
		}
		if e.Outcome == verdict.Fail {
			failing = append(failing, e.ID().String())
		}
	}
	return usageErr(fmt.Errorf("--edge %s names no edge of the inputs; failing edges: %s", f.Edge, strings.Join(failing, ", ")))
}
