package check_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestTelemetryChecks runs the telemetry package's scenarios through the
// whole pipeline. The archive comment holds "findings:" lines, "CODE [object
// name]" that must be reported ("!CODE [name]" that must not), and "want:"
// lines "<ns>/<client> -> <service>.<ns>:<port> <outcome>".
func TestTelemetryChecks(t *testing.T) {
	files, _ := filepath.Glob("../telemetry/testdata/*.txtar")
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
			for _, af := range ar.Files {
				set.Add(source.Parse(af.Name, af.Data))
			}
			if len(set.Problems) > 0 {
				t.Fatalf("input problems: %v", set.Problems)
			}
			res := analysis.Run(inventory.Build(set, "default"), analysis.Options{})
			section := ""
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				line = strings.TrimSpace(line)
				switch {
				case line == "findings:" || line == "want:":
					section = line
				case line == "" || section == "":
				case section == "findings:":
					checkFinding(t, res, line)
				case section == "want:":
					checkWant(t, res, line)
				}
			}
		})
	}
}

func checkFinding(t *testing.T, res analysis.Result, line string) {
	t.Helper()
	f := strings.Fields(line)
	neg := strings.HasPrefix(f[0], "!")
	code := strings.TrimPrefix(f[0], "!")
	found := false
	for _, x := range res.Findings {
		if x.Code == code && (len(f) == 1 || x.Object.Name == f[1]) {
			found = true
		}
	}
	if found == neg {
		var got []string
		for _, x := range res.Findings {
			got = append(got, fmt.Sprintf("%s %s: %s", x.Code, x.Object.Name, x.Message))
		}
		t.Errorf("%q: reported = %v; findings:\n%s", line, found, strings.Join(got, "\n"))
	}
}

func checkWant(t *testing.T, res analysis.Result, line string) {
	t.Helper()
	f := strings.Fields(line)
	for _, e := range res.Edges {
		if e.Client.Namespace+"/"+e.Client.Workload == f[0] && fmt.Sprintf("%s.%s:%d", e.Server.Service, e.Server.Namespace, e.Server.Port) == f[2] {
			if string(e.Outcome) != f[3] {
				t.Errorf("%s: got %s (%s; symptom %s)", line, e.Outcome, e.Cause, e.Symptom)
			}
			return
		}
	}
	t.Errorf("%s: no such edge", line)
}
