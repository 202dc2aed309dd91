package report

import (
	"strconv"
	"unicode/utf8"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// appendEdge writes the wireEdge of e (explanation index x) as an item of
// the top-level edges array: exactly what encoding/json (SetEscapeHTML
// false) then appendIndent(prefix "    ", indent "  ") write, with no
// reflection and no second pass. It exists for measured CPU: on the
// 20,000-workload mesh (60,000 edges, 112 MB of JSON) encoding by reflection
// and re-indenting took 0.43 s of analyze -o json's 2.5 s.
// json_edge_test.go holds it to encoding/json byte for byte, for every
// field, so a field added to verdict.Edge fails the tests until it is
// written here; appendFinding is the same for the findings (16,211 on that
// mesh), and the rest of the JSON is still encoding/json.
func appendEdge(dst []byte, e *verdict.Edge, x int) []byte {
	w := jw{b: dst}
	w.open('{')
	w.key(`"client": `)
	c := &e.Client
	w.open('{')
	w.str(`"namespace": `, c.Namespace)
	w.str(`"workload": `, c.Workload)
	w.str(`"kind": `, c.Kind)
	w.str(`"proxy": `, string(c.Proxy))
	w.close('}')
	w.key(`"server": `)
	s := &e.Server
	w.open('{')
	w.str(`"host": `, s.Host)
	w.str(`"namespace": `, s.Namespace)
	w.str(`"service": `, s.Service)
	w.int(`"port": `, int64(s.Port))
	w.int(`"targetPort": `, int64(s.TargetPort))
	w.str(`"proxy": `, string(s.Proxy))
	w.strOmit(`"workload": `, s.Workload)
	w.strOmit(`"workloadKind": `, s.WorkloadKind)
	w.strOmit(`"subset": `, s.Subset)
	w.str(`"protocol": `, s.Protocol)
	w.strOmit(`"sniffed": `, s.Sniffed)
	if s.RoutedPort != 0 {
		w.int(`"routedPort": `, int64(s.RoutedPort))
	}
	w.close('}')
	w.str(`"source": `, e.Source)
	w.str(`"clientSends": `, string(e.ClientSends))
	w.str(`"serverAccepts": `, string(e.ServerAccepts))
	w.str(`"outcome": `, string(e.Outcome))
	w.bool(`"mtls": `, e.MTLS)
	w.bool(`"encrypted": `, e.Encrypted)
	w.str(`"symptom": `, e.Symptom)
	w.strOmit(`"category": `, string(e.Category))
	// cause, clientReason and serverReason are in the explanations table.
	w.key(`"decidedBy": `)
	w.refs(e.DecidedBy)
	if e.Telemetry {
		w.bool(`"telemetry": `, true)
	}
	if o := e.OTLP; o != nil {
		w.key(`"otlp": `)
		w.open('{')
		w.strs(`"signals": `, o.Signals)
		w.strs(`"protocols": `, o.Protocols)
		w.strs(`"senders": `, o.Senders)
		w.strs(`"endpoints": `, o.Endpoints)
		w.strOmit(`"collector": `, o.Collector)
		w.strOmit(`"receiver": `, o.Receiver)
		if o.ReceiverTLS {
			w.bool(`"receiverTLS": `, true)
		}
		w.close('}')
	}
	if len(e.BeyondPilot) > 0 {
		w.strs(`"beyondPilot": `, e.BeyondPilot)
	}
	if len(e.Alternatives) > 0 {
		w.key(`"alternatives": `)
		w.open('[')
		for i := range e.Alternatives {
			a := &e.Alternatives[i]
			w.elem()
			w.open('{')
			w.strs(`"assume": `, a.Assume)
			w.str(`"outcome": `, string(a.Outcome))
			w.strOmit(`"sends": `, string(a.Sends))
			if a.MTLS {
				w.bool(`"mtls": `, true)
			}
			w.strOmit(`"category": `, a.Category)
			w.strOmit(`"symptom": `, a.Symptom)
			w.close('}')
		}
		w.close(']')
	}
	w.int(`"explanation": `, int64(x))
	w.close('}')
	return w.b
}

// appendFinding writes f as an item of the top-level findings array, as
// appendEdge does an edge.
func appendFinding(dst []byte, f *check.Finding) []byte {
	w := jw{b: dst}
	w.open('{')
	w.str(`"code": `, f.Code)
	w.str(`"check": `, f.Check)
	w.str(`"severity": `, string(f.Severity))
	w.str(`"message": `, f.Message)
	w.key(`"object": `)
	w.object(&f.Object)
	w.str(`"file": `, f.File)
	w.int(`"line": `, int64(f.Line))
	if len(f.Related) > 0 {
		w.key(`"related": `)
		w.open('[')
		for i := range f.Related {
			w.elem()
			w.object(&f.Related[i])
		}
		w.close(']')
	}
	w.close('}')
	return w.b
}

func (w *jw) object(o *check.Object) {
	w.open('{')
	w.str(`"kind": `, o.Kind)
	w.strOmit(`"namespace": `, o.Namespace)
	w.str(`"name": `, o.Name)
	w.close('}')
}

// itemIndent is the indentation of an edges item and then of each level
// below it (json.Indent's prefix "    " plus "  " a level).
const itemIndent = "\n                                                                "

// jw appends indented JSON the way json.Indent lays it out: each field or
// element on its own line, "{}" and "[]" when empty.
type jw struct {
	b     []byte
	depth int  // levels below the item's prefix
	first bool // nothing written yet in the innermost object or array
}

func (w *jw) newline() {
	n := 5 + 2*w.depth
	if n > len(itemIndent) {
		w.b = append(w.b, itemIndent...)
		for range n - len(itemIndent) {
			w.b = append(w.b, ' ')
		}
		return
	}
	w.b = append(w.b, itemIndent[:n]...)
}

func (w *jw) open(c byte) {
	w.b = append(w.b, c)
	w.depth++
	w.first = true
}

func (w *jw) close(c byte) {
	w.depth--
	if !w.first {
		w.newline()
	}
	w.b = append(w.b, c)
	w.first = false
}

// elem starts an array element.
func (w *jw) elem() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.newline()
	w.first = false
}

