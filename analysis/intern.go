package analysis

import (
	"hash/maphash"
	"slices"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// interner keeps one copy of each value edges repeat. Shared slices are
// clipped, so that an append to one edge's never writes into another's.
type interner struct {
	texts map[string]string
	refs  map[uint64][][]inventory.Ref
	otlp  map[uint64][]*verdict.OTLP
	seed  maphash.Seed
}

func (in *interner) edge(e *verdict.Edge) {
	if in.texts == nil {
		in.texts, in.refs, in.otlp, in.seed = map[string]string{}, map[uint64][][]inventory.Ref{}, map[uint64][]*verdict.OTLP{}, maphash.MakeSeed()
	}
	for _, s := range []*string{&e.Cause, &e.ClientReason, &e.ServerReason, &e.Server.Host} {
		in.text(s)
	}
	e.DecidedBy = in.refList(e.DecidedBy)
	if e.OTLP != nil {
		e.OTLP = in.otlpOf(e.OTLP)
	}
}

func (in *interner) text(s *string) {
	if t, ok := in.texts[*s]; ok {
		*s = t
	} else {
		in.texts[*s] = *s
	}
}

func (in *interner) refList(rs []inventory.Ref) []inventory.Ref {
	if len(rs) == 0 {
		return rs
	}
	var h maphash.Hash
	h.SetSeed(in.seed)
	for _, r := range rs {
		h.WriteString(r.Kind)
		h.WriteByte(0)
		h.WriteString(r.Namespace)
		h.WriteByte(0)
		h.WriteString(r.Name)
		h.WriteByte(0)
		h.WriteString(r.File)
		h.WriteByte(0)
		maphash.WriteComparable(&h, r.Line)
	}
	k := h.Sum64()
	for _, seen := range in.refs[k] {
		if slices.Equal(seen, rs) {
			return seen
		}
	}
	rs = slices.Clip(rs)
	in.refs[k] = append(in.refs[k], rs)
	return rs
}

// otlpOf finds an equal OTLP summary seen before (by hash, then equality:
// a key string per edge was 9 MB of garbage on the 20k mesh).
func (in *interner) otlpOf(o *verdict.OTLP) *verdict.OTLP {
	var h maphash.Hash
	h.SetSeed(in.seed)
	for _, l := range [...][]string{o.Signals, o.Protocols, o.Senders, o.Endpoints} {
		maphash.WriteComparable(&h, len(l))
		maphash.WriteComparable(&h, l == nil)
		for _, x := range l {
			h.WriteString(x)
			h.WriteByte(0)
		}
	}
	h.WriteString(o.Collector)
	h.WriteByte(0)
	h.WriteString(o.Receiver)
	maphash.WriteComparable(&h, o.ReceiverTLS)
	k := h.Sum64()
	for _, seen := range in.otlp[k] {
		if sameOTLP(seen, o) {
			return seen
		}
	}
	in.otlp[k] = append(in.otlp[k], o)
	return o
}

func sameOTLP(a, b *verdict.OTLP) bool {
	same := func(x, y []string) bool { return (x == nil) == (y == nil) && slices.Equal(x, y) }
	return same(a.Signals, b.Signals) && same(a.Protocols, b.Protocols) && same(a.Senders, b.Senders) &&
		same(a.Endpoints, b.Endpoints) && a.Collector == b.Collector && a.Receiver == b.Receiver && a.ReceiverTLS == b.ReceiverTLS
}
