package gitops

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	drone "github.com/drone/envsubst"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/source/kustomize"
	sigsyaml "sigs.k8s.io/yaml"
)

// The Flux fields read: helm-controller api/v2 HelmRelease, kustomize-
// controller api/v1 Kustomization, source-controller GitRepository and
// HelmRepository. Spec blocks are decoded strictly.

type fluxMeta struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type crossRef struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
}

type helmReleaseSpec struct {
	Chart *struct {
		Spec struct {
			Chart                    string          `json:"chart"`
			Version                  string          `json:"version"`
			SourceRef                crossRef        `json:"sourceRef"`
			ValuesFiles              []string        `json:"valuesFiles"`
			ValuesFile               string          `json:"valuesFile"`
			IgnoreMissingValuesFiles bool            `json:"ignoreMissingValuesFiles"`
			ReconcileStrategy        string          `json:"reconcileStrategy"`
			Interval                 string          `json:"interval"`
			Verify                   json.RawMessage `json:"verify"`
		} `json:"spec"`
		Metadata json.RawMessage `json:"metadata"`
	} `json:"chart"`
	ChartRef         json.RawMessage `json:"chartRef"`
	ReleaseName      string          `json:"releaseName"`
	TargetNamespace  string          `json:"targetNamespace"`
	StorageNamespace string          `json:"storageNamespace"`
	Values           map[string]any  `json:"values"`
	ValuesFrom       []struct {
		Kind       string `json:"kind"`
		Name       string `json:"name"`
		ValuesKey  string `json:"valuesKey"`
		TargetPath string `json:"targetPath"`
		Optional   bool   `json:"optional"`
	} `json:"valuesFrom"`
	PostRenderers []json.RawMessage `json:"postRenderers"`
	// Fields that change how a release is run, not what it renders.
	Interval           string          `json:"interval"`
	Timeout            string          `json:"timeout"`
	Suspend            bool            `json:"suspend"`
	DependsOn          json.RawMessage `json:"dependsOn"`
	Install            json.RawMessage `json:"install"`
	Upgrade            json.RawMessage `json:"upgrade"`
	Test               json.RawMessage `json:"test"`
	Rollback           json.RawMessage `json:"rollback"`
	Uninstall          json.RawMessage `json:"uninstall"`
	DriftDetection     json.RawMessage `json:"driftDetection"`
	MaxHistory         *int            `json:"maxHistory"`
	ServiceAccountName string          `json:"serviceAccountName"`
	PersistentClient   *bool           `json:"persistentClient"`
	KubeConfig         json.RawMessage `json:"kubeConfig"`
	CommonMetadata     json.RawMessage `json:"commonMetadata"`
}

type kustomizationSpec struct {
	Path            string           `json:"path"`
	SourceRef       crossRef         `json:"sourceRef"`
	TargetNamespace string           `json:"targetNamespace"`
	NamePrefix      string           `json:"namePrefix"`
	NameSuffix      string           `json:"nameSuffix"`
	Images          []map[string]any `json:"images"`
	Patches         []map[string]any `json:"patches"`
	Components      []string         `json:"components"`
	CommonMetadata  *struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
	} `json:"commonMetadata"`
	PostBuild *struct {
		Substitute     map[string]string `json:"substitute"`
		SubstituteFrom []struct {
			Kind     string `json:"kind"`
			Name     string `json:"name"`
			Optional bool   `json:"optional"`
		} `json:"substituteFrom"`
	} `json:"postBuild"`
	// Fields that change how it is applied, not what it renders.
	Interval           string          `json:"interval"`
	RetryInterval      string          `json:"retryInterval"`
	Timeout            string          `json:"timeout"`
	Prune              bool            `json:"prune"`
	Wait               bool            `json:"wait"`
	Force              bool            `json:"force"`
	Suspend            bool            `json:"suspend"`
	DependsOn          json.RawMessage `json:"dependsOn"`
	HealthChecks       json.RawMessage `json:"healthChecks"`
	ServiceAccountName string          `json:"serviceAccountName"`
	KubeConfig         json.RawMessage `json:"kubeConfig"`
	Decryption         json.RawMessage `json:"decryption"`
	DeletionPolicy     string          `json:"deletionPolicy"`
}

