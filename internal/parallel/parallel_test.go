package parallel

import "testing"

func TestForRunsEachOnce(t *testing.T) {
	for _, n := range []int{0, 1, 7, 1000} {
		seen := make([]int, n)
		For(n, func(i int) { seen[i]++ })
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("n=%d: f(%d) ran %d times", n, i, c)
			}
		}
	}
}
