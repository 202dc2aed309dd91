package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strconv"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/internal/parallel"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// JSON writes v indented, the machine contract. An analysis result is
// streamed edge by edge (the same bytes as encoding it whole), so a 20,000
// workload report never sits in memory twice.
func JSON(w io.Writer, v any) error {
	if r, ok := v.(analysis.Result); ok {
		return resultJSON(w, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Explanation is why edges have their outcome — the cause and why each side
// behaves as it does — told once in the JSON's explanations table for every
// edge it explains (on a 20,000-workload mesh, 60,000 edges share 11).
type Explanation struct {
	Cause        string `json:"cause"`
	ClientReason string `json:"clientReason"`
	ServerReason string `json:"serverReason"`
}

// wireEdge is an edge as the JSON writes it: every field of verdict.Edge
// but the explanation texts, which it names by their index in
// explanations. (The nil fields at depth 0 hide the embedded ones.)
type wireEdge struct {
	verdict.Edge
	Cause        *struct{} `json:"cause,omitempty"`
	ClientReason *struct{} `json:"clientReason,omitempty"`
	ServerReason *struct{} `json:"serverReason,omitempty"`
	Explanation  int       `json:"explanation"`
}

// wireResult is analysis.Result as the JSON contract writes it.
type wireResult struct {
	Edges        []wireEdge         `json:"edges"`
	Explanations []Explanation      `json:"explanations"`
	Findings     []check.Finding    `json:"findings"`
	Summary      analysis.Summary   `json:"summary"`
	AllPairs     *analysis.AllPairs `json:"allPairs,omitempty"`
}

// explanations numbers the distinct explanations of es in order of first
// use: ids[i] is edge i's.
func explanations(es []verdict.Edge) (table []Explanation, ids []int) {
	at := map[Explanation]int{}
	ids = make([]int, len(es))
	for i, e := range es {
		x := Explanation{e.Cause, e.ClientReason, e.ServerReason}
		id, ok := at[x]
		if !ok {
			id = len(table)
			at[x] = id
			table = append(table, x)
		}
		ids[i] = id
	}
	return table, ids
}

func toWire(r analysis.Result) wireResult {
	w := wireResult{Findings: r.Findings, Summary: r.Summary, AllPairs: r.AllPairs}
	table, ids := explanations(r.Edges)
	w.Explanations = append([]Explanation{}, table...)
	if r.Edges != nil {
		w.Edges = make([]wireEdge, len(r.Edges))
		for i, e := range r.Edges {
			w.Edges[i] = wireEdge{Edge: e, Explanation: ids[i]}
		}
	}
	return w
}

// resultJSON writes toWire(r) field by field, as encoding it whole would;
// the edges and findings are encoded in chunks on every core and written
// in order, so that only a few chunks are ever held.
func resultJSON(w io.Writer, r analysis.Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// value writes v indented as it would sit at depth levels of nesting.
	value := func(v any, depth int) error {
		buf.Reset()
		prefix := "  "
		if depth > 1 {
			prefix = "    "
		}
		enc.SetIndent(prefix, "  ")
		if err := enc.Encode(v); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	table, ids := explanations(r.Edges)
	bw.WriteString("{\n")
	if r.Edges == nil {
		bw.WriteString("  \"edges\": null,\n")
	} else if err := items(bw, "edges", len(r.Edges), func() appender {
		return func(dst []byte, i int) ([]byte, error) { return appendEdge(dst, &r.Edges[i], ids[i]), nil }
	}); err != nil {
		return err
	}
	if err := array(bw, "explanations", len(table), func(i int) any { return table[i] }); err != nil {
		return err
	}
	if r.Findings == nil {
		bw.WriteString("  \"findings\": null,\n")
	} else if err := items(bw, "findings", len(r.Findings), func() appender {
		return func(dst []byte, i int) ([]byte, error) { return appendFinding(dst, &r.Findings[i]), nil }
	}); err != nil {
		return err
	}
	bw.WriteString("  \"summary\": ")
	if err := value(r.Summary, 1); err != nil {
		return err
	}
	if r.AllPairs != nil {
		bw.WriteString(",\n  \"allPairs\": ")
		buf.Reset()
		enc.SetIndent("  ", "  ")
		if err := enc.Encode(r.AllPairs); err != nil {
			return err
		}
		// The namespace matrix goes last, a row per line: indented number
		// by number, 1,000 namespaces would be a million lines.
		obj := bytes.TrimSuffix(bytes.TrimSpace(buf.Bytes()), []byte("}"))
		bw.Write(bytes.TrimRight(obj, " \n"))
		bw.WriteString(",\n    \"namespaces\": ")
		if err := matrixJSON(bw, r.AllPairs.Namespaces); err != nil {
			return err
		}
		bw.WriteString("\n  }")
	}
	bw.WriteString("\n}\n")
	return bw.Flush()
}

// chunk is how many items one worker encodes at a time.
const chunk = 256

// appender appends item i, indented at depth 2 as its first line is
// already (the caller writes that line's indentation).
type appender func(dst []byte, i int) ([]byte, error)

// array writes the top-level field name holding item(0), …, item(n-1),
// each encoded by encoding/json, indented at depth 2, followed by a comma.
func array(bw *bufio.Writer, name string, n int, item func(i int) any) error {
	return items(bw, name, n, func() appender {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		return func(dst []byte, i int) ([]byte, error) {
			buf.Reset()
			if err := enc.Encode(item(i)); err != nil {
				return dst, err
			}
			return appendIndent(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "    ", "  "), nil
		}
	})
}

// items is array with the items written by an appender, one made per
// worker.
func items(bw *bufio.Writer, name string, n int, newAppender func() appender) error {
	bw.WriteString("  \"" + name + "\": ")
	if n == 0 {
		bw.WriteString("[],\n")
		return nil
	}
	bw.WriteString("[\n")
	chunks := (n + chunk - 1) / chunk
	round := 4 * runtime.GOMAXPROCS(0)
	out := make([][]byte, round)
	errs := make([]error, round)
	for first := 0; first < chunks; first += round {
		k := min(round, chunks-first)
		parallel.For(k, func(c int) {
			add := newAppender()
			dst := out[c][:0]
			lo := (first + c) * chunk
			for i := lo; i < min(lo+chunk, n); i++ {
				dst = append(dst, "    "...)
				var err error
				if dst, err = add(dst, i); err != nil {
					errs[c] = err
					return
				}
				if i < n-1 {
					dst = append(dst, ',')
				}
				dst = append(dst, '\n')
			}
			out[c] = dst
		})
		for c := range k {
			if errs[c] != nil {
				return errs[c]
			}
			bw.Write(out[c])
		}
	}
	bw.WriteString("  ],\n")
	return nil
}

// matrixJSON writes the namespace matrix compactly, one row per line.
func matrixJSON(bw *bufio.Writer, m analysis.NamespaceMatrix) error {
	names, err := json.Marshal(m.Names)
	if err != nil {
		return err
	}
	bw.WriteString("{\n      \"names\": ")
	bw.Write(names)
	rows := func(name string, rs [][]int32) {
		bw.WriteString(",\n      \"" + name + "\": [")
		for i, r := range rs {
			if i > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n        [")
			for j, n := range r {
				if j > 0 {
					bw.WriteByte(',')
				}
				bw.WriteString(strconv.Itoa(int(n)))
			}
			bw.WriteString("]")
		}
		if len(rs) > 0 {
			bw.WriteString("\n      ")
		}
		bw.WriteString("]")
	}
	rows("failing", m.Failing)
	if m.Unknown != nil {
		rows("unknown", m.Unknown)
	}
	bw.WriteString("\n    }")
	return nil
}

// ReadResult reads analyze -o json back into a Result, each edge with the
// texts of its explanation.
func ReadResult(data []byte) (analysis.Result, error) {
	var w wireResult
	if err := json.Unmarshal(data, &w); err != nil {
		return analysis.Result{}, err
	}
	r := analysis.Result{Findings: w.Findings, Summary: w.Summary, AllPairs: w.AllPairs}
	if w.Edges != nil {
		r.Edges = make([]verdict.Edge, len(w.Edges))
	}
	for i, e := range w.Edges {
		if e.Explanation < 0 || e.Explanation >= len(w.Explanations) {
			return r, fmt.Errorf("edge %d: explanation %d is not in explanations (%d)", i, e.Explanation, len(w.Explanations))
		}
		x := w.Explanations[e.Explanation]
		e.Edge.Cause, e.Edge.ClientReason, e.Edge.ServerReason = x.Cause, x.ClientReason, x.ServerReason
		r.Edges[i] = e.Edge
	}
	return r, nil
}
