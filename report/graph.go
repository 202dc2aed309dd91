package report

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Edge classes, shared by every graph renderer (DOT, Mermaid, HTML legend).
const (
	classFail    = "fail"
	classMTLS    = "mtls"
	classPlain   = "plaintext"
	classUnknown = "unknown"
	classBacks   = "backs" // Service → the workload behind it; not a judged edge
)

var classColor = map[string]string{
	classFail: "#d62728", classMTLS: "#2ca02c", classPlain: "#1f77b4", classUnknown: "#e69500", classBacks: "#aaaaaa",
}

// edgeClass is how an edge is drawn: fail, ok with mTLS, ok plaintext, unknown.
func edgeClass(e verdict.Edge) string {
	switch {
	case e.Outcome == verdict.Fail:
		return classFail
	case e.Outcome == verdict.Unknown:
		return classUnknown
	case e.MTLS:
		return classMTLS
	}
	return classPlain
}

type gNode struct {
	ID, Namespace, Name, Kind, Proxy string
	Service                          bool
}

type gEdge struct {
	From, To, Port, Class string
}

// meshGraph is the drawing of a Result: nodes grouped by namespace, in a
// stable order, and one edge per judged edge drawn plus the Service →
// workload links; Left counts the judged edges beyond the bound by class.
type meshGraph struct {
	Namespaces []string
	Nodes      map[string][]gNode // by namespace, sorted by ID
	Edges      []gEdge
	Left       map[string]int
}

// Bounds of the drawn edges: Graphviz lays out a few thousand edges in
// reasonable time, Mermaid draws at most 500 links (its maxEdges) within
// 50,000 characters (maxTextSize) by default; a judged edge and its
// Service → workload link are two links and about 250 characters.
const (
	dotMaxEdges     = 2000
	mermaidMaxEdges = 150
)

// drawn picks at most max edges to draw, failing first, then unknown, then
// the working ones, each in the result's order; left counts the others by class.
func drawn(es []verdict.Edge, max int) (keep []verdict.Edge, left map[string]int) {
	if len(es) <= max {
		return es, nil
	}
	left = map[string]int{}
	for _, o := range []verdict.Outcome{verdict.Fail, verdict.Unknown, verdict.OK} {
		for _, e := range es {
			if e.Outcome != o {
				continue
			}
			if len(keep) == max {
				left[edgeClass(e)]++
				continue
			}
			keep = append(keep, e)
		}
	}
	return keep, left
}

func workloadID(ns, kind, name string) string { return "wl/" + ns + "/" + kind + "/" + name }
func serviceID(ns, name string) string        { return "svc/" + ns + "/" + name }

func buildGraph(r analysis.Result, max int) meshGraph {
	edges, left := drawn(r.Edges, max)
	seen := map[string]gNode{}
	add := func(n gNode) {
		if _, ok := seen[n.ID]; !ok {
			seen[n.ID] = n
		}
	}
	g := meshGraph{Nodes: map[string][]gNode{}, Left: left}
	backs := map[[2]string]bool{}
	for _, e := range edges {
		c := gNode{ID: workloadID(e.Client.Namespace, e.Client.Kind, e.Client.Workload), Namespace: e.Client.Namespace,
			Name: e.Client.Workload, Kind: e.Client.Kind, Proxy: string(e.Client.Proxy)}
		s := gNode{ID: serviceID(e.Server.Namespace, e.Server.Service), Namespace: e.Server.Namespace,
			Name: e.Server.Service, Kind: "Service", Service: true}
		add(c)
		add(s)
		g.Edges = append(g.Edges, gEdge{From: c.ID, To: s.ID, Port: fmt.Sprint(e.Server.Port), Class: edgeClass(e)})
		if e.Server.Workload != "" {
			b := gNode{ID: workloadID(e.Server.Namespace, e.Server.WorkloadKind, e.Server.Workload), Namespace: e.Server.Namespace,
				Name: e.Server.Workload, Kind: e.Server.WorkloadKind, Proxy: string(e.Server.Proxy)}
			add(b)
			backs[[2]string{s.ID, b.ID}] = true
		}
	}
	var links [][2]string
	for k := range backs {
		links = append(links, k)
	}
	sort.Slice(links, func(i, j int) bool { return links[i][0]+"\x00"+links[i][1] < links[j][0]+"\x00"+links[j][1] })
	for _, l := range links {
		g.Edges = append(g.Edges, gEdge{From: l[0], To: l[1], Class: classBacks})
	}
	for _, n := range seen {
		if len(g.Nodes[n.Namespace]) == 0 {
			g.Namespaces = append(g.Namespaces, n.Namespace)
		}
		g.Nodes[n.Namespace] = append(g.Nodes[n.Namespace], n)
	}
	sort.Strings(g.Namespaces)
	for _, ns := range g.Namespaces {
		sort.Slice(g.Nodes[ns], func(i, j int) bool { return g.Nodes[ns][i].ID < g.Nodes[ns][j].ID })
	}
	return g
}

