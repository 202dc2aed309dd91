package order

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSortStableIsSlicesSortStable: the same order as slices.SortStableFunc
// on random keys with many ties (so stability shows).
func TestSortStableIsSlicesSortStable(t *testing.T) {
	type item struct{ key, at int }
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 200 {
		s := make([]item, n)
		for i := range s {
			s[i] = item{r.IntN(5), i}
		}
		want := slices.Clone(s)
		slices.SortStableFunc(want, func(a, b item) int { return a.key - b.key })
		SortStable(s, func(a, b *item) int { return a.key - b.key })
		if !slices.Equal(s, want) {
			t.Fatalf("n=%d: got %v, want %v", n, s, want)
		}
	}
}
