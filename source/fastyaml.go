package source

import (
	"bytes"
	"strconv"
)

// fastJSON converts the common shape of a Kubernetes manifest — block and
// one-line flow mappings and sequences, plain and simply-quoted scalars,
// literal block scalars — straight to JSON in one pass, reading the header
// on the way. It declines (ok false) anything it does not decide exactly as
// sigs.k8s.io/yaml does (YAML 1.1 resolution through go.yaml.in/yaml/v2):
// anchors, tags, folded scalars, multi-line plain or quoted scalars, floats,
// timestamps, duplicate keys, tabs, non-ASCII, malformed input. Those
// documents take the full parser, which also writes the error messages; a
// differential fuzz test holds the two to the same JSON.
func fastJSON(text []byte, out []byte) (js []byte, h header, ok bool) {
	for _, c := range text {
		if c >= 0x7f || (c < 0x20 && c != '\n') {
			return nil, h, false // tabs, control characters, non-ASCII: the full parser
		}
	}
	p := fastParser{text: text, out: out, endsNL: len(text) > 0 && text[len(text)-1] == '\n'}
	p.lines = p.linesBuf[:0]
	for start := 0; start <= len(text); {
		end := bytes.IndexByte(text[start:], '\n')
		if end < 0 {
			end = len(text)
		} else {
			end += start
		}
		p.lines = append(p.lines, [2]int{start, end})
		start = end + 1
	}
	p.skipBlank()
	if p.line >= len(p.lines) {
		return nil, h, false
	}
	col := p.indent(p.line)
	if p.seqItem(p.line, col) || !p.isKey(p.line, col) {
		return nil, h, false // a document that is not a mapping: the full parser says so
	}
	if !p.mapping(col, 0, false) {
		return nil, h, false
	}
	p.skipBlank()
	if p.line < len(p.lines) || p.badHeader {
		return nil, h, false
	}
	return p.out, p.h, true
}

type fastParser struct {
	text      []byte
	lines     [][2]int // start, end (exclusive, without the newline) of each line
	linesBuf  [64][2]int
	line      int // current line
	out       []byte
	h         header
	badHeader bool // a header field that is not a string: the full path explains it
	endsNL    bool // the text ends with a newline (a final block scalar keeps it)
}

// Header levels: the document, its metadata, anything else.
const (
	levelRoot  = 0
	levelMeta  = 1
	levelOther = 2
)

func childLevel(level int, key []byte) int {
	if level == levelRoot && bytes.EqualFold(key, []byte("metadata")) {
		return levelMeta
	}
	return levelOther
}

func (p *fastParser) content(i int) []byte { return p.text[p.lines[i][0]:p.lines[i][1]] }

func (p *fastParser) indent(i int) int {
	l := p.content(i)
	n := 0
	for n < len(l) && l[n] == ' ' {
		n++
	}
	return n
}

// skipBlank moves past empty and comment-only lines.
func (p *fastParser) skipBlank() {
	for ; p.line < len(p.lines); p.line++ {
		l := p.content(p.line)
		n := p.indent(p.line)
		if n < len(l) && l[n] != '#' {
			return
		}
	}
}

// seqItem reports a "- " (or lone "-") at column col of line i.
func (p *fastParser) seqItem(i, col int) bool {
	l := p.content(i)
	return col < len(l) && l[col] == '-' && (col+1 == len(l) || l[col+1] == ' ')
}

// isKey reports whether the text at column col of line i starts "key:".
func (p *fastParser) isKey(i, col int) bool {
	l := p.content(i)[col:]
	if len(l) > 0 && (l[0] == '"' || l[0] == '\'') {
		_, n, ok := quoted(l)
		return ok && n < len(l) && l[n] == ':'
	}
	return plainKeyEnd(l) >= 0
}

// plainKeyEnd is the index of the ':' ending a plain key, or -1.
func plainKeyEnd(l []byte) int {
	if len(l) == 0 || bytes.IndexByte([]byte("-?:,[]{}#&*!|>'\"%@`"), l[0]) >= 0 {
		return -1
	}
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case ':':
			if i+1 == len(l) || l[i+1] == ' ' {
				return i
			}
		case '#':
			if l[i-1] == ' ' {
				return -1
			}
		}
	}
	return -1
}

