package explain

import "bytes"

// matcher finds any of a set of literals in text with a Wu–Manber style
// skip: a table indexed by the last two bytes of a window of m bytes (m is
// the shortest literal) says how far the window may jump. On log text that
// matches nothing it moves several bytes per step, so it scans faster than
// testing each literal in turn.
type matcher struct {
	pats  [][]byte
	m     int
	shift [1 << 16]uint8
	// bucket[h] lists the literals whose m-byte prefix ends in block h, as
	// a compressed row: pats idx[start[h]:start[h+1]].
	start []int32
	idx   []int32
}

func newMatcher(lits []string) *matcher {
	w := &matcher{m: 1 << 30}
	for _, l := range lits {
		w.pats = append(w.pats, []byte(l))
		if len(l) < w.m {
			w.m = len(l)
		}
	}
	if w.m < 2 {
		panic("explain: literals must be at least 2 bytes")
	}
	if w.m > 255 {
		w.m = 255
	}
	def := uint8(w.m - 1)
	for i := range w.shift {
		w.shift[i] = def
	}
	counts := make([]int32, 1<<16+1)
	for _, p := range w.pats {
		for j := 1; j < w.m; j++ {
			h := int(p[j-1])<<8 | int(p[j])
			if s := uint8(w.m - 1 - j); s < w.shift[h] {
				w.shift[h] = s
			}
		}
		counts[int(p[w.m-2])<<8|int(p[w.m-1])+1]++
	}
	for i := 1; i < len(counts); i++ {
		counts[i] += counts[i-1]
	}
	w.start = counts
	w.idx = make([]int32, len(w.pats))
	fill := append([]int32(nil), counts[:1<<16]...)
	for i, p := range w.pats {
		h := int(p[w.m-2])<<8 | int(p[w.m-1])
		w.idx[fill[h]] = int32(i)
		fill[h]++
	}
	return w
}

// next returns the start of the leftmost occurrence of any literal that
// starts at or after from, and which literal; -1, -1 when there is none.
func (w *matcher) next(text []byte, from int) (pos, pat int) {
	m := w.m
	n := len(text)
	i := from + m - 1
	for i < n {
		s := w.shift[int(text[i-1])<<8|int(text[i])]
		if s != 0 {
			i += int(s)
			continue
		}
		h := int(text[i-1])<<8 | int(text[i])
		st := i - m + 1
		for _, k := range w.idx[w.start[h]:w.start[h+1]] {
			p := w.pats[k]
			if p[0] == text[st] && bytes.HasPrefix(text[st:], p) {
				return st, int(k)
			}
		}
		i++
	}
	return -1, -1
}

// all calls f for every occurrence (overlapping ones included).
func (w *matcher) all(text []byte, f func(pos, pat int)) {
	for from := 0; ; {
		pos, pat := w.next(text, from)
		if pos < 0 {
			return
		}
		f(pos, pat)
		// other literals may start at the same position; they share the
		// m-byte prefix, so they sit in the same bucket
		h := int(text[pos+w.m-2])<<8 | int(text[pos+w.m-1])
		for _, k := range w.idx[w.start[h]:w.start[h+1]] {
			if int(k) != pat && bytes.HasPrefix(text[pos:], w.pats[k]) {
				f(pos, int(k))
			}
		}
		from = pos + 1
	}
}
