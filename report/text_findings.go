package report

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/meshdoctor/meshdoctor/check"
)

// maxFindingExamples bounds the locations a grouped finding names.
const maxFindingExamples = 3

// findingGroup is the findings of one code whose messages read alike once
// each one's own object is taken out: one per workload becomes one line.
type findingGroup struct {
	shape string // with examples elided, unless every member gives the same
	list  []check.Finding
}

// groupFindings gathers findings by severity, code and message shape, in
// the order they come; failing edges are skipped (their groups say it all).
func groupFindings(fs []check.Finding) []*findingGroup {
	var out []*findingGroup
	at := map[string]*findingGroup{}
	for _, f := range fs {
		if f.Code == check.EdgeFails.Code {
			continue
		}
		full := messageShape(f)
		shape := exampleText.ReplaceAllString(full, "(e.g. …)")
		k := string(f.Severity) + "|" + f.Code + "|" + shape
		g := at[k]
		if g == nil {
			g = &findingGroup{shape: full}
			at[k] = g
			out = append(out, g)
		} else if g.shape != full {
			g.shape = shape
		}
		g.list = append(g.list, f)
	}
	return out
}

// exampleText matches a message's "(e.g. …)": an example does not make a
// message differ from its siblings.
var exampleText = regexp.MustCompile(`\(e\.g\. [^()]*\)`)

// messageShape is f's message with its own object's name written <name>
// (and namespace <namespace>, also as a label of a DNS name), whole words
// only.
func messageShape(f check.Finding) string {
	m, o := f.Message, f.Object
	if o.Namespace != "" {
		m = replaceWord(m, o.Namespace+"/"+o.Name, "<name>", false)
	}
	m = replaceWord(m, o.Name, "<name>", false)
	if o.Namespace != "" {
		m = replaceWord(m, o.Namespace, "<namespace>", true)
	}
	return m
}

// replaceWord replaces each occurrence of word in s that no name character
// ([A-Za-z0-9_.-]; a dot too unless label; a slash before a name) touches
// on either side; a sentence's closing dot never counts.
func replaceWord(s, word, with string, label bool) string {
	if word == "" || !strings.Contains(s, word) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, word)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(word)
		touches := func(c byte) bool { return wordByte(c) && !(label && c == '.') }
		// A bare name after "ns/" is some namespace's object, maybe not this one.
		whole := (i == 0 || !touches(s[i-1]) && !(!label && s[i-1] == '/')) && (end == len(s) || !touches(s[end]) || s[end] == '.' && (end+1 == len(s) || !wordByte(s[end+1])))
		if whole {
			b.WriteString(s[:i])
			b.WriteString(with)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}

func wordByte(c byte) bool {
	return c == '-' || c == '.' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// findingsText writes the findings, one line per group: a finding alone as
// it is, a repeated one with its count, its shape and a few locations.
func findingsText(w io.Writer, fs []check.Finding, st Style) {
	groups := groupFindings(fs)
	edgeFails := 0
	for _, f := range fs {
		if f.Code == check.EdgeFails.Code {
			edgeFails++
		}
	}
	if len(groups) == 0 && edgeFails == 0 {
		return
	}
	fmt.Fprintln(w, "\nFindings:")
	for _, g := range groups {
		f := g.list[0]
		if len(g.list) == 1 {
			fmt.Fprintf(w, "  %s %s %s: %s\n      at %s\n", sev(f.Severity, st), f.Code, f.Check, f.Message, loc(f))
			continue
		}
		fmt.Fprintf(w, "  %s %s %s ×%d: %s\n", sev(f.Severity, st), f.Code, f.Check, len(g.list), g.shape)
		for i, x := range g.list {
			if i == maxFindingExamples && len(g.list) > maxFindingExamples+1 {
				fmt.Fprintf(w, "      … and %d more (-o json lists each)\n", len(g.list)-i)
				break
			}
			fmt.Fprintf(w, "      at %s\n", loc(x))
		}
	}
	if edgeFails > 0 {
		fmt.Fprintf(w, "  (%d %s findings: the failing edges above)\n", edgeFails, check.EdgeFails.Name)
	}
}