// key starts a field; k is its quoted name, colon and space.
func (w *jw) key(k string) {
	w.elem()
	w.b = append(w.b, k...)
}

func (w *jw) str(k, v string) {
	w.key(k)
	w.b = appendJSONString(w.b, v)
}

// strOmit is str of a field tagged omitempty.
func (w *jw) strOmit(k, v string) {
	if v != "" {
		w.str(k, v)
	}
}

func (w *jw) int(k string, v int64) {
	w.key(k)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jw) bool(k string, v bool) {
	w.key(k)
	w.b = strconv.AppendBool(w.b, v)
}

// strs writes a []string field: null when nil.
func (w *jw) strs(k string, vs []string) {
	w.key(k)
	if vs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for _, v := range vs {
		w.elem()
		w.b = appendJSONString(w.b, v)
	}
	w.close(']')
}

func (w *jw) refs(rs []inventory.Ref) {
	if rs == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.open('[')
	for i := range rs {
		r := &rs[i]
		w.elem()
		w.open('{')
		w.str(`"kind": `, r.Kind)
		w.strOmit(`"namespace": `, r.Namespace)
		w.str(`"name": `, r.Name)
		w.str(`"file": `, r.File)
		w.int(`"line": `, int64(r.Line))
		w.close('}')
	}
	w.close(']')
}

// jsonSafe marks the ASCII bytes encoding/json writes as they are when it
// does not escape HTML: all but control characters, '"' and '\\'.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// safe8 reports whether the first 8 bytes of s are all jsonSafe, 8 at a
// time (the strings were half of the rendering byte by byte). Each test
// is the "has a zero byte" trick, which can flag the wrong byte but never
// misses one; a flagged word goes byte by byte.
func safe8(s string) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	quote, backslash := x^(lo*'"'), x^(lo*'\\')
	return (x|(x-lo*' ')|(quote-lo)&^quote|(backslash-lo)&^backslash)&hi == 0
}

// appendJSONString quotes s as encoding/json's appendString does with
// escapeHTML false: \" \\ \b \f \n \r \t, other control characters as
// \u00XX, U+2028 and U+2029 escaped, invalid UTF-8 as \ufffd.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && safe8(s[i:]) {
			i += 8
			continue
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[b>>4], hex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
