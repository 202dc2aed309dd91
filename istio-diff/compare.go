package istiodiff

import (
	"fmt"
	"sort"
	"strings"
)

// Disagreement is one edge where meshdoctor's answer is not Istio's.
type Disagreement struct {
	Key   Key
	Kind  string // outcome, sends, missing-in-meshdoctor, extra-in-meshdoctor, meshdoctor-unknown
	Istio Verdict
	MD    Verdict
}

func (d Disagreement) String() string {
	return fmt.Sprintf("%s: %s\n    Istio:      sends %q outcome %q — %s\n    meshdoctor: sends %q outcome %q — %s",
		d.Kind, d.Key, d.Istio.Sends, d.Istio.Outcome, d.Istio.Why, d.MD.Sends, d.MD.Outcome, d.MD.Why)
}

// Tally counts one comparison.
type Tally struct {
	Judged, Agree int
	Skipped       map[string]int
	// ByShape counts judged and agreeing edges per generator shape
	// (ShapeOf): [judged, agree].
	ByShape map[string][2]int
}

// Add merges t2 into t.
func (t *Tally) Add(t2 Tally) {
	t.Judged += t2.Judged
	t.Agree += t2.Agree
	if t.Skipped == nil {
		t.Skipped = map[string]int{}
	}
	for k, v := range t2.Skipped {
		t.Skipped[k] += v
	}
	if t.ByShape == nil {
		t.ByShape = map[string][2]int{}
	}
	for k, v := range t2.ByShape {
		w := t.ByShape[k]
		t.ByShape[k] = [2]int{w[0] + v[0], w[1] + v[1]}
	}
}

// ShapeOf names the generator shape an edge belongs to: a gateway client
// (gateway-routed when a Gateway-bound route sends it there), a
// ServiceEntry host, a weighted route's destination, else classic.
func ShapeOf(k Key, iv Verdict, gateways map[string]bool) string {
	switch {
	case gateways[k.Client] && (strings.HasPrefix(iv.Why, "gateway route config") || strings.HasPrefix(iv.Why, "gateway listener")):
		return "gateway-routed"
	case gateways[k.Client]:
		return "gateway"
	case !strings.HasSuffix(k.Host, ".svc.cluster.local"):
		return "serviceentry"
	case strings.Contains(iv.Why, "weighted cluster"):
		return "weighted"
	}
	return "classic"
}

// Compare judges every edge Istio decides. An edge is skipped only by a
// named rule (Verdict.Skip on Istio's side, or meshdoctor's own marking);
// every other edge counts, and meshdoctor's "unknown" on an edge Istio
// decides is a disagreement.
func Compare(istio, md map[Key]Verdict) (Tally, []Disagreement) {
	return CompareShapes(istio, md, nil)
}

// CompareShapes is Compare, counting judged and agreeing edges by ShapeOf
// with the clients that are gateways.
func CompareShapes(istio, md map[Key]Verdict, gateways map[string]bool) (Tally, []Disagreement) {
	istio, md = expandNoBackend(istio, md), expandNoBackend(md, istio)
	t := Tally{Skipped: map[string]int{}, ByShape: map[string][2]int{}}
	var ds []Disagreement
	count := func(k Key, iv Verdict, agree bool) {
		sh := ShapeOf(k, iv, gateways)
		w := t.ByShape[sh]
		w[0]++
		if agree {
			w[1]++
		}
		t.ByShape[sh] = w
	}
	for k, iv := range istio {
		mv, ok := md[k]
		if iv.Skip != "" {
			t.Skipped[iv.Skip]++
			continue
		}
		if ok && mv.Skip != "" {
			t.Skipped["meshdoctor:"+mv.Skip]++
			continue
		}
		t.Judged++
		n := len(ds)
		switch {
		case !ok:
			ds = append(ds, Disagreement{Key: k, Kind: "missing-in-meshdoctor", Istio: iv})
		case mv.Outcome == "unknown" && iv.Outcome != "unknown":
			ds = append(ds, Disagreement{Key: k, Kind: "meshdoctor-unknown", Istio: iv, MD: mv})
		case mv.Outcome != iv.Outcome:
			ds = append(ds, Disagreement{Key: k, Kind: "outcome", Istio: iv, MD: mv})
		case iv.Sends != "" && mv.Sends != iv.Sends:
			ds = append(ds, Disagreement{Key: k, Kind: "sends", Istio: iv, MD: mv})
		default:
			t.Agree++
		}
		count(k, iv, len(ds) == n)
	}
	for k, mv := range md {
		if _, ok := istio[k]; !ok {
			if mv.Skip != "" {
				t.Skipped["meshdoctor:"+mv.Skip]++
				continue
			}
			whole := k
			whole.Dest = ""
			if iv, ok := istio[whole]; ok && iv.Skip != "" && iv.PreRoute {
				t.Skipped[iv.Skip]++
				continue
			}
			t.Judged++
			ds = append(ds, Disagreement{Key: k, Kind: "extra-in-meshdoctor", MD: mv})
			count(k, mv, false)
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].Key.String() < ds[j].Key.String() })
	return t, ds
}

// expandNoBackend: a call that fails before any backend is chosen is one
// edge without a backend on one side and one edge per backend on the other;
// the backend-less verdict stands for each backend the other side names.
func expandNoBackend(a, b map[Key]Verdict) map[Key]Verdict {
	out := map[Key]Verdict{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range a {
		if k.Backend != "" {
			continue
		}
		var others []Key
		for k2 := range b {
			if k2.Backend != "" && k2.Client == k.Client && k2.Host == k.Host && k2.Port == k.Port && k2.Dest == k.Dest {
				if _, mine := a[k2]; !mine {
					others = append(others, k2)
				}
			}
		}
		if len(others) == 0 {
			continue
		}
		if _, other := b[k]; !other {
			delete(out, k)
		}
		for _, k2 := range others {
			out[k2] = v
		}
	}
	return out
}
