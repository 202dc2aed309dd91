package kustomize

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshdoctor/meshdoctor/source"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// Edit changes a kustomization before it is built, as GitOps controllers
// do in their own copy of the repository (ArgoCD's `kustomize edit set
// nameprefix`, Flux's targetNamespace): it receives the kustomization as
// a map (nil when dir has none, for Flux to generate one) and returns the
// kustomization to build.
type Edit func(k map[string]any) (map[string]any, error)

// BuildEdited builds dir with its kustomization replaced, in memory, by
// what edit returns; nothing is written into dir.
func BuildEdited(dir string, edit Edit) (source.Set, error) {
	if err := checkLocal(dir, map[string]bool{}); err != nil {
		return source.Set{}, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return source.Set{}, err
	}
	file := filepath.Join(abs, "kustomization.yaml")
	var k map[string]any
	for _, n := range kustomizationNames {
		if data, err := os.ReadFile(filepath.Join(abs, n)); err == nil {
			file = filepath.Join(abs, n)
			if err := sigsyaml.Unmarshal(data, &k); err != nil {
				return source.Set{}, fmt.Errorf("kustomize %s: %s: %w", dir, n, err)
			}
			if k == nil {
				k = map[string]any{}
			}
			break
		}
	}
	k, err = edit(k)
	if err != nil {
		return source.Set{}, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	data, err := sigsyaml.Marshal(k)
	if err != nil {
		return source.Set{}, err
	}
	out, tmp, err := buildWithOrigins(dir, overlay{FileSystem: filesys.MakeFsOnDisk(), file: file, data: data})
	if err != nil {
		return source.Set{}, fmt.Errorf("kustomize %s: %w", dir, err)
	}
	return relocate(source.Parse("kustomize:"+filepath.Clean(dir), out), tmp), nil
}

// overlay is the disk with one file's content replaced (or added).
type overlay struct {
	filesys.FileSystem
	file string
	data []byte
}

func (o overlay) is(p string) bool {
	a, err := filepath.Abs(p)
	return err == nil && a == o.file
}

func (o overlay) ReadFile(p string) ([]byte, error) {
	if o.is(p) {
		return append([]byte(nil), o.data...), nil
	}
	return o.FileSystem.ReadFile(p)
}

func (o overlay) Exists(p string) bool { return o.is(p) || o.FileSystem.Exists(p) }

func (o overlay) IsDir(p string) bool { return !o.is(p) && o.FileSystem.IsDir(p) }

// CleanedAbs resolves symlinks on disk, which a file that exists only in
// the overlay does not survive.
func (o overlay) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	if o.is(p) {
		d, _, err := o.FileSystem.CleanedAbs(filepath.Dir(o.file))
		return d, filepath.Base(o.file), err
	}
	return o.FileSystem.CleanedAbs(p)
}
