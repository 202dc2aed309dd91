package analysis

import (
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// interner keeps one copy of each value edges repeat. Shared slices are
// clipped, so that an append to one edge's never writes into another's.
type interner struct {
	texts map[string]string
	refs  map[uint64][][]inventory.Ref
	otlp  map[string]*verdict.OTLP
	seed  maphash.Seed
}

func (in *interner) edge(e *verdict.Edge) {
	if in.texts == nil {
		in.texts, in.refs, in.otlp, in.seed = map[string]string{}, map[uint64][][]inventory.Ref{}, map[string]*verdict.OTLP{}, maphash.MakeSeed()
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

// otlpOf finds an equal OTLP summary seen before.
func (in *interner) otlpOf(o *verdict.OTLP) *verdict.OTLP {
	var b strings.Builder
	for _, l := range [][]string{o.Signals, o.Protocols, o.Senders, o.Endpoints, {o.Collector, o.Receiver, strconv.FormatBool(o.ReceiverTLS)}} {
		b.WriteString(strconv.Itoa(len(l))) // nil and empty lists stay apart below
		b.WriteByte(0)
		if l == nil {
			b.WriteByte('n')
		}
		for _, x := range l {
			b.WriteString(strconv.Itoa(len(x)))
			b.WriteByte(':')
			b.WriteString(x)
		}
		b.WriteByte(0)
	}
	k := b.String()
	if seen, ok := in.otlp[k]; ok {
		return seen
	}
	in.otlp[k] = o
	return o
}
