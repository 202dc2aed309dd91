package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/explain"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

func init() { commands = append(commands, newExplainCmd) }

func newExplainCmd() *cobra.Command {
	var (
		output   string
		in       *source.Inputs
		list     bool
		literals bool
	)
	cmd := &cobra.Command{
		Use:   "explain [FILE|-]",
		Short: "Explain mTLS and connection errors found in logs",
		Long: `explain reads a log (a file, or - / nothing for stdin: kubectl logs output,
Envoy access logs, JSON log lines, Java stack traces) and names each distinct
failure: which component wrote it, which way the TLS mismatch runs, what it
means, the likely mesh causes and the commands to run next.

Categories:
` + categoryHelp() + `
Exit status: 0 no known signature, 1 at least one diagnosis, 2 usage or unreadable input.`,
		Example: `  kubectl logs deploy/auth-guard | meshdoctor explain -
  meshdoctor explain -o json app.log
  meshdoctor explain app.log --manifests ./k8s/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				// "--manifests a b c" leaves b and c as arguments.
				return fmt.Errorf("explain reads one log (FILE or -), got %d arguments: %q; --manifests takes one path and repeats (--manifests a --manifests b)", len(args), args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if list || literals {
				return printCatalogue(out, literals)
			}
			if output != "text" && output != "json" {
				return usageErr(fmt.Errorf("--output must be text or json, not %q", output))
			}
			log := cmd.InOrStdin()
			logIsStdin := len(args) == 0 || args[0] == "-"
			if !logIsStdin {
				f, err := os.Open(args[0])
				if err != nil {
					return usageErr(err)
				}
				defer f.Close()
				if st, err := f.Stat(); err == nil && st.IsDir() {
					return usageErr(fmt.Errorf("%s is a directory", args[0]))
				}
				log = f
			}
			var edges []verdict.Edge
			withManifests := in.Given()
			if withManifests {
				if logIsStdin && slices.Contains(in.PathList(), "-") {
					return usageErr(fmt.Errorf("standard input holds the log: give the manifests as files, or the log as a file"))
				}
				inv, err := load(cmd, in, nil)
				if err != nil {
					return err
				}
				edges = analysis.Run(inv, analysis.Options{}).Edges
			}
			if logIsStdin {
				source.Reading(log, cmd.ErrOrStderr())
			}
			rep, err := explain.Explain(log)
			if err != nil {
				return usageErr(fmt.Errorf("reading input: %w", err))
			}
			if withManifests {
				explain.Correlate(rep, edges)
			}
			bw := bufio.NewWriter(out)
			if output == "json" {
				err = report.ExplainJSON(bw, rep)
			} else {
				err = report.ExplainText(bw, rep)
			}
			if err == nil {
				err = bw.Flush()
			}
			if err != nil {
				return err
			}
			if len(rep.Diagnoses) > 0 {
				return problemsFound
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&output, "output", "o", "text", "output format: text or json")
	in = inputs(cmd)
	in.RegisterPaths(f, "manifests", "manifests (files or folders, - for stdin; repeatable) to map the failure onto the mesh model's edges; the other input flags (--chart, --kustomize, --cluster, …) add to them")
	f.BoolVar(&list, "list-signatures", false, "print the signature catalogue and exit")
	f.BoolVar(&literals, "literals", false, "print the catalogue's match strings, one per line (for grep -F -f)")
	_ = f.MarkHidden("literals")
	return cmd
}

func categoryHelp() string {
	var sb strings.Builder
	for _, c := range category.All {
		fmt.Fprintf(&sb, "  %-28s %s\n", c, category.Doc[c])
	}
	return sb.String()
}

func printCatalogue(w io.Writer, literalsOnly bool) error {
	bw := bufio.NewWriter(w)
	if literalsOnly {
		for _, l := range explain.Literals() {
			fmt.Fprintln(bw, l)
		}
		return bw.Flush()
	}
	fmt.Fprintf(bw, "%-40s %-22s %-28s %s\n", "ID", "EMITTER", "CATEGORY", "MATCHES")
	for _, s := range explain.Catalogue() {
		fmt.Fprintf(bw, "%-40s %-22s %-28s %q\n", s.ID, s.Emitter, s.Category, s.Match)
	}
	return bw.Flush()
}
