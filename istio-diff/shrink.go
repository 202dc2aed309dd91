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
			if kindOf(cur[i]) == "Namespace" {
				// Kept: without it meshdoctor says unknown for a different reason.
				continue
			}
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
				if keptPath(cur[i], p) {
					continue
				}
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

// keptPath: parts a shrink never removes. A Service's clusterIP stays: the
// API server allocates one to every Service that does not ask for None, but
// Istio's fake registry does not, and a Service without a VIP gets wildcard
// listeners (a TLS port then matches by SNI) that no cluster would build.
func keptPath(o obj, p []step) bool {
	if kindOf(o) != "Service" || p[0].key != "spec" {
		return false
	}
	return len(p) == 1 || (len(p) == 2 && p[1].key == "clusterIP")
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

// Reading names the Istio code behind the path Istio took, from the
// path's markers (the harness's reading; a reproducer's header carries it).
func Reading(d Disagreement) string {
	w := d.Istio.Why
	has := func(xs ...string) bool {
		for _, x := range xs {
			if !strings.Contains(w, x) {
				return false
			}
		}
		return true
	}
	switch {
	case has("own pod over lo", "ISTIO_IN_REDIRECT"):
		return "tools/istio-iptables/pkg/capture/run.go: the sidecar's own connection to its pod IP leaves over lo and\n" +
			"`-A ISTIO_OUTPUT -o lo ! -d 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j ISTIO_IN_REDIRECT`\n" +
			"sends it to the inbound listener from the OUTPUT chain: ISTIO_INBOUND (include/excludeInboundPorts) never sees\n" +
			"it, so the pod's own sidecar terminates it whatever the inbound capture annotations say."
	case has("own pod over lo", "--dport", "RETURN"):
		return "tools/istio-iptables/pkg/capture/run.go: excludeOutboundPorts RETURN rules come first in ISTIO_OUTPUT\n" +
			"(\"Must be applied before connections back to self are redirected\"), for every uid: the sidecar's own\n" +
			"connection to its pod IP on an excluded port reaches the app, not the inbound listener."
	case has("uncaptured", "own pod"):
		return "tools/istio-iptables run.go `-A ISTIO_OUTPUT -o lo -m owner ! --uid-owner 1337 -j RETURN`: an app calling its own pod IP bypasses both sidecars."
	case has("virtualOutbound-blackhole"):
		return "pilot/pkg/networking/core/listener.go buildVirtualOutboundListener: connections whose original destination port is\n" +
			"the proxy's own 15001 take the virtualOutbound-blackhole chain (loop guard); the Service's own listener on that\n" +
			"port is dropped (model/context.go conflictWithReservedListener)."
	case has("protocol error"):
		return "pilot/pkg/networking/core/listener_inbound.go: the backend's inbound chain on that target port is an HTTP\n" +
			"connection manager (the port's protocol as the pod's Service targets declare it), and it cannot parse the TLS\n" +
			"the client sidecar originates (DR SIMPLE/MUTUAL): the connection fails in the server sidecar, not in the app."
	case has("no filter chains matched"):
		return "pilot/pkg/networking/core/listener_inbound.go (getFilterChainMatchOptions): the inbound chains match istio-ALPN\n" +
			"TLS and plaintext; TLS with another ALPN (DR SIMPLE/MUTUAL from the client sidecar) matches none: reset."
	case has("invalid mTLS"):
		return "listener_inbound.go: a STRICT chain requires the mesh's client certificate; DR SIMPLE/MUTUAL TLS presents none (or another CA's)."
	case has("EDS has no endpoint"):
		return "pilot/pkg/xds/endpoints/endpoint_builder.go: the subset's labels select no endpoint: 503 no healthy upstream."
	case has("cluster not generated"):
		return "core/cluster.go builds subset clusters only for subsets a DestinationRule defines; route.go points the route at the missing cluster: 503 NC."
	case has("ORIGINAL_DST"):
		return "core/cluster.go convertResolution: headless / PASSTHROUGH clusters are ORIGINAL_DST."
	case has("PassthroughCluster"), has("BlackHoleCluster"):
		return "pilot/pkg/model/sidecar.go: the service is not visible to the client (exportTo / Sidecar egress), nor is its VirtualService (SelectVirtualServices)."
	}
	return "not classified: read the path above."
}
