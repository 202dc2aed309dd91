package analysis

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/internal/parallel"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// AllPairs is every workload × Service-port pair judged by equivalence
// class: clients that every rule treats alike (their namespace's
// configuration, proxy, capture, the selectors that see them) form one
// class, Service ports likewise (namespace, port, backends' proxy, capture
// and PeerAuthentication); each class pair is decided once, on one member
// pair, separately for pairs within one namespace and across two. A pod
// calling a Service it backs is judged on its own (loopback, §10.6).
type AllPairs struct {
	Pairs        int `json:"pairs"`
	FailingPairs int `json:"failingPairs"`
	UnknownPairs int `json:"unknownPairs"`
	// ClientClasses and ServerClasses list every class with its members.
	ClientClasses []ClientClass `json:"clientClasses"`
	ServerClasses []ServerClass `json:"serverClasses"`
	// Causes are the distinct ways pairs fail or stay unknown, most pairs
	// first, each with one judged member pair's edges as its example; Groups
	// are the failing and unknown class pairs, each naming its cause.
	Causes []PairCause `json:"causes"`
	Groups []PairGroup `json:"groups"`
	// Namespaces is the namespace × namespace matrix of failing and unknown pairs.
	// (report.JSON writes it as allPairs.namespaces, one line per row.)
	Namespaces NamespaceMatrix `json:"-"`
	// outcome is the class judgement of one pair (see declared.go); false
	// for a pair the classes do not hold (a ServiceEntry host).
	outcome func(w *inventory.Workload, p portOf) (verdict.Outcome, bool)
	admits  func(clientNs, svcNs string) bool
}

// NamespaceMatrix counts, for each client namespace (row) and Service
// namespace (column), both in Names order, the pairs that fail and that
// are unknown: dense, so that 1,000 namespaces take a few megabytes.
type NamespaceMatrix struct {
	Names   []string  `json:"names"`
	Failing [][]int32 `json:"failing"`
	Unknown [][]int32 `json:"unknown,omitempty"`
}

// Cell is the (failing, unknown) count from namespace a to b.
func (m NamespaceMatrix) Cell(a, b string) (failing, unknown int) {
	i, j := slices.Index(m.Names, a), slices.Index(m.Names, b)
	if i < 0 || j < 0 {
		return 0, 0
	}
	if m.Unknown != nil {
		unknown = int(m.Unknown[i][j])
	}
	return int(m.Failing[i][j]), unknown
}

// ClientClass is a set of workloads every rule treats alike as clients.
type ClientClass struct {
	ID      int      `json:"id"`
	Proxy   string   `json:"proxy"`
	Members []string `json:"members"` // namespace/name (Kind)
}

// ServerClass is a set of Service ports every rule treats alike as servers.
type ServerClass struct {
	ID      int      `json:"id"`
	Members []string `json:"members"` // namespace/service:port
}

// PairCause is one way pairs fail (or stay unknown), told once.
type PairCause struct {
	Pairs    int             `json:"pairs"`
	Outcome  verdict.Outcome `json:"outcome"`
	Category string          `json:"category,omitempty"`
	Symptom  string          `json:"symptom,omitempty"`
	Cause    string          `json:"cause"`
	Example  []verdict.Edge  `json:"example"`
}

// PairGroup is one class pair that does not work.
type PairGroup struct {
	Clients int `json:"clients"` // ClientClass ID
	Servers int `json:"servers"` // ServerClass ID
	// SameNamespace: the pairs whose client and Service share a namespace
	// (else those across namespaces).
	SameNamespace bool `json:"sameNamespace"`
	Pairs         int  `json:"pairs"`
	Cause         int  `json:"cause"` // index into Causes
}

type pairClass struct {
	id      int
	key     string
	byNS    map[string]int // members per namespace
	members []int          // indices into the clients or ports slice
}

type servicePort struct {
	svc  *inventory.Service
	port corev1.ServicePort
}

