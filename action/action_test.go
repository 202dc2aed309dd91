// Package action tests the CI entry points as CI runs them: the GitHub
// Action's script (action/diff.sh) and the pre-commit hook's entry
// (.pre-commit-hooks.yaml), each on a throwaway git repository with one
// harmless and one breaking change.
package action

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/internal/cli"
	"github.com/rogpeppe/go-internal/testscript"
	sigsyaml "sigs.k8s.io/yaml"
)

// TestMain puts the real command on $PATH as "meshdoctor" for the scripts.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"meshdoctor": func() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// repo makes a git repository whose k8s/ holds the seed with the
// write-up's fix (every edge passes), committed.
func repo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	for _, src := range []string{"../examples/seed", "../examples/seed-fix"} {
		files, _ := filepath.Glob(src + "/*.yaml")
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, "k8s", filepath.Base(src)+"-"+filepath.Base(f))
			os.MkdirAll(filepath.Dir(dst), 0o755)
			if err := os.WriteFile(dst, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "seed with the fix")
	return dir
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// harmless adds a ConfigMap; breaking drops the fix's DISABLE DestinationRule,
// so the client sidecars originate istio mTLS to the plaintext collector.
func harmless(t *testing.T, dir string) {
	cm := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: feature-flags, namespace: staging-webs}\ndata: {checkout-v2: \"on\"}\n"
	if err := os.WriteFile(filepath.Join(dir, "k8s", "flags.yaml"), []byte(cm), 0o644); err != nil {
		t.Fatal(err)
	}
}

func breaking(t *testing.T, dir string) {
	if err := os.Remove(filepath.Join(dir, "k8s", "seed-fix-destinationrule.yaml")); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, dir string, env []string, name string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		t.Fatalf("%s: %v", name, err)
	}
	return 0, string(out)
}

func TestActionScript(t *testing.T) {
	script, _ := filepath.Abs("diff.sh")
	for _, tc := range []struct {
		name   string
		change func(*testing.T, string)
		exit   int
		delta  string
	}{
		{"harmless", harmless, 0, "| start failing | 0 |"},
		{"breaking", breaking, 1, "monitoring/otel-collector:4317"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := repo(t)
			git(t, dir, "checkout", "-q", "-b", "pr")
			tc.change(t, dir)
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-q", "-m", tc.name)
			out := t.TempDir()
			ghOut := filepath.Join(out, "github-output")
			summary := filepath.Join(out, "summary.md")
			code, log := run(t, dir, []string{"MESHDOCTOR_OUT=" + out, "GITHUB_OUTPUT=" + ghOut, "GITHUB_STEP_SUMMARY=" + summary},
				"bash", script, "main", "k8s")
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\n%s", code, tc.exit, log)
			}
			sum, _ := os.ReadFile(summary)
			if !strings.Contains(string(sum), "## meshdoctor: mTLS changes against main") || !strings.Contains(string(sum), tc.delta) {
				t.Errorf("job summary:\n%s", sum)
			}
			var sarif struct {
				Version string `json:"version"`
				Runs    []struct {
					Results []json.RawMessage `json:"results"`
				} `json:"runs"`
			}
			data, err := os.ReadFile(filepath.Join(out, "meshdoctor.sarif"))
			if err != nil || json.Unmarshal(data, &sarif) != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
				t.Fatalf("SARIF: %v\n%.300s", err, data)
			}
			if tc.exit == 1 && len(sarif.Runs[0].Results) == 0 {
				t.Error("the breaking change has no SARIF result")
			}
			gh, _ := os.ReadFile(ghOut)
			if !strings.Contains(string(gh), "exit="+string(rune('0'+tc.exit))) || !strings.Contains(string(gh), "sarif=") {
				t.Errorf("GITHUB_OUTPUT: %s", gh)
			}
		})
	}
	// Unreadable inputs: 2, not a pass.
	dir := repo(t)
	if code, log := run(t, dir, []string{"MESHDOCTOR_OUT=" + t.TempDir()}, "bash", script, "main", "missing/"); code != 2 {
		t.Errorf("missing paths: exit %d\n%s", code, log)
	}
}

// TestPreCommitHook runs the hook's entry and default args, as pre-commit
// does from the repository root with the change staged.
func TestPreCommitHook(t *testing.T) {
	data, err := os.ReadFile("../.pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string   `json:"id"`
		Entry         string   `json:"entry"`
		Args          []string `json:"args"`
		Language      string   `json:"language"`
		PassFilenames *bool    `json:"pass_filenames"`
	}
	if err := sigsyaml.Unmarshal(data, &hooks); err != nil || len(hooks) != 1 {
		t.Fatalf("hooks: %v %+v", err, hooks)
	}
	h := hooks[0]
	if h.Language != "golang" || h.PassFilenames == nil || *h.PassFilenames {
		t.Errorf("hook %s: language %s, pass_filenames %v", h.ID, h.Language, h.PassFilenames)
	}
	argv := append(strings.Fields(h.Entry), h.Args...)
	for _, tc := range []struct {
		name   string
		change func(*testing.T, string)
		exit   int
	}{
		{"harmless", harmless, 0},
		{"breaking", breaking, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := repo(t)
			tc.change(t, dir)
			git(t, dir, "add", "-A")
			code, log := run(t, dir, nil, argv[0], argv[1:]...)
			if code != tc.exit {
				t.Errorf("%s: exit %d, want %d\n%s", strings.Join(argv, " "), code, tc.exit, log)
			}
		})
	}
}

// TestActionYAML: the composite action names the script this package
// tests, and the inputs the README documents.
func TestActionYAML(t *testing.T) {
	data, err := os.ReadFile("../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Inputs map[string]struct {
			Default *string `json:"default"`
		} `json:"inputs"`
		Runs struct {
			Using string `json:"using"`
			Steps []struct {
				Run  string `json:"run"`
				Uses string `json:"uses"`
			} `json:"steps"`
		} `json:"runs"`
	}
	if err := sigsyaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q", a.Runs.Using)
	}
	for _, in := range []string{"paths", "base-ref", "args", "version", "upload-sarif"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %s missing", in)
		}
	}
	var script, sarif bool
	for _, s := range a.Runs.Steps {
		script = script || strings.Contains(s.Run, "$GITHUB_ACTION_PATH/action/diff.sh")
		sarif = sarif || strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@")
	}
	if !script || !sarif {
		t.Errorf("steps: runs action/diff.sh %v, uploads SARIF %v", script, sarif)
	}
}
