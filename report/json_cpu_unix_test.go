//go:build unix

package report

import (
	"syscall"
	"testing"
	"time"
)

// reportCPU adds the process's CPU time (user+system, every thread, the
// collector's included) per op: on a shared machine the wall time of a
// benchmark is mostly waiting for a core.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric(float64((cpuTime()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
