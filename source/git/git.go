// Package git reads manifests as they are at a git revision of the
// repository around the working directory. It runs the git binary
// (read-only plumbing: rev-parse, ls-tree, show): a Go reimplementation of
// git would be a large dependency for three read-only commands.
package git

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
)

// Paths is a file or folder of the working tree as it is at Revision.
type Paths struct {
	Revision, Path string
	Dir            string // the working directory git runs in; "" = the process's
}

func (p Paths) String() string { return p.Revision + ":" + p.Path }

// Read reads the manifests under the path at the revision. A path that did
// not exist then reads as no objects (a change may add a folder).
func (p Paths) Read(env source.Env) (source.Set, error) {
	var set source.Set
	names, err := p.git("ls-tree", "-r", "-z", "--name-only", "--full-name", p.Revision, "--", p.Path)
	if err != nil && p.Dir == "" && strings.Contains(err.Error(), "not a git repository") {
		// The working directory is outside the repository: find it from
		// the path, as `git -C` would, and name files as the path does.
		if in, ok := p.fromPath(); ok {
			return in.Read(env)
		}
	}
	if err != nil {
		return set, fmt.Errorf("git ls-tree %s: %w", p.Revision, err)
	}
	prefix, err := p.git("rev-parse", "--show-prefix")
	if err != nil {
		return set, fmt.Errorf("git rev-parse: %w", err)
	}
	pre := strings.TrimSpace(string(prefix))
	for _, n := range strings.Split(string(names), "\x00") {
		switch strings.ToLower(path.Ext(n)) {
		case ".yaml", ".yml", ".json":
		default:
			continue
		}
		data, err := p.git("show", p.Revision+":"+n)
		if err != nil {
			return set, fmt.Errorf("git show %s:%s: %w", p.Revision, n, err)
		}
		set.Add(source.Parse(p.Revision+":"+strings.TrimPrefix(n, pre), data))
	}
	return set, nil
}

// fromPath runs git in the path's own folder (the path itself when it is a
// folder), with the path relative to it.
func (p Paths) fromPath() (Paths, bool) {
	dir, rel := p.Path, "."
	if st, err := os.Stat(p.Path); err != nil || !st.IsDir() {
		dir, rel = filepath.Dir(p.Path), filepath.Base(p.Path)
	}
	if dir == "" || dir == "." {
		return p, false
	}
	return Paths{Revision: p.Revision, Path: rel, Dir: dir}, true
}

// git runs one read-only git command and returns its output; a failure
// carries git's own message, not only its exit status.
func (p Paths) git(args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = p.Dir
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(bytes.TrimSpace(ee.Stderr)) > 0 {
		return out, errors.New(strings.TrimSpace(string(ee.Stderr)))
	}
	return out, err
}

// AtRevision is in with every path read at rev instead of from the working
// tree. Other inputs (a chart, the cluster) have no revision: refused.
func AtRevision(in *source.Inputs, rev string) (*source.Inputs, error) {
	if err := in.OnlyPaths("--base-ref"); err != nil {
		return nil, err
	}
	at := *in
	at.List = nil
	for _, p := range in.PathList() {
		if p == "-" {
			return nil, errors.New("--base-ref reads paths at a revision; - (stdin) has none")
		}
		at.List = append(at.List, Paths{Revision: rev, Path: p})
	}
	at.AllowEmpty = true
	return &at, nil
}
