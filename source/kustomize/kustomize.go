// Package kustomize builds a kustomization in-process (as `kustomize build`
// or `kubectl kustomize` would) into a source.Set. It never uses the
// network: remote bases, components and files are refused up front.
package kustomize

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// Build renders the kustomization in dir. Each object's origin is the file
// and document it came from (kustomize's own origin tracking); objects
// kustomize generates keep "kustomize:<dir>" with their line in the build
// output. A kustomization that cannot be built — including one that needs
// the network — is an error.
func Build(dir string) (source.Set, error) {
	if err := checkLocal(dir, map[string]bool{}); err != nil {
		return source.Set{}, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	out, tmp, err := buildWithOrigins(dir, filesys.MakeFsOnDisk())
	if err != nil {
		return source.Set{}, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	return relocate(source.Parse("kustomize:"+filepath.Clean(dir), out), tmp), nil
}

// ErrRemote is returned for a kustomization that references remote content.
var ErrRemote = errors.New("remote reference (meshdoctor reads local files only and never uses the network: vendor it, or pipe `kustomize build` into meshdoctor analyze -)")

var kustomizationNames = []string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// kustomization holds the fields that name other files or kustomizations.
type kustomization struct {
	Resources             []string `json:"resources"`
	Bases                 []string `json:"bases"`
	Components            []string `json:"components"`
	Crds                  []string `json:"crds"`
	PatchesStrategicMerge []string `json:"patchesStrategicMerge"`
	Configurations        []string `json:"configurations"`
	Generators            []string `json:"generators"`
	Transformers          []string `json:"transformers"`
	Validators            []string `json:"validators"`
	Patches               []struct {
		Path string `json:"path"`
	} `json:"patches"`
	PatchesJSON6902 []struct {
		Path string `json:"path"`
	} `json:"patchesJson6902"`
	OpenAPI map[string]string `json:"openapi"`
}

// checkLocal walks the kustomization tree from dir and refuses any entry
// that would make kustomize clone a repository or fetch a URL.
func checkLocal(dir string, seen map[string]bool) error {
	abs, err := filepath.Abs(dir)
	if err != nil || seen[abs] {
		return err
	}
	seen[abs] = true
	var data []byte
	for _, n := range kustomizationNames {
		if data, err = os.ReadFile(filepath.Join(dir, n)); err == nil {
			break
		}
	}
	if data == nil {
		if isRemote(dir) {
			return fmt.Errorf("%s: %w", dir, ErrRemote)
		}
		return nil // kustomize reports the missing kustomization itself
	}
	var k kustomization
	if err := sigsyaml.Unmarshal(data, &k); err != nil {
		return nil // malformed: kustomize says why
	}
	refs := append(append(append(append([]string{}, k.Resources...), k.Bases...), k.Components...), k.Crds...)
	files := append(append(append(append(append([]string{}, k.PatchesStrategicMerge...), k.Configurations...), k.Generators...), k.Transformers...), k.Validators...)
	for _, p := range k.Patches {
		files = append(files, p.Path)
	}
	for _, p := range k.PatchesJSON6902 {
		files = append(files, p.Path)
	}
	files = append(files, k.OpenAPI["path"])
	for _, f := range append(refs, files...) {
		if f != "" && isRemote(f) && !exists(filepath.Join(dir, f)) {
			return fmt.Errorf("%s references %s: %w", dir, f, ErrRemote)
		}
	}
	for _, r := range refs {
		sub := filepath.Join(dir, r)
		if st, err := os.Stat(sub); err == nil && st.IsDir() {
			if err := checkLocal(sub, seen); err != nil {
				return err
			}
		}
	}
	return nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// isRemote recognises what kustomize treats as a remote target: URLs, git
// specs (git::, ssh, scp-like git@host:) and bare host/org/repo paths.
func isRemote(s string) bool {
	if strings.ContainsAny(s, "\n{") {
		return false // an inline patch, not a path
	}
	for _, p := range []string{"http://", "https://", "git::", "ssh://", "git@", "file://", "github.com/", "gitlab.com/", "bitbucket.org/", "dev.azure.com/"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return strings.Contains(s, "?ref=") || strings.Contains(s, ".git//")
}
