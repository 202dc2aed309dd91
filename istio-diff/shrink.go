package istiodiff

import (
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
)

// Signature groups disagreements that are one bug: same kind, same pair of
// answers, same Istio path shape (names stripped).
func (d Disagreement) Signature() string {
	return fmt.Sprintf("%s|%s/%s|%s/%s|%s", d.Kind, d.Istio.Sends, d.Istio.Outcome, d.MD.Sends, d.MD.Outcome, pathShape(d.Istio.Why))
}

// pathShape reduces Istio's path to the markers that tell bugs apart.
func pathShape(why string) string {
	var out []string
	for _, m := range []string{"uncaptured", "own pod", "BlackHoleCluster", "PassthroughCluster", "ORIGINAL_DST",
		"EDS has no endpoint", "cluster not generated", "no filter chains", "protocol error", "invalid mTLS",
		"invalid TLS", "no route", "passed through", "server has no sidecar", "server sidecar", "subset", "|v"} {
		if strings.Contains(why, m) {
			out = append(out, m)
		}
	}
	return strings.Join(out, ",")
}

// Shrink removes documents, then map keys and list elements, while still
// reproduces(candidate) holds; budget bounds the evaluations.
func Shrink(objs []obj, reproduces func([]obj) bool, budget int) []obj {
	cur := Normalize(objs)
	tries := 0
	try := func(cand []obj) bool {
		if tries >= budget {
			return false
		}
		tries++
		return reproduces(cand)
	}
	// Whole documents first, from the end (Istio objects before workloads).
	for changed := true; changed && tries < budget; {
		changed = false
		for i := len(cur) - 1; i >= 0; i-- {
			cand := append(append([]obj{}, cur[:i]...), cur[i+1:]...)
			if try(cand) {
				cur, changed = cand, true
			}
		}
	}
	// Then parts of documents: every map key and list element below the
	// identity fields, largest subtrees first.
	for changed := true; changed && tries < budget; {
		changed = false
		for i := range cur {
			for _, p := range paths(cur[i], nil) {
				cand := Normalize(cur)
				if !remove(cand[i], p) {
					continue
				}
				if try(cand) {
					cur, changed = cand, true
					break
				}
			}
		}
	}
	return cur
}

type step struct {
	key string
	idx int // -1 for a map key
}

func paths(o any, prefix []step) [][]step {
	var out [][]step
	switch v := o.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if len(prefix) == 0 && (k == "apiVersion" || k == "kind" || k == "metadata") {
				if k == "metadata" {
					for _, mk := range []string{"labels", "annotations"} {
						if _, ok := get(v, "metadata", mk).(map[string]any); ok {
							p := []step{{key: "metadata", idx: -1}, {key: mk, idx: -1}}
							out = append(out, p)
							out = append(out, paths(get(v, "metadata", mk), p)...)
						}
					}
				}
				continue
			}
			p := append(append([]step{}, prefix...), step{key: k, idx: -1})
			out = append(out, p)
			out = append(out, paths(v[k], p)...)
		}
	case []any:
		for i := range v {
			p := append(append([]step{}, prefix...), step{idx: i})
			out = append(out, p)
			out = append(out, paths(v[i], p)...)
		}
	}
	return out
}

// remove deletes the node at p from o.
func remove(o any, p []step) bool {
	parent := o
	for _, s := range p[:len(p)-1] {
		switch v := parent.(type) {
		case map[string]any:
			parent = v[s.key]
		case []any:
			if s.idx >= len(v) {
				return false
			}
			parent = v[s.idx]
		}
	}
	last := p[len(p)-1]
	switch v := parent.(type) {
	case map[string]any:
		if _, ok := v[last.key]; !ok || last.idx >= 0 {
			return false
		}
		delete(v, last.key)
		return true
	case []any:
		// A list is edited through its holder so the shorter slice sticks.
		return removeFromList(o, p)
	}
	return false
}

func removeFromList(o any, p []step) bool {
	holderPath, listStep, last := p[:len(p)-2], p[len(p)-2], p[len(p)-1]
	holder := o
	for _, s := range holderPath {
		switch v := holder.(type) {
		case map[string]any:
			holder = v[s.key]
		case []any:
			holder = v[s.idx]
		}
	}
	switch h := holder.(type) {
	case map[string]any:
		l, ok := h[listStep.key].([]any)
		if !ok || last.idx >= len(l) {
			return false
		}
		h[listStep.key] = append(append([]any{}, l[:last.idx]...), l[last.idx+1:]...)
		return true
	case []any:
		l, ok := h[listStep.idx].([]any)
		if !ok || last.idx >= len(l) {
			return false
		}
		h[listStep.idx] = append(append([]any{}, l[:last.idx]...), l[last.idx+1:]...)
		return true
	}
	return false
}

// ReproName is a stable file name for a disagreement signature.
func ReproName(d Disagreement) string {
	h := fnv.New32a()
	h.Write([]byte(d.Signature()))
	return fmt.Sprintf("%s-%08x.yaml", d.Kind, h.Sum32())
}

// ReproHeader is the comment block a reproducer file starts with.
func ReproHeader(d Disagreement, seed int64, reading string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# disagreement kind: %s (from generated mesh seed %d, shrunk)\n", d.Kind, seed)
	fmt.Fprintf(&b, "# edge: %s\n", d.Key)
	fmt.Fprintf(&b, "# Istio:      sends %q, outcome %q\n#   path: %s\n", d.Istio.Sends, d.Istio.Outcome, d.Istio.Why)
	fmt.Fprintf(&b, "# meshdoctor: sends %q, outcome %q\n#   %s\n", d.MD.Sends, d.MD.Outcome, d.MD.Why)
	for _, l := range strings.Split(reading, "\n") {
		fmt.Fprintf(&b, "# %s\n", l)
	}
	return b.String()
}
