package report

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// encodedItem is an array item as encoding/json writes it, the reference
// the appenders are held to.
func encodedItem(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return appendIndent(nil, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), "    ", "  ")
}

func encodedEdge(t testing.TB, e verdict.Edge, x int) []byte {
	return encodedItem(t, wireEdge{Edge: e, Explanation: x})
}

// nastyStrings are what encoding/json escapes, or must not: quotes,
// backslashes, every control character, DEL, HTML characters (not escaped
// here), U+2028/U+2029, non-ASCII, and invalid UTF-8 (truncated sequences,
// surrogates, overlong forms, stray continuation bytes).
var nastyStrings = []string{
	`"`, `\`, `\"`, "a\"b\\c", "\n\r\t\b\f", "\x00\x01\x07\x0b\x0e\x1b\x1f", "\x7f", "<>&'",
	"\u2028", "\u2029", "x\u2028y\u2029z", "\u2027\u202a", "é", "日本語", "🦀 emoji", "\ufffd", "\ufeff",
	"\xff", "\xfe\xfe", "\xe2\x80", "a\xe2\x80\xa8", "\xed\xa0\x80", "\xc0\xaf", "\x80", "ok\xf4\x90\x80\x80",
	"plain ascii", "http://svc-0001:8080/v1/traces?x=1&y=2",
}

