package analysis

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// SuppressAnnotation on an object suppresses findings about it: a comma
// list of codes, or "*" for all (like kube-linter's ignore-check annotations).
const SuppressAnnotation = "meshdoctor.io/suppress"

// Filter is what a reader asked to see, applied after judging: suppressed
// findings leave the counts and the exit status (as istioctl analyze -S
// does); OnlyProblems only hides the working edges from the listing.
type Filter struct {
	// OnlyProblems lists only failing and unknown edges.
	OnlyProblems bool
	// MinSeverity drops findings below it ("" keeps all).
	MinSeverity check.Severity
	// Suppress: "CODE" everywhere, or "CODE=Kind/namespace/name" (namespace
	// may be empty for cluster-scoped objects, name may be "*").
	Suppress []string
}

var severityRank = map[check.Severity]int{check.Info: 0, check.Warning: 1, check.Error: 2}

// Check reports a malformed filter (a usage error).
func (f Filter) Check() error {
	if _, ok := severityRank[f.MinSeverity]; f.MinSeverity != "" && !ok {
		return fmt.Errorf("unknown severity %q (want error, warning or info)", f.MinSeverity)
	}
	for _, s := range f.Suppress {
		code, obj, ok := strings.Cut(s, "=")
		if code == "" || (ok && strings.Count(obj, "/") != 2) {
			return fmt.Errorf("--suppress %q: want CODE or CODE=Kind/namespace/name", s)
		}
		// A typo would suppress nothing, silently.
		if !slices.ContainsFunc(check.All, func(c *check.Check) bool { return c.Code == code }) && code != "*" {
			return fmt.Errorf("--suppress %q: no check has code %s (the README's table of findings lists every code)", s, code)
		}
	}
	return nil
}

// Apply filters r in place; inv gives the objects' annotations.
func (f Filter) Apply(inv *inventory.Inventory, r *Result) {
	ann := annotationsOf(inv)
	kept := r.Findings[:0]
	r.Summary.Errors, r.Summary.Warnings = 0, 0
	for _, x := range r.Findings {
		if f.suppressed(x, ann) || severityRank[x.Severity] < severityRank[f.MinSeverity] {
			continue
		}
		kept = append(kept, x)
		switch x.Severity {
		case check.Error:
			r.Summary.Errors++
		case check.Warning:
			r.Summary.Warnings++
		}
	}
	r.Findings = kept
	if f.OnlyProblems {
		r.Edges = slices.DeleteFunc(r.Edges, func(e verdict.Edge) bool { return e.Outcome == verdict.OK })
	}
}

func (f Filter) suppressed(x check.Finding, ann map[string]map[string]string) bool {
	key := x.Object.Kind + "/" + x.Object.Namespace + "/" + x.Object.Name
	for _, s := range f.Suppress {
		code, obj, scoped := strings.Cut(s, "=")
		if code != x.Code && code != "*" {
			continue
		}
		if !scoped || obj == key || (strings.HasSuffix(obj, "/*") && strings.HasPrefix(key, strings.TrimSuffix(obj, "*"))) {
			return true
		}
	}
	if v, ok := ann[key][SuppressAnnotation]; ok {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c == x.Code || c == "*" {
				return true
			}
		}
	}
	return false
}

// annotationsOf maps Kind/namespace/name to each object's annotations.
func annotationsOf(inv *inventory.Inventory) map[string]map[string]string {
	out := map[string]map[string]string{}
	add := func(m inventory.Meta) {
		if len(m.Annotations) > 0 {
			out[m.Kind+"/"+m.Namespace+"/"+m.Name] = m.Annotations
		}
	}
	for _, n := range inv.Namespaces {
		m := n.Meta
		m.Namespace = ""
		add(m)
	}
	for _, w := range inv.Workloads {
		add(w.Meta)
	}
	for _, s := range inv.Services {
		add(s.Meta)
	}
	for _, x := range inv.PeerAuthentications {
		add(x.Meta)
	}
	for _, x := range inv.DestinationRules {
		add(x.Meta)
	}
	for _, x := range inv.Sidecars {
		add(x.Meta)
	}
	for _, x := range inv.VirtualServices {
		add(x.Meta)
	}
	for _, x := range inv.ServiceEntries {
		add(x.Meta)
	}
	for _, x := range inv.ConfigMaps {
		add(x.Meta)
	}
	return out
}
