package fix

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
	corev1 "k8s.io/api/core/v1"
)

// Candidate is one remediation, verified against the model.
type Candidate struct {
	Rank     int      `json:"rank"`
	Strategy string   `json:"strategy"`
	Title    string   `json:"title"`
	Why      string   `json:"why"`
	Cost     string   `json:"cost"`
	Changes  []Change `json:"changes"`
	// Restarts counts workloads that restart to take the change.
	Restarts     int          `json:"restarts"`
	Verification Verification `json:"verification"`
}

// Verification is what the model says after the change.
type Verification struct {
	// Fixes are failing edges that pass afterwards (target and others).
	Fixes []string `json:"fixes"`
	// StillFailing are the target's edges that still fail.
	StillFailing []string `json:"stillFailing"`
	// Breaks are edges that passed and fail afterwards.
	Breaks []string `json:"breaks"`
	// Weakened are working edges that lose mutual TLS.
	Weakened []string `json:"weakened"`
	// Strengthened are edges that work with mutual TLS afterwards and did not before.
	Strengthened []string `json:"strengthened"`
	// PlaintextPorts are server ports that start accepting plaintext.
	PlaintextPorts []string `json:"plaintextPorts"`
	// Changed counts other edges whose behaviour changes (blast radius).
	Changed int `json:"changed"`
	// Redundant names changes the model finds to have no effect.
	Redundant []string `json:"redundant,omitempty"`
	// Undecided are failing edges that stop failing but become unknown:
	// the change fixes what the inputs decide, and something they do not
	// give (an exporter's protocol, a namespace's labels) still decides the
	// rest. Each names the edge and why it is unknown.
	Undecided []string `json:"undecided,omitempty"`
	// Unjudged are calls the change moves behind a new sidecar that the
	// model cannot judge: an export to an address that names no Service in
	// the inputs. Under the mesh's DestinationRules such a call may get istio
	// mTLS toward a server without a sidecar — the outage one hop on — so an
	// option with any ranks below every option the model can verify.
	Unjudged []string `json:"unjudged,omitempty"`
}

// Target is a failing Service port and backend, with its failing edges.
type Target struct {
	Service    *inventory.Service
	Port       corev1.ServicePort
	Backend    *inventory.Workload
	TargetPort int32
	Edges      []verdict.Edge
}

// Name is "service.ns:port (backend)".
func (t *Target) Name() string {
	return fmt.Sprintf("%s.%s:%d → %d (%s)", t.Service.Name, t.Service.Namespace, t.Port.Port, t.TargetPort, t.Backend.Name)
}

// Plan is the ranked candidates for every failing target.
type Plan struct {
	Target     string         `json:"target"`
	Edges      []verdict.Edge `json:"edges"`
	Candidates []Candidate    `json:"candidates"`
}

type state struct {
	set    source.Set
	defNS  string
	inv    *inventory.Inventory
	model  *mesh.Model
	result analysis.Result
	ports  []analysis.PortAcceptance
	raw    map[string]source.Object
	scope  analysis.Scope
}

func newState(set source.Set, defNS string, scope analysis.Scope) *state {
	inv := inventory.Build(set, defNS)
	st := &state{set: set, defNS: defNS, inv: inv, model: mesh.New(inv), raw: map[string]source.Object{}, scope: scope}
	// Candidates are verified on many re-runs; alternatives (unknown edges'
	// what-ifs) are for people reading analyze, not for comparing runs.
	// Every edge is judged (a fix may break one outside the scope); the
	// scope chooses the targets.
	st.result = analysis.Run(inv, analysis.Options{NoAlternatives: true})
	st.ports = analysis.Ports(inv)
	for _, o := range set.Objects {
		st.raw[objKey(o, defNS)] = o
	}
	return st
}