func (n gNode) caption() string {
	if n.Service {
		return "Service"
	}
	if n.Proxy == "" {
		return n.Kind
	}
	return n.Kind + " (proxy " + n.Proxy + ")"
}

func edgeLabel(e gEdge) string {
	switch e.Class {
	case classFail:
		return e.Port + " FAIL"
	case classMTLS:
		return e.Port + " mTLS"
	case classUnknown:
		return e.Port + " ?"
	}
	return e.Port + " plaintext"
}

// summaryLines head a drawing: the counts, the pairs judged when they are
// not the edges drawn, and what the bound left out.
func summaryLines(r analysis.Result, g meshGraph) []string {
	s := r.Summary
	lines := []string{fmt.Sprintf("meshdoctor: %d edges, %d failing, %d unknown, %d mutual TLS", s.Edges, s.Failing, s.Unknown, s.MTLS)}
	if ap := r.AllPairs; ap != nil {
		lines = append(lines, fmt.Sprintf("all pairs: %d judged, %d failing, %d unknown — the graph draws the declared edges only (-o text, json or html list the pairs)",
			ap.Pairs, ap.FailingPairs, ap.UnknownPairs))
	} else if s.Pairs != nil && s.FailingPairs != nil {
		lines = append(lines, fmt.Sprintf("all pairs: %d judged, %d failing, each an edge of the graph", *s.Pairs, *s.FailingPairs))
	}
	if len(g.Left) > 0 {
		n := 0
		for _, c := range g.Left {
			n += c
		}
		lines = append(lines, fmt.Sprintf("not drawn: %d of %d edges (%d failing, %d unknown, %d mutual TLS, %d plaintext), beyond %d drawn; -o json has each",
			n, len(r.Edges), g.Left[classFail], g.Left[classUnknown], g.Left[classMTLS], g.Left[classPlain], len(r.Edges)-n))
	}
	return lines
}

