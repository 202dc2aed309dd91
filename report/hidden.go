package report

import (
	"fmt"
	"strings"
)

// Hidden counts the findings the reader's output controls took out, so
// that a report never reads cleaner than the inputs without saying why.
type Hidden struct {
	Suppressed    int    // by -S or the suppress annotation
	BelowSeverity int    // below --min-severity
	MinSeverity   string // the --min-severity given
}

// String is "2 findings suppressed (-S / annotation), 1 below --min-severity
// warning", or "" when nothing was taken out.
func (h Hidden) String() string {
	var parts []string
	if h.Suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%s suppressed (-S / annotation)", plural(h.Suppressed, "finding")))
	}
	if h.BelowSeverity > 0 {
		what := fmt.Sprintf("below --min-severity %s", h.MinSeverity)
		if h.Suppressed == 0 {
			what = plural(h.BelowSeverity, "finding") + " " + what
		} else {
			what = fmt.Sprint(h.BelowSeverity) + " " + what
		}
		parts = append(parts, what)
	}
	return strings.Join(parts, ", ")
}
