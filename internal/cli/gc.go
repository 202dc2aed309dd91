package cli

import (
	"os"
	"runtime/debug"
)

// analysisGCPercent is the collector's target while analyze reads and
// judges a mesh. Until rendering, what analyze holds only grows (the
// inventory, the model, the edges), and the default GOGC=100 lets the heap
// reach twice the live heap before each collection: on the 20,000-workload
// mesh of the README's "Speed" section that doubling was most of the peak
// memory. 50 lets it reach one and a half times (README "Speed": the peak
// and CPU measured at 100, 70 and 50).
const analysisGCPercent = 50

// lowerGC sets analysisGCPercent until restore is called, unless the user
// set GOGC (or GOMEMLIMIT, the other way to trade CPU for memory): theirs wins.
func lowerGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(analysisGCPercent)
	return func() { debug.SetGCPercent(old) }
}
