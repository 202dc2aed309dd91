package explain

import (
	"bytes"
	"encoding/json"
	"strings"
)

// stripANSI removes ANSI escape sequences (CSI "ESC [ ... final" and
// two-byte escapes) from b, appending to dst.
func stripANSI(dst, b []byte) []byte {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != 0x1b {
			dst = append(dst, c)
			continue
		}
		if i+1 < len(b) && b[i+1] == '[' {
			j := i + 2
			for j < len(b) && (b[j] < 0x40 || b[j] > 0x7e) {
				j++
			}
			i = j // skip the final byte too
			continue
		}
		i++ // ESC + one byte
	}
	return dst
}

// criPayload strips a containerd/CRI log prefix
// ("2024-01-02T03:04:05.123456789Z stderr F ") when present.
func criPayload(line []byte) []byte {
	if len(line) < 24 || line[0] < '0' || line[0] > '9' || line[4] != '-' {
		return line
	}
	sp := bytes.IndexByte(line[:min(len(line), 40)], ' ')
	if sp < 0 || len(line) < sp+10 {
		return line
	}
	rest := line[sp+1:]
	if (bytes.HasPrefix(rest, []byte("stdout ")) || bytes.HasPrefix(rest, []byte("stderr "))) &&
		(rest[7] == 'F' || rest[7] == 'P') && rest[8] == ' ' {
		return rest[9:]
	}
	return line
}

// messageKeys are the JSON fields that carry a log record's text, in order.
var messageKeys = []string{"message", "msg", "log", "MESSAGE", "error", "err", "exception", "stack_trace", "stacktrace", "stack", "error.message", "exception.message", "exception.stacktrace"}

// jsonMessage extracts the text fields of a JSON log record. ok is false
// when line is not a JSON object or carries none of messageKeys (then the
// caller keeps the raw line: an Envoy JSON access log has no message).
func jsonMessage(line []byte) (string, bool) {
	var obj map[string]any
	if json.Unmarshal(line, &obj) != nil {
		return "", false
	}
	var parts []string
	var walk func(o map[string]any, depth int)
	walk = func(o map[string]any, depth int) {
		for _, k := range messageKeys {
			switch v := o[k].(type) {
			case string:
				v = strings.TrimRight(v, "\r\n")
				if depth == 0 && k == "log" && strings.HasPrefix(v, "{") {
					// docker json-file wrapping an app's JSON line
					if inner, ok := jsonMessage([]byte(v)); ok {
						v = inner
					}
				}
				if v != "" {
					parts = append(parts, v)
				}
			case map[string]any:
				if depth < 2 {
					walk(v, depth+1)
				}
			}
		}
	}
	walk(obj, 0)
	if len(parts) == 0 {
		return "", false
	}
	return strings.Join(parts, "\n"), true
}

// cleanEvent turns the raw bytes of one event (lines separated by \n) into
// the text that signatures are matched against: CR, CRI prefixes and ANSI
// codes removed, JSON records replaced by their message fields.
func cleanEvent(raw []byte) string {
	var out []byte
	var tmp []byte
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		line = bytes.TrimRight(line, "\r")
		line = criPayload(line)
		if bytes.IndexByte(line, 0x1b) >= 0 {
			tmp = stripANSI(tmp[:0], line)
			line = tmp
		}
		if t := bytes.TrimLeft(line, " \t"); len(t) > 0 && t[0] == '{' {
			if msg, ok := jsonMessage(t); ok {
				if bytes.IndexByte([]byte(msg), 0x1b) >= 0 {
					msg = string(stripANSI(nil, []byte(msg)))
				}
				line = []byte(msg)
			}
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		out = append(out, line...)
	}
	return string(out)
}

// line kinds, for folding lines into events.
const (
	kindBlank  = iota
	kindCont   // indented, "Caused by:", "... N more": belongs to the event above
	kindHeader // looks like the start of a log record
	kindPlain  // anything else: continues an event whose head ended open
)

var levelWords = []string{"ERROR", "WARN", "INFO", "DEBUG", "TRACE", "FATAL", "SEVERE", "CRITICAL", "error", "warn", "info", "debug", "Error:", "Exception in thread", "Traceback", "curl: ", "time=", "level=", "ts="}

// classify returns the kind of a raw line (without its newline).
func classify(line []byte) int {
	line = bytes.TrimRight(line, "\r")
	line = criPayload(line)
	if len(line) > 0 && line[0] == 0x1b {
		line = stripANSI(make([]byte, 0, len(line)), line)
	}
	if len(bytes.TrimSpace(line)) == 0 {
		return kindBlank
	}
	switch c := line[0]; {
	case c == ' ' || c == '\t':
		return kindCont
	case c == '[' || c == '{' || (c >= '0' && c <= '9'):
		return kindHeader
	case c == 'C' && bytes.HasPrefix(line, []byte("Caused by:")),
		c == 'S' && bytes.HasPrefix(line, []byte("Suppressed:")),
		c == '.' && bytes.HasPrefix(line, []byte("... ")),
		c == 'a' && bytes.HasPrefix(line, []byte("at ")):
		return kindCont
	case len(line) >= 5 && (c == 'E' || c == 'W' || c == 'I' || c == 'F') && isDigits(line[1:5]):
		return kindHeader // klog: E0102 15:04:05.000000 ...
	}
	for _, w := range levelWords {
		if bytes.HasPrefix(line, []byte(w)) {
			return kindHeader
		}
	}
	if exceptionHead(line) {
		return kindCont
	}
	return kindPlain
}

// exceptionHead reports a line that starts with a qualified exception
// class ("java.io.IOException: ...", "ssl.SSLError: ..."): the exception
// a logger prints under its message line.
func exceptionHead(line []byte) bool {
	end := bytes.IndexAny(line, ": ")
	if end < 0 {
		end = len(line)
	}
	tok := line[:end]
	if bytes.IndexByte(tok, '.') < 0 {
		return false
	}
	for _, suf := range []string{"Exception", "Error", "Throwable"} {
		if bytes.HasSuffix(tok, []byte(suf)) {
			return true
		}
	}
	return false
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// endsOpen reports whether a line looks cut in the middle of a message
// ("... GrpcExporter -", "Full error message:", "reason: x,"), so that the
// plain lines after it belong to the same event.
func endsOpen(line []byte) bool {
	line = bytes.TrimRight(line, " \t\r")
	if len(line) == 0 {
		return false
	}
	switch line[len(line)-1] {
	case ':', ',', '-':
		return true
	}
	return false
}