// mapping reads a block mapping whose keys sit at column col; inline: its
// first key follows "- " on the current line. level says which header
// fields its keys are (see noteHeader).
func (p *fastParser) mapping(col, level int, inline bool) bool {
	p.out = append(p.out, '{')
	var keys [][]byte
	for first := true; ; first = false {
		if !(first && inline) {
			p.skipBlank()
			if p.line >= len(p.lines) {
				break
			}
			ind := p.indent(p.line)
			if ind < col {
				break
			}
			if ind > col || p.seqItem(p.line, col) {
				return false
			}
		}
		l := p.content(p.line)[col:]
		var key, rest []byte
		if l[0] == '"' || l[0] == '\'' {
			k, n, ok := quoted(l)
			if !ok || n >= len(l) || l[n] != ':' || (n+1 < len(l) && l[n+1] != ' ') {
				return false
			}
			key, rest = k, l[n+1:]
		} else {
			e := plainKeyEnd(l)
			if e < 0 {
				return false
			}
			key = bytes.TrimRight(l[:e], " ")
			if !plainKeyOK(key) {
				return false
			}
			rest = l[e+1:]
		}
		for _, k := range keys {
			if bytes.Equal(k, key) {
				return false // duplicate key: the strict parser reports it
			}
		}
		keys = append(keys, key)
		if !first {
			p.out = append(p.out, ',')
		}
		p.out = appendString(p.out, key)
		p.out = append(p.out, ':')
		start := len(p.out)
		isString, ok := p.value(rest, col, true, childLevel(level, key))
		if !ok {
			return false
		}
		if level != levelOther {
			p.noteHeader(level, key, p.out[start:], isString)
		}
	}
	p.out = append(p.out, '}')
	return true
}

// noteHeader records apiVersion, kind and metadata name/namespace as the
// header decode would read them from the JSON.
func (p *fastParser) noteHeader(level int, key, val []byte, isString bool) {
	set := func(dst *string) {
		if !isString {
			if !bytes.Equal(val, []byte("null")) {
				p.badHeader = true
			}
			return
		}
		s, err := strconv.Unquote(string(val))
		if err != nil {
			p.badHeader = true
			return
		}
		*dst = s
	}
	// encoding/json matches field names case-insensitively; so does this.
	eq := func(s string) bool { return bytes.EqualFold(key, []byte(s)) }
	switch {
	case level == levelRoot && eq("apiVersion"):
		set(&p.h.APIVersion)
	case level == levelRoot && eq("kind"):
		set(&p.h.Kind)
	case level == levelRoot && eq("metadata") && !isString && val[0] != '{' && string(val) != "null":
		p.badHeader = true
	case level == levelMeta && eq("name"):
		set(&p.h.Metadata.Name)
	case level == levelMeta && eq("namespace"):
		set(&p.h.Metadata.Namespace)
	}
}

// plainKeyOK: keys that YAML 1.1 resolves to something other than the same
// string (bools, null, floats, "<<") are left to the full parser.
func plainKeyOK(k []byte) bool {
	if len(k) == 0 {
		return false
	}
	switch scalarKind(k) {
	case kindString:
		return true
	case kindInt:
		return true // an integer key becomes its decimal text, as written
	}
	return false
}

