package cli

import (
	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/spf13/cobra"
)

// outputControls are analyze's flags for reading large results: one place,
// so that they merge with the flag registration of the other commands.
type outputControls struct {
	filter   analysis.Filter
	severity string
	table    bool
}

func (o *outputControls) register(c *cobra.Command) {
	f := c.Flags()
	f.BoolVar(&o.filter.OnlyProblems, "only-problems", false, "list only failing and unknown edges (the summary still counts all)")
	f.BoolVar(&o.table, "table", false, "text output: list every edge in the table, however many (by default only up to 100; the cause groups stand for the rest)")
	f.StringVar(&o.severity, "min-severity", "", "drop findings below this severity: error, warning or info")
	f.StringArrayVarP(&o.filter.Suppress, "suppress", "S", nil, "suppress a finding code everywhere (MD0301) or on one object (MD0301=PeerAuthentication/ns/name, name may be *); repeatable. The annotation "+analysis.SuppressAnnotation+": MD0301,MD0702 on an object does the same")
}

// style is the text report's style: colour on a terminal, the table bounded unless --table.
func (o *outputControls) style(color bool) report.Style {
	return report.Style{Color: color, AllRows: o.table}
}

// apply checks the flags and filters res.
func (o *outputControls) apply(res *analysis.Result, inv *inventory.Inventory) error {
	o.filter.MinSeverity = check.Severity(o.severity)
	if err := o.filter.Check(); err != nil {
		return usageErr(err)
	}
	o.filter.Apply(inv, res)
	return nil
}
