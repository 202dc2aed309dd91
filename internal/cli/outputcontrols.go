package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// outputControls are analyze's flags for reading large results: one place,
// so that they merge with the flag registration of the other commands.
type outputControls struct {
	filter   analysis.Filter
	suppress []string
	severity string
	table    bool
	hidden   report.Hidden
}

func (o *outputControls) register(c *cobra.Command) {
	f := c.Flags()
	f.BoolVar(&o.filter.OnlyProblems, "only-problems", false, "list only failing and unknown edges (the summary still counts all); the text table lists up to 1000 of them")
	f.BoolVar(&o.table, "table", false, "text output: list every edge in the table, however many (by default only up to 100; the cause groups stand for the rest)")
	f.StringVar(&o.severity, "min-severity", "", "drop findings below this severity: error, warning or info")
	f.StringArrayVarP(&o.suppress, "suppress", "S", nil, "suppress a finding code everywhere (MD0301) or on one object (MD0301=PeerAuthentication/ns/name, kind in any case, name may be *); repeatable, or a comma list. The annotation "+analysis.SuppressAnnotation+": MD0301,MD0702 on an object does the same")
}

// style is the text report's style: colour on a terminal, the table bounded
// unless --table (at a larger bound with --only-problems), and what the
// controls took out.
func (o *outputControls) style(color bool) report.Style {
	return report.Style{Color: color, AllRows: o.table, OnlyProblems: o.filter.OnlyProblems, Hidden: o.hidden}
}

// apply checks the flags and filters res, counting what suppression and
// the severity floor took out; a -S rule that matches no finding is told
// on stderr (a typo would otherwise suppress nothing, silently).
func (o *outputControls) apply(res *analysis.Result, inv *inventory.Inventory, stderr io.Writer) error {
	o.filter.MinSeverity = check.Severity(o.severity)
	rules, typed := suppressRules(o.suppress, res.Findings)
	o.filter.Suppress = rules
	if err := o.filter.Check(); err != nil {
		return usageErr(err)
	}
	// Each rule alone, against an inventory without annotations: what the
	// annotations suppress must not make a rule look matched.
	bare := &inventory.Inventory{}
	for i, rule := range rules {
		one := analysis.Result{Findings: append([]check.Finding(nil), res.Findings...)}
		(analysis.Filter{Suppress: []string{rule}}).Apply(bare, &one)
		if len(one.Findings) == len(res.Findings) {
			fmt.Fprintf(stderr, "meshdoctor: -S %s: matched no finding\n", typed[i])
		}
	}
	// Suppression first, then the severity floor, so each count is its own.
	n := len(res.Findings)
	(analysis.Filter{Suppress: o.filter.Suppress}).Apply(inv, res)
	o.hidden.Suppressed = n - len(res.Findings)
	n = len(res.Findings)
	(analysis.Filter{MinSeverity: o.filter.MinSeverity, OnlyProblems: o.filter.OnlyProblems}).Apply(inv, res)
	o.hidden.BelowSeverity, o.hidden.MinSeverity = n-len(res.Findings), o.severity
	res.Summary.SuppressedFindings, res.Summary.FindingsBelowMinSeverity = o.hidden.Suppressed, o.hidden.BelowSeverity
	return nil
}

// suppressRules splits comma lists (as the annotation takes them) and
// spells each rule's kind as the findings do: kubectl takes a kind in any
// case, or its resource name (deployment, deployments), and so does -S.
// typed[i] is rules[i] as given.
func suppressRules(flags []string, findings []check.Finding) (rules, typed []string) {
	kinds := map[string]string{}
	for _, f := range findings {
		k := f.Object.Kind
		plural, singular := meta.UnsafeGuessKindToResource(schema.GroupVersionKind{Kind: k})
		for _, alias := range []string{strings.ToLower(k), plural.Resource, singular.Resource} {
			kinds[alias] = k
		}
	}
	for _, flag := range flags {
		for _, rule := range strings.Split(flag, ",") {
			if rule = strings.TrimSpace(rule); rule == "" {
				continue
			}
			typed = append(typed, rule)
			if code, obj, ok := strings.Cut(rule, "="); ok {
				if kind, rest, ok := strings.Cut(obj, "/"); ok {
					if k, known := kinds[strings.ToLower(kind)]; known {
						rule = code + "=" + k + "/" + rest
					}
				}
			}
			rules = append(rules, rule)
		}
	}
	return rules, typed
}
