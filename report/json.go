package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strconv"

	"github.com/meshdoctor/meshdoctor/analysis"
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

// resultJSON writes r field by field in the order of analysis.Result.
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
	array := func(name string, n int, item func(i int) any, last bool) error {
		bw.WriteString("  \"" + name + "\": ")
		if n == 0 {
			bw.WriteString("[]")
		} else {
			bw.WriteString("[\n")
			for i := range n {
				bw.WriteString("    ")
				if err := value(item(i), 2); err != nil {
					return err
				}
				if i < n-1 {
					bw.WriteString(",")
				}
				bw.WriteString("\n")
			}
			bw.WriteString("  ]")
		}
		if !last {
			bw.WriteString(",")
		}
		bw.WriteString("\n")
		return nil
	}
	bw.WriteString("{\n")
	if r.Edges == nil {
		bw.WriteString("  \"edges\": null,\n")
	} else if err := array("edges", len(r.Edges), func(i int) any { return r.Edges[i] }, false); err != nil {
		return err
	}
	if r.Findings == nil {
		bw.WriteString("  \"findings\": null,\n")
	} else if err := array("findings", len(r.Findings), func(i int) any { return r.Findings[i] }, false); err != nil {
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
