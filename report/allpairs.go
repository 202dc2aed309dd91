package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
)

// maxGroups bounds the class groups the text report lists; the JSON has all.
const maxGroups = 25

// allPairsText leads the report at scale: how many pairs were judged and
// fail, then the failing class pairs grouped by cause, largest first.
func allPairsText(w io.Writer, ap *analysis.AllPairs, st Style) {
	fmt.Fprintf(w, "All pairs: %s judged by class (%d client classes × %d Service-port classes): %d failing, %d unknown\n",
		plural(ap.Pairs, "pair"), len(ap.ClientClasses), len(ap.ServerClasses), ap.FailingPairs, ap.UnknownPairs)
	first := make([]int, len(ap.Causes)) // each cause's largest group
	groups := make([]int, len(ap.Causes))
	for i := len(ap.Groups) - 1; i >= 0; i-- {
		first[ap.Groups[i].Cause] = i
		groups[ap.Groups[i].Cause]++
	}
	for i, c := range ap.Causes {
		if i == maxGroups {
			fmt.Fprintf(w, "  … %d more causes in -o json (allPairs.causes)\n", len(ap.Causes)-i)
			break
		}
		fmt.Fprintf(w, "\n  %s %s in %s, e.g. %s\n", st.outcome(c.Outcome), plural(c.Pairs, "pair"), plural(groups[i], "class pair"), example(ap, ap.Groups[first[i]]))
		fmt.Fprintf(w, "      cause: %s\n", c.Cause)
		if c.Symptom != "" {
			fmt.Fprintf(w, "      client sees: %s\n", c.Symptom)
		}
	}
}

// example names a group's clients and servers by their first members.
func example(ap *analysis.AllPairs, g analysis.PairGroup) string {
	cl, sv := ap.ClientClasses[g.Clients], ap.ServerClasses[g.Servers]
	where := "across namespaces"
	if g.SameNamespace {
		where = "within a namespace"
	}
	return fmt.Sprintf("%s → %s (%s; %s × %s)", members(cl.Members), members(sv.Members), where,
		plural(len(cl.Members), "client"), plural(len(sv.Members), "Service port"))
}

func members(m []string) string {
	if len(m) <= 2 {
		return strings.Join(m, ", ")
	}
	return fmt.Sprintf("%s, %s +%d", m[0], m[1], len(m)-2)
}