// RunAllPairs judges every pair of the model's inventory by class; admits
// (nil: every pair) says which client → Service namespaces are counted.
func RunAllPairs(m *mesh.Model, admits func(clientNs, svcNs string) bool) *AllPairs {
	if admits == nil {
		admits = func(string, string) bool { return true }
	}
	inv := m.Inv
	k := newKeyer(inv)
	var ports []servicePort
	for _, s := range inv.Services {
		if s.External != nil {
			continue
		}
		for _, p := range s.Spec.Ports {
			ports = append(ports, servicePort{s, p})
		}
	}
	clients, clientOf := classify(len(inv.Workloads), func(i int) (string, string) {
		w := inv.Workloads[i]
		return w.Namespace, k.client(m, w)
	})
	servers, serverOf := classify(len(ports), func(i int) (string, string) {
		return ports[i].svc.Namespace, k.server(m, ports[i].svc, ports[i].port)
	})
	res := &AllPairs{ClientClasses: []ClientClass{}, ServerClasses: []ServerClass{}, Causes: []PairCause{}, Groups: []PairGroup{}}
	names := map[string]int{}
	for _, w := range inv.Workloads {
		names[w.Namespace] = 0
	}
	for _, sp := range ports {
		names[sp.svc.Namespace] = 0
	}
	res.Namespaces.Names = slices.Sorted(maps.Keys(names))
	for i, n := range res.Namespaces.Names {
		names[n] = i
	}
	failing, unknown := make([][]int32, len(names)), make([][]int32, len(names))
	for i := range failing {
		failing[i], unknown[i] = make([]int32, len(names)), make([]int32, len(names))
	}
	anyUnknown := false
	portsIn := map[string]int{}
	for _, sp := range ports {
		portsIn[sp.svc.Namespace]++
	}
	workloadsIn := map[string]int{}
	for _, w := range inv.Workloads {
		workloadsIn[w.Namespace]++
	}
	for ns, nw := range workloadsIn {
		for to, n := range portsIn {
			if admits(ns, to) {
				res.Pairs += nw * n
			}
		}
	}
	count := func(from, to string, o verdict.Outcome, n int) {
		if n == 0 || o == verdict.OK || !admits(from, to) {
			return
		}
		i, j := names[from], names[to]
		if o == verdict.Fail {
			failing[i][j] += int32(n)
			res.FailingPairs += n
		} else {
			unknown[i][j] += int32(n)
			res.UnknownPairs += n
			anyUnknown = true
		}
	}
	judge := func(w *inventory.Workload, sp servicePort) []verdict.Edge {
		return verdict.Evaluate(m, edges.Candidate{Client: w, Service: sp.svc, Port: sp.port, Sources: []string{"all-pairs"}})
	}
	// Self pairs: each pod calling a Service it backs, judged one by one.
	self := map[[2]int]map[string]int{} // class pair → namespace → self pairs
	type selfPair struct {
		cp    [2]int
		o     verdict.Outcome
		edges []verdict.Edge
	}
	var selfJudged []selfPair               // failing and unknown ones, grouped with the rest below
	selfOut := map[[2]int]verdict.Outcome{} // (workload, port) → outcome
	backs := map[*inventory.Workload]map[*inventory.Service]bool{}
	index := make(map[*inventory.Workload]int, len(inv.Workloads))
	for i, w := range inv.Workloads {
		index[w] = i
	}
	for j, sp := range ports {
		for _, b := range inv.Backends(sp.svc) {
			i, ok := index[b]
			if !ok {
				continue
			}
			cp := [2]int{clientOf[i], serverOf[j]}
			if self[cp] == nil {
				self[cp] = map[string]int{}
			}
			self[cp][b.Namespace]++
			es := judge(b, sp)
			o := outcomeOf(es)
			selfOut[[2]int{i, j}] = o
			count(b.Namespace, sp.svc.Namespace, o, 1)
			if o != verdict.OK && admits(b.Namespace, sp.svc.Namespace) {
				selfJudged = append(selfJudged, selfPair{cp, o, es})
			}
			if backs[b] == nil {
				backs[b] = map[*inventory.Service]bool{}
			}
			backs[b][sp.svc] = true
		}
	}
	isSelf := func(w *inventory.Workload, sp servicePort) bool {
		return backs[w][sp.svc]
	}
	// Pairs within one namespace, per class pair: Σ over namespaces of
	// members × members, less the self pairs; and the first namespace that
	// has one, to judge.
	type within struct {
		pairs int
		ns    string
	}
	clientsIn, serversIn := map[string][]*pairClass{}, map[string][]*pairClass{}
	for _, c := range clients {
		for ns := range c.byNS {
			clientsIn[ns] = append(clientsIn[ns], c)
		}
	}
	for _, c := range servers {
		for ns := range c.byNS {
			serversIn[ns] = append(serversIn[ns], c)
		}
	}
	same := map[[2]int]*within{}
	sameTotal := map[[2]int]int{} // including self pairs
	for _, ns := range slices.Sorted(maps.Keys(clientsIn)) {
		for _, cc := range clientsIn[ns] {
			for _, sc := range serversIn[ns] {
				cp := [2]int{cc.id, sc.id}
				n := cc.byNS[ns] * sc.byNS[ns]
				sameTotal[cp] += n
				n -= self[cp][ns]
				if n == 0 {
					continue
				}
				if same[cp] == nil {
					same[cp] = &within{ns: ns}
				}
				same[cp].pairs += n
			}
		}
	}
	// One judgement per class pair within a namespace and one across, on
	// every core (the model's per-workload cache is full by now: read only).
	type job struct {
		cc, sc *pairClass
		same   bool
		pairs  int
		w      *inventory.Workload
		sp     servicePort
		edges  []verdict.Edge
	}
	var jobs []job
	for _, cc := range clients {
		for _, sc := range servers {
			cp := [2]int{cc.id, sc.id}
			if wi := same[cp]; wi != nil {
				if w, sp, ok := pick(inv, ports, cc, sc, wi.ns, isSelf); ok {
					jobs = append(jobs, job{cc: cc, sc: sc, same: true, pairs: wi.pairs, w: w, sp: sp})
				}
			}
			if cross := len(cc.members)*len(sc.members) - sameTotal[cp]; cross > 0 {
				w, sp := crossPick(inv, ports, cc, sc)
				jobs = append(jobs, job{cc: cc, sc: sc, pairs: cross, w: w, sp: sp})
			}
		}
	}
	crossOut, sameOut := map[[2]int]verdict.Outcome{}, map[[2]int]verdict.Outcome{}
	g := grouping{causes: map[string]int{}, groups: map[groupKey]int{}}
	// Block by block, each job's edges dropped once grouped (a cause keeps
	// its first as the example): all held at once were most of the memory
	// of a 40,000-workload mesh's 600,000 class pairs.
	for lo := 0; lo < len(jobs); lo += evalBlock {
		block := jobs[lo:min(lo+evalBlock, len(jobs))]
		parallel.For(len(block), func(i int) { block[i].edges = judge(block[i].w, block[i].sp) })
		for i := range block {
			j := &block[i]
			o := outcomeOf(j.edges)
			if j.same {
				sameOut[[2]int{j.cc.id, j.sc.id}] = o
				for ns, n := range j.cc.byNS {
					if m := sc0(j.sc, ns); m > 0 {
						count(ns, ns, o, n*m-self[[2]int{j.cc.id, j.sc.id}][ns])
					}
				}
			} else if o != verdict.OK {
				crossOut[[2]int{j.cc.id, j.sc.id}] = o
			}
			res.addGroup(j.cc, j.sc, j.same, j.pairs, o, j.edges, g)
			j.edges = nil
		}
	}
	// Self pairs are counted above one by one; their groups join the class
	// pair's within-namespace group of the same cause (the groups' pairs and
	// the causes' add up to the failing and unknown pairs).
	for _, sp := range selfJudged {
		res.addGroup(clients[sp.cp[0]], servers[sp.cp[1]], true, 1, sp.o, sp.edges, g)
	}
	// The matrix across namespaces: for each client class, the failing (and
	// unknown) pairs it has towards each Service namespace, then spread over
	// the class's own namespaces — linear in classes × namespaces, not pairs.
	for _, cc := range clients {
		toNS := map[verdict.Outcome]map[string]int{verdict.Fail: {}, verdict.Unknown: {}}
		for _, sc := range servers {
			o, ok := crossOut[[2]int{cc.id, sc.id}]
			if !ok {
				continue
			}
			for b, nb := range sc.byNS {
				toNS[o][b] += nb
			}
		}
		for _, o := range []verdict.Outcome{verdict.Fail, verdict.Unknown} {
			for b, nb := range toNS[o] {
				for a, na := range cc.byNS {
					if a != b {
						count(a, b, o, na*nb)
					}
				}
			}
		}
	}
	for _, c := range clients {
		w := inv.Workloads[c.members[0]]
		cl := ClientClass{ID: c.id, Proxy: string(m.Proxy(w).Kind)}
		for _, i := range c.members {
			w := inv.Workloads[i]
			cl.Members = append(cl.Members, fmt.Sprintf("%s/%s (%s)", w.Namespace, w.Name, w.Kind))
		}
		res.ClientClasses = append(res.ClientClasses, cl)
	}
	for _, c := range servers {
		sc := ServerClass{ID: c.id}
		for _, i := range c.members {
			sc.Members = append(sc.Members, fmt.Sprintf("%s/%s:%d", ports[i].svc.Namespace, ports[i].svc.Name, ports[i].port.Port))
		}
		res.ServerClasses = append(res.ServerClasses, sc)
	}
	// Causes by pairs, failing first; groups by their cause's rank, then pairs.
	order := make([]int, len(res.Causes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := res.Causes[order[i]], res.Causes[order[j]]
		if (a.Outcome == verdict.Fail) != (b.Outcome == verdict.Fail) {
			return a.Outcome == verdict.Fail
		}
		return a.Pairs > b.Pairs
	})
	rank := make([]int, len(order))
	sorted := make([]PairCause, len(order))
	for r, i := range order {
		rank[i] = r
		sorted[r] = res.Causes[i]
	}
	res.Causes = sorted
	for i := range res.Groups {
		res.Groups[i].Cause = rank[res.Groups[i].Cause]
	}
	sort.SliceStable(res.Groups, func(i, j int) bool {
		a, b := res.Groups[i], res.Groups[j]
		if a.Cause != b.Cause {
			return a.Cause < b.Cause
		}
		return a.Pairs > b.Pairs
	})
	res.Namespaces.Failing = failing
	if anyUnknown {
		res.Namespaces.Unknown = unknown
	}
	portIndex := make(map[portOf]int, len(ports))
	for j, sp := range ports {
		portIndex[portOf{sp.svc, sp.port.Port}] = j
	}
	res.outcome = func(w *inventory.Workload, p portOf) (verdict.Outcome, bool) {
		i, ok := index[w]
		j, okp := portIndex[p]
		if !ok || !okp {
			return "", false
		}
		if o, ok := selfOut[[2]int{i, j}]; ok {
			return o, true
		}
		cp := [2]int{clientOf[i], serverOf[j]}
		if w.Namespace == p.svc.Namespace {
			return sameOut[cp], true
		}
		if o, ok := crossOut[cp]; ok {
			return o, true
		}
		return verdict.OK, true
	}
	res.admits = admits
	return res
}