// randString is "", a nasty string, or a mix of random bytes and runes.
func randString(r *rand.Rand, full bool) string {
	switch n := r.IntN(8); {
	case n == 0 && !full:
		return ""
	case n < 4:
		return nastyStrings[r.IntN(len(nastyStrings))]
	default:
		var b strings.Builder
		for range 1 + r.IntN(12) {
			switch r.IntN(4) {
			case 0:
				b.WriteByte(byte(r.IntN(256)))
			case 1:
				b.WriteRune(rune(r.IntN(0x30000)))
			case 2:
				b.WriteString(nastyStrings[r.IntN(len(nastyStrings))])
			default:
				b.WriteByte(byte('a' + r.IntN(26)))
			}
		}
		return b.String()
	}
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// fill sets every exported field reachable from v to a random value,
// walking the types by reflection so that a field added to verdict.Edge (or
// to what it holds) is filled too; with full, nothing is left empty, so
// every field, omitempty or not, is in the encoding. A type encoding/json
// would encode by a method, or a kind appendEdge does not write, fails the
// test: appendEdge must be taught it first.
func fill(t *testing.T, r *rand.Rand, v reflect.Value, full bool, path string) {
	t.Helper()
	if tp := v.Type(); tp.Implements(marshalerType) || reflect.PointerTo(tp).Implements(marshalerType) ||
		tp.Implements(textMarshalerType) || reflect.PointerTo(tp).Implements(textMarshalerType) {
		t.Fatalf("%s: %s has a MarshalJSON or MarshalText method, which appendEdge (report/json_edge.go) does not call", path, tp)
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(randString(r, full))
	case reflect.Bool:
		v.SetBool(full || r.IntN(2) == 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n int64
		switch r.IntN(6) {
		case 0:
			n = 0
		case 1:
			n = math.MinInt64
		case 2:
			n = math.MaxInt64
		case 3:
			n = -r.Int64N(1 << 20)
		default:
			n = r.Int64()
		}
		if n == 0 && full {
			n = 1
		}
		v.SetInt(n) // truncated to the field's size, extremes included
	case reflect.Pointer:
		if !full && r.IntN(3) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, r, v.Elem(), full, path)
	case reflect.Slice:
		switch n := r.IntN(4); {
		case n == 0 && !full:
			v.SetZero() // nil: null, or omitted
		case n == 1 && !full:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0)) // empty: [], or omitted
		default:
			v.Set(reflect.MakeSlice(v.Type(), 1+r.IntN(3), 3))
			for i := range v.Len() {
				fill(t, r, v.Index(i), full, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Type().Field(i); f.IsExported() {
				fill(t, r, v.Field(i), full, path+"."+f.Name)
			}
		}
	default:
		t.Fatalf("%s: kind %s, which appendEdge (report/json_edge.go) does not write", path, v.Kind())
	}
}

// appenderCases are the items written by an appender: each makes a random
// item (every field set, with full) and gives what its appender writes and
// what encoding/json writes.
var appenderCases = []struct {
	name string
	one  func(t *testing.T, r *rand.Rand, full bool) (got, want []byte)
}{
	{"edge", func(t *testing.T, r *rand.Rand, full bool) (got, want []byte) {
		var e verdict.Edge
		fill(t, r, reflect.ValueOf(&e).Elem(), full, "Edge")
		x := r.IntN(100)
		if r.IntN(10) == 0 {
			x = r.Int()
		}
		return appendEdge(nil, &e, x), encodedEdge(t, e, x)
	}},
	{"finding", func(t *testing.T, r *rand.Rand, full bool) (got, want []byte) {
		var f check.Finding
		fill(t, r, reflect.ValueOf(&f).Elem(), full, "Finding")
		return appendFinding(nil, &f), encodedItem(t, f)
	}},
}

// firstDiff shows where two encodings part.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-120)
	return fmt.Sprintf("at byte %d:\ngot  …%q\nwant …%q", i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
}

// TestAppendersAreEncoding: for random edges and findings — every field
// set at random, nil, empty and full slices, nil and set pointers, nasty
// strings, extreme ints — the appenders write what encoding/json and the
// indenter write.
func TestAppendersAreEncoding(t *testing.T) {
	for _, c := range appenderCases {
		r := rand.New(rand.NewPCG(18, 2026))
		for i := range 3000 {
			if got, want := c.one(t, r, i%10 == 0); !bytes.Equal(got, want) {
				t.Fatalf("%s %d: the appender differs from encoding/json %s", c.name, i, firstDiff(got, want))
			}
		}
	}
	// The zero edge: nil slices without omitempty are null.
	var zero verdict.Edge
	if got, want := appendEdge(nil, &zero, 0), encodedEdge(t, zero, 0); !bytes.Equal(got, want) {
		t.Fatalf("zero edge: %s", firstDiff(got, want))
	}
	if got, want := appendFinding(nil, &check.Finding{}), encodedItem(t, check.Finding{}); !bytes.Equal(got, want) {
		t.Fatalf("zero finding: %s", firstDiff(got, want))
	}
}

// keyPaths lists the object keys of a decoded JSON value as paths
// ("otlp.signals", "decidedBy[].line").
func keyPaths(v any, path string, into map[string]bool) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			into[path+k] = true
			keyPaths(x, path+k+".", into)
		}
	case []any:
		for _, x := range v {
			keyPaths(x, strings.TrimSuffix(path, ".")+"[].", into)
		}
	}
}

