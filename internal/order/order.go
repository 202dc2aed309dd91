// Package order sorts slices of large structs by moving each element once.
package order

import (
	"cmp"
	"slices"
)

// SortStable orders s by compare, keeping equal elements in their order.
// It sorts the positions and then moves each element once, following each
// cycle of the permutation: a stable sort of s itself moves its elements
// O(n log² n) times, which for 200- and 472-byte structs (candidates,
// edges) on a 20,000-workload mesh was most of the sort.
func SortStable[T any](s []T, compare func(a, b *T) int) {
	idx := make([]int32, len(s))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(i, j int32) int {
		if c := compare(&s[i], &s[j]); c != 0 {
			return c
		}
		return cmp.Compare(i, j)
	})
	// s[k] takes s[idx[k]]: follow each cycle once, marking it done.
	for k := range idx {
		if idx[k] == int32(k) {
			continue
		}
		tmp, j := s[k], k
		for {
			next := int(idx[j])
			idx[j] = int32(j)
			if next == k {
				s[j] = tmp
				break
			}
			s[j] = s[next]
			j = next
		}
	}
}