// grouping finds a cause told before and a group of the same class pair,
// side and cause.
type grouping struct {
	causes map[string]int
	groups map[groupKey]int
}

type groupKey struct {
	clients, servers int
	same             bool
	cause            int
}

func (r *AllPairs) addGroup(cc, sc *pairClass, same bool, n int, o verdict.Outcome, rep []verdict.Edge, g grouping) {
	if o == verdict.OK {
		return
	}
	c := PairCause{Outcome: o, Example: rep}
	for _, e := range rep {
		if e.Outcome == o {
			c.Category, c.Symptom, c.Cause = string(e.Category), e.Symptom, e.Cause
			break
		}
	}
	key := string(o) + "\x00" + c.Category + "\x00" + c.Symptom + "\x00" + c.Cause
	i, ok := g.causes[key]
	if !ok {
		i = len(r.Causes)
		g.causes[key] = i
		r.Causes = append(r.Causes, c)
	}
	r.Causes[i].Pairs += n
	k := groupKey{cc.id, sc.id, same, i}
	if at, ok := g.groups[k]; ok {
		r.Groups[at].Pairs += n
		return
	}
	g.groups[k] = len(r.Groups)
	r.Groups = append(r.Groups, PairGroup{Clients: cc.id, Servers: sc.id, SameNamespace: same, Pairs: n, Cause: i})
}

