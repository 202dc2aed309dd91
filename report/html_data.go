package report

import (
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Bounds of what the HTML page embeds, so that a 20,000-workload mesh opens
// in seconds; the page says what each bound dropped, with counts, and the
// namespace graph counts every edge whether embedded or not.
const (
	// htmlMaxEdges edges are embedded with their full detail: failing
	// first, then unknown, then working ones, in the result's order.
	htmlMaxEdges = 20000
	// htmlMaxNSPairs namespace pairs are embedded: the ones with failing,
	// then unknown, edges or pairs first, most first.
	htmlMaxNSPairs = 20000
	// htmlMaxFindingGroups finding groups (code and message shape) are
	// embedded, each with at most htmlMaxFindingAt locations.
	htmlMaxFindingGroups = 2000
	htmlMaxFindingAt     = 20
)

// htmlData is what the page's script draws. Strings are interned (Str),
// deciding objects too (Refs), and each edge is one array (see edgeRow), so
// that 60,000 edges do not repeat their cause, symptom and objects.
type htmlData struct {
	Summary    analysis.Summary `json:"summary"`
	Str        []string         `json:"str"`
	Refs       [][5]int         `json:"refs"` // kind, namespace, name, file (Str), line
	Edges      [][]int          `json:"edges"`
	Namespaces []string         `json:"namespaces"`
	// NSPairs: [client namespace, Service namespace (indices into
	// Namespaces), failing, unknown, ok mTLS, ok plaintext edges, failing
	// pairs, unknown pairs (all-pairs)], over every edge of the result.
	NSPairs  [][8]int      `json:"nsPairs"`
	Findings []htmlFinding `json:"findings"`
	AllPairs *htmlAllPairs `json:"allPairs,omitempty"`
	Bounds   htmlBounds    `json:"bounds"`
}

// htmlBounds are the limits and what they left out.
type htmlBounds struct {
	MaxEdges         int `json:"maxEdges"`
	MaxNSPairs       int `json:"maxNSPairs"`
	MaxFindingGroups int `json:"maxFindingGroups"`
	// Edges left out by outcome; NSPairs left out, and the failing pairs
	// and edges those held; finding groups and findings left out.
	DroppedEdges      map[string]int `json:"droppedEdges"`
	DroppedNSPairs    int            `json:"droppedNSPairs"`
	DroppedNSFailing  int            `json:"droppedNSFailing"`
	DroppedGroups     int            `json:"droppedFindingGroups"`
	DroppedFindings   int            `json:"droppedFindings"`
	EdgeFailsFindings int            `json:"edgeFailsFindings"`
}

type htmlFinding struct {
	Severity string   `json:"severity"`
	Code     string   `json:"code"`
	Check    string   `json:"check"`
	Message  string   `json:"message"`
	Count    int      `json:"count"`
	At       []string `json:"at"`
}

type htmlAllPairs struct {
	Pairs         int             `json:"pairs"`
	FailingPairs  int             `json:"failingPairs"`
	UnknownPairs  int             `json:"unknownPairs"`
	ClientClasses int             `json:"clientClasses"`
	ServerClasses int             `json:"serverClasses"`
	Causes        []htmlPairCause `json:"causes"`
}

type htmlPairCause struct {
	Pairs   int    `json:"pairs"`
	Outcome string `json:"outcome"`
	Cause   string `json:"cause"`
	Symptom string `json:"symptom,omitempty"`
}

// The positions of an edge row; decidedBy's Refs indices follow edgeRefs.
const (
	eClientNs = iota
	eClientWl
	eClientKind
	eClientProxy
	eHost
	eServerNs
	eService
	ePort
	eTargetPort
	eServerProxy
	eServerWl
	eServerWlKind
	eProtocol
	eSubset
	eOutcome
	eFlags // 1 mutual TLS, 2 encrypted, 4 telemetry
	eSends
	eAccepts
	eClientReason
	eServerReason
	eSymptom
	eCause
	eCategory
	eSource
	eAlternatives // the "if" lines, or -1
	edgeRefs
)

type interner struct {
	list []string
	at   map[string]int
}

func (in *interner) id(s string) int {
	if i, ok := in.at[s]; ok {
		return i
	}
	in.at[s] = len(in.list)
	in.list = append(in.list, s)
	return len(in.list) - 1
}

// buildHTMLData turns a result into the page's data within the bounds.
func buildHTMLData(r analysis.Result) htmlData {
	d := htmlData{Summary: r.Summary, Refs: [][5]int{}, Edges: [][]int{}, NSPairs: [][8]int{}, Findings: []htmlFinding{},
		Bounds: htmlBounds{MaxEdges: htmlMaxEdges, MaxNSPairs: htmlMaxNSPairs, MaxFindingGroups: htmlMaxFindingGroups, DroppedEdges: map[string]int{}}}
	str := &interner{at: map[string]int{}}
	str.id("")
	refs := map[inventory.Ref]int{}
	for _, i := range embeddedEdges(r.Edges, &d.Bounds) {
		e := r.Edges[i]
		row := make([]int, edgeRefs, edgeRefs+len(e.DecidedBy))
		// In a fixed order: the string table must come out the same each run.
		for _, f := range []struct {
			at int
			v  string
		}{{eClientNs, e.Client.Namespace}, {eClientWl, e.Client.Workload}, {eClientKind, e.Client.Kind},
			{eClientProxy, string(e.Client.Proxy)}, {eHost, e.Server.Host}, {eServerNs, e.Server.Namespace}, {eService, e.Server.Service},
			{eServerProxy, string(e.Server.Proxy)}, {eServerWl, e.Server.Workload}, {eServerWlKind, e.Server.WorkloadKind},
			{eProtocol, e.Server.Protocol}, {eSubset, e.Server.Subset}, {eOutcome, string(e.Outcome)}, {eSends, string(e.ClientSends)},
			{eAccepts, string(e.ServerAccepts)}, {eClientReason, e.ClientReason}, {eServerReason, e.ServerReason}, {eSymptom, e.Symptom},
			{eCause, e.Cause}, {eCategory, string(e.Category)}, {eSource, e.Source}} {
			row[f.at] = str.id(f.v)
		}
		row[ePort], row[eTargetPort] = int(e.Server.Port), int(e.Server.TargetPort)
		if e.MTLS {
			row[eFlags] |= 1
		}
		if e.Encrypted {
			row[eFlags] |= 2
		}
		if e.Telemetry {
			row[eFlags] |= 4
		}
		row[eAlternatives] = -1
		if len(e.Alternatives) > 0 {
			var b strings.Builder
			alternativesLines(&b, e, Style{})
			// The text's "if:" lines without their label and indent.
			var lines []string
			for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
				lines = append(lines, strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "if:")))
			}
			row[eAlternatives] = str.id(strings.Join(lines, "\n"))
		}
		for _, ref := range e.DecidedBy {
			j, ok := refs[ref]
			if !ok {
				j = len(d.Refs)
				refs[ref] = j
				d.Refs = append(d.Refs, [5]int{str.id(ref.Kind), str.id(ref.Namespace), str.id(ref.Name), str.id(ref.File), ref.Line})
			}
			row = append(row, j)
		}
		d.Edges = append(d.Edges, row)
	}
	d.Namespaces, d.NSPairs = namespacePairs(r, &d.Bounds)
	groups := groupFindings(r.Findings)
	for i, g := range groups {
		if i == htmlMaxFindingGroups {
			for _, g := range groups[i:] {
				d.Bounds.DroppedGroups++
				d.Bounds.DroppedFindings += len(g.list)
			}
			break
		}
		f := g.list[0]
		h := htmlFinding{Severity: string(f.Severity), Code: f.Code, Check: f.Check, Message: f.Message, Count: len(g.list), At: []string{}}
		if len(g.list) > 1 {
			h.Message = g.shape
		}
		for j, x := range g.list {
			if j == htmlMaxFindingAt {
				break
			}
			h.At = append(h.At, loc(x))
		}
		d.Findings = append(d.Findings, h)
	}
	for _, f := range r.Findings {
		if f.Code == check.EdgeFails.Code {
			d.Bounds.EdgeFailsFindings++
		}
	}
	if ap := r.AllPairs; ap != nil {
		d.AllPairs = &htmlAllPairs{Pairs: ap.Pairs, FailingPairs: ap.FailingPairs, UnknownPairs: ap.UnknownPairs,
			ClientClasses: len(ap.ClientClasses), ServerClasses: len(ap.ServerClasses), Causes: []htmlPairCause{}}
		for _, c := range ap.Causes {
			d.AllPairs.Causes = append(d.AllPairs.Causes, htmlPairCause{Pairs: c.Pairs, Outcome: string(c.Outcome), Cause: c.Cause, Symptom: c.Symptom})
		}
	}
	d.Str = str.list
	return d
}

