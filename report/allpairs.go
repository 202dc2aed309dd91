package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Bounds of the all-pairs views in text and Markdown; the JSON has all.
const (
	maxGroups  = 25 // causes listed
	maxNSPairs = 10 // heaviest namespace pairs listed
)

// pairCause is one cause of failing (or unknown) pairs as the reports tell
// it: the cause, its pairs split by within and across namespaces, its class
// pairs, and its largest class pair as the example.
type pairCause struct {
	analysis.PairCause
	ClassPairs     int
	Within, Across int // pairs within one namespace, across two
	Largest        analysis.PairGroup
}

// pairCauses gathers the class groups by cause, in the causes' order (most
// pairs first); each cause's largest group is the first one naming it.
func pairCauses(ap *analysis.AllPairs) []pairCause {
	out := make([]pairCause, len(ap.Causes))
	for i, c := range ap.Causes {
		out[i].PairCause = c
	}
	for _, g := range ap.Groups {
		c := &out[g.Cause]
		if c.ClassPairs == 0 || g.Pairs > c.Largest.Pairs {
			c.Largest = g
		}
		c.ClassPairs++
		if g.SameNamespace {
			c.Within += g.Pairs
		} else {
			c.Across += g.Pairs
		}
	}
	return out
}

// example is the cause's example edge (the judged member pair), if any.
func (c pairCause) example() (verdict.Edge, bool) {
	if len(c.Example) == 0 {
		return verdict.Edge{}, false
	}
	return c.Example[0], true
}

// split says how a cause's pairs divide between within and across namespaces.
func (c pairCause) split() string {
	switch {
	case c.Within == 0:
		return "all across namespaces"
	case c.Across == 0:
		return "all within a namespace"
	}
	return fmt.Sprintf("%d within a namespace, %d across namespaces", c.Within, c.Across)
}

// largest names the cause's largest class pair: its pairs, where they are,
// and its client and Service-port classes by their first members with the
// class sizes.
func (c pairCause) largest(ap *analysis.AllPairs) string {
	g := c.Largest
	cl, sv := ap.ClientClasses[g.Clients], ap.ServerClasses[g.Servers]
	where := "across namespaces"
	if g.SameNamespace {
		where = "within a namespace"
	}
	return fmt.Sprintf("%s %s, from a class of %s (%s) to a class of %s (%s)",
		plural(g.Pairs, "pair"), where, plural(len(cl.Members), "client"), members(cl.Members), plural(len(sv.Members), "Service port"), members(sv.Members))
}

// nsPair is one client namespace → Service namespace cell of the matrix.
type nsPair struct {
	From, To         string
	Failing, Unknown int
}

// heaviestNSPairs are the namespace pairs with failing or unknown pairs,
// most failing first (then unknown, then by name), cut to max; more and
// moreFailing count what the cut left out.
func heaviestNSPairs(m analysis.NamespaceMatrix, max int) (top []nsPair, more, moreFailing int) {
	var all []nsPair
	for i, row := range m.Failing {
		for j, n := range row {
			u := 0
			if m.Unknown != nil {
				u = int(m.Unknown[i][j])
			}
			if n > 0 || u > 0 {
				all = append(all, nsPair{m.Names[i], m.Names[j], int(n), u})
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Failing != all[j].Failing {
			return all[i].Failing > all[j].Failing
		}
		return all[i].Unknown > all[j].Unknown
	})
	if len(all) <= max {
		return all, 0, 0
	}
	for _, p := range all[max:] {
		moreFailing += p.Failing
	}
	return all[:max], len(all) - max, moreFailing
}

// counts is "800 failing" or "800 failing, 3 unknown".
func (p nsPair) counts() string {
	s := fmt.Sprintf("%d failing", p.Failing)
	if p.Unknown > 0 {
		s += fmt.Sprintf(", %d unknown", p.Unknown)
	}
	return s
}

// allPairsText leads the report at scale: how many pairs were judged and
// fail, the failing class pairs grouped by cause, most pairs first, and the
// heaviest namespace pairs.
func allPairsText(w io.Writer, ap *analysis.AllPairs, st Style) {
	fmt.Fprintf(w, "All pairs: %s judged by class (%s × %s): %d failing, %d unknown\n",
		plural(ap.Pairs, "pair"), classes(len(ap.ClientClasses), "client"), classes(len(ap.ServerClasses), "Service-port"), ap.FailingPairs, ap.UnknownPairs)
	for i, c := range pairCauses(ap) {
		if i == maxGroups {
			fmt.Fprintf(w, "  … %d more causes in -o json (allPairs.causes)\n", len(ap.Causes)-i)
			break
		}
		fmt.Fprintf(w, "\n  %s %s (%s), in %s\n", st.outcome(c.Outcome), plural(c.Pairs, "pair"), c.split(), plural(c.ClassPairs, "class pair"))
		fmt.Fprintf(w, "      why:       %s\n", c.Cause)
		e, ok := c.example()
		if ok {
			fmt.Fprintf(w, "      client:    sends %s%s\n", e.ClientSends, dashed(e.ClientReason))
			fmt.Fprintf(w, "      server:    accepts %s%s\n", e.ServerAccepts, dashed(e.ServerReason))
		}
		if c.Outcome == verdict.Unknown {
			if len(e.Alternatives) > 0 {
				indentedAlternatives(w, e, st, "    ")
			} else {
				fmt.Fprintf(w, "      if:        not judged per alternative for pairs at this scale (only declared edges are)\n")
			}
		}
		if c.Symptom != "" {
			fmt.Fprintf(w, "      symptom:   %s\n", c.Symptom)
		}
		fmt.Fprintf(w, "      largest:   %s\n", c.largest(ap))
	}
	top, more, moreFailing := heaviestNSPairs(ap.Namespaces, maxNSPairs)
	if len(top) == 0 {
		return
	}
	fmt.Fprintf(w, "\nNamespace pairs with the most failing (then unknown) pairs, client namespace → Service namespace:\n")
	for _, p := range top {
		fmt.Fprintf(w, "  %s → %s: %s\n", p.From, p.To, p.counts())
	}
	if more > 0 {
		fmt.Fprintf(w, "  … and %s with %d failing pairs (-o json: allPairs.namespaces)\n", plural(more, "more namespace pair"), moreFailing)
	}
}

func members(m []string) string {
	if len(m) <= 2 {
		return strings.Join(m, ", ")
	}
	return fmt.Sprintf("%s, %s +%d", m[0], m[1], len(m)-2)
}

// classes is "1 client class", "207 client classes".
func classes(n int, of string) string {
	if n == 1 {
		return "1 " + of + " class"
	}
	return fmt.Sprintf("%d %s classes", n, of)
}