func sc0(c *pairClass, ns string) int { return c.byNS[ns] }

// outcomeOf is a pair's outcome over its edges (one per backend and route):
// it fails if any fails, else is unknown if any is.
func outcomeOf(es []verdict.Edge) verdict.Outcome {
	o := verdict.OK
	for _, e := range es {
		if o = worse(o, e.Outcome); o == verdict.Fail {
			return o
		}
	}
	return o
}

// worse is the worse of two outcomes: fail, then unknown, then ok.
func worse(a, b verdict.Outcome) verdict.Outcome {
	switch {
	case a == verdict.Fail || b == verdict.Fail:
		return verdict.Fail
	case a == verdict.Unknown || b == verdict.Unknown:
		return verdict.Unknown
	}
	return verdict.OK
}

// classify groups n items by key, keeping first-seen order.
func classify(n int, key func(i int) (ns, key string)) ([]*pairClass, []int) {
	var out []*pairClass
	byKey := map[string]*pairClass{}
	of := make([]int, n)
	for i := range n {
		ns, k := key(i)
		c := byKey[k]
		if c == nil {
			c = &pairClass{id: len(out), key: k, byNS: map[string]int{}}
			byKey[k] = c
			out = append(out, c)
		}
		c.members = append(c.members, i)
		c.byNS[ns]++
		of[i] = c.id
	}
	return out, of
}

