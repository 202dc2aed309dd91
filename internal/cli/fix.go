package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
  -o json   the whole plan

Exit status: 0 no failing edge or every one fixed by -o yaml/helm, 1 failing edges remain, 2 usage.`,
		Example: `  meshdoctor fix examples/seed
  meshdoctor fix examples/seed -o yaml > mtls-fix.yaml
  meshdoctor fix ./k8s/ --edge staging-webs/auth-guard=otel-collector.monitoring:4317 --strategy pa-permissive-port -o helm --out-dir charts/otel-collector/templates`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if filter.Strategy != "" && !slices.Contains(fix.Strategies, filter.Strategy) {
				return usageErr(fmt.Errorf("unknown strategy %q (one of %s)", filter.Strategy, strings.Join(fix.Strategies, ", ")))
			}
			set, err := read(cmd, in, args)
			if err != nil {
				return err
			}
			if err := checkEdgeFilter(set, in.Namespace(), filter); err != nil {
				return err
			}
			filter.NewObjectsOnly = output == "helm"
			out := cmd.OutOrStdout()
			switch output {
			case "text":
				plans := fix.PlanAll(set, in.Namespace(), filter)
				writeFixText(out, plans, filter.Strategy)
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
			case "yaml", "helm":
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
				} else if err := writeHelm(outDir, o.Changes, force, cmd.ErrOrStderr()); err != nil {
					return err
				}
				for _, a := range o.Applied {
					fmt.Fprintln(cmd.ErrOrStderr(), "applied:", a)
				}
				for _, u := range o.Unfixed {
					fmt.Fprintln(cmd.ErrOrStderr(), "no safe fix for:", u)
				}
				if len(o.Unfixed) > 0 {
					return problemsFound
				}
				return nil
			}
			return usageErr(fmt.Errorf("unknown output %q (want text, yaml, helm or json)", output))
		},
	}
	in = inputs(c)
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text, yaml, helm or json")
	c.Flags().StringVar(&outDir, "out-dir", "", "with -o helm: the chart's templates folder to write into")
	c.Flags().StringVar(&filter.Edge, "edge", "", "only this edge: ns/workload=host:port")
	c.Flags().BoolVar(&force, "force", false, "with -o helm: overwrite templates that exist with other content")
	c.Flags().StringVar(&filter.Strategy, "strategy", "", "only this strategy: "+strings.Join(fix.Strategies, ", "))
	return c
}

// checkEdgeFilter makes a mistyped --edge a usage error, listing the failing edges.
func checkEdgeFilter(set source.Set, ns string, f fix.Filter) error {
	if f.Edge == "" {
		return nil
	}
	var failing []string
	for _, e := range analysis.Run(inventory.Build(set, ns), analysis.Options{}).Edges {
		if f.MatchesEdge(e) {
			return nil
		}
		if e.Outcome == verdict.Fail {
			failing = append(failing, fmt.Sprintf("%s/%s=%s:%d", e.Client.Namespace, e.Client.Workload, strings.TrimSuffix(e.Server.Host, ".svc.cluster.local"), e.Server.Port))
		}
	}
	return usageErr(fmt.Errorf("--edge %s names no edge of the inputs; failing edges: %s", f.Edge, strings.Join(failing, ", ")))
}

func writeHelm(dir string, changes []fix.Change, force bool, stderr io.Writer) error {
	if dir == "" {
		return usageErr(fmt.Errorf("-o helm needs --out-dir"))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return usageErr(err)
	}
	for _, c := range changes {
		if c.Action == "delete" {
			fmt.Fprintf(stderr, "delete by hand (Helm cannot express it): kubectl delete %s %s -n %s   (%s)\n", strings.ToLower(c.Kind), c.Name, c.Namespace, c.Replaces)
			continue
		}
		p := filepath.Join(dir, fix.HelmFileName(c))
		body := []byte(fix.HelmTemplate(c))
		if old, err := os.ReadFile(p); err == nil && !bytes.Equal(old, body) && !force {
			return usageErr(fmt.Errorf("%s exists with other content: not overwritten (use --force)", p))
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "wrote", p)
	}
	return nil
}

func writeFixText(w io.Writer, plans []fix.Plan, strategy string) {
	if len(plans) == 0 {
		fmt.Fprintln(w, "No failing edges: nothing to fix.")
		return
	}
	for _, p := range plans {
		fmt.Fprintf(w, "✗ %s — %d failing edge(s)\n", p.Target, len(p.Edges))
		for _, e := range p.Edges {
			fmt.Fprintf(w, "    from %s/%s: %s\n", e.Client.Namespace, e.Client.Workload, e.Cause)
		}
		if len(p.Candidates) == 0 && strategy != "" {
			fmt.Fprintf(w, "\n  --strategy %s does not apply here; the strategies apply when:\n", strategy)
			for _, name := range fix.Strategies {
				fmt.Fprintf(w, "    %-26s %s\n", name, fix.Applies[name])
			}
		} else if len(p.Candidates) == 0 {
			fmt.Fprintln(w, "\n  no mesh change fixes this: the cause above is in the workloads' own configuration (an exporter's endpoint, protocol or TLS)")
		}
		for _, c := range p.Candidates {
			v := c.Verification
			fmt.Fprintf(w, "\n  %d. [%s] %s\n", c.Rank, c.Strategy, c.Title)
			fmt.Fprintf(w, "     why:    %s\n", c.Why)
			fmt.Fprintf(w, "     cost:   %s\n", c.Cost)
			fmt.Fprintf(w, "     model:  fixes %d edge(s), breaks %d, still failing %d; %d edge(s) lose mTLS, %d gain it; %d port(s) start accepting plaintext; %d other edge(s) change\n",
				len(v.Fixes), len(v.Breaks), len(v.StillFailing), len(v.Weakened), len(v.Strengthened), len(v.PlaintextPorts), v.Changed)
			for _, b := range v.Breaks {
				fmt.Fprintf(w, "     BREAKS: %s\n", b)
			}
			for _, pp := range v.PlaintextPorts {
				fmt.Fprintf(w, "     plaintext: %s\n", pp)
			}
			for _, r := range v.Redundant {
				fmt.Fprintf(w, "     redundant: %s\n", r)
			}
			for _, line := range strings.Split(strings.TrimRight(fix.YAML(c.Changes), "\n"), "\n") {
				fmt.Fprintf(w, "       %s\n", line)
			}
		}
		fmt.Fprintln(w)
	}
}
