package explain

import (
	"github.com/meshdoctor/meshdoctor/verdict"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/meshdoctor/meshdoctor/category"
)

// Diagnosis is one distinct cause found in the log, with the events that
// show it grouped. JSON field names are part of the CLI contract.
type Diagnosis struct {
	Category   category.Category `json:"category"`
	Emitter    Emitter           `json:"emitter"`
	Signature  string            `json:"signature"`  // the id that decided the category
	Signatures []string          `json:"signatures"` // every id found in the event(s)
	Line       int               `json:"line"`       // first line of the first event
	LastLine   int               `json:"lastLine"`   // first line of the last event
	Count      int               `json:"count"`      // events grouped here
	Summary    string            `json:"summary"`
	Causes     []string          `json:"causes"` // most likely first
	Notes      []string          `json:"notes"`  // what the line does not explain
	Next       []string          `json:"next"`   // commands to run
	Targets    []string          `json:"targets"`
	Sample     string            `json:"sample"` // the first event's text, cleaned and shortened
	// Edges and Correlation are set by Correlate (explain --manifests).
	Edges       []verdict.Edge `json:"edges,omitempty"`
	Correlation string         `json:"correlation,omitempty"`
}

// Report is the result of reading one log.
type Report struct {
	Diagnoses []Diagnosis `json:"diagnoses"`
	Lines     int         `json:"-"` // lines read
	Events    int         `json:"-"` // events that matched a signature
}

const maxGroups = 10000 // beyond this, events group by signatures only

var defaultMatcher = newMatcher(Literals())

// literal index → catalogue indexes that list it
var litSigs = func() [][]int {
	idx := map[string]int{}
	for i, l := range Literals() {
		idx[l] = i
	}
	out := make([][]int, len(idx))
	for si, s := range catalogue {
		for _, m := range s.Match {
			out[idx[m]] = append(out[idx[m]], si)
		}
	}
	return out
}()

type group struct {
	d       Diagnosis
	targets map[string]bool
}

// Explain reads a log stream and returns its diagnoses, most severe first.
// It holds one event at a time, never the whole input.
func Explain(r io.Reader) (*Report, error) {
	groups := map[string]*group{}
	rep := &Report{}
	sc := &scanner{m: defaultMatcher, emit: func(ev *rawEvent) {
		text := cleanEvent(ev.text)
		sigs, norm := match(text)
		if len(sigs) == 0 {
			return
		}
		rep.Events++
		ids := make([]string, len(sigs))
		for i, s := range sigs {
			ids[i] = catalogue[s].ID
		}
		key := strings.Join(ids, "+")
		if len(groups) < maxGroups {
			key += "\x00" + norm
		}
		g := groups[key]
		if g == nil {
			f := diagnose(sigs, text)
			g = &group{targets: map[string]bool{}, d: Diagnosis{
				Category: f.cat, Emitter: f.emitter, Signature: catalogue[f.decisive].ID, Signatures: ids,
				Line: ev.line, Summary: f.summary, Causes: nonNil(f.causes), Notes: nonNil(f.notes),
				Next: nonNil(f.next), Sample: sample(text),
			}}
			groups[key] = g
		}
		g.d.Count++
		g.d.LastLine = ev.line
		extractTargets(text, g.targets)
	}}
	err := sc.run(r)
	rep.Lines = sc.lines
	for _, g := range groups {
		d := g.d
		d.Targets = sortedKeys(g.targets)
		rp := placeholders(d.Targets)
		next := make([]string, 0, len(d.Next))
		seen := map[string]bool{}
		for _, n := range d.Next {
			if n = rp.Replace(n); !seen[n] {
				seen[n] = true
				next = append(next, n)
			}
		}
		d.Next = next
		rep.Diagnoses = append(rep.Diagnoses, d)
	}
	sort.Slice(rep.Diagnoses, func(i, j int) bool {
		a, b := &rep.Diagnoses[i], &rep.Diagnoses[j]
		if sa, sb := severity(a.Category), severity(b.Category); sa != sb {
			return sa < sb
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return strings.Join(a.Signatures, "+") < strings.Join(b.Signatures, "+")
	})
	return rep, err
}

// match finds the confirmed signatures in cleaned event text (ascending
// catalogue order) and a normalised rendering of the matched text used to
// group repeats: from each hit to the end of its line, numbers collapsed.
func match(text string) ([]int, string) {
	found := map[int]bool{}
	var frags []string
	seenFrag := map[string]bool{}
	b := []byte(text)
	defaultMatcher.all(b, func(pos, lit int) {
		for _, si := range litSigs[lit] {
			found[si] = true
		}
		end := len(b)
		if i := strings.IndexByte(text[pos:], '\n'); i >= 0 {
			end = pos + i
		}
		end = min(end, pos+200)
		if fr := normalise(text[pos:end]); !seenFrag[fr] {
			seenFrag[fr] = true
			frags = append(frags, fr)
		}
	})
	var sigs []int
	for si := range found {
		if c := catalogue[si].Confirm; c != nil && !c.MatchString(text) {
			continue
		}
		sigs = append(sigs, si)
	}
	sort.Ints(sigs)
	// a more specific entry with the same literal (netty-first-frame-tls)
	// replaces the general one
	if has(sigs, "netty-first-frame-tls") {
		sigs = remove(sigs, indexOf("netty-first-frame-not-settings"))
	}
	sort.Strings(frags)
	return sigs, strings.Join(frags, " | ")
}

func remove(s []int, v int) []int {
	out := s[:0]
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// normalise collapses every run of hex-ish characters that contains a digit
// (numbers, ports, addresses, ids) to '#'.
func normalise(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		j := i
		digit := false
		for j < len(s) && isHexish(s[j]) {
			digit = digit || (s[j] >= '0' && s[j] <= '9')
			j++
		}
		if j > i && digit {
			sb.WriteByte('#')
			i = j
			continue
		}
		if j == i {
			j = i + 1
		}
		sb.WriteString(s[i:j])
		i = j
	}
	return sb.String()
}

func isHexish(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func sample(text string) string {
	const max = 400
	if len(text) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	return text
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
