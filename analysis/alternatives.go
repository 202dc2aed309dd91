package analysis

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// An edge whose outcome hangs on facts the inputs do not give — a
// namespace's injection labels, policies the reader was not allowed to see —
// is judged again under each combination of those facts, each assumed as
// objects laid over the inputs and run through the whole model, never
// guessed. Bounds: an edge hangs on at most maxFacts facts (more leave it
// unknown without alternatives, and say so), and a run builds at most
// maxModels models: the combinations all edges need are packed, first fit,
// into shared assumption sets (a namespace's labels matter only to its own
// workloads, so one model serves many edges).
const (
	maxFacts  = 4
	maxModels = 16
)

// fact is one thing the inputs lack, and the values it may take.
type fact struct {
	id      string
	missing string // what is missing, in words
	values  []assumption
	client  bool // it decides what the client sends
	server  bool // it decides what the server accepts
}

type assumption struct {
	words   string
	objects []source.Object
}

// assumed is an object that exists only under an assumption.
func assumed(apiVersion, kind, ns, name string, body map[string]any) source.Object {
	md := map[string]any{"name": name}
	if ns != "" {
		md["namespace"] = ns
	}
	o := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": md}
	for k, v := range body {
		o[k] = v
	}
	js, _ := json.Marshal(o)
	return source.Object{Origin: source.Origin{File: "assumption"}, APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name, JSON: js}
}

// namespaceFact: injection of a namespace the inputs do not declare
// (spec §2: the istio-injection label decides the webhook).
func namespaceFact(ns string) *fact {
	with := assumed("v1", "Namespace", "", ns, map[string]any{"metadata": map[string]any{"name": ns, "labels": map[string]string{"istio-injection": "enabled"}}})
	without := assumed("v1", "Namespace", "", ns, nil)
	return &fact{id: "namespace " + ns, missing: "namespace " + ns + " is not in the inputs (its injection labels are unknown)",
		values: []assumption{
			{"namespace " + ns + ": no istio-injection label", []source.Object{without}},
			{"namespace " + ns + ": istio-injection=enabled", []source.Object{with}},
		}}
}

// peerAuthFact: the PeerAuthentications of ns could not be read; whatever
// they say, the server port ends up STRICT, PERMISSIVE or DISABLE (§4).
func peerAuthFact(ns, reason string) *fact {
	f := &fact{id: "PeerAuthentication " + ns, server: true,
		missing: fmt.Sprintf("PeerAuthentications in %s could not be read (%s)", ns, reason)}
	for _, mode := range []string{"STRICT", "PERMISSIVE", "DISABLE"} {
		pa := assumed("security.istio.io/v1", "PeerAuthentication", ns, "unread-peerauthentications",
			map[string]any{"spec": map[string]any{"mtls": map[string]any{"mode": mode}}})
		f.values = append(f.values, assumption{fmt.Sprintf("the unread PeerAuthentications of %s make it %s", ns, mode), []source.Object{pa}})
	}
	return f
}

// destRuleFact: the DestinationRules of ns could not be read; a rule there
// may set no tls, ISTIO_MUTUAL or DISABLE for the host (§3).
func destRuleFact(ns, reason string) *fact {
	f := &fact{id: "DestinationRule " + ns, client: true,
		missing: fmt.Sprintf("DestinationRules in %s could not be read (%s)", ns, reason)}
	f.values = append(f.values, assumption{"no unread DestinationRule of " + ns + " applies", nil})
	for _, mode := range []string{"ISTIO_MUTUAL", "DISABLE"} {
		dr := assumed("networking.istio.io/v1", "DestinationRule", ns, "unread-destinationrules",
			map[string]any{"spec": map[string]any{"host": "*", "trafficPolicy": map[string]any{"tls": map[string]any{"mode": mode}}}})
		f.values = append(f.values, assumption{fmt.Sprintf("an unread DestinationRule of %s sets tls %s", ns, mode), []source.Object{dr}})
	}
	return f
}

// meshConfigFact: istiod's mesh config (the istio ConfigMap of the root
// namespace) could not be read, and no input gives one. Of what it holds,
// enableAutoMtls decides what a proxied client sends where no
// DestinationRule sets tls (§3.3); the rest is taken as Istio's defaults.
func meshConfigFact(root, reason string) *fact {
	off := assumed("v1", "ConfigMap", root, "istio", map[string]any{"data": map[string]string{"mesh": "enableAutoMtls: false\n"}})
	return &fact{id: "mesh config", client: true,
		missing: fmt.Sprintf("the mesh config (ConfigMap istio in %s) could not be read (%s); its other settings are taken as Istio's defaults", root, reason),
		values: []assumption{
			{"the unread mesh config leaves auto mTLS on (Istio's default)", nil},
			{"the unread mesh config sets enableAutoMtls: false", []source.Object{off}},
		}}
}