// DOT writes the graph in Graphviz DOT: namespaces as clusters, one edge per
// judged edge (up to dotMaxEdges, failing first) labelled with the port and
// coloured by outcome.
func DOT(w io.Writer, r analysis.Result) error {
	g := buildGraph(r, dotMaxEdges)
	head := summaryLines(r, g)
	var b strings.Builder
	for _, l := range head {
		fmt.Fprintf(&b, "// %s\n", l)
	}
	b.WriteString("digraph meshdoctor {\n")
	fmt.Fprintf(&b, "  graph [rankdir=LR, fontname=\"Helvetica\", labelloc=t, label=%s];\n", dotQuote(strings.Join(head, "\n")))
	b.WriteString("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n")
	b.WriteString("  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for _, ns := range g.Namespaces {
		fmt.Fprintf(&b, "  subgraph %s {\n", dotQuote("cluster_"+ns))
		fmt.Fprintf(&b, "    label=%s; style=\"rounded,dashed\"; color=\"#888888\";\n", dotQuote("namespace "+ns))
		for _, n := range g.Nodes[ns] {
			shape := ""
			if n.Service {
				shape = ", shape=ellipse, fillcolor=\"#f3f3f3\""
			}
			fmt.Fprintf(&b, "    %s [label=%s%s];\n", dotQuote(n.ID), dotQuote(n.Name+"\n"+n.caption()), shape)
		}
		b.WriteString("  }\n")
	}
	for _, e := range g.Edges {
		col := classColor[e.Class]
		var attrs string
		switch e.Class {
		case classBacks:
			attrs = fmt.Sprintf("style=dotted, color=%q, arrowhead=none", col)
		case classFail:
			attrs = fmt.Sprintf("label=%s, color=%q, fontcolor=%q, penwidth=2.5", dotQuote(edgeLabel(e)), col, col)
		case classMTLS:
			attrs = fmt.Sprintf("label=%s, color=%q, fontcolor=%q, penwidth=1.5", dotQuote(edgeLabel(e)), col, col)
		case classUnknown:
			attrs = fmt.Sprintf("label=%s, color=%q, fontcolor=%q, style=dotted", dotQuote(edgeLabel(e)), col, col)
		default:
			attrs = fmt.Sprintf("label=%s, color=%q, fontcolor=%q, style=dashed", dotQuote(edgeLabel(e)), col, col)
		}
		fmt.Fprintf(&b, "  %s -> %s [%s];\n", dotQuote(e.From), dotQuote(e.To), attrs)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func dotQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

var mermaidUnsafe = regexp.MustCompile(`[^A-Za-z0-9]+`)

// Mermaid writes a Mermaid flowchart: namespaces as subgraphs, edges (up
// to mermaidMaxEdges, failing first) labelled with the port and styled by
// outcome (linkStyle).
func Mermaid(w io.Writer, r analysis.Result) error {
	// Long names make an edge longer: draw fewer until the text fits.
	max := mermaidMaxEdges
	text := mermaid(r, max)
	for n := utf16Len(text); n > mermaidMaxText && max > 1; n = utf16Len(text) {
		max = max * mermaidMaxText * 9 / 10 / n
		text = mermaid(r, max)
	}
	_, err := io.WriteString(w, text)
	return err
}

// mermaidMaxText is Mermaid's default maxTextSize, in JavaScript string
// length (UTF-16 code units).
const mermaidMaxText = 50000

func utf16Len(s string) int {
	n := 0
	for _, c := range s {
		n++
		if c > 0xFFFF {
			n++
		}
	}
	return n
}

// mermaid is the flowchart with at most max judged edges.
func mermaid(r analysis.Result, max int) string {
	g := buildGraph(r, max)
	ids := map[string]string{}
	used := map[string]bool{}
	mid := func(key, prefix string) string {
		if id, ok := ids[key]; ok {
			return id
		}
		base := prefix + strings.Trim(mermaidUnsafe.ReplaceAllString(key, "_"), "_")
		id := base
		for i := 2; used[id]; i++ {
			id = fmt.Sprintf("%s_%d", base, i)
		}
		used[id] = true
		ids[key] = id
		return id
	}
	var b strings.Builder
	head := summaryLines(r, g)
	fmt.Fprintf(&b, "---\ntitle: %s\n---\nflowchart LR\n", mermaidText(strings.Join(head, "; ")))
	for _, l := range head[1:] {
		fmt.Fprintf(&b, "  %%%% %s\n", l)
	}
	for _, ns := range g.Namespaces {
		fmt.Fprintf(&b, "  subgraph %s[%s]\n", mid("ns/"+ns, ""), mermaidText("namespace "+ns))
		for _, n := range g.Nodes[ns] {
			label := mermaidText(n.Name + "<br/>" + n.caption())
			if n.Service {
				fmt.Fprintf(&b, "    %s([%s]):::svc\n", mid(n.ID, ""), label)
			} else {
				fmt.Fprintf(&b, "    %s[%s]:::wl\n", mid(n.ID, ""), label)
			}
		}
		b.WriteString("  end\n")
	}
	var styles []string
	for i, e := range g.Edges {
		from, to := mid(e.From, ""), mid(e.To, "")
		switch e.Class {
		case classBacks:
			fmt.Fprintf(&b, "  %s -.- %s\n", from, to)
			styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:%s,stroke-width:1px", i, classColor[e.Class]))
			continue
		case classMTLS:
			fmt.Fprintf(&b, "  %s ==>|%s| %s\n", from, mermaidText("🔒 "+edgeLabel(e)), to)
		case classFail:
			fmt.Fprintf(&b, "  %s -->|%s| %s\n", from, mermaidText("✗ "+edgeLabel(e)), to)
		default:
			fmt.Fprintf(&b, "  %s -.->|%s| %s\n", from, mermaidText(edgeLabel(e)), to)
		}
		width := "2px"
		if e.Class == classFail {
			width = "3px"
		}
		styles = append(styles, fmt.Sprintf("  linkStyle %d stroke:%s,stroke-width:%s,color:%s", i, classColor[e.Class], width, classColor[e.Class]))
	}
	for _, s := range styles {
		b.WriteString(s + "\n")
	}
	b.WriteString("  classDef wl fill:#ffffff,stroke:#555555\n  classDef svc fill:#f3f3f3,stroke:#555555\n")
	return b.String()
}

// mermaidText quotes a label; Mermaid takes entity codes inside quotes.
func mermaidText(s string) string {
	return `"` + strings.NewReplacer(`"`, "#quot;", "\n", "<br/>").Replace(s) + `"`
}
