package kustomize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"
)

// originKey is the annotation kustomize writes with buildMetadata: [originAnnotations].
const originKey = "config.kubernetes.io/origin"

// buildWithOrigins builds dir through a wrapper kustomization that turns on
// kustomize's own origin tracking, so each object can point at the file it
// came from rather than at the build output. The wrapper lives in a temporary
// folder and names dir by a relative path (kustomize refuses absolute roots).
func buildWithOrigins(dir string, fs filesys.FileSystem) ([]byte, string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", err
	}
	tmp, err := os.MkdirTemp("", "meshdoctor-kustomize-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(tmp)
	rel, err := filepath.Rel(tmp, abs)
	if err != nil {
		return nil, "", err
	}
	wrapper := "resources:\n- " + filepath.ToSlash(rel) + "\nbuildMetadata: [originAnnotations]\n"
	if err := os.WriteFile(filepath.Join(tmp, "kustomization.yaml"), []byte(wrapper), 0o644); err != nil {
		return nil, "", err
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, tmp)
	if err != nil {
		return nil, "", err
	}
	out, err := m.AsYaml()
	return out, tmp, err
}

// relocate points each object at its source file and document line, and
// drops the origin annotation; objects kustomize generated keep the build origin.
func relocate(set source.Set, tmp string) source.Set {
	cwd, _ := os.Getwd()
	files := map[string]source.Set{}
	for i, o := range set.Objects {
		path, stripped, ok := origin(o)
		if !ok {
			continue
		}
		set.Objects[i].JSON = stripped
		abs := filepath.Join(tmp, path)
		if _, seen := files[abs]; !seen {
			data, err := os.ReadFile(abs)
			if err != nil {
				files[abs] = source.Set{}
				continue
			}
			files[abs] = source.Parse(abs, data)
		}
		display := abs
		if r, err := filepath.Rel(cwd, abs); err == nil && !strings.HasPrefix(r, "..") {
			display = r
		}
		set.Objects[i].Origin = source.Origin{File: display, Line: lineOf(files[abs], o)}
	}
	return set
}

// origin reads and removes the origin annotation of o.
func origin(o source.Object) (path string, stripped []byte, ok bool) {
	var m map[string]any
	if json.Unmarshal(o.JSON, &m) != nil {
		return "", nil, false
	}
	md, _ := m["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	raw, _ := ann[originKey].(string)
	if raw == "" {
		return "", nil, false
	}
	var orig struct {
		Path string `json:"path"`
	}
	if sigsyaml.Unmarshal([]byte(raw), &orig) != nil || orig.Path == "" {
		return "", nil, false
	}
	delete(ann, originKey)
	if len(ann) == 0 {
		delete(md, "annotations")
	}
	stripped, err := json.Marshal(m)
	return orig.Path, stripped, err == nil
}

// lineOf finds the document o came from: same kind, and a name the output
// name contains (namePrefix/nameSuffix may have changed it); else line 1.
func lineOf(file source.Set, o source.Object) int {
	best := 0
	for _, d := range file.Objects {
		if d.Kind != o.Kind {
			continue
		}
		if d.Name == o.Name {
			return d.Origin.Line
		}
		if best == 0 && d.Name != "" && strings.Contains(o.Name, d.Name) {
			best = d.Origin.Line
		}
	}
	if best == 0 {
		best = 1
	}
	return best
}
