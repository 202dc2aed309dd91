package report

import (
	"fmt"
	"io"
)

// FixUnknown says, where fix found no failing edge, how many edges the inputs
// leave undecided and how many of those fail under some alternative, so that
// "nothing to fix" is never read as an all-clear on inputs that do not decide.
func FixUnknown(w io.Writer, unknown, mayFail int) {
	if unknown == 0 {
		return
	}
	fmt.Fprintf(w, "But %s undecided by the inputs (%d of them fail under some alternative): fix proposes changes only for edges that fail on what the inputs say. Run `meshdoctor analyze` on the same inputs for the alternatives; add the missing objects (Namespace objects, the live cluster with --cluster) to decide them.\n",
		count(unknown, "edge is", "edges are"), mayFail)
}

// FixUndecided lists the edges a written fix takes from failing to unknown.
func FixUndecided(w io.Writer, edges []string) {
	for _, e := range edges {
		fmt.Fprintln(w, "undecided after the fix:", e)
	}
}
