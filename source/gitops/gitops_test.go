package gitops

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/helm"
	sigsyaml "sigs.k8s.io/yaml"
)

// The checkout: the chart trees of the Helm tests (common-charts/ and
// staging/values/), as a platform repository holds them.
const checkout = "../helm/testdata"

func opts() Options { return Options{Root: checkout} }

func render(t *testing.T, c helm.Chart) source.Set {
	t.Helper()
	set, err := helm.Render(c)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// same compares what was rendered, not where it is said to come from.
func same(t *testing.T, what string, got, want source.Set) {
	t.Helper()
	if len(got.Problems) > 0 {
		t.Errorf("%s: problems %v", what, got.Problems)
	}
	if len(got.Objects) != len(want.Objects) {
		t.Fatalf("%s: %d objects, want %d:\n%s\n%s", what, len(got.Objects), len(want.Objects), ids(got), ids(want))
	}
	for i := range got.Objects {
		g, w := got.Objects[i], want.Objects[i]
		if g.Kind != w.Kind || g.Namespace != w.Namespace || g.Name != w.Name || string(g.JSON) != string(w.JSON) {
			t.Errorf("%s: object %d differs:\n got %s\nwant %s", what, i, g.JSON, w.JSON)
		}
	}
}

func ids(s source.Set) string {
	var b strings.Builder
	for _, o := range s.Objects {
		fmt.Fprintf(&b, "  %s %s/%s (%s)\n", o.Kind, o.Namespace, o.Name, o.Origin)
	}
	return b.String()
}

func TestArgoCDHelmApplication(t *testing.T) {
	got, err := ReadArgoCD("testdata/argocd/helm.yaml", opts())
	if err != nil {
		t.Fatal(err)
	}
	// helm template webs CHART -n staging-webs -f values.yaml -f <values>
	// --set apps[0].env.REGION=eu-west-1\,eu-west-2 --set-string replicas=3
	want := render(t, helm.Chart{
		Path:       checkout + "/common-charts/apps/java-service",
		ValueFiles: []string{checkout + "/staging/values/values.yaml"},
		Values:     map[string]any{"image": map[string]any{"tag": "2.0"}},
		Set:        []string{`apps[0].env.REGION=eu-west-1\,eu-west-2`},
		SetString:  []string{"replicas=3"},
		Release:    "webs",
		Namespace:  "staging-webs",
	})
	same(t, "Application java-service", got, want)
	if o := got.Objects[0].Origin.String(); !strings.HasPrefix(o, "Application/java-service:common-charts/apps/java-service/templates/") {
		t.Errorf("origin %s does not name the Application and the chart's folder in the checkout", o)
	}
	if !strings.Contains(string(got.Objects[0].JSON), "eu-west-1,eu-west-2") {
		t.Errorf("a comma in a parameter is one value, as ArgoCD escapes it: %s", got.Objects[0].JSON)
	}
}

func TestArgoCDMultiSourceValues(t *testing.T) {
	o := Options{ByURL: map[string]string{
		"https://git.example.com/platform/charts":                 checkout,
		"https://git.example.com/platform/staging-values.git":     checkout,
		"ssh://git@git.example.com/platform/unrelated-repository": t.TempDir(),
	}}
	got, err := ReadArgoCD("testdata/argocd/multi.yaml", o)
	if err != nil {
		t.Fatal(err)
	}
	want := render(t, helm.Chart{
		Path:       checkout + "/common-charts/infra/monitoring/otel-collector",
		ValueFiles: []string{checkout + "/staging/values/otel.yaml"},
		Values:     map[string]any{"opentelemetry-collector": map[string]any{"image": map[string]any{"tag": "0.116.0"}}},
		Release:    "otel-collector",
		Namespace:  "monitoring",
	})
	same(t, "multi-source", got, want)
	// valuesObject (one more -f after the $values file) wins over it.
	var deploy string
	for _, o := range got.Objects {
		if o.Kind == "Deployment" {
			deploy = string(o.JSON)
		}
	}
	if !strings.Contains(deploy, "contrib:0.116.0") || !strings.Contains(ids(got), "ConfigMap monitoring/otel-collector") {
		t.Errorf("valuesObject should win over the $values file (tag 0.116.0):\n%s\n%s", deploy, ids(got))
	}
	for _, o := range got.Objects {
		if strings.Contains(string(o.JSON), "tempo.monitoring") {
			t.Errorf("the $values file's exporter endpoint was not applied: %s", o.JSON)
		}
	}
	// One --repo-root for two different repositories is refused.
	if _, err := ReadArgoCD("testdata/argocd/multi.yaml", opts()); err == nil || !strings.Contains(err.Error(), "--repo-root URL=DIR") {
		t.Errorf("two repositories, one checkout: %v", err)
	}
}

func TestArgoCDApplicationSet(t *testing.T) {
	got, err := ReadArgoCD("testdata/argocd/appset.yaml", opts())
	if err != nil {
		t.Fatal(err)
	}
	var want source.Set
	want.Add(render(t, helm.Chart{Path: checkout + "/common-charts/apps/java-service", ValueFiles: []string{checkout + "/staging/values/values.yaml"}, Release: "java-staging", Namespace: "staging-webs"}))
	// perf has no values file: ignoreMissingValueFiles renders the chart's own.
	want.Add(render(t, helm.Chart{Path: checkout + "/common-charts/apps/java-service", Release: "java-perf", Namespace: "perf-webs"}))
	// git directories common-charts/infra/* less the excluded monitoring.
	want.Add(render(t, helm.Chart{Path: checkout + "/common-charts/infra/istio-security", ValueFiles: []string{checkout + "/staging/values/values-istio-security.yaml"}, Release: "istio-security", Namespace: "istio-system"}))
	same(t, "ApplicationSets", got, want)
	if o := got.Objects[len(got.Objects)-1].Origin.File; !strings.HasPrefix(o, "Application/istio-security:common-charts/infra/istio-security/") {
		t.Errorf("origin %s", o)
	}
}

func TestFluxHelmRelease(t *testing.T) {
	got, err := ReadFlux("testdata/flux/helmrelease.yaml", opts())
	if err != nil {
		t.Fatal(err)
	}
	// source-controller: valuesFiles replace the chart's values.yaml;
	// helm-controller: valuesFrom, then values; release monitoring-otel.
	chartValues := readValues(t, checkout+"/common-charts/infra/monitoring/otel-collector/values.yaml")
	chartValues = helm.MergeMaps(chartValues, readValues(t, checkout+"/staging/values/otel.yaml"))
	want := render(t, helm.Chart{
		Path:               checkout + "/common-charts/infra/monitoring/otel-collector",
		ReplaceChartValues: chartValues,
		Values: map[string]any{
			"opentelemetry-collector": map[string]any{"image": map[string]any{"tag": "0.116.0"}, "mode": "deployment"},
			"mtlsException":           map[string]any{"enabled": true},
		},
		Release:   "monitoring-otel",
		Namespace: "monitoring",
	})
	same(t, "HelmRelease otel", got, want)
	if !strings.Contains(ids(got), "DestinationRule monitoring/") {
		t.Errorf("spec.values (mtlsException.enabled) not applied:\n%s", ids(got))
	}
	if o := got.Objects[0].Origin.File; !strings.HasPrefix(o, "HelmRelease/flux-system/otel:common-charts/infra/monitoring/otel-collector/") {
		t.Errorf("origin %s", o)
	}
}

func readValues(t *testing.T, f string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := sigsyaml.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestReleaseName(t *testing.T) {
	for _, tc := range []struct {
		rule       string
		spec       helmReleaseSpec
		name, want string
	}{
		{"GetReleaseName: the HelmRelease's name", helmReleaseSpec{}, "otel", "otel"},
		{"GetReleaseName: targetNamespace-name", helmReleaseSpec{TargetNamespace: "monitoring"}, "otel", "monitoring-otel"},
		{"GetReleaseName: releaseName wins", helmReleaseSpec{TargetNamespace: "m", ReleaseName: "x"}, "otel", "x"},
		{"ShortenName: 53 characters stay", helmReleaseSpec{TargetNamespace: strings.Repeat("n", 40)}, strings.Repeat("r", 12), strings.Repeat("n", 40) + "-" + strings.Repeat("r", 12)},
		{"ShortenName: over 53, the first 40 + '-' + 12 hex of sha256", helmReleaseSpec{TargetNamespace: strings.Repeat("n", 40)}, strings.Repeat("r", 20),
			strings.Repeat("n", 40) + "-" + fmt.Sprintf("%x", sha256.Sum256([]byte(strings.Repeat("n", 40)+"-"+strings.Repeat("r", 20))))[:12]},
	} {
		got := releaseName(tc.spec, tc.name)
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.rule, got, tc.want)
		}
	}
}