// TestAppendersWriteEveryField: with every field of an edge or a finding
// set, each key encoding/json writes is one the appender writes — a field
// added to verdict.Edge, Client, Server, inventory.Ref, OTLP, Alternative,
// check.Finding or check.Object fails here, by name, until the appender in
// report/json_edge.go writes it.
func TestAppendersWriteEveryField(t *testing.T) {
	reached := map[string]bool{}
	for _, c := range appenderCases {
		got, want := c.one(t, rand.New(rand.NewPCG(1, 2)), true)
		var wantV, gotV any
		if err := json.Unmarshal(want, &wantV); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &gotV); err != nil {
			t.Fatalf("%s: the appender writes invalid JSON: %v", c.name, err)
		}
		wantKeys, gotKeys := map[string]bool{}, map[string]bool{}
		keyPaths(wantV, "", wantKeys)
		keyPaths(gotV, "", gotKeys)
		var missing, extra []string
		for k := range wantKeys {
			reached[c.name+" "+k] = true
			if !gotKeys[k] {
				missing = append(missing, k)
			}
		}
		for k := range gotKeys {
			if !wantKeys[k] {
				extra = append(extra, k)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		if len(missing) > 0 || len(extra) > 0 {
			t.Fatalf("the %s appender (report/json_edge.go) does not write %q and writes %q that encoding/json does not: teach it the new fields", c.name, missing, extra)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("full %s: %s", c.name, firstDiff(got, want))
		}
	}
	// The reflection walk does reach every type the items hold.
	for _, k := range []string{"edge client.proxy", "edge server.routedPort", "edge decidedBy[].line", "edge otlp.receiverTLS",
		"edge alternatives[].symptom", "edge beyondPilot", "edge explanation", "finding related[].namespace", "finding object.name"} {
		if !reached[k] {
			t.Errorf("the full items have no %s", k)
		}
	}
}

// TestJWDeepIndent: the writer's layout holds at a depth past the
// precomputed indentation too (a guard for later nesting).
func TestJWDeepIndent(t *testing.T) {
	w := jw{}
	for range 40 {
		w.open('[')
		w.elem()
	}
	w.b = append(w.b, '1')
	for range 40 {
		w.close(']')
	}
	var want bytes.Buffer
	src := strings.Repeat("[", 40) + "1" + strings.Repeat("]", 40)
	if err := json.Indent(&want, []byte(src), "    ", "  "); err != nil {
		t.Fatal(err)
	}
	if string(w.b) != want.String() {
		t.Fatalf("%s", firstDiff(w.b, want.Bytes()))
	}
}

// FuzzEdgeJSON: any string, quoted by appendJSONString and written into
// every string field of an edge and of a finding, gives encoding/json's
// bytes.
func FuzzEdgeJSON(f *testing.F) {
	for _, s := range nastyStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(s)
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
		ref := inventory.Ref{Kind: s, Namespace: s, Name: s, File: s}
		e := verdict.Edge{
			Client: verdict.Client{Namespace: s, Workload: s, Kind: s},
			Server: verdict.Server{Host: s, Subset: s, Protocol: s},
			Source: s, Symptom: s, Cause: s, DecidedBy: []inventory.Ref{ref},
			OTLP:         &verdict.OTLP{Signals: []string{s, s}, Receiver: s},
			BeyondPilot:  []string{s},
			Alternatives: []verdict.Alternative{{Assume: []string{s}, Category: s, Symptom: s}},
		}
		if got, want := appendEdge(nil, &e, 7), encodedEdge(t, e, 7); !bytes.Equal(got, want) {
			t.Fatalf("%q: %s", s, firstDiff(got, want))
		}
		o := check.Object{Kind: s, Namespace: s, Name: s}
		fd := check.Finding{Code: s, Check: s, Severity: check.Severity(s), Message: s, Object: o, File: s, Related: []check.Object{o}}
		if got, want := appendFinding(nil, &fd), encodedItem(t, fd); !bytes.Equal(got, want) {
			t.Fatalf("finding %q: %s", s, firstDiff(got, want))
		}
	})
}

// TestSafe8: the 8-at-a-time test agrees with jsonSafe byte by byte: every
// byte value at every position of an otherwise safe word, and random words.
func TestSafe8(t *testing.T) {
	bytewise := func(w []byte) bool {
		for _, c := range w {
			if c >= utf8.RuneSelf || !jsonSafe[c] {
				return false
			}
		}
		return true
	}
	for pos := range 8 {
		for c := range 256 {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			if got, want := safe8(string(w)), bytewise(w); got != want {
				t.Fatalf("%q: safe8 %v, want %v", w, got, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(8, 8))
	for range 200000 {
		w := make([]byte, 8)
		for i := range w {
			w[i] = byte(0x1e + r.IntN(0x64)) // around both edges of the safe range, quote and backslash included
			if r.IntN(16) == 0 {
				w[i] = byte(r.IntN(256))
			}
		}
		if got, want := safe8(string(w)), bytewise(w); got != want {
			t.Fatalf("%q: safe8 %v, want %v", w, got, want)
		}
	}
}
