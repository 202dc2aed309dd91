package report

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// pairsStatus is the Markdown headline with the pairs judged at scale
// accounted for: failing pairs are a failure even when no declared edge
// fails, and undecided pairs are no all-clear. Below analysis.MaxPairs the
// pairs are the edges, and status already counts them.
func pairsStatus(r analysis.Result, status string) string {
	ap := r.AllPairs
	if ap == nil {
		return status
	}
	icon, rest, _ := strings.Cut(status, " ")
	switch {
	case ap.FailingPairs > 0 && r.Summary.Failing > 0:
		return fmt.Sprintf("%s; %d of %d pairs fail", status, ap.FailingPairs, ap.Pairs)
	case ap.FailingPairs > 0:
		return fmt.Sprintf("❌ %d of %d pairs fail; declared edges: %s", ap.FailingPairs, ap.Pairs, rest)
	case ap.UnknownPairs > 0 && icon == "✅":
		return fmt.Sprintf("❔ no edge or pair fails for certain; %d of %d pairs undecided", ap.UnknownPairs, ap.Pairs)
	case ap.UnknownPairs > 0:
		return fmt.Sprintf("%s; %d of %d pairs undecided", status, ap.UnknownPairs, ap.Pairs)
	case icon == "✅":
		return fmt.Sprintf("✅ no edge or pair fails (%d pairs judged)", ap.Pairs)
	}
	return status
}

// mdPairs are the Markdown blocks of the pairs judged at scale: one
// <details> per cause (as the text report groups them, most pairs first),
// then the namespace pairs with the most failing pairs.
func mdPairs(ap *analysis.AllPairs) []string {
	var out []string
	for i, c := range pairCauses(ap) {
		if i == maxGroups {
			out = append(out, fmt.Sprintf("\n… %d more causes in `-o json` (`allPairs.causes`).\n", len(ap.Causes)-i))
			break
		}
		var b strings.Builder
		if i == 0 && ap.UnknownPairs > 0 {
			b.WriteString("\n### Failing and undecided pairs by cause\n\n")
		} else if i == 0 {
			b.WriteString("\n### Failing pairs by cause\n\n")
		}
		icon, how := "❌", "fail"
		if c.Outcome == verdict.Unknown {
			icon, how = "❔", "are undecided"
		}
		fmt.Fprintf(&b, "<details><summary>%s <b>%d pairs</b> %s this way (%s, in %s)", icon, c.Pairs, how, c.split(), plural(c.ClassPairs, "class pair"))
		if c.Category != "" {
			fmt.Fprintf(&b, " — <code>%s</code>", c.Category)
		}
		b.WriteString("</summary>\n\n")
		fmt.Fprintf(&b, "- **Cause:** %s\n", mdInline(c.Cause))
		e, ok := c.example()
		if ok {
			fmt.Fprintf(&b, "- **Client sends:** %s%s\n", mdCode(string(e.ClientSends)), mdInline(dashed(e.ClientReason)))
			fmt.Fprintf(&b, "- **Server accepts:** %s%s\n", mdCode(string(e.ServerAccepts)), mdInline(dashed(e.ServerReason)))
		}
		if c.Outcome == verdict.Unknown {
			if len(e.Alternatives) == 0 {
				b.WriteString("- **If:** not judged per alternative for pairs at this scale (only declared edges are)\n")
			}
			for _, a := range failuresFirst(e.Alternatives) {
				fmt.Fprintf(&b, "- **If** %s: %s\n", mdInline(strings.Join(a.Assume, " and ")), mdInline(alternativeOutcome(a, Style{})))
			}
		}
		if c.Symptom != "" {
			fmt.Fprintf(&b, "- **Symptom:** %s\n", mdCode(c.Symptom))
		}
		fmt.Fprintf(&b, "- **Largest class pair:** %s\n", mdInline(c.largest(ap)))
		if ok {
			fmt.Fprintf(&b, "- **Example pair:** %s → %s:%d, decided by:\n", mdInline(e.Client.Namespace+"/"+e.Client.Workload), mdInline(shortHost(e.Server.Host)), e.Server.Port)
			for i, d := range e.DecidedBy {
				if i == maxDecidedBy {
					fmt.Fprintf(&b, "  - … and %d more objects\n", len(e.DecidedBy)-i)
					break
				}
				fmt.Fprintf(&b, "  - %s\n", mdRef(d))
			}
		}
		b.WriteString("\n</details>\n")
		out = append(out, b.String())
	}
	top, more, moreFailing := heaviestNSPairs(ap.Namespaces, maxNSPairs)
	if len(top) > 0 {
		var b strings.Builder
		b.WriteString("\n### Namespace pairs with the most failing pairs\n\n| client namespace | Service namespace | failing pairs | unknown pairs |\n| --- | --- | ---: | ---: |\n")
		for _, p := range top {
			fmt.Fprintf(&b, "| %s | %s | %d | %d |\n", mdCell(mdInline(p.From)), mdCell(mdInline(p.To)), p.Failing, p.Unknown)
		}
		if more > 0 {
			fmt.Fprintf(&b, "\n… and %s with %d failing pairs (`-o json`: `allPairs.namespaces`).\n", plural(more, "more namespace pair"), moreFailing)
		}
		out = append(out, b.String())
	}
	return out
}
