// Package source reads manifests — files, folders, stdin — into raw
// Kubernetes objects that remember where they came from (file and line).
// It knows nothing of Istio; it only splits, converts and locates.
package source

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/internal/parallel"
	"go.yaml.in/yaml/v3"
	sigsyaml "sigs.k8s.io/yaml"
)

// Origin is where an object was read: a file (or "-" for stdin, a chart
// template, a cluster reference) and the first line of its document.
type Origin struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

func (o Origin) String() string {
	if o.Line <= 0 {
		return o.File
	}
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}

// Object is one Kubernetes object as JSON, with its identity pre-read.
type Object struct {
	Origin     Origin
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	JSON       []byte
}

// Problem is a document that could not be read as an object. The run goes
// on without it; it is reported as a finding.
type Problem struct {
	Origin  Origin
	Message string
}

func (p Problem) Error() string { return p.Origin.String() + ": " + p.Message }

// Set is what a read produced: objects in input order and the problems met.
type Set struct {
	Objects  []Object
	Problems []Problem
	// Unread are kinds a reader could not see (RBAC, unserved APIs): facts
	// the model must treat as missing, never as absent.
	Unread []Unread
}

// Unread is one kind that could not be read in a namespace.
type Unread struct {
	Kind string
	// Namespace is where the read failed; "" is every namespace except
	// those in Except, where the kind was read.
	Namespace string
	Except    []string
	// Reason says why, in words: "forbidden", "not served".
	Reason string
}

// In reports whether u hides kind objects of namespace ns.
func (u Unread) In(ns string) bool {
	if u.Namespace != "" {
		return u.Namespace == ns
	}
	for _, e := range u.Except {
		if e == ns {
			return false
		}
	}
	return true
}

// Add appends another set (used when several inputs feed one inventory).
func (s *Set) Add(o Set) {
	s.Objects = append(s.Objects, o.Objects...)
	s.Problems = append(s.Problems, o.Problems...)
	s.Unread = append(s.Unread, o.Unread...)
}

// ReadPaths reads every path: "-" is stdin, a folder is walked recursively
// for *.yaml, *.yml and *.json in lexical order. An unreadable path is an
// error (the caller exits 2); a malformed document is only a Problem.
func ReadPaths(paths []string, stdin io.Reader) (Set, error) {
	var out Set
	for _, p := range paths {
		if p == "-" {
			data, err := io.ReadAll(stdin)
			if err != nil {
				return out, fmt.Errorf("reading stdin: %w", err)
			}
			out.Add(Parse("-", data))
			continue
		}
		files, err := manifestFiles(p)
		if err != nil {
			return out, err
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return out, err
			}
			out.Add(Parse(f, data))
		}
	}
	return out, nil
}

