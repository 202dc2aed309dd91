package git

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
)

// repo makes a repository with k8s/svc.yaml committed, then changed in the
// working tree.
func repo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.MkdirAll(filepath.Join(dir, "k8s"), 0o755)
	os.WriteFile(filepath.Join(dir, "k8s", "svc.yaml"), []byte("apiVersion: v1\nkind: Service\nmetadata: {name: old}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "k8s", "notes.md"), []byte("# not a manifest\n"), 0o644)
	run("init", "-q")
	run("add", ".")
	run("commit", "-q", "-m", "base")
	os.WriteFile(filepath.Join(dir, "k8s", "svc.yaml"), []byte("apiVersion: v1\nkind: Service\nmetadata: {name: new}\n"), 0o644)
	return dir
}

func TestReadAtRevision(t *testing.T) {
	dir := repo(t)
	set, err := Paths{Revision: "HEAD", Path: "k8s", Dir: dir}.Read(source.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 1 || set.Objects[0].Name != "old" || set.Objects[0].Origin.String() != "HEAD:k8s/svc.yaml:1" {
		t.Errorf("objects: %+v", set.Objects)
	}
	// From a subfolder, paths and origins are relative to it, as git's are.
	set, err = Paths{Revision: "HEAD", Path: ".", Dir: filepath.Join(dir, "k8s")}.Read(source.Env{})
	if err != nil || len(set.Objects) != 1 || set.Objects[0].Origin.File != "HEAD:svc.yaml" {
		t.Errorf("subfolder: err=%v objects=%+v", err, set.Objects)
	}
	// A revision git does not know is an error with git's own words.
	if _, err := (Paths{Revision: "no-such-ref", Path: "k8s", Dir: dir}).Read(source.Env{}); err == nil || !strings.Contains(err.Error(), "no-such-ref") {
		t.Errorf("bad revision: %v", err)
	}
}

func TestAtRevisionRefusesWhatHasNoRevision(t *testing.T) {
	in := &source.Inputs{List: []source.Input{source.Paths{Path: "-"}}}
	if _, err := AtRevision(in, "HEAD"); err == nil || !strings.Contains(err.Error(), "stdin") {
		t.Errorf("stdin: %v", err)
	}
	in = &source.Inputs{List: []source.Input{source.Paths{Path: "k8s"}}}
	at, err := AtRevision(in, "main")
	if err != nil || len(at.List) != 1 || at.List[0].String() != "main:k8s" || !at.AllowEmpty || len(in.List) != 1 || in.List[0].String() != "k8s" {
		t.Errorf("err=%v at=%+v in=%+v", err, at, in)
	}
}

// From a working directory outside the repository, the repository is the
// path's (diff --base-ref HEAD /elsewhere/k8s works from anywhere).
func TestReadFromOutsideTheRepository(t *testing.T) {
	dir := repo(t)
	t.Chdir(t.TempDir())
	set, err := Paths{Revision: "HEAD", Path: filepath.Join(dir, "k8s")}.Read(source.Env{})
	if err != nil || len(set.Objects) != 1 || set.Objects[0].Name != "old" {
		t.Errorf("outside: err=%v objects=%+v", err, set.Objects)
	}
	set, err = Paths{Revision: "HEAD", Path: filepath.Join(dir, "k8s", "svc.yaml")}.Read(source.Env{})
	if err != nil || len(set.Objects) != 1 || set.Objects[0].Name != "old" {
		t.Errorf("outside, one file: err=%v objects=%+v", err, set.Objects)
	}
}