// facts finds what the inventory lacks that edges may hang on.
type facts struct {
	inv    *inventory.Inventory
	byID   map[string]*fact
	unread map[string][]source.Unread // kind → unread reads
}

func newFacts(inv *inventory.Inventory) *facts {
	fs := &facts{inv: inv, byID: map[string]*fact{}, unread: map[string][]source.Unread{}}
	for _, u := range inv.Input.Unread {
		fs.unread[u.Kind] = append(fs.unread[u.Kind], u)
	}
	return fs
}

func (fs *facts) get(id string, make func() *fact) *fact {
	if f, ok := fs.byID[id]; ok {
		return f
	}
	f := make()
	fs.byID[id] = f
	return f
}

// unreadIn says whether kind was hidden in ns, and why.
func (fs *facts) unreadIn(kind, ns string) (string, bool) {
	for _, u := range fs.unread[kind] {
		if u.In(ns) {
			return u.Reason, true
		}
	}
	return "", false
}

// of lists the facts e hangs on, in a stable order. (mayLackFacts must
// hold of an inventory whenever of can find a fact in it.)
func (fs *facts) of(e verdict.Edge) []*fact {
	var out []*fact
	inv := fs.inv
	for _, side := range []struct{ ns, proxy string }{{e.Client.Namespace, string(e.Client.Proxy)}, {e.Server.Namespace, string(e.Server.Proxy)}} {
		if side.proxy == string(mesh.ProxyUnknown) && inv.Namespace(side.ns) == nil && len(inv.WorkloadsIn(side.ns)) > 0 {
			ns := side.ns
			out = append(out, fs.get("namespace "+ns, func() *fact { return namespaceFact(ns) }))
		}
	}
	root := inv.Mesh.RootNamespace
	if e.Server.Proxy != mesh.ProxyNone && e.Server.Proxy != "external" {
		for _, ns := range []string{e.Server.Namespace, root} {
			if why, ok := fs.unreadIn("PeerAuthentication", ns); ok {
				out = append(out, fs.get("PeerAuthentication "+ns, func() *fact { return peerAuthFact(ns, why) }))
				break // the most specific unread level stands for the others
			}
		}
	}
	if e.Client.Proxy != mesh.ProxyNone {
		for _, ns := range []string{e.Client.Namespace, e.Server.Namespace, root} {
			if why, ok := fs.unreadIn("DestinationRule", ns); ok {
				out = append(out, fs.get("DestinationRule "+ns, func() *fact { return destRuleFact(ns, why) }))
				break // the first namespace in Istio's lookup order wins
			}
		}
	}
	if e.Client.Proxy != mesh.ProxyNone && inv.Mesh.MeshFrom == nil {
		if why, ok := fs.unreadIn("ConfigMap", root); ok {
			out = append(out, fs.get("mesh config", func() *fact { return meshConfigFact(root, why) }))
		}
	}
	out = append(out, fs.gatewayFacts(e)...)
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return slices.CompactFunc(out, func(a, b *fact) bool { return a == b })
}

// combo assigns a value index to each of an edge's facts.
type combo []int

func combos(fs []*fact) []combo {
	out := []combo{{}}
	for _, f := range fs {
		var next []combo
		for _, c := range out {
			for v := range f.values {
				next = append(next, append(slices.Clone(c), v))
			}
		}
		out = next
	}
	return out
}

// outcome of one edge under one combination.
type outcome struct {
	Outcome  verdict.Outcome
	MTLS     bool
	Category string
	Symptom  string
	Alts     []verdict.Alternative // the re-judged edge's own (an undetermined OTLP protocol)
}

func (o outcome) same(p outcome) bool {
	return o.Outcome == p.Outcome && o.MTLS == p.MTLS && o.Category == p.Category && o.Symptom == p.Symptom && slices.EqualFunc(o.Alts, p.Alts, func(a, b verdict.Alternative) bool {
		return slices.Equal(a.Assume, b.Assume) && a.Outcome == b.Outcome && a.Category == b.Category && a.Symptom == b.Symptom
	})
}