func TestUnsupportedShapesSaySo(t *testing.T) {
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"plugin":     "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  destination: {namespace: x}\n  source: {repoURL: r, path: common-charts/apps/java-service, plugin: {name: cmp}}\n",
		"helm-field": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  destination: {namespace: x}\n  source: {repoURL: r, path: common-charts/apps/java-service, helm: {valuesFrom: x}}\n",
		"generator":  "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s}\nspec:\n  generators: [{clusters: {}}]\n  template: {metadata: {name: a}, spec: {}}\n",
		"file-param": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  destination: {namespace: x}\n  source: {repoURL: r, path: common-charts/apps/java-service, helm: {fileParameters: [{name: a, path: b}]}}\n",
		"kube-vers":  "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  destination: {namespace: x}\n  source: {repoURL: r, path: common-charts/apps/java-service, helm: {kubeVersion: '1.30'}}\n",
		"remote-val": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec:\n  destination: {namespace: x}\n  source: {repoURL: r, path: common-charts/apps/java-service, helm: {valueFiles: ['https://example.com/v.yaml']}}\n",
	} {
		f := filepath.Join(dir, name+".yaml")
		os.WriteFile(f, []byte(doc), 0o644)
		_, err := ReadArgoCD(f, opts())
		if !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: %v, want an unsupported error", name, err)
		}
	}
	f := filepath.Join(dir, "postrender.yaml")
	os.WriteFile(f, []byte("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: a, namespace: apps}\nspec:\n  chart: {spec: {chart: ./c, sourceRef: {kind: GitRepository, name: g}}}\n  postRenderers: [{kustomize: {}}]\n"), 0o644)
	if _, err := ReadFlux(f, opts()); !errors.Is(err, ErrUnsupported) {
		t.Errorf("postRenderers: %v", err)
	}
}