// pick finds a member pair of (cc, sc) in namespace ns that is not a self pair.
func pick(inv *inventory.Inventory, ports []servicePort, cc, sc *pairClass, ns string, isSelf func(*inventory.Workload, servicePort) bool) (*inventory.Workload, servicePort, bool) {
	for _, i := range cc.members {
		w := inv.Workloads[i]
		if w.Namespace != ns {
			continue
		}
		for _, j := range sc.members {
			if ports[j].svc.Namespace == ns && !isSelf(w, ports[j]) {
				return w, ports[j], true
			}
		}
	}
	return nil, servicePort{}, false
}

// crossPick finds a member pair of (cc, sc) across two namespaces.
func crossPick(inv *inventory.Inventory, ports []servicePort, cc, sc *pairClass) (*inventory.Workload, servicePort) {
	for _, i := range cc.members {
		w := inv.Workloads[i]
		for _, j := range sc.members {
			if ports[j].svc.Namespace != w.Namespace {
				return w, ports[j]
			}
		}
	}
	panic("crossPick: no pair across namespaces")
}

// keyer writes the class keys. A key holds everything a rule reads of its
// side, with the namespace's (and the Service's) own name abstracted when no
// object names it, so alike namespaces share classes.
type keyer struct {
	inv       *inventory.Inventory
	mentioned map[string]bool // names some host, exportTo or egress pattern spells out
	allNames  bool            // a wildcard like "*foo.ns" can match part of a name: keep every name
	nsSig     map[string]string
	selectors map[string][]map[string]string // namespace → label selectors that read its pods
	subsets   []map[string]string            // DR subset selectors (they read backends)
}

var token = regexp.MustCompile(`[a-z0-9]([-a-z0-9]*[a-z0-9])?`)