// alternatives re-judges every edge that hangs on missing facts.
func alternatives(inv *inventory.Inventory, opt Options, es []verdict.Edge) {
	fs := newFacts(inv)
	defer openUnread(fs, es)
	type need struct {
		edge   int
		facts  []*fact
		combos []combo
		bucket []int
		res    []outcome // by combo
		key    string    // es[edge].Key(), asked of every assumption set
		ends   edgeEnds
	}
	var needs []*need
	for i, e := range es {
		if f := fs.of(e); len(f) > 0 {
			needs = append(needs, &need{edge: i, facts: f})
		}
	}
	if len(needs) == 0 {
		return
	}
	var buckets []map[string]int // fact id → value index
	place := func(n *need, c combo) int {
		fit := func(b map[string]int) bool {
			for k, f := range n.facts {
				if v, ok := b[f.id]; ok && v != c[k] {
					return false
				}
			}
			return true
		}
		for i, b := range buckets {
			if fit(b) {
				for k, f := range n.facts {
					b[f.id] = c[k]
				}
				return i
			}
		}
		if len(buckets) == maxModels {
			return -1
		}
		b := map[string]int{}
		for k, f := range n.facts {
			b[f.id] = c[k]
		}
		buckets = append(buckets, b)
		return len(buckets) - 1
	}
	var undecided []*need
	for _, n := range needs {
		if len(n.facts) > maxFacts {
			undecided = append(undecided, n)
			continue
		}
		n.combos = combos(n.facts)
		for _, c := range n.combos {
			n.bucket = append(n.bucket, place(n, c))
		}
	}
	// One assumption set at a time, judging only the edges that need it and
	// keeping only their outcomes: all models held whole as edge maps took
	// 3.7 GB for 80,000 listed pairs (--all-pairs without Namespace objects).
	for _, n := range needs {
		n.res = make([]outcome, len(n.combos))
		n.key, n.ends = es[n.edge].Key(), endsOf(&es[n.edge])
	}
	for i, b := range buckets {
		w := wanted{exact: map[string]*worst{}, loose: map[edgeEnds]*worst{}}
		for _, n := range needs {
			if slices.Contains(n.bucket, i) {
				w.exact[n.key], w.loose[n.ends] = &worst{}, &worst{}
			}
		}
		judgeUnder(inv, opt, fs, b, w)
		for _, n := range needs {
			for k := range n.combos {
				if n.bucket[k] == i {
					n.res[k] = w.find(n.key, n.ends)
				}
			}
		}
	}
	for _, n := range needs {
		e := &es[n.edge]
		if n.combos == nil || slices.Contains(n.bucket, -1) {
			markUndecided(e, n.facts, fmt.Sprintf("its alternatives were not evaluated (more than %d missing facts, or more than %d assumption sets in this run)", maxFacts, maxModels))
			continue
		}
		applyAlternatives(e, n.facts, n.combos, n.res)
	}
}

// edgeEnds is an edge's client and Service port: it matches an edge whose
// backend or subset differs under another assumption (a client without a
// sidecar follows no VirtualService subset).
type edgeEnds struct {
	ns, workload, kind, host string
	port                     int32
}

func endsOf(e *verdict.Edge) edgeEnds {
	return edgeEnds{e.Client.Namespace, e.Client.Workload, e.Client.Kind, e.Server.Host, e.Server.Port}
}

// worst is the worst outcome offered, the first of equals.
type worst struct {
	seen bool
	out  outcome
}

func (p *worst) offer(e *verdict.Edge) {
	if !p.seen || (e.Outcome != p.out.Outcome && worse(e.Outcome, p.out.Outcome) == e.Outcome) {
		p.seen = true
		p.out = outcome{Outcome: e.Outcome, MTLS: e.MTLS, Category: string(e.Category), Symptom: e.Symptom, Alts: e.Alternatives}
	}
}

// wanted holds, for one assumption set, the edges whose outcome is asked.
type wanted struct {
	exact map[string]*worst
	loose map[edgeEnds]*worst
}

// find is the outcome under the assumption set of the edge with this key
// and ends: the edge itself, or the worst of the edges between the same
// client and Service port.
func (w wanted) find(key string, ends edgeEnds) outcome {
	if p := w.exact[key]; p != nil && p.seen {
		return p.out
	}
	if p := w.loose[ends]; p != nil && p.seen {
		return p.out
	}
	return outcome{Outcome: verdict.Unknown, Symptom: "the edge does not exist under this assumption"}
}

// judgeUnder runs the model on the inputs with the assumptions of b laid
// over them, judging the candidates whose client and Service port w asks
// for (an edge's ends are its candidate's), and offers their edges to w.
func judgeUnder(inv *inventory.Inventory, opt Options, fs *facts, b map[string]int, w wanted) {
	set := inv.Input
	set.Objects = slices.Clone(set.Objects)
	set.Unread = nil
	ids := make([]string, 0, len(b))
	for id := range b {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		set.Objects = append(set.Objects, fs.byID[id].values[b[id]].objects...)
	}
	alt := inventory.Build(set, inv.DefaultNamespace)
	m := mesh.New(alt)
	found := opt.Scope.candidates(edges.Discover(alt, edges.Options{AllPairs: opt.AllPairs}))
	domain := alt.Mesh.DomainSuffix
	asked := slices.DeleteFunc(found.Candidates, func(c edges.Candidate) bool {
		return w.loose[edgeEnds{c.Client.Namespace, c.Client.Name, c.Client.Kind, c.Service.Host(domain), c.Port.Port}] == nil
	})
	judgeEach(m, asked, func(_ int, judged []verdict.Edge) {
		for i := range judged {
			e := &judged[i]
			if p := w.exact[e.Key()]; p != nil {
				p.offer(e)
			}
			if p := w.loose[endsOf(e)]; p != nil {
				p.offer(e)
			}
		}
	})
}

