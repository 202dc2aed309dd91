package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"

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
				writeDiffText(out, r)
			case "markdown":
				writeDiffMarkdown(out, r)
			case "json":
				if err := report.JSON(out, r); err != nil {
					return err
				}
			default:
				return usageErr(fmt.Errorf("unknown output %q (want text, json or markdown)", output))
			}
			if r.Breaks() || (r.Weakens() && !allowWeaken) {
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

func writeDiffText(w io.Writer, r diff.Report) {
	if r.Empty() {
		fmt.Fprintln(w, "No change in any edge or port.")
		return
	}
	section := func(title string, l []diff.EdgeChange) {
		if len(l) == 0 {
			return
		}
		fmt.Fprintf(w, "%s (%d):\n", title, len(l))
		for _, c := range l {
			fmt.Fprintf(w, "  %s\n    %s → %s\n", c.Edge, c.Before, c.After)
			if c.Cause != "" && strings.HasPrefix(c.After, "fail") {
				fmt.Fprintf(w, "    why: %s\n", c.Cause)
			}
		}
	}
	section("Edges that start failing", r.StartFailing)
	section("Edges that stop failing", r.StopFailing)
	section("Edges that lose mutual TLS", r.LostMTLS)
	section("Edges that gain mutual TLS", r.GainedMTLS)
	section("Other changed edges", r.Changed)
	section("New edges", r.Added)
	section("Removed edges", r.Removed)
	if len(r.NewFindings) > 0 {
		fmt.Fprintf(w, "New findings (%d):\n", len(r.NewFindings))
		for _, f := range r.NewFindings {
			fmt.Fprintf(w, "  %s %s %s: %s\n", f.Severity, f.Code, f.Check, f.Message)
		}
	}
	if len(r.Ports) > 0 {
		fmt.Fprintf(w, "Ports whose accepted modes change (%d):\n", len(r.Ports))
		for _, p := range r.Ports {
			mark := ""
			if p.Weakens {
				mark = "  ← now accepts plaintext"
			}
			fmt.Fprintf(w, "  %s: %s → %s%s\n", p.Port, p.Before, p.After, mark)
		}
	}
}

func writeDiffMarkdown(w io.Writer, r diff.Report) {
	var b bytes.Buffer
	verdict := "✅ no edge breaks"
	if r.Breaks() {
		verdict = "❌ this change breaks edges"
	} else if r.Weakens() {
		verdict = "⚠️ this change weakens mutual TLS"
	}
	fmt.Fprintf(&b, "### meshdoctor diff: %s\n\n| change | count |\n|---|---|\n", verdict)
	rows := []struct {
		name string
		n    int
	}{{"start failing", len(r.StartFailing)}, {"stop failing", len(r.StopFailing)}, {"lose mTLS", len(r.LostMTLS)},
		{"gain mTLS", len(r.GainedMTLS)}, {"ports changing", len(r.Ports)}, {"new findings", len(r.NewFindings)}}
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %d |\n", row.name, row.n)
	}
	b.WriteString("\n<details><summary>Details</summary>\n\n```\n")
	writeDiffText(&b, r)
	b.WriteString("```\n</details>\n")
	_, _ = w.Write(b.Bytes())
}