func newKeyer(inv *inventory.Inventory) *keyer {
	k := &keyer{inv: inv, mentioned: map[string]bool{inv.Mesh.RootNamespace: true}, nsSig: map[string]string{}, selectors: map[string][]map[string]string{}}
	mention := func(ss ...string) {
		for _, s := range ss {
			if strings.HasPrefix(s, "*") && !strings.HasPrefix(s, "*.") && s != "*" {
				k.allNames = true
			}
			for _, t := range token.FindAllString(strings.ToLower(s), -1) {
				k.mentioned[t] = true
			}
		}
	}
	for _, d := range inv.DestinationRules {
		mention(d.Spec.GetHost())
		mention(d.Spec.GetExportTo()...)
		if sel := d.Spec.GetWorkloadSelector().GetMatchLabels(); len(sel) > 0 {
			k.selectors[d.Namespace] = append(k.selectors[d.Namespace], sel)
		}
		for _, ss := range d.Spec.GetSubsets() {
			k.subsets = append(k.subsets, ss.GetLabels())
		}
	}
	for _, v := range inv.VirtualServices {
		mention(v.Spec.GetHosts()...)
		mention(v.Spec.GetExportTo()...)
		mention(v.Spec.GetGateways()...)
		js, _ := json.Marshal(v.Spec)
		for _, m := range regexp.MustCompile(`"host":"([^"]*)"`).FindAllStringSubmatch(string(js), -1) {
			mention(m[1])
		}
		for _, m := range regexp.MustCompile(`"sourceLabels":(\{[^}]*\})`).FindAllStringSubmatch(string(js), -1) {
			var sel map[string]string
			if json.Unmarshal([]byte(m[1]), &sel) == nil {
				for ns := range inv.Namespaces {
					k.selectors[ns] = append(k.selectors[ns], sel)
				}
				k.selectors[""] = append(k.selectors[""], sel) // every namespace
			}
		}
	}
	for _, s := range inv.Sidecars {
		for _, e := range s.Spec.GetEgress() {
			mention(e.GetHosts()...)
		}
		if sel := s.Spec.GetWorkloadSelector().GetLabels(); len(sel) > 0 {
			k.selectors[s.Namespace] = append(k.selectors[s.Namespace], sel)
		}
	}
	for _, e := range inv.ServiceEntries {
		mention(e.Spec.GetHosts()...)
		mention(e.Spec.GetExportTo()...)
	}
	for _, p := range inv.PeerAuthentications {
		if sel := p.Spec.GetSelector().GetMatchLabels(); len(sel) > 0 {
			k.selectors[p.Namespace] = append(k.selectors[p.Namespace], sel)
		}
	}
	gatewaySelectors(inv, k.selectors, mention)
	for _, s := range inv.Services {
		for ak, av := range s.Annotations {
			if strings.Contains(ak, "istio.io") {
				mention(av)
			}
		}
	}
	return k
}

// name is how a key spells namespace or Service name n.
func (k *keyer) name(n string) string {
	if k.allNames || k.mentioned[n] {
		return "=" + n
	}
	return "~"
}

// canon replaces the namespace's own name in text by a placeholder, when no
// object names it.
func (k *keyer) canon(text, ns string) string {
	if k.allNames || k.mentioned[ns] || ns == "" {
		return text
	}
	return replaceName(text, ns, "\x00")
}

// replaceName replaces name in text where it stands as a whole DNS label
// run (not inside a longer name).
func replaceName(text, name, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, name)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(name)
		if (i == 0 || !nameByte(text[i-1])) && (end == len(text) || !nameByte(text[end])) {
			b.WriteString(text[:i])
			b.WriteString(with)
		} else {
			b.WriteString(text[:end])
		}
		text = text[end:]
	}
}