type fluxObject struct {
	Metadata fluxMeta        `json:"metadata"`
	Spec     json.RawMessage `json:"spec"`
	Data     map[string]any  `json:"data"`
}

// fluxInputs indexes the objects of the file(s) a HelmRelease or
// Kustomization refers to: sources, ConfigMaps and Secrets.
type fluxInputs map[string]fluxObject // "Kind/ns/name"

func (in fluxInputs) get(kind, ns, name string) (fluxObject, bool) {
	o, ok := in[kind+"/"+ns+"/"+name]
	return o, ok
}

// ReadFlux renders every HelmRelease and Kustomization in file; the
// GitRepository, HelmRepository, ConfigMap and Secret objects they refer
// to are looked up in the same file.
func ReadFlux(file string, o Options) (source.Set, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return source.Set{}, err
	}
	in := source.Parse(file, data)
	idx := fluxInputs{}
	defNS := o.Namespace
	if defNS == "" {
		defNS = "default"
	}
	for _, obj := range in.Objects {
		var fo fluxObject
		if json.Unmarshal(obj.JSON, &fo) != nil {
			continue
		}
		if fo.Metadata.Namespace == "" {
			fo.Metadata.Namespace = defNS
		}
		idx[obj.Kind+"/"+fo.Metadata.Namespace+"/"+fo.Metadata.Name] = fo
	}
	return renderEach(file, in, "Flux HelmRelease or Kustomization", func(obj source.Object) (source.Set, bool, error) {
		group := strings.SplitN(obj.APIVersion, "/", 2)[0]
		switch {
		case obj.Kind == "HelmRelease" && group == "helm.toolkit.fluxcd.io":
			set, err := renderHelmRelease(obj, idx, defNS, o)
			return set, true, err
		case obj.Kind == "Kustomization" && group == "kustomize.toolkit.fluxcd.io":
			set, err := renderFluxKustomization(obj, idx, defNS, o)
			return set, true, err
		}
		return source.Set{}, false, nil
	})
}

// gitSource finds the checkout of a GitRepository sourceRef: through its
// URL when the object is in the inputs, else --repo-root.
func gitSource(ref crossRef, ns string, idx fluxInputs, o Options) (string, error) {
	if ref.Namespace != "" {
		ns = ref.Namespace
	}
	if g, ok := idx.get("GitRepository", ns, ref.Name); ok {
		var spec struct {
			URL string `json:"url"`
		}
		_ = json.Unmarshal(g.Spec, &spec)
		return o.checkout(spec.URL)
	}
	if len(o.ByURL) == 0 && o.Root != "" {
		return o.Root, nil
	}
	return "", fmt.Errorf("GitRepository %s/%s is not in the inputs (add it to the file, or give --repo-root DIR)", ns, ref.Name)
}

// releaseName is HelmRelease.GetReleaseName and release.ShortenName:
// [targetNamespace-]name, cut to 40 characters and a 12-character hash
// when longer than 53 (internal/release/name.go).
func releaseName(spec helmReleaseSpec, name string) string {
	n := name
	if spec.ReleaseName != "" {
		n = spec.ReleaseName
	} else if spec.TargetNamespace != "" {
		n = spec.TargetNamespace + "-" + name
	}
	if len(n) <= 53 {
		return n
	}
	sum := fmt.Sprintf("%x", sha256.Sum256([]byte(n)))
	return n[:53-13] + "-" + sum[:12]
}