// value reads what follows "key:" (rest, on the current line) or "- " of a
// node at column col, then moves past it.
func (p *fastParser) value(rest []byte, col int, inMapping bool, level int) (isString, ok bool) {
	rest = trimSpace(rest)
	if len(rest) == 0 || rest[0] == '#' {
		// The value is on the next lines: a deeper node, a sequence at the
		// same column under a key, or nothing (null).
		p.line++
		p.skipBlank()
		if p.line >= len(p.lines) {
			p.out = append(p.out, "null"...)
			return false, true
		}
		ind := p.indent(p.line)
		switch {
		case ind > col:
			if p.seqItem(p.line, ind) {
				return false, p.sequence(ind)
			}
			if !p.isKey(p.line, ind) {
				return false, false // a multi-line plain scalar
			}
			return false, p.mapping(ind, level, false)
		case ind == col && inMapping && p.seqItem(p.line, col):
			return false, p.sequence(col)
		}
		p.out = append(p.out, "null"...)
		return false, true
	}
	switch rest[0] {
	case '|':
		return true, p.literal(rest, col)
	case '[', '{':
		n, ok := p.flow(rest, 0, level)
		if !ok || !commentOnly(rest[n:]) {
			return false, false
		}
		p.line++
		return false, p.endOfNode(col)
	case '"', '\'':
		s, n, ok := quoted(rest)
		if !ok || !commentOnly(rest[n:]) {
			return false, false
		}
		p.out = appendString(p.out, s)
		p.line++
		return true, p.endOfNode(col)
	}
	s := plainEnd(rest)
	if s == nil || bytes.Contains(s, []byte(": ")) || s[len(s)-1] == ':' {
		return false, false
	}
	isString, ok = p.scalar(s)
	if !ok {
		return false, false
	}
	p.line++
	return isString, p.endOfNode(col)
}

// endOfNode: after a scalar or flow value, a deeper line would continue it
// (a multi-line scalar) or be an error; either way the full parser decides.
func (p *fastParser) endOfNode(col int) bool {
	p.skipBlank()
	return p.line >= len(p.lines) || p.indent(p.line) <= col
}

// sequence reads a block sequence whose "- " sit at column col.
func (p *fastParser) sequence(col int) bool {
	p.out = append(p.out, '[')
	first := true
	for {
		p.skipBlank()
		if p.line >= len(p.lines) || p.indent(p.line) < col {
			break
		}
		if p.indent(p.line) > col {
			return false
		}
		if !p.seqItem(p.line, col) {
			break // the next key of the mapping that holds this sequence
		}
		if !first {
			p.out = append(p.out, ',')
		}
		first = false
		l := p.content(p.line)
		c := col + 1
		for c < len(l) && l[c] == ' ' {
			c++
		}
		switch {
		case c == len(l):
			if _, ok := p.value(nil, col, false, levelOther); !ok {
				return false
			}
		case p.seqItem(p.line, c):
			return false // "- - x": the full parser
		case p.isKey(p.line, c):
			if !p.mapping(c, levelOther, true) {
				return false
			}
		default:
			if _, ok := p.value(l[c:], col, false, levelOther); !ok {
				return false
			}
		}
	}
	p.out = append(p.out, ']')
	return true
}

// literal reads a "|" or "|-" block scalar whose text is indented past col.
func (p *fastParser) literal(header []byte, col int) bool {
	keep := false
	switch h := trimSpace(header); {
	case len(h) == 1:
		keep = true // clip: one final newline
	case h[1] == '-' && commentOnly(h[2:]):
	default:
		return false // "|+", indentation indicators: the full parser
	}
	p.line++
	var text []byte
	blockIndent := -1
	pendingNewlines := 0
	for ; p.line < len(p.lines); p.line++ {
		l := p.content(p.line)
		ind := p.indent(p.line)
		if ind == len(l) { // empty or spaces only
			if blockIndent < 0 || ind > blockIndent {
				return false // leading blank lines, lines of spaces: the full parser
			}
			pendingNewlines++
			continue
		}
		if blockIndent < 0 {
			if ind <= col {
				break
			}
			blockIndent = ind
		}
		if ind < blockIndent {
			break
		}
		if len(text) > 0 || pendingNewlines > 0 {
			text = append(text, bytes.Repeat([]byte{'\n'}, pendingNewlines)...)
		}
		pendingNewlines = 1
		text = append(text, l[blockIndent:]...)
	}
	if p.line >= len(p.lines) && !p.endsNL {
		return false // a block scalar ending input without a newline: the full parser
	}
	if keep && len(text) > 0 {
		text = append(text, '\n')
	}
	p.out = appendString(p.out, text)
	p.skipBlank()
	return p.line >= len(p.lines) || p.indent(p.line) <= col
}

