// Package scenario reads the txtar test cases shared by the analysis, check
// and fix tests, and checks their expectations against a result. A case is
// a txtar archive: *.yaml files are manifests, other files are expectation
// sections; the comment may say "use: <path>" (relative to the repository
// root) to add manifests and may hold sections introduced by "name:" lines.
package scenario

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/rogpeppe/go-internal/txtar"
)

// Case is one loaded archive.
type Case struct {
	Name     string
	Comment  string
	Set      source.Set
	Sections map[string][]string
}

// Load reads an archive; root is the repository root for "use:" paths.
func Load(path, root string) (Case, error) {
	ar, err := txtar.ParseFile(path)
	if err != nil {
		return Case{}, err
	}
	c := Case{Name: strings.TrimSuffix(filepath.Base(path), ".txtar"), Comment: string(ar.Comment), Sections: map[string][]string{}}
	section := ""
	for _, l := range strings.Split(c.Comment, "\n") {
		l = strings.TrimSpace(l)
		if p, ok := strings.CutPrefix(l, "use: "); ok {
			set, err := source.ReadPaths([]string{filepath.Join(root, p)}, os.Stdin)
			if err != nil {
				return c, err
			}
			c.Set.Add(set)
			continue
		}
		switch {
		case strings.HasSuffix(l, ":") && !strings.Contains(l, " "):
			section = strings.TrimSuffix(l, ":")
		case l != "" && section != "":
			c.Sections[section] = append(c.Sections[section], l)
		}
	}
	for _, f := range ar.Files {
		if strings.HasSuffix(f.Name, ".yaml") {
			c.Set.Add(source.Parse(f.Name, f.Data))
			continue
		}
		for _, l := range strings.Split(string(f.Data), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				c.Sections[f.Name] = append(c.Sections[f.Name], l)
			}
		}
	}
	return c, nil
}

// Run loads every *.txtar under dir and calls f for each as a subtest.
func Run(t *testing.T, dir, root string, f func(t *testing.T, c Case)) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if len(files) == 0 {
		t.Fatalf("no cases in %s", dir)
	}
	for _, path := range files {
		c, err := Load(path, root)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		t.Run(c.Name, func(t *testing.T) {
			if len(c.Set.Problems) > 0 && !c.Expects("MD0001") {
				t.Fatalf("input problems: %v", c.Set.Problems)
			}
			f(t, c)
		})
	}
}

// Expects reports whether the case's findings section asserts that code is
// reported (a case about malformed input expects its problems).
func (c Case) Expects(code string) bool {
	for _, f := range c.Sections["findings"] {
		if first, _, _ := strings.Cut(f, " "); first == code {
			return true
		}
	}
	return false
}

// Namespace is the case's "namespace:" section: where objects that name
// none land (as -n); "default" without one.
func (c Case) Namespace() string {
	if ns := c.Sections["namespace"]; len(ns) > 0 {
		return ns[0]
	}
	return "default"
}

// Options is the case's "options:" section for the analysis ("all-pairs").
func (c Case) Options() analysis.Options {
	return analysis.Options{AllPairs: slices.Contains(c.Sections["options"], "all-pairs")}
}

// CheckEdge asserts one expectation:
//
//	[!]<ns>/<client> -> <service>.<ns>:<port>[@subset] <ok|fail|unknown> [backend=W] [sends=X] [accepts=Y] [sniffed=Z] [beyond=R] [alts=O,O] [mtls|plain]
//
// alts= lists the outcomes of the edge's alternatives, in order.
// backend=W picks the edge to the workload W ("-" for an edge with none);
// a leading "!" asserts that no such edge exists (the outcome is then ignored).
func CheckEdge(t testing.TB, r analysis.Result, line string) {
	t.Helper()
	neg := strings.HasPrefix(line, "!")
	f := strings.Fields(strings.TrimPrefix(line, "!"))
	if len(f) < 4 || f[1] != "->" {
		t.Fatalf("bad edge expectation %q", line)
	}
	server, subset, _ := strings.Cut(f[2], "@")
	backend, pick := "", false
	for _, x := range f[4:] {
		if b, ok := strings.CutPrefix(x, "backend="); ok {
			backend, pick = strings.TrimPrefix(b, "-"), true
		}
	}
	for _, e := range r.Edges {
		if e.Client.Namespace+"/"+e.Client.Workload != f[0] || fmt.Sprintf("%s.%s:%d", e.Server.Service, e.Server.Namespace, e.Server.Port) != server ||
			e.Server.Subset != subset || (pick && e.Server.Workload != backend) {
			continue
		}
		if neg {
			t.Errorf("%s: the edge exists: outcome=%s sends=%s (cause: %s)", line, e.Outcome, e.ClientSends, e.Cause)
			return
		}
		alts := make([]string, 0, len(e.Alternatives))
		for _, a := range e.Alternatives {
			alts = append(alts, string(a.Outcome))
		}
		got := fmt.Sprintf("outcome=%s sends=%s accepts=%s sniffed=%s beyond=%s alts=%s mtls=%v", e.Outcome, e.ClientSends, e.ServerAccepts, e.Server.Sniffed, strings.Join(e.BeyondPilot, ","), strings.Join(alts, ","), e.MTLS)
		ok := string(e.Outcome) == f[3]
		for _, x := range f[4:] {
			switch {
			case strings.HasPrefix(x, "sends="):
				ok = ok && x == "sends="+string(e.ClientSends)
			case strings.HasPrefix(x, "accepts="):
				ok = ok && x == "accepts="+string(e.ServerAccepts)
			case strings.HasPrefix(x, "sniffed="):
				ok = ok && x == "sniffed="+e.Server.Sniffed
			case strings.HasPrefix(x, "beyond="):
				ok = ok && x == "beyond="+strings.Join(e.BeyondPilot, ",")
			case strings.HasPrefix(x, "alts="):
				ok = ok && x == "alts="+strings.Join(alts, ",")
			case x == "mtls":
				ok = ok && e.MTLS
			case x == "plain":
				ok = ok && !e.MTLS
			}
		}
		if !ok {
			t.Errorf("%s: got %s (cause: %s; symptom: %s)", line, got, e.Cause, e.Symptom)
		}
		return
	}
	if !neg {
		t.Errorf("%s: no such edge", line)
	}
}

// CheckFinding asserts "CODE [object name]" is reported, or "!CODE [name]" is not.
func CheckFinding(t testing.TB, r analysis.Result, line string) {
	t.Helper()
	f := strings.Fields(line)
	neg := strings.HasPrefix(f[0], "!")
	code := strings.TrimPrefix(f[0], "!")
	found := false
	for _, x := range r.Findings {
		if x.Code == code && (len(f) == 1 || x.Object.Name == f[1]) {
			found = true
		}
	}
	if found == neg {
		var got []string
		for _, x := range r.Findings {
			got = append(got, fmt.Sprintf("%s %s: %s", x.Code, x.Object.Name, x.Message))
		}
		t.Errorf("%q: reported = %v; findings:\n%s", line, found, strings.Join(got, "\n"))
	}
}
