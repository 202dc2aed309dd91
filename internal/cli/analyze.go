package cli

import (
	"io"
	"os"
	"runtime"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/spf13/cobra"
)

func init() { commands = append(commands, newAnalyze) }

func newAnalyze() *cobra.Command {
	var output string
	var opt analysis.Options
	var failOnUnknown bool
	var controls outputControls
	var in *source.Inputs
	c := &cobra.Command{
		Use:   "analyze [flags] PATH... | -",
		Short: "Predict the mTLS outcome of every client → service port edge",
		Long: `analyze reads Kubernetes and Istio manifests (files, folders, or - for stdin) and
predicts, for every edge the manifests declare (env vars, args and ConfigMap values
naming a Service, OpenTelemetry exporter endpoints) — or with --all-pairs every
workload × every Service port — what the client sends, what the server accepts,
the outcome, the symptom on failure, and the objects (file:line) that decided it.

Exit status: 0 nothing fails (edges may be unknown: see --fail-on-unknown), 1 an
edge fails or an error finding exists, 2 usage error, unreadable input, or no
Kubernetes objects at all.`,
		Example: `  meshdoctor analyze examples/seed
  helm template ... | meshdoctor analyze -
  meshdoctor analyze --all-pairs -o json ./k8s/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkAnalysisFormat(output); err != nil {
				return err
			}
			inv, err := load(cmd, in, args)
			if err != nil {
				return err
			}
			if opt.Scope, err = scope(in, inv); err != nil {
				return usageErr(err)
			}
			restoreGC := lowerGC()
			defer restoreGC()
			opt.Lean = true // nothing below reads the inputs' JSON
			res := analysis.Run(inv, opt)
			if err := controls.apply(&res, inv, cmd.ErrOrStderr()); err != nil {
				return err
			}
			// The inventory and the model are garbage from here on; one
			// collection now lets rendering reuse their memory rather than
			// grow the heap to the goal they set (-20 MiB peak RSS on the 20k mesh).
			runtime.GC()
			restoreGC() // rendering holds little beyond the result
			out := cmd.OutOrStdout()
			if err := renderAnalysis(output, out, res, controls.style(isTTY(out))); err != nil {
				return err
			}
			if res.Problems() || (failOnUnknown && res.Summary.Unknown > 0) {
				return problemsFound
			}
			return nil
		},
	}
	in = inputs(c)
	c.Flags().StringVarP(&output, "output", "o", "text", analysisFormatHelp())
	c.Flags().BoolVar(&opt.AllPairs, "all-pairs", false, "judge every workload × every Service port, not only declared edges")
	controls.register(c)
	c.Flags().BoolVar(&failOnUnknown, "fail-on-unknown", false, "exit 1 when an edge cannot be decided, too (for CI gates)")
	return c
}

// isTTY reports whether w is a terminal; colour is for people only.
func isTTY(w io.Writer) bool {
	return os.Getenv("NO_COLOR") == "" && source.Terminal(w)
}