// embeddedEdges picks at most htmlMaxEdges edges, failing then unknown then
// ok, and returns their indices in the result's order; the rest are counted.
func embeddedEdges(es []verdict.Edge, b *htmlBounds) []int {
	var keep []int
	for _, o := range []verdict.Outcome{verdict.Fail, verdict.Unknown, verdict.OK} {
		for i, e := range es {
			if e.Outcome != o {
				continue
			}
			if len(keep) == htmlMaxEdges {
				b.DroppedEdges[string(o)]++
				continue
			}
			keep = append(keep, i)
		}
	}
	sort.Ints(keep)
	return keep
}

// namespacePairs counts every edge (and with all-pairs every pair) by
// client and Service namespace; beyond htmlMaxNSPairs it keeps those with
// the most failing, then unknown, edges and pairs.
func namespacePairs(r analysis.Result, b *htmlBounds) ([]string, [][8]int) {
	names := map[string]bool{}
	for _, e := range r.Edges {
		names[e.Client.Namespace], names[e.Server.Namespace] = true, true
	}
	var m *analysis.NamespaceMatrix
	if r.AllPairs != nil {
		m = &r.AllPairs.Namespaces
		for _, n := range m.Names {
			names[n] = true
		}
	}
	list := make([]string, 0, len(names))
	for n := range names {
		list = append(list, n)
	}
	sort.Strings(list)
	index := make(map[string]int, len(list))
	for i, n := range list {
		index[n] = i
	}
	cells := map[[2]int]*[8]int{}
	cell := func(a, b int) *[8]int {
		c := cells[[2]int{a, b}]
		if c == nil {
			c = &[8]int{a, b}
			cells[[2]int{a, b}] = c
		}
		return c
	}
	for _, e := range r.Edges {
		c := cell(index[e.Client.Namespace], index[e.Server.Namespace])
		switch {
		case e.Outcome == verdict.Fail:
			c[2]++
		case e.Outcome == verdict.Unknown:
			c[3]++
		case e.MTLS:
			c[4]++
		default:
			c[5]++
		}
	}
	if m != nil {
		for i, row := range m.Failing {
			for j, n := range row {
				var u int32
				if m.Unknown != nil {
					u = m.Unknown[i][j]
				}
				if n > 0 || u > 0 {
					c := cell(index[m.Names[i]], index[m.Names[j]])
					c[6], c[7] = int(n), int(u)
				}
			}
		}
	}
	out := make([][8]int, 0, len(cells))
	for _, c := range cells {
		out = append(out, *c)
	}
	weight := func(c [8]int) (int, int) { return c[2] + c[6], c[3] + c[7] }
	sort.Slice(out, func(i, j int) bool {
		fi, ui := weight(out[i])
		fj, uj := weight(out[j])
		if fi != fj {
			return fi > fj
		}
		if ui != uj {
			return ui > uj
		}
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	if len(out) > htmlMaxNSPairs {
		for _, c := range out[htmlMaxNSPairs:] {
			b.DroppedNSPairs++
			b.DroppedNSFailing += c[2] + c[6]
		}
		out = out[:htmlMaxNSPairs]
	}
	return list, out
}
