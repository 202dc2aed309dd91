// Package helm renders Helm charts in-process — as `helm template` would,
// without a cluster and without the network — into a source.Set whose
// objects point at the chart template that produced them.
package helm

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/cli/values"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/getter"
	"helm.sh/helm/v3/pkg/strvals"
)

// Chart is one release to render: a chart folder or packaged .tgz with its
// own values, release name and namespace.
type Chart struct {
	Path       string   // chart folder or .tgz
	ValueFiles []string // -f, merged in order after the chart's values.yaml
	Set        []string // --set key=value, applied after the files
	Release    string   // release name; "" means the chart's name
	Namespace  string   // .Release.Namespace and the namespace of unnamespaced objects; "" means "default"
	Version    string   // chart version for a remote chart (helm --version); "" means the latest
	RepoURL    string   // Path is a chart name in this repository (helm --repo)
	Remote     Remote   // where remote charts and dependencies come from
	// Values are merged after ValueFiles and before Set, as one more -f
	// would be (ArgoCD's inline values; Flux's values).
	Values    map[string]any
	SetString []string // --set-string key=value, after Set
	// ReplaceChartValues replaces the chart's own values.yaml (Flux's
	// chart valuesFiles, merged by source-controller into the artifact);
	// ChartValuesFiles does the same from files inside the chart, where
	// "values.yaml" is the chart's own values.
	ReplaceChartValues map[string]any
	ChartValuesFiles   []string
	// ObjectNamespace is where objects without a namespace land, when it
	// is not Namespace (ArgoCD: helm.namespace vs the destination).
	ObjectNamespace string
	// Origin, when set, replaces "chart/<chart name>" at the start of
	// every origin (a GitOps object names the chart's folder in its
	// repository).
	Origin string
}

// Render renders c. A chart that cannot be loaded or rendered is an error
// naming the chart (and the template, as Helm reports it); a rendered
// document that is not a Kubernetes object is only a Problem.
func Render(c Chart) (source.Set, error) {
	ch, done, err := load(c)
	if err != nil {
		return source.Set{}, fmt.Errorf("chart %s: %w", c.Path, err)
	}
	defer done()
	name := ch.Name()
	fail := func(what string, err error) (source.Set, error) {
		return source.Set{}, fmt.Errorf("chart %s (%s): %s: %w", name, c.Path, what, err)
	}
	if err := missingDependencies(ch); err != nil {
		return fail("dependencies", err)
	}
	if c.ReplaceChartValues != nil {
		ch.Values = c.ReplaceChartValues
	}
	if len(c.ChartValuesFiles) > 0 {
		if ch.Values, err = chartValuesFiles(ch, c.ChartValuesFiles); err != nil {
			return fail("valuesFiles", err)
		}
	}
	vals, err := c.mergeValues()
	if err != nil {
		return fail("values", err)
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return fail("dependencies", err)
	}
	rel := chartutil.ReleaseOptions{Name: c.releaseName(ch), Namespace: c.namespace(), Revision: 1, IsInstall: true}
	caps := chartutil.DefaultCapabilities.Copy()
	if kv := ch.Metadata.KubeVersion; kv != "" && !chartutil.IsCompatibleRange(kv, caps.KubeVersion.String()) {
		return fail("kubeVersion", fmt.Errorf("chart requires kubeVersion %s, incompatible with %s", kv, caps.KubeVersion.String()))
	}
	top, err := chartutil.ToRenderValues(ch, vals, rel, caps)
	if err != nil {
		return fail("values", err)
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		return fail("render", err)
	}
	origin := func(n string) string { return "chart/" + n }
	if c.Origin != "" {
		origin = func(n string) string { return c.Origin + strings.TrimPrefix(n, name) }
	}
	objNS := c.namespace()
	if c.ObjectNamespace != "" {
		objNS = c.ObjectNamespace
	}
	return collect(files, objNS, origin), nil
}

// chartValuesFiles merges files of the chart into its values, replacing
// values.yaml, as Flux's source-controller builds a chart from a
// repository with valuesFiles (internal/helm/chart/builder_remote.go
// mergeChartValues): "values.yaml" is the chart's own values.
func chartValuesFiles(ch *chart.Chart, files []string) (map[string]any, error) {
	merged := map[string]any{}
	for _, p := range files {
		name := path.Clean(p)
		if name == chartutil.ValuesfileName {
			merged = MergeMaps(merged, ch.Values)
			continue
		}
		var data []byte
		for _, f := range ch.Files {
			if f.Name == name {
				data = f.Data
				break
			}
		}
		if data == nil {
			return nil, fmt.Errorf("no values file found at path '%s'", p)
		}
		v, err := chartutil.ReadValues(data)
		if err != nil {
			return nil, fmt.Errorf("unmarshaling values from '%s' failed: %w", p, err)
		}
		merged = MergeMaps(merged, v)
	}
	return merged, nil
}