// applyAlternatives drops the facts the outcome does not hang on, and makes
// e unknown with one alternative per remaining combination — unless
// nothing remains, when e's own verdict stands.
func applyAlternatives(e *verdict.Edge, fs []*fact, cs []combo, res []outcome) {
	keep := make([]bool, len(fs))
	for k := range fs {
		keep[k] = true
	}
	for k := range fs {
		if e.Outcome == verdict.Unknown && count(keep) == 1 && keep[k] {
			break // an undecided edge keeps at least one fact to show
		}
		keep[k] = false
		if !consistent(cs, res, keep) {
			keep[k] = true
		}
	}
	var kept []*fact
	for k, f := range fs {
		if keep[k] {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return // every assumption gives the same verdict: it does not hang on them
	}
	if e.Outcome == verdict.Unknown && agreed(res) && res[0].Outcome != verdict.Unknown {
		// Undecided on what was read, but every possibility gives the same
		// verdict: it is decided, whatever the missing facts are.
		r := res[0]
		e.Outcome, e.MTLS, e.Encrypted, e.Symptom, e.Category = r.Outcome, r.MTLS, e.Encrypted || r.MTLS, r.Symptom, category.Category(r.Category)
		e.Cause = fmt.Sprintf("%s whatever is missing (%s): every possibility gives the same", r.Outcome, strings.Join(missingOf(fs), "; "))
		return
	}
	seen := map[string]bool{}
	var alts []verdict.Alternative
	for i, c := range cs {
		var words []string
		for k, f := range fs {
			if keep[k] {
				words = append(words, f.values[c[k]].words)
			}
		}
		id := strings.Join(words, "\x00")
		if seen[id] {
			continue
		}
		seen[id] = true
		r := res[i]
		if len(r.Alts) == 0 {
			alts = append(alts, verdict.Alternative{Assume: words, Outcome: r.Outcome, MTLS: r.MTLS, Category: r.Category, Symptom: r.Symptom})
			continue
		}
		for _, a := range r.Alts {
			a.Assume = append(slices.Clone(words), a.Assume...)
			alts = append(alts, a)
		}
	}
	markUndecided(e, kept, "")
	e.Alternatives = alts
}

// missingOf says what each fact lacks, in words.
func missingOf(fs []*fact) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.missing)
	}
	return out
}

// agreed: every combination gives one outcome, with no alternatives of its own.
func agreed(res []outcome) bool {
	for _, r := range res {
		if len(r.Alts) > 0 || !r.same(res[0]) {
			return false
		}
	}
	return len(res) > 0
}

// consistent: with only the kept facts, each combination still has one outcome.
func consistent(cs []combo, res []outcome, keep []bool) bool {
	by := map[string]outcome{}
	for i, c := range cs {
		var b strings.Builder
		for k, v := range c {
			if keep[k] {
				fmt.Fprintf(&b, "%d,", v)
			}
		}
		if o, ok := by[b.String()]; ok && !o.same(res[i]) {
			return false
		}
		by[b.String()] = res[i]
	}
	return true
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// markUndecided makes e unknown because of fs. An edge the model had
// decided on what it could read is undecided now: its cause says what
// could not be read, and the side it hides reads "unknown".
func markUndecided(e *verdict.Edge, fs []*fact, why string) {
	missing := missingOf(fs)
	for _, f := range fs {
		if f.client {
			e.ClientSends = mesh.SendsUnknown
		}
		if f.server {
			e.ServerAccepts = mesh.AcceptsUnknown
		}
	}
	if e.Outcome != verdict.Unknown {
		e.Cause = "undecided: " + strings.Join(missing, "; ") + " (on what was read alone: " + e.Cause + ")"
		e.Outcome, e.MTLS, e.Encrypted, e.Symptom, e.Category = verdict.Unknown, false, false, "", ""
	} else if !strings.Contains(e.Cause, missing[0]) {
		e.Cause += "; " + strings.Join(missing, "; ")
	}
	if why != "" {
		e.Cause += "; " + why
	}
}
