package analysis

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestScenarios runs every testdata/scenarios/*.txtar through the whole
// pipeline with all pairs. The archive comment names the rule (spec section
// or Istio task step) and may say "use: fixtures/x.yaml"; files ending in
// .yaml are manifests; "want" holds one edge per line:
//
//	<ns>/<client> -> <service>.<ns>:<port> <ok|fail|unknown> [sends=X] [accepts=Y] [mtls|plain]
//
// and "findings" holds codes that must be reported (and "!code" that must not).
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/scenarios/*.txtar")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var set source.Set
			var want, findings []string
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				if rest, ok := strings.CutPrefix(line, "use: "); ok {
					data, err := os.ReadFile(filepath.Join("testdata", rest))
					if err != nil {
						t.Fatal(err)
					}
					set.Add(source.Parse(rest, data))
				}
			}
			for _, af := range ar.Files {
				switch {
				case strings.HasSuffix(af.Name, ".yaml"):
					set.Add(source.Parse(af.Name, af.Data))
				case af.Name == "want":
					want = lines(af.Data)
				case af.Name == "findings":
					findings = lines(af.Data)
				}
			}
			if len(set.Problems) > 0 {
				t.Fatalf("scenario input problems: %v", set.Problems)
			}
			res := Run(inventory.Build(set, "default"), Options{AllPairs: true})
			for _, w := range want {
				checkEdge(t, res, w)
			}
			for _, code := range findings {
				neg := strings.HasPrefix(code, "!")
				code = strings.TrimPrefix(code, "!")
				if got := hasFinding(res, code); got == neg {
					t.Errorf("finding %s reported = %v, want %v; findings: %v", code, got, !neg, res.Findings)
				}
			}
		})
	}
}

func lines(b []byte) []string {
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func hasFinding(r Result, code string) bool {
	for _, f := range r.Findings {
		if f.Code == code {
			return true
		}
	}
	return false
}

func checkEdge(t *testing.T, r Result, spec string) {
	t.Helper()
	f := strings.Fields(spec)
	if len(f) < 4 || f[1] != "->" {
		t.Fatalf("bad want line %q", spec)
	}
	var found *verdict.Edge
	for i, e := range r.Edges {
		client := e.Client.Namespace + "/" + e.Client.Workload
		server := fmt.Sprintf("%s.%s:%d", e.Server.Service, e.Server.Namespace, e.Server.Port)
		if client == f[0] && server == f[2] {
			found = &r.Edges[i]
			break
		}
	}
	if found == nil {
		t.Errorf("%s: no such edge", spec)
		return
	}
	e := *found
	got := fmt.Sprintf("outcome=%s sends=%s accepts=%s mtls=%v", e.Outcome, e.ClientSends, e.ServerAccepts, e.MTLS)
	if string(e.Outcome) != f[3] {
		t.Errorf("%s: got %s (cause: %s)", spec, got, e.Cause)
	}
	for _, x := range f[4:] {
		switch {
		case strings.HasPrefix(x, "sends=") && "sends="+e.ClientSends != x,
			strings.HasPrefix(x, "accepts=") && "accepts="+e.ServerAccepts != x,
			x == "mtls" && !e.MTLS, x == "plain" && e.MTLS:
			t.Errorf("%s: got %s (cause: %s)", spec, got, e.Cause)
		}
	}
}