func manifestFiles(root string) ([]string, error) {
	info, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{root}, nil
	}
	var files []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			// Hidden folders (.git, .github) hold no manifests of the cluster.
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// Parse splits one file's bytes into objects. It never fails as a whole.
func Parse(file string, data []byte) Set {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.Contains(data, []byte("\r\n")) { // (a copy of the whole file otherwise)
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	docs := splitDocuments(data)
	parsed := make([]Set, len(docs))
	// Documents are independent: convert them on every core, keep the order.
	parallel.For(len(docs), func(i int) { parsed[i] = parseDocument(file, docs[i]) })
	// Sized once: grown by appending, the 41,664 objects of the 20k mesh
	// were copied over and over (34 MB of garbage).
	n := 0
	for _, p := range parsed {
		n += len(p.Objects)
	}
	out := Set{Objects: make([]Object, 0, n)}
	for _, p := range parsed {
		out.Add(p)
	}
	return out
}

// document is one YAML document and the file line its text starts on.
type document struct {
	text      []byte
	firstLine int // line of the first line of text
	bodyLine  int // first line that is neither blank nor a comment
}

// splitDocuments cuts at "---" lines the way kubectl's YAML reader does,
// keeping line numbers so every object can point back at its source. Each
// document's text keeps the newline that ended its last line.
func splitDocuments(data []byte) []document {
	var docs []document
	start, startLine := 0, 1 // byte offset and line number of the current document
	body := 0                // first body line of the current document, 0 while none
	var prefix []byte        // content of a "--- {…}" separator line, which starts the document
	flush := func(end int) {
		if body != 0 {
			text := data[start:end]
			if prefix != nil {
				text = append(append(append([]byte(nil), prefix...), '\n'), text...)
			}
			docs = append(docs, document{text: text, firstLine: startLine, bodyLine: body})
		}
	}
	line := 1
	for off := 0; off < len(data); line++ {
		end := bytes.IndexByte(data[off:], '\n')
		next := off + end + 1
		if end < 0 {
			end, next = len(data)-off, len(data)
		}
		l := data[off : off+end]
		switch {
		case isSeparator(l):
			flush(off)
			start, startLine, body, prefix = next, line+1, 0, nil
			if rest := bytes.TrimSpace(l[3:]); len(rest) != 0 && rest[0] != '#' {
				// "--- {…}" carries content on the separator line itself.
				prefix = append([]byte("    "), rest...)
				startLine, body = line, line
			}
		case isDocumentEnd(l):
			// "..." ends a document's content; blank it, keeping the line.
			flush(off)
			start, startLine, body, prefix = next, line+1, 0, nil
		default:
			if t := bytes.TrimSpace(l); body == 0 && len(t) != 0 && t[0] != '#' {
				body = line
			}
		}
		off = next
	}
	flush(len(data))
	return docs
}

func isSeparator(l []byte) bool {
	return bytes.HasPrefix(l, []byte("---")) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t')
}

func isDocumentEnd(l []byte) bool {
	return string(bytes.TrimRight(l, " \t")) == "..."
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// relocate rewrites "line N" inside a YAML error to the file's line numbers.
func relocate(msg string, firstLine int) string {
	return yamlLine.ReplaceAllStringFunc(msg, func(m string) string {
		n, _ := strconv.Atoi(m[5:])
		return "line " + strconv.Itoa(n+firstLine-1)
	})
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func parseDocument(file string, d document) Set {
	at := Origin{File: file, Line: d.bodyLine}
	if js, h, ok := fastJSON(d.text, make([]byte, 0, len(d.text)+len(d.text)/4)); ok {
		return object(file, d, at, js, h)
	}
	// Strict: a duplicate key (often two files concatenated without "---")
	// would otherwise silently keep the last value.
	js, err := sigsyaml.YAMLToJSONStrict(d.text)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "error converting YAML to JSON: ")
		msg = strings.Join(strings.Fields(msg), " ") // one line, for every output format
		return Set{Problems: []Problem{{Origin: at, Message: "malformed YAML: " + relocate(msg, d.firstLine)}}}
	}
	js = bytes.TrimSpace(js)
	if bytes.Equal(js, []byte("null")) {
		return Set{}
	}
	if len(js) == 0 || js[0] != '{' {
		return Set{Problems: []Problem{{Origin: at, Message: "not a Kubernetes object: the document is not a mapping"}}}
	}
	var h header
	if err := json.Unmarshal(js, &h); err != nil {
		return Set{Problems: []Problem{{Origin: at, Message: "not a Kubernetes object: " + err.Error()}}}
	}
	return object(file, d, at, js, h)
}

// object checks the header of a converted document and makes its object.
func object(file string, d document, at Origin, js []byte, h header) Set {
	if h.Kind == "" || h.APIVersion == "" {
		return Set{Problems: []Problem{{Origin: at, Message: "not a Kubernetes object: apiVersion and kind are required"}}}
	}
	if strings.HasSuffix(h.Kind, "List") && h.APIVersion == "v1" {
		return parseList(file, d, js)
	}
	return Set{Objects: []Object{{
		Origin: at, APIVersion: h.APIVersion, Kind: h.Kind,
		Namespace: h.Metadata.Namespace, Name: h.Metadata.Name, JSON: js,
	}}}
}

// parseList expands a v1 List; each item gets the line of its own entry.
func parseList(file string, d document, js []byte) Set {
	var list struct {
		Items []jsonRaw `json:"items"`
	}
	at := Origin{File: file, Line: d.bodyLine}
	if err := json.Unmarshal(js, &list); err != nil {
		return Set{Problems: []Problem{{Origin: at, Message: "malformed List: " + err.Error()}}}
	}
	lines := itemLines(d)
	var out Set
	for i, item := range list.Items {
		itemDoc := document{text: item, firstLine: d.firstLine, bodyLine: d.bodyLine}
		if i < len(lines) {
			itemDoc.bodyLine = lines[i]
		}
		out.Add(parseDocument(file, itemDoc))
	}
	return out
}

type jsonRaw []byte

func (r *jsonRaw) UnmarshalJSON(b []byte) error { *r = append((*r)[:0], b...); return nil }

// itemLines finds the file line of each entry under "items".
func itemLines(d document) []int {
	var root yaml.Node
	if yaml.Unmarshal(d.text, &root) != nil || len(root.Content) == 0 {
		return nil
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "items" {
			var lines []int
			for _, it := range m.Content[i+1].Content {
				lines = append(lines, it.Line+d.firstLine-1)
			}
			return lines
		}
	}
	return nil
}

// WithNamespace writes ns into the object's metadata, as the API server does
// for an object applied with -n (used for chart releases and overlays).
func WithNamespace(o Object, ns string) Object {
	var m map[string]any
	if json.Unmarshal(o.JSON, &m) != nil {
		return o
	}
	md, _ := m["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		m["metadata"] = md
	}
	md["namespace"] = ns
	if js, err := json.Marshal(m); err == nil {
		o.Namespace, o.JSON = ns, js
	}
	return o
}
