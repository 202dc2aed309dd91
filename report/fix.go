package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshdoctor/meshdoctor/fix"
)

// HelmFiles writes one Helm template per created or replaced object into
// dir, and says on stderr what it wrote and what Helm cannot express (a
// deletion). A file there with other content is kept unless force.
func HelmFiles(dir string, changes []fix.Change, force bool, stderr io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, c := range changes {
		if c.Action == "delete" {
			fmt.Fprintf(stderr, "delete by hand (Helm cannot express it): kubectl delete %s %s -n %s   (%s)\n", strings.ToLower(c.Kind), c.Name, c.Namespace, c.Replaces)
			continue
		}
		p := filepath.Join(dir, fix.HelmFileName(c))
		body := []byte(fix.HelmTemplate(c))
		if old, err := os.ReadFile(p); err == nil && !bytes.Equal(old, body) && !force {
			return fmt.Errorf("%s exists with other content: not overwritten (use --force)", p)
		}
		if err := os.WriteFile(p, body, 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "wrote", p)
	}
	return nil
}

// FixText writes, for every failing target, the ranked options with why,
// their cost and what the model says each fixes and breaks.
func FixText(w io.Writer, plans []fix.Plan, strategy string) error {
	var b bytes.Buffer
	fixText(&b, plans, strategy)
	_, err := w.Write(b.Bytes())
	return err
}

func fixText(w io.Writer, plans []fix.Plan, strategy string) {
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
			for _, s := range fix.Strategies {
				fmt.Fprintf(w, "    %-26s %s\n", s.Name, s.Applies)
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
			for _, u := range v.Undecided {
				fmt.Fprintf(w, "     undecided after it: %s\n", u)
			}
			for _, u := range v.Unjudged {
				fmt.Fprintf(w, "     UNJUDGED: %s\n", u)
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