// object finds an input object: ("Workload", w) or (kind, nil, ns[, name]).
func (st *state) object(kind string, w *inventory.Workload, nsName ...string) (source.Object, bool) {
	var key string
	switch {
	case w != nil:
		key = w.Kind + "/" + w.Namespace + "/" + w.Name
	case kind == "Namespace":
		key = "Namespace//" + nsName[0]
	default:
		key = kind + "/" + nsName[0] + "/" + nsName[1]
	}
	o, ok := st.raw[key]
	if ok && o.Kind == "Pod" && strings.HasPrefix(o.Origin.File, "cluster:") && ownedPod(o) {
		// A live pod stands for its controller, which is what must change;
		// editing the pod would be undone by the next rollout.
		return o, false
	}
	return o, ok
}

func ownedPod(o source.Object) bool {
	var m struct {
		Metadata struct {
			OwnerReferences []struct{ Controller *bool } `json:"ownerReferences"`
		} `json:"metadata"`
	}
	_ = json.Unmarshal(o.JSON, &m)
	for _, r := range m.Metadata.OwnerReferences {
		if r.Controller != nil && *r.Controller {
			return true
		}
	}
	return false
}

func (st *state) workload(c verdict.Client) *inventory.Workload {
	return st.inv.Workload(c.Kind, c.Namespace, c.Workload)
}

// extendDR lays a new exception DR's port entries over an existing DR for
// the same host in the same namespace (an earlier fix, or the user's own):
// two such DRs would merge and the older one's trafficPolicy would win whole
// (§2.6), so a sibling would silently do nothing.
func (st *state) extendDR(c Change) Change {
	host, _ := path(c.Object, "spec")["host"].(string)
	var target *inventory.DestinationRule
	for _, d := range st.inv.DestinationRules {
		if d.Namespace != c.Namespace || d.Spec.GetWorkloadSelector() != nil ||
			mesh.ResolveHost(d.Spec.GetHost(), d.Namespace, st.inv.Mesh.DomainSuffix) != host {
			continue
		}
		if target == nil || d.Name == c.Name {
			target = d
		}
	}
	if target == nil {
		return c
	}
	o, ok := st.object("DestinationRule", nil, target.Namespace, target.Name)
	if !ok {
		return c
	}
	add := path(c.Object, "spec", "trafficPolicy")["portLevelSettings"].([]any)
	return replace(o, st.defNS, func(obj map[string]any) {
		tp := path(obj, "spec", "trafficPolicy")
		existing, _ := tp["portLevelSettings"].([]any)
		// A port-level entry replaces connectionPool, loadBalancer and
		// outlierDetection too (§2.8): carry the rule's own into the new entries.
		for _, a := range add {
			am, _ := a.(map[string]any)
			for _, k := range []string{"connectionPool", "loadBalancer", "outlierDetection"} {
				if v, ok := tp[k]; ok && am[k] == nil {
					am[k] = v
				}
			}
		}
		tp["portLevelSettings"] = mergePortLevel(existing, add)
	})
}

// mergePortLevel replaces entries for the same port number and appends the rest.
func mergePortLevel(existing, add []any) []any {
	num := func(e any) any {
		m, _ := e.(map[string]any)
		p, _ := m["port"].(map[string]any)
		return fmt.Sprint(p["number"])
	}
	out := append([]any(nil), existing...)
	for _, a := range add {
		replaced := false
		for i, e := range out {
			if num(e) == num(a) {
				em, _ := e.(map[string]any)
				am, _ := a.(map[string]any)
				em["tls"] = am["tls"]
				out[i], replaced = em, true
			}
		}
		if !replaced {
			out = append(out, a)
		}
	}
	return out
}

// extendPA merges a new exception PA's port entries into an existing one.
func (st *state) extendPA(c Change) Change {
	o, ok := st.object("PeerAuthentication", nil, c.Namespace, c.Name)
	if !ok {
		return c
	}
	add := path(c.Object, "spec", "portLevelMtls")
	return replace(o, st.defNS, func(obj map[string]any) {
		pl := path(obj, "spec", "portLevelMtls")
		for k, v := range add {
			pl[k] = v
		}
	})
}