// flow reads a one-line flow collection at s; n is how many bytes it took.
func (p *fastParser) flow(s []byte, depth, level int) (n int, ok bool) {
	if depth > 20 {
		return 0, false
	}
	open := s[0]
	closer := byte(']')
	if open == '{' {
		closer = '}'
		p.out = append(p.out, '{')
	} else {
		p.out = append(p.out, '[')
	}
	i := 1
	var keys [][]byte
	for first := true; ; first = false {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return 0, false // continues on the next line
		}
		if s[i] == closer && first {
			i++
			break
		}
		if !first {
			p.out = append(p.out, ',')
		}
		if open == '{' {
			key, m, ok := flowScalar(s[i:], true)
			if !ok || !plainKeyOK(key) && !(m > 0 && (s[i] == '"' || s[i] == '\'')) {
				return 0, false
			}
			for _, k := range keys {
				if bytes.Equal(k, key) {
					return 0, false
				}
			}
			keys = append(keys, key)
			i += m
			if i+1 >= len(s) || s[i] != ':' || s[i+1] != ' ' {
				return 0, false
			}
			i += 2
			for i < len(s) && s[i] == ' ' {
				i++
			}
			p.out = appendString(p.out, key)
			p.out = append(p.out, ':')
		}
		if i >= len(s) {
			return 0, false
		}
		start := len(p.out)
		isString := false
		switch s[i] {
		case '[', '{':
			sub := levelOther
			if open == '{' {
				sub = childLevel(level, keys[len(keys)-1])
			}
			m, ok := p.flow(s[i:], depth+1, sub)
			if !ok {
				return 0, false
			}
			i += m
		case '"', '\'':
			v, m, ok := quoted(s[i:])
			if !ok {
				return 0, false
			}
			p.out = appendString(p.out, v)
			isString = true
			i += m
		default:
			v, m, ok := flowScalar(s[i:], false)
			if !ok {
				return 0, false
			}
			if isString, ok = p.scalar(v); !ok {
				return 0, false
			}
			i += m
		}
		if open == '{' && level != levelOther {
			p.noteHeader(level, keys[len(keys)-1], p.out[start:], isString)
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			return 0, false
		}
		if s[i] == closer {
			i++
			break
		}
		if s[i] != ',' {
			return 0, false
		}
		i++
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == closer {
			return 0, false // a trailing comma: the full parser
		}
	}
	p.out = append(p.out, closer)
	return i, true
}

// flowScalar reads a plain (or, for keys, quoted) scalar inside a flow
// collection: it ends at ",", "]", "}", or ": " (keys).
func flowScalar(s []byte, key bool) (v []byte, n int, ok bool) {
	if key && len(s) > 0 && (s[0] == '"' || s[0] == '\'') {
		return quoted(s)
	}
	if len(s) == 0 || bytes.IndexByte([]byte("-?:,[]{}#&*!|>'\"%@`"), s[0]) >= 0 {
		if len(s) > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9' {
			goto scan // a negative number
		}
		return nil, 0, false
	}
scan:
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == ',' || c == ']' || c == '}' || c == '[' || c == '{' {
			break
		}
		if c == ':' {
			if key && i+1 < len(s) && s[i+1] == ' ' {
				break
			}
			return nil, 0, false
		}
		if c == '#' && s[i-1] == ' ' {
			return nil, 0, false
		}
	}
	v = bytes.TrimRight(s[:i], " ")
	if len(v) == 0 {
		return nil, 0, false
	}
	return v, i, true
}

// plainEnd cuts a block plain scalar at a comment and trailing spaces.
func plainEnd(s []byte) []byte {
	if bytes.IndexByte([]byte("-?:,[]{}#&*!|>'\"%@`"), s[0]) >= 0 {
		if !(len(s) > 1 && s[0] == '-' && s[1] >= '0' && s[1] <= '9') {
			return nil
		}
	}
	for i := 1; i < len(s); i++ {
		if s[i] == '#' && s[i-1] == ' ' {
			s = s[:i]
			break
		}
	}
	s = bytes.TrimRight(s, " ")
	if len(s) == 0 {
		return nil
	}
	return s
}

