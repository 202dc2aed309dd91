package gitops

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/source/helm/helmtest"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// Charts from a HelmRepository (HTTP and OCI) on loopback: Flux's chart
// valuesFiles inside the chart, ArgoCD's chart source with $values.
func TestChartsFromRepositories(t *testing.T) {
	ch, err := loader.Load(checkout + "/common-charts/apps/java-service")
	if err != nil {
		t.Fatal(err)
	}
	repo := helmtest.ServeRepo(t, ch)
	reg := helmtest.ServeRegistry(t, ch)
	remote := helm.Remote{
		RepositoryConfig: filepath.Join(t.TempDir(), "repositories.yaml"),
		RepositoryCache:  t.TempDir(),
		RegistryConfig:   filepath.Join(t.TempDir(), "config.json"),
		PlainHTTP:        true,
	}
	version := ch.Metadata.Version
	direct := render(t, helm.Chart{Path: filepath.Join(repo.Dir, fmt.Sprintf("java-service-%s.tgz", version)),
		ValueFiles: []string{checkout + "/staging/values/values.yaml"}, Release: "webs", Namespace: "staging-webs"})
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"flux-http": fmt.Sprintf(fluxRepo, "default", repo.URL, version),
		"flux-oci":  fmt.Sprintf(fluxRepo, "oci", reg.URL(), version),
	} {
		f := filepath.Join(dir, name+".yaml")
		os.WriteFile(f, []byte(doc), 0o644)
		got, err := ReadFlux(f, Options{Root: checkout, Remote: remote})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		same(t, name, got, direct)
	}
	for name, src := range map[string]string{
		"argocd-http": fmt.Sprintf("{repoURL: %q, chart: java-service, targetRevision: %q, helm: {releaseName: webs, valueFiles: [$values/staging/values/values.yaml]}}", repo.URL, version),
		"argocd-oci":  fmt.Sprintf("{repoURL: %q, chart: java-service, targetRevision: %q, helm: {releaseName: webs, valueFiles: [$values/staging/values/values.yaml]}}", reg.URL(), version),
	} {
		f := filepath.Join(dir, name+".yaml")
		os.WriteFile(f, []byte(fmt.Sprintf(argoRepo, src)), 0o644)
		got, err := ReadArgoCD(f, Options{Root: checkout, Remote: remote})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		same(t, name, got, direct)
	}
}

var fluxRepo = `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: charts, namespace: staging-webs}
spec: {type: %s, url: %q, interval: 1h}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: staging, namespace: staging-webs}
data:
  values.yaml: |
` + stagingValues + `
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: webs, namespace: staging-webs}
spec:
  interval: 5m
  chart:
    spec:
      chart: java-service
      version: %q
      sourceRef: {kind: HelmRepository, name: charts}
      valuesFiles: [values.yaml]
  valuesFrom: [{kind: ConfigMap, name: staging}]
`

const argoRepo = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: java, namespace: argocd}
spec:
  destination: {namespace: staging-webs}
  sources:
  - %s
  - {repoURL: "https://git.example.com/platform/deploy.git", ref: values}
`

// stagingValues is staging/values/values.yaml, indented into a ConfigMap.
var stagingValues = func() string {
	data, err := os.ReadFile(checkout + "/staging/values/values.yaml")
	if err != nil {
		panic(err)
	}
	out := ""
	for _, l := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		out += "    " + l + "\n"
	}
	return out
}()