// load reads the chart: a local folder or archive, else fetched through
// Helm's getters; a folder whose dependencies come from repositories has
// them fetched into a copy, as `helm dependency build` would.
func load(c Chart) (*chart.Chart, func(), error) {
	nothing := func() {}
	p := c.Path
	var cl *client
	remote := c.RepoURL != "" || IsRemote(p)
	if remote {
		var err error
		if cl, err = c.Remote.client(); err != nil {
			return nil, nothing, err
		}
		if p, err = cl.locate(c.Path, c.Version, c.RepoURL); err != nil {
			return nil, nothing, err
		}
	}
	ch, err := loader.Load(p)
	if err != nil {
		return nil, nothing, err
	}
	if st, err := os.Stat(p); err != nil || !st.IsDir() || !fetchable(ch) {
		return ch, nothing, nil
	}
	if cl == nil {
		if cl, err = c.Remote.client(); err != nil {
			return nil, nothing, err
		}
	}
	built, done, err := cl.buildDependencies(p, ch)
	if err != nil {
		return nil, nothing, err
	}
	ch, err = loader.Load(built)
	if err != nil {
		done()
		return nil, nothing, err
	}
	return ch, done, nil
}

// mergeValues merges as `helm template` does: -f files in order, then the
// inline values as one more file, then --set.
func (c Chart) mergeValues() (map[string]any, error) {
	// No getters: values files are local paths only, never URLs.
	files, err := (&values.Options{ValueFiles: c.ValueFiles}).MergeValues(getter.Providers{})
	if err != nil {
		return nil, err
	}
	if c.Values != nil {
		files = MergeMaps(files, c.Values)
	}
	for _, s := range c.Set {
		if err := strvals.ParseInto(s, files); err != nil {
			return nil, fmt.Errorf("failed parsing --set data: %w", err)
		}
	}
	for _, s := range c.SetString {
		if err := strvals.ParseIntoString(s, files); err != nil {
			return nil, fmt.Errorf("failed parsing --set-string data: %w", err)
		}
	}
	return files, nil
}

// MergeMaps is Helm's merge of one values file over another
// (pkg/cli/values/options.go mergeMaps; fluxcd/pkg/chartutil merges
// HelmRelease values the same way): maps merge, anything else replaces.
func MergeMaps(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v, ok := v.(map[string]any); ok {
			if bv, ok := out[k]; ok {
				if bv, ok := bv.(map[string]any); ok {
					out[k] = MergeMaps(bv, v)
					continue
				}
			}
		}
		out[k] = v
	}
	return out
}

func (c Chart) releaseName(ch *chart.Chart) string {
	if c.Release != "" {
		return c.Release
	}
	return ch.Name()
}

func (c Chart) namespace() string {
	if c.Namespace == "" {
		return "default"
	}
	return c.Namespace
}

// missingDependencies mirrors helm's check: every dependency Chart.yaml
// declares must be vendored under charts/ (nothing is downloaded).
func missingDependencies(ch *chart.Chart) error {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("declared in Chart.yaml but not vendored under charts/ (run helm dependency build): %s", strings.Join(missing, ", "))
	}
	return nil
}

// collect parses every rendered manifest in file order. Origins are
// chart/<chart>/templates/<file> with the line inside the rendered file.
func collect(files map[string]string, ns string, origin func(string) string) source.Set {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var out source.Set
	for _, n := range names {
		base := path.Base(n)
		if base == "NOTES.txt" || strings.HasPrefix(base, "_") || strings.TrimSpace(files[n]) == "" {
			continue
		}
		set := source.Parse(origin(n), []byte(files[n]))
		for _, o := range set.Objects {
			if isTestHook(o) {
				continue
			}
			if o.Namespace == "" && !clusterScoped[o.Kind] {
				o = source.WithNamespace(o, ns)
			}
			out.Objects = append(out.Objects, o)
		}
		out.Problems = append(out.Problems, set.Problems...)
	}
	return out
}

// isTestHook reports `helm test` pods: they are not part of the release
// that runs, so their connections are not edges of the mesh.
func isTestHook(o source.Object) bool {
	var m struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if json.Unmarshal(o.JSON, &m) != nil {
		return false
	}
	for _, h := range strings.Split(m.Metadata.Annotations["helm.sh/hook"], ",") {
		if h = strings.TrimSpace(h); h == "test" || h == "test-success" || h == "test-failure" {
			return true
		}
	}
	return false
}

// ClusterScoped reports the common kinds that have no namespace (an
// object of one keeps none when a release or a controller applies it).
func ClusterScoped(kind string) bool { return clusterScoped[kind] }

// clusterScoped are the common kinds that have no namespace.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "StorageClass": true,
	"ClusterRole": true, "ClusterRoleBinding": true, "CustomResourceDefinition": true,
	"MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"PriorityClass": true, "IngressClass": true, "RuntimeClass": true, "APIService": true,
	"CSIDriver": true, "CSINode": true, "VolumeAttachment": true, "GatewayClass": true,
}