func renderHelmRelease(obj source.Object, idx fluxInputs, defNS string, o Options) (source.Set, error) {
	var hr fluxObject
	if err := json.Unmarshal(obj.JSON, &hr); err != nil {
		return source.Set{}, err
	}
	if hr.Metadata.Namespace == "" {
		hr.Metadata.Namespace = defNS
	}
	var spec helmReleaseSpec
	if err := decodeStrict(hr.Spec, &spec, "spec"); err != nil {
		return source.Set{}, err
	}
	if len(spec.ChartRef) > 0 {
		return source.Set{}, unsupported("spec.chartRef (OCIRepository or HelmChart)")
	}
	if len(spec.PostRenderers) > 0 {
		return source.Set{}, unsupported("spec.postRenderers")
	}
	if len(spec.CommonMetadata) > 0 {
		return source.Set{}, unsupported("spec.commonMetadata")
	}
	if spec.Chart == nil {
		return source.Set{}, fmt.Errorf("spec.chart is required")
	}
	cs := spec.Chart.Spec
	if cs.ValuesFile != "" {
		cs.ValuesFiles = append([]string{cs.ValuesFile}, cs.ValuesFiles...)
	}
	ns := spec.TargetNamespace
	if ns == "" {
		ns = hr.Metadata.Namespace
	}
	owner := "HelmRelease/" + hr.Metadata.Namespace + "/" + hr.Metadata.Name
	c := helm.Chart{Release: releaseName(spec, hr.Metadata.Name), Namespace: ns, Remote: o.Remote}
	// helm-controller: valuesFrom merged in order, then spec.values over
	// them (fluxcd/pkg/chartutil ChartValuesFromReferences).
	vals := map[string]any{}
	for _, vf := range spec.ValuesFrom {
		if vf.TargetPath != "" {
			return source.Set{}, unsupported("valuesFrom targetPath")
		}
		ref, ok := idx.get(vf.Kind, hr.Metadata.Namespace, vf.Name)
		if !ok {
			if vf.Optional {
				continue
			}
			return source.Set{}, fmt.Errorf("valuesFrom %s/%s is not in the inputs", vf.Kind, vf.Name)
		}
		key := vf.ValuesKey
		if key == "" {
			key = "values.yaml"
		}
		raw, err := dataValue(ref, vf.Kind, key)
		if err != nil {
			if vf.Optional {
				continue
			}
			return source.Set{}, fmt.Errorf("valuesFrom %s/%s: %w", vf.Kind, vf.Name, err)
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal([]byte(raw), &m); err != nil {
			return source.Set{}, fmt.Errorf("valuesFrom %s/%s key %s: %w", vf.Kind, vf.Name, key, err)
		}
		vals = helm.MergeMaps(vals, m)
	}
	c.Values = helm.MergeMaps(vals, spec.Values)
	refNS := hr.Metadata.Namespace
	if cs.SourceRef.Namespace != "" {
		refNS = cs.SourceRef.Namespace
	}
	switch cs.SourceRef.Kind {
	case "GitRepository":
		root, err := gitSource(cs.SourceRef, hr.Metadata.Namespace, idx, o)
		if err != nil {
			return source.Set{}, err
		}
		dir, err := within(root, cs.Chart)
		if err != nil {
			return source.Set{}, err
		}
		c.Path = dir
		c.Origin = owner + ":" + filepath.ToSlash(filepath.Clean(cs.Chart))
		if len(cs.ValuesFiles) > 0 {
			// source-controller merges valuesFiles (relative to the source
			// root) into the chart's values.yaml (builder_local.go).
			merged, err := mergeValuesFiles(root, cs.ValuesFiles, cs.IgnoreMissingValuesFiles)
			if err != nil {
				return source.Set{}, err
			}
			c.ReplaceChartValues = merged
		}
	case "HelmRepository":
		repoObj, ok := idx.get("HelmRepository", refNS, cs.SourceRef.Name)
		if !ok {
			return source.Set{}, fmt.Errorf("HelmRepository %s/%s is not in the inputs", refNS, cs.SourceRef.Name)
		}
		var rs struct {
			URL  string `json:"url"`
			Type string `json:"type"`
		}
		_ = json.Unmarshal(repoObj.Spec, &rs)
		c.Path, c.RepoURL = cs.Chart, rs.URL
		if rs.Type == "oci" && !strings.HasPrefix(rs.URL, "oci://") {
			return source.Set{}, fmt.Errorf("HelmRepository %s: type oci needs an oci:// url", cs.SourceRef.Name)
		}
		if cs.Version != "" && cs.Version != "*" {
			c.Version = cs.Version
		}
		c.ChartValuesFiles = cs.ValuesFiles
		c.Origin = owner + ":chart/" + cs.Chart
	default:
		return source.Set{}, unsupported("chart sourceRef kind %q", cs.SourceRef.Kind)
	}
	return helm.Render(c)
}

func dataValue(o fluxObject, kind, key string) (string, error) {
	v, ok := o.Data[key]
	if !ok {
		return "", fmt.Errorf("no key %s", key)
	}
	s, _ := v.(string)
	if kind == "Secret" {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "", fmt.Errorf("key %s: %w", key, err)
		}
		return string(b), nil
	}
	return s, nil
}