type kind int

const (
	kindString kind = iota
	kindInt
	kindTrue
	kindFalse
	kindNull
	kindOther // floats, timestamps, odd ints, YAML 1.1 bools like "yes": the full parser
)

// scalarKind resolves a plain scalar as go.yaml.in/yaml/v2's resolve does,
// for the cases this path decides; everything else is kindOther.
func scalarKind(s []byte) kind {
	switch string(s) {
	case "true", "True", "TRUE":
		return kindTrue
	case "false", "False", "FALSE":
		return kindFalse
	case "null", "Null", "NULL", "~":
		return kindNull
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "<<":
		return kindOther
	}
	switch c := s[0]; {
	case c == '.', c == '+':
		return kindOther
	case c == '-' || (c >= '0' && c <= '9'):
		digits := s
		if c == '-' {
			digits = s[1:]
		}
		if len(digits) > 0 && len(digits) <= 18 && (digits[0] != '0' || len(digits) == 1) && allDigits(digits) {
			if c == '-' && string(digits) == "0" {
				return kindOther
			}
			return kindInt
		}
		if c != '-' && c != '0' {
			// 100m, 128Mi, 30s: digits then letters are no number in YAML 1.1.
			j := 0
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			if j < len(s) && allLetters(s[j:]) && s[j] != 'e' && s[j] != 'E' {
				return kindString
			}
		}
		return kindOther
	}
	return kindString
}

func allDigits(s []byte) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func allLetters(s []byte) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// scalar writes a plain scalar as its JSON value.
func (p *fastParser) scalar(s []byte) (isString, ok bool) {
	switch scalarKind(s) {
	case kindString:
		p.out = appendString(p.out, s)
		return true, true
	case kindInt:
		p.out = append(p.out, s...)
	case kindTrue:
		p.out = append(p.out, "true"...)
	case kindFalse:
		p.out = append(p.out, "false"...)
	case kindNull:
		p.out = append(p.out, "null"...)
	default:
		return false, false
	}
	return false, true
}

// quoted reads a one-line quoted scalar at s[0]: its value and length.
func quoted(s []byte) (v []byte, n int, ok bool) {
	q := s[0]
	end := -1
	plain := true // no escapes: the value is a slice of s
	for i := 1; i < len(s); i++ {
		if s[i] == '\\' && q == '"' {
			plain = false
			i++
			continue
		}
		if s[i] == q {
			if q == '\'' && i+1 < len(s) && s[i+1] == '\'' {
				plain = false
				i++
				continue
			}
			end = i
			break
		}
	}
	if end < 0 {
		return nil, 0, false // the string continues on the next line
	}
	if plain {
		return s[1:end], end + 1, true
	}
	b := make([]byte, 0, end)
	for i := 1; i < end; i++ {
		c := s[i]
		switch {
		case q == '\'' && c == '\'':
			b = append(b, '\'')
			i++
		case q == '"' && c == '\\':
			switch s[i+1] {
			case '"', '\\', '/':
				b = append(b, s[i+1])
			case 'n':
				b = append(b, '\n')
			case 't':
				b = append(b, '\t')
			default:
				return nil, 0, false // other escapes: the full parser
			}
			i++
		default:
			b = append(b, c)
		}
	}
	return b, end + 1, true
}

func commentOnly(s []byte) bool {
	t := trimSpace(s)
	return len(t) == 0 || (t[0] == '#' && len(t) < len(s))
}

func trimSpace(s []byte) []byte {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	return s
}

// appendString writes s as a JSON string.
func appendString(out, s []byte) []byte {
	out = append(out, '"')
	start := 0
	for i, c := range s {
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\n':
			out = append(out, '\\', 'n')
		case '\t':
			out = append(out, '\\', 't')
		default:
			out = append(out, `\u00`...)
			out = append(out, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		}
		start = i + 1
	}
	out = append(out, s[start:]...)
	return append(out, '"')
}