func TestArgoCDDirectoryAndKustomize(t *testing.T) {
	got, err := ReadArgoCD("testdata/argocd/directory.yaml", Options{Root: "testdata/repo"})
	if err != nil {
		t.Fatal(err)
	}
	want := `  Service monitoring/otel-collector (Application/plain:apps/plain/collector.yaml:1)
  ConfigMap monitoring/agent (Application/plain:apps/plain/sub/agent.yaml:1)
  ConfigMap monitoring/agent-test (Application/plain:apps/plain/sub/agent.yaml:7)
  Deployment shop/staging-checkout (Application/checkout:apps/base/deploy.yaml:1)
`
	if ids(got) != want {
		t.Errorf("got\n%s\nwant (recurse, exclude glob across folders, skip marker, namePrefix)\n%s", ids(got), want)
	}
	js := string(got.Objects[3].JSON)
	if !strings.Contains(js, `"image":"registry.example.com/checkout:2.1"`) || !strings.Contains(js, `"env":"staging"`) {
		t.Errorf("kustomize images/commonLabels not applied: %s", js)
	}
	if _, err := os.Stat("testdata/repo/apps/base/kustomization.yaml"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile("testdata/repo/apps/base/kustomization.yaml"); strings.Contains(string(data), "staging") {
		t.Error("the checkout's kustomization was written to")
	}
}

func TestFluxKustomization(t *testing.T) {
	got, err := ReadFlux("testdata/flux/kustomization.yaml", Options{Root: "testdata/repo"})
	if err != nil {
		t.Fatal(err)
	}
	want := `  Deployment shop/checkout (Kustomization/flux-system/checkout:apps/base/deploy.yaml:1)
  Service flux-system/otel-collector (Kustomization/flux-system/staging:clusters/staging/collector.yaml:1)
  Deployment flux-system/checkout (Kustomization/flux-system/staging:clusters/staging/nested/deploy.yaml:1)
`
	if ids(got) != want {
		t.Errorf("got\n%s\nwant (targetNamespace; a generated kustomization of the folder)\n%s", ids(got), want)
	}
	js := string(got.Objects[0].JSON)
	// substituteFrom, then substitute; ${var:=default} is bash's.
	if !strings.Contains(js, "otel-collector.monitoring:4317") || !strings.Contains(js, `"value":"us-east-2"`) {
		t.Errorf("postBuild substitution: %s", js)
	}
	if !strings.Contains(string(got.Objects[1].JSON), `"owner":"observability"`) {
		t.Errorf("substitute in the generated kustomization: %s", got.Objects[1].JSON)
	}
	// The nested Deployment's variables are unset there: empty, and the
	// default applies, as drone/envsubst does.
	if n := string(got.Objects[2].JSON); !strings.Contains(n, "otel-collector.:4317") || !strings.Contains(n, `"value":"eu-west-1"`) {
		t.Errorf("unset variables: %s", n)
	}
}