func mergeValuesFiles(root string, files []string, ignoreMissing bool) (map[string]any, error) {
	merged := map[string]any{}
	for _, f := range files {
		p, err := within(root, f)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			if ignoreMissing && os.IsNotExist(err) {
				continue
			}
			return nil, fmt.Errorf("no values file found at path '%s'", f)
		}
		var m map[string]any
		if err := sigsyaml.Unmarshal(data, &m); err != nil {
			return nil, fmt.Errorf("unmarshaling values from '%s' failed: %w", f, err)
		}
		merged = helm.MergeMaps(merged, m)
	}
	return merged, nil
}

// renderFluxKustomization builds spec.path of the source as
// kustomize-controller does: a kustomization is generated where the folder
// has none, spec's targetNamespace, namePrefix/Suffix, images, patches,
// components and commonMetadata are written into it, and postBuild
// variables are substituted in every object after the build.
func renderFluxKustomization(obj source.Object, idx fluxInputs, defNS string, o Options) (source.Set, error) {
	var k fluxObject
	if err := json.Unmarshal(obj.JSON, &k); err != nil {
		return source.Set{}, err
	}
	if k.Metadata.Namespace == "" {
		k.Metadata.Namespace = defNS
	}
	var spec kustomizationSpec
	if err := decodeStrict(k.Spec, &spec, "spec"); err != nil {
		return source.Set{}, err
	}
	if spec.SourceRef.Kind != "GitRepository" {
		return source.Set{}, unsupported("sourceRef kind %q (GitRepository only)", spec.SourceRef.Kind)
	}
	root, err := gitSource(spec.SourceRef, k.Metadata.Namespace, idx, o)
	if err != nil {
		return source.Set{}, err
	}
	dir, err := within(root, spec.Path)
	if err != nil {
		return source.Set{}, err
	}
	set, err := kustomize.BuildEdited(dir, func(m map[string]any) (map[string]any, error) {
		if m == nil {
			gen, err := generateKustomization(dir)
			if err != nil {
				return nil, err
			}
			m = gen
		}
		setNames(m, spec.TargetNamespace, spec.NamePrefix, spec.NameSuffix)
		appendList(m, "images", spec.Images)
		appendList(m, "patches", spec.Patches)
		for _, c := range spec.Components {
			old, _ := m["components"].([]any)
			m["components"] = append(old, c)
		}
		if cm := spec.CommonMetadata; cm != nil {
			if len(cm.Labels) > 0 {
				old, _ := m["labels"].([]any)
				m["labels"] = append(old, map[string]any{"pairs": cm.Labels, "includeSelectors": false})
			}
			if len(cm.Annotations) > 0 {
				m["commonAnnotations"] = addAll(m["commonAnnotations"], cm.Annotations, func(v string) string { return v })
			}
		}
		return m, nil
	})
	if err != nil {
		return source.Set{}, err
	}
	if pb := spec.PostBuild; pb != nil {
		vars := map[string]string{}
		for _, sf := range pb.SubstituteFrom {
			ref, ok := idx.get(sf.Kind, k.Metadata.Namespace, sf.Name)
			if !ok {
				if sf.Optional {
					continue
				}
				return source.Set{}, fmt.Errorf("postBuild.substituteFrom %s/%s is not in the inputs", sf.Kind, sf.Name)
			}
			for key := range ref.Data {
				v, err := dataValue(ref, sf.Kind, key)
				if err != nil {
					return source.Set{}, err
				}
				vars[key] = strings.ReplaceAll(v, "\n", "")
			}
		}
		for key, v := range pb.Substitute {
			vars[key] = strings.ReplaceAll(v, "\n", "")
		}
		if set, err = substitute(set, vars); err != nil {
			return source.Set{}, err
		}
	}
	owner := "Kustomization/" + k.Metadata.Namespace + "/" + k.Metadata.Name
	return setNamespace(relabel(set, owner, root), k.Metadata.Namespace), nil
}