// targets groups the failing edges by service port and backend.
func (st *state) targets() []*Target {
	var out []*Target
	byKey := map[string]*Target{}
	for _, e := range st.result.Edges {
		if e.Outcome != verdict.Fail || e.Server.Workload == "" || !st.scope.Admits(e) {
			continue
		}
		k := fmt.Sprintf("%s/%s:%d/%s", e.Server.Namespace, e.Server.Service, e.Server.Port, e.Server.Workload)
		if t, ok := byKey[k]; ok {
			t.Edges = append(t.Edges, e)
			continue
		}
		t := &Target{TargetPort: e.Server.TargetPort, Edges: []verdict.Edge{e}}
		t.Service = st.inv.ServiceByHost(e.Server.Host)
		if t.Service == nil {
			continue
		}
		for _, p := range t.Service.Spec.Ports {
			if p.Port == e.Server.Port {
				t.Port = p
			}
		}
		for _, b := range st.inv.Backends(t.Service) {
			if b.Name == e.Server.Workload && b.Kind == e.Server.WorkloadKind {
				t.Backend = b
			}
		}
		if t.Backend == nil {
			continue
		}
		byKey[k] = t
		out = append(out, t)
	}
	return out
}

// Filter narrows planning to some edges or strategies; empty means all.
type Filter struct {
	// Edge is "ns/workload=host:port" (host in any form a client may write).
	Edge     string
	Strategy string
	// NewObjectsOnly keeps candidates that only create objects (-o helm).
	NewObjectsOnly bool
	// Scope is the edges to fix (analyze's -n); the zero Scope is all.
	Scope analysis.Scope
}

func (f Filter) matches(t *Target) bool {
	if f.Edge == "" {
		return true
	}
	for _, e := range t.Edges {
		if f.MatchesEdge(e) {
			return true
		}
	}
	return false
}

// MatchesEdge reports whether e is the edge --edge names (any edge when unset).
func (f Filter) MatchesEdge(e verdict.Edge) bool {
	if f.Edge == "" {
		return true
	}
	id, err := verdict.ParseEdgeID(f.Edge)
	return err == nil && id.Matches(e)
}

// PlanAll proposes and verifies candidates for every failing target.
func PlanAll(set source.Set, defNS string, f Filter) []Plan {
	st := newState(set, defNS, f.Scope)
	var out []Plan
	for _, t := range st.targets() {
		if !f.matches(t) {
			continue
		}
		var cands []Candidate
		for _, c := range st.propose(t) {
			if f.Strategy != "" && c.Strategy != f.Strategy || changesNothing(c) {
				continue
			}
			c.Verification = st.verify(t, c)
			cands = append(cands, c)
		}
		rank(cands)
		out = append(out, Plan{Target: t.Name(), Edges: t.Edges, Candidates: cands})
	}
	return out
}

// changesNothing: every change leaves its object as it was (a label the
// namespace already has): not an option.
func changesNothing(c Candidate) bool {
	for _, ch := range c.Changes {
		if !ch.noop() {
			return false
		}
	}
	return true
}

// rank orders by: breaks nothing, fixes the target, leaves no call unjudged,
// security, blast radius, size, then the narrowest strategy.
func rank(cs []Candidate) {
	score := func(c Candidate) []int {
		v := c.Verification
		breaks, unfixed, unjudged := 0, 0, 0
		if len(v.Breaks) > 0 {
			breaks = 1
		}
		if len(v.StillFailing) > 0 {
			unfixed = 1
		}
		if len(v.Unjudged) > 0 {
			unjudged = 1
		}
		sec := 2*len(v.PlaintextPorts) + len(v.Weakened) - len(v.Strengthened)
		return []int{breaks, unfixed, unjudged, sec, v.Changed + c.Restarts, len(c.Changes), tieRank(c.Strategy)}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := score(cs[i]), score(cs[j])
		for k := range a {
			if a[k] != b[k] {
				return a[k] < b[k]
			}
		}
		return false
	})
	for i := range cs {
		cs[i].Rank = i + 1
	}
}
