package cli

import (
	"runtime/debug"
	"testing"
)

func TestLowerGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tc := range []struct {
		name, gogc, memlimit string
		want                 int
	}{
		{"default: lowered while analyzing", "", "", analysisGCPercent},
		{"GOGC set: the user's choice wins", "200", "", 100},
		{"GOMEMLIMIT set: the user's choice wins", "", "1GiB", 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GOGC", tc.gogc)
			t.Setenv("GOMEMLIMIT", tc.memlimit)
			restore := lowerGC()
			if got := debug.SetGCPercent(100); got != tc.want {
				t.Errorf("GC percent while analyzing = %d, want %d", got, tc.want)
			}
			debug.SetGCPercent(tc.want)
			restore()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GC percent after restore = %d, want 100", got)
			}
		})
	}
}