func nameByte(c byte) bool { return c == '-' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// namespace is the signature of a namespace's own configuration: its labels
// and the Istio objects in it, as the rules read them.
func (k *keyer) namespace(ns string) string {
	if s, ok := k.nsSig[ns]; ok {
		return s
	}
	var b strings.Builder
	b.WriteString(k.name(ns))
	if n := k.inv.Namespace(ns); n != nil {
		fmt.Fprintf(&b, "|labels %v|ann %v", n.Labels, n.Annotations)
	} else {
		b.WriteString("|absent")
	}
	add := func(kind string, m inventory.Meta, spec any) {
		if m.Namespace != ns {
			return
		}
		js, _ := json.Marshal(spec)
		fmt.Fprintf(&b, "|%s %s %s %s", kind, m.Name, m.Created, js)
	}
	for _, d := range k.inv.DestinationRules {
		add("DR", d.Meta, d.Spec)
	}
	for _, v := range k.inv.VirtualServices {
		add("VS", v.Meta, v.Spec)
	}
	for _, s := range k.inv.Sidecars {
		add("SC", s.Meta, s.Spec)
	}
	for _, p := range k.inv.PeerAuthentications {
		add("PA", p.Meta, p.Spec)
	}
	for _, e := range k.inv.ServiceEntries {
		add("SE", e.Meta, e.Spec)
	}
	s := k.canon(b.String(), ns)
	k.nsSig[ns] = s
	return s
}

// pod is what the rules read of a workload on either side.
func (k *keyer) pod(m *mesh.Model, w *inventory.Workload, sels []map[string]string) string {
	var b strings.Builder
	d := m.Proxy(w)
	fmt.Fprintf(&b, "%s|%s|%s|live %v %v|pods %d|", w.Kind, d.Kind, k.canon(strings.ReplaceAll(d.Reason, w.Name, "\x01"), w.Namespace), w.Live, w.Injected, w.Pods)
	for _, r := range d.DecidedBy {
		if r.Kind == w.Kind && r.Name == w.Name && r.Namespace == w.Namespace {
			b.WriteString("self,")
		} else {
			fmt.Fprintf(&b, "%s %s %s,", r.Kind, k.name(r.Namespace), k.name(r.Name))
		}
	}
	for _, key := range slices.Sorted(maps.Keys(w.Template.Labels)) {
		if strings.Contains(key, "istio.io") {
			fmt.Fprintf(&b, "|l %s=%s", key, w.Template.Labels[key])
		}
	}
	for _, key := range slices.Sorted(maps.Keys(w.Template.Annotations)) {
		if strings.Contains(key, "istio.io") || strings.Contains(key, "opentelemetry.io") {
			fmt.Fprintf(&b, "|a %s=%s", key, w.Template.Annotations[key])
		}
	}
	b.WriteString("|sel ")
	for _, sel := range sels {
		if labels.SelectorFromSet(sel).Matches(labels.Set(w.Template.Labels)) {
			b.WriteByte('1')
		} else {
			b.WriteByte('0')
		}
	}
	return b.String()
}

func (k *keyer) client(m *mesh.Model, w *inventory.Workload) string {
	sels := append(append([]map[string]string(nil), k.selectors[w.Namespace]...), k.selectors[""]...)
	return k.namespace(w.Namespace) + "\n" + k.pod(m, w, sels)
}

func (k *keyer) server(m *mesh.Model, s *inventory.Service, p corev1.ServicePort) string {
	var b strings.Builder
	b.WriteString(k.namespace(s.Namespace))
	fmt.Fprintf(&b, "\nsvc %s|type %s|ip %v|port %d %s %v %v %s|", k.name(s.Name), s.Spec.Type, s.Headless(), p.Port, p.Name, p.Protocol, p.AppProtocol, p.TargetPort.String())
	for _, key := range slices.Sorted(maps.Keys(s.Annotations)) {
		if strings.Contains(key, "istio.io") {
			fmt.Fprintf(&b, "a %s=%s|", key, s.Annotations[key])
		}
	}
	sels := append(append([]map[string]string(nil), k.selectors[s.Namespace]...), k.subsets...)
	var backends []string
	for _, w := range k.inv.Backends(s) {
		tp, err := inventory.TargetPort(p, w.Template)
		backends = append(backends, fmt.Sprintf("%s|tp %d %v", k.pod(m, w, sels), tp, err != nil))
	}
	sort.Strings(backends)
	b.WriteString(strings.Join(backends, "\n"))
	return k.canon(b.String(), s.Namespace)
}