// setNames is what both controllers do to a kustomization for a target
// namespace and a name prefix or suffix: each one given replaces the file's.
func setNames(m map[string]any, namespace, prefix, suffix string) {
	for key, v := range map[string]string{"namespace": namespace, "namePrefix": prefix, "nameSuffix": suffix} {
		if v != "" {
			m[key] = v
		}
	}
}

func appendList(m map[string]any, key string, add []map[string]any) {
	if len(add) == 0 {
		return
	}
	old, _ := m[key].([]any)
	for _, a := range add {
		old = append(old, a)
	}
	m[key] = old
}

// generateKustomization is what kustomize-controller's generator writes
// for a folder without a kustomization: every manifest file below it,
// and each sub-folder that holds a kustomization as one resource
// (fluxcd/pkg/kustomize generator.go).
func generateKustomization(dir string) (map[string]any, error) {
	var res []any
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p == dir {
				return nil
			}
			for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
				if _, err := os.Stat(filepath.Join(p, n)); err == nil {
					rel, _ := filepath.Rel(dir, p)
					res = append(res, filepath.ToSlash(rel))
					return filepath.SkipDir
				}
			}
			return nil
		}
		ext := strings.ToLower(filepath.Ext(p))
		if ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !looksLikeManifest(data) {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		res = append(res, filepath.ToSlash(rel))
		return nil
	})
	return map[string]any{"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": res}, err
}

// looksLikeManifest: the generator skips YAML files that are not
// Kubernetes objects (no apiVersion and kind).
func looksLikeManifest(data []byte) bool {
	set := source.Parse("", data)
	return len(set.Objects) > 0
}

var varName = regexp.MustCompile(`^[_[:alpha:]][_[:alpha:][:digit:]]*$`)

// substitute is kustomize-controller's postBuild (fluxcd/pkg/kustomize
// kustomize_varsub.go): bash-style ${var} substitution with
// drone/envsubst over each object's YAML, only when there are variables,
// skipping objects labelled or annotated
// kustomize.toolkit.fluxcd.io/substitute: disabled.
func substitute(set source.Set, vars map[string]string) (source.Set, error) {
	if len(vars) == 0 {
		return set, nil
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !varName.MatchString(n) {
			return set, fmt.Errorf("'%s' var name is invalid, must match '%s'", n, varName)
		}
	}
	for i, o := range set.Objects {
		var meta struct {
			Metadata struct {
				Labels      map[string]string `json:"labels"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
		}
		_ = json.Unmarshal(o.JSON, &meta)
		const key = "kustomize.toolkit.fluxcd.io/substitute"
		if meta.Metadata.Labels[key] == "disabled" || meta.Metadata.Annotations[key] == "disabled" {
			continue
		}
		y, err := sigsyaml.JSONToYAML(o.JSON)
		if err != nil {
			return set, err
		}
		out, err := drone.Eval(string(y), func(s string) string { return vars[s] })
		if err != nil {
			return set, fmt.Errorf("%s: variable substitution failed: %w", o.Origin, err)
		}
		parsed := source.Parse(o.Origin.File, []byte(out))
		if len(parsed.Objects) != 1 {
			return set, fmt.Errorf("%s: variable substitution did not leave one object", o.Origin)
		}
		p := parsed.Objects[0]
		p.Origin = o.Origin
		set.Objects[i] = p
	}
	return set, nil
}
