// Package check holds meshdoctor's analyzers. Each check is a declared value
// (code, name, doc, severity, run) in its own file, after
// golang.org/x/tools/go/analysis; catalog.go lists them all, so codes are
// stable, unique and documented in one place (as Istio's messages.yaml does).
package check

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Severity of a finding.
type Severity string

// Severities; an error finding makes analyze exit 1.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Info    Severity = "info"
)

// Object names the object a finding is about.
type Object struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// Finding is one result of a check: the public JSON contract of analyze.
type Finding struct {
	Code     string   `json:"code"`
	Check    string   `json:"check"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Object   Object   `json:"object"`
	File     string   `json:"file"`
	Line     int      `json:"line"`
	// Related are other objects the finding concerns, as go/analysis's
	// Diagnostic.Related: for a collector's own finding (its receivers, its
	// config), the collector workload, whichever object holds the config.
	Related []Object `json:"related,omitempty"`
}

// Telemetry reports a finding of the telemetry checks (the catalogue's
// MD07xx range), which the pipeline view draws on its hops.
func (f Finding) Telemetry() bool { return strings.HasPrefix(f.Code, "MD07") }

// About reports whether the finding's object, or one of its related
// objects, is kind ns/name.
func (f Finding) About(kind, ns, name string) bool {
	is := func(o Object) bool { return o.Kind == kind && o.Namespace == ns && o.Name == name }
	return is(f.Object) || slices.ContainsFunc(f.Related, is)
}

// Check is one analyzer.
type Check struct {
	Code     string
	Name     string
	Severity Severity
	// Doc: first line a summary, then why it matters.
	Doc string
	Run func(*Pass)
}

// Summary is the first line of Doc.
func (c *Check) Summary() string {
	s, _, _ := strings.Cut(c.Doc, "\n")
	return s
}

// Pass is what a check sees and how it reports.
type Pass struct {
	Model     *mesh.Model
	Edges     []verdict.Edge
	Discovery edges.Result
	check     *Check
	findings  *[]Finding
}

// Report records a finding about the object at ref.
func (p *Pass) Report(ref inventory.Ref, msg string) {
	*p.findings = append(*p.findings, Finding{Code: p.check.Code, Check: p.check.Name, Severity: p.check.Severity,
		Message: msg, Object: Object{Kind: ref.Kind, Namespace: ref.Namespace, Name: ref.Name}, File: ref.File, Line: ref.Line})
}

// ReportRelated records a finding about ref that also concerns related.
func (p *Pass) ReportRelated(ref inventory.Ref, related []inventory.Ref, msg string) {
	p.Report(ref, msg)
	f := &(*p.findings)[len(*p.findings)-1]
	for _, r := range related {
		f.Related = append(f.Related, Object{Kind: r.Kind, Namespace: r.Namespace, Name: r.Name})
	}
}

// Run runs every check of the catalogue and returns the findings sorted by
// severity, file, line and code.
func Run(m *mesh.Model, es []verdict.Edge, d edges.Result) []Finding {
	var out []Finding
	for _, c := range All {
		c.Run(&Pass{Model: m, Edges: es, Discovery: d, check: c, findings: &out})
	}
	rank := map[Severity]int{Error: 0, Warning: 1, Info: 2}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case rank[a.Severity] != rank[b.Severity]:
			return rank[a.Severity] < rank[b.Severity]
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Code != b.Code:
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
	return out
}

// ByCode finds a check in the catalogue.
func ByCode(code string) *Check {
	for _, c := range All {
		if c.Code == code {
			return c
		}
	}
	return nil
}
