package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verify"
)

func init() { commands = append(commands, newVerify) }

// verifyClock is the clock --wait polls by; tests replace it.
var verifyClock = verify.RealClock

func newVerify() *cobra.Command {
	var in *source.Inputs
	var output string
	var lf logFlags
	var since, wait, interval time.Duration
	var edges []string
	c := &cobra.Command{
		Use:   "verify --cluster [-n NS | -A] [FIX.yaml...]",
		Short: "After the deploy: is the outage over? A checklist with evidence, read-only",
		Long: `verify reads a live cluster (read-only) and checks, each item with its evidence:

  pods-ready       the pods in scope (or of the --edge clients) are Running and Ready
  sidecars-ready   their istio-proxy, classic or native, is ready
  restarts-steady  no restart count rises between two reads (and between --wait rounds)
  logs-clean       no TLS or export error, through explain, in the current logs since --since
                   (default: since the newest fix object was created)
  edges-ok         the edges the live state predicts from those clients are ok
  fix-present      the fix objects given as files are live as given

An item that cannot be decided (a log RBAC forbids, an edge the live state leaves unknown)
fails the check: verify never reports healthy on what it could not read. --wait polls until
every item holds or the time is up, with one progress line on stderr.

Exit status: 0 every item holds, 1 an item fails or is undecided, 2 usage.`,
		Example: `  meshdoctor verify --cluster -n staging-webs
  meshdoctor verify --cluster -n staging-webs mtls-fix.yaml --wait 5m
  meshdoctor verify --cluster -n staging-webs --since 10m -o json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "text" && output != "json" {
				return usageErr(fmt.Errorf("--output must be text or json, not %q", output))
			}
			var fixSet source.Set
			if len(args) > 0 {
				var err error
				if fixSet, err = source.ReadPaths(args, cmd.InOrStdin()); err != nil {
					return usageErr(err)
				}
				if len(fixSet.Problems) > 0 {
					return usageErr(fmt.Errorf("fix file: %s", fixSet.Problems[0].Error()))
				}
			}
			live, err := openLive(in, cmd)
			if err != nil {
				return err
			}
			vin := verify.Input{Timeout: live.base.Timeout, DefaultNamespace: in.Namespace(), Namespaces: live.scope, Scope: live.judge, Reader: live.pods, Edges: edges, Logs: lf.options()}
			first := true
			vin.ReadSet = func(context.Context) (source.Set, error) {
				if first { // openLive has just read it
					first = false
					return live.set, nil
				}
				return read(cmd, in, nil)
			}
			for _, o := range fixSet.Objects {
				if o.Namespace == "" && o.Kind != "Namespace" {
					o = source.WithNamespace(o, in.Namespace())
				}
				vin.Fix = append(vin.Fix, o)
			}
			if since > 0 {
				vin.Since = verifyClock.Now().Add(-since)
			}
			stderr := cmd.ErrOrStderr()
			var rep *verify.Report
			if wait > 0 {
				// One progress line: rewritten in place on a terminal, a line per round otherwise.
				tty := source.Terminal(stderr)
				rep, err = verify.Wait(cmd.Context(), vin, wait, interval, verifyClock, func(r *verify.Report) {
					if tty {
						fmt.Fprintf(stderr, "\r\033[Kverify: round %d: %s; next read in %s", r.Attempts, failingItems(r), interval)
						return
					}
					fmt.Fprintf(stderr, "verify: round %d: %s; next read in %s\n", r.Attempts, failingItems(r), interval)
				})
				if tty {
					fmt.Fprint(stderr, "\r\033[K")
				}
			} else {
				rep, err = verify.Check(cmd.Context(), vin, nil)
			}
			if err != nil {
				return usageErr(err)
			}
			return writeLive(cmd, output, rep, func(w io.Writer, st report.Style) error { return report.VerifyText(w, rep, st) }, !rep.Pass)
		},
	}
	in = inputs(c)
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	c.Flags().DurationVar(&since, "since", 0, "only log lines newer than this (default: since the newest fix object was created)")
	c.Flags().DurationVar(&wait, "wait", 0, "poll until every item holds or this much time has passed")
	c.Flags().DurationVar(&interval, "interval", 10*time.Second, "with --wait, time between reads")
	c.Flags().StringArrayVar(&edges, "edge", nil, "only the clients of this edge, ns/workload=host:port (as fix --edge); repeatable")
	lf.register(c)
	return c
}

// failingItems names the items that do not hold yet.
func failingItems(r *verify.Report) string {
	s := ""
	for _, it := range r.Items {
		if it.State != verify.Pass {
			if s != "" {
				s += ", "
			}
			s += it.Name + " " + it.State
		}
	}
	return s
}
