package kustomize

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestOverlayPatchesBase(t *testing.T) {
	start := time.Now()
	set, err := Build("testdata/overlays/staging")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %s", time.Since(start))
	if len(set.Problems) > 0 {
		t.Fatal(set.Problems)
	}
	// Input order; origins point at the files the objects came from
	// (kustomize's origin tracking), not at the build output.
	want := []string{
		"testdata/base/deployment.yaml:1 apps/v1 Deployment staging-webs/auth-guard",
		"testdata/base/service.yaml:1 v1 Service staging-webs/auth-guard",
		"testdata/overlays/staging/namespace.yaml:1 v1 Namespace /staging-webs",
	}
	var got []string
	for _, o := range set.Objects {
		got = append(got, fmt.Sprintf("%s %s %s %s/%s", o.Origin, o.APIVersion, o.Kind, o.Namespace, o.Name))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("objects:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	dep := string(set.Objects[0].JSON)
	for _, w := range []string{`"replicas":3`, `"env":"staging"`, `"value":"http://otel-collector.monitoring.svc.cluster.local:4317"`} {
		if !strings.Contains(dep, w) {
			t.Errorf("deployment lacks %s: %s", w, dep)
		}
	}
	if strings.Contains(dep, "localhost:4317") {
		t.Errorf("base env not patched: %s", dep)
	}
	if strings.Contains(dep, "config.kubernetes.io/origin") {
		t.Errorf("the origin annotation must not reach the model: %s", dep)
	}
}

func TestRemoteBaseRefused(t *testing.T) {
	start := time.Now()
	_, err := Build("testdata/overlays/remote")
	if !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), "https://github.com/example/platform//deploy/base?ref=v1.2.0") {
		t.Fatalf("err = %v, want ErrRemote naming the URL", err)
	}
	// A clone attempt would hang for its own network timeout (tens of
	// seconds here); the bound is loose so a loaded CI machine never trips it.
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %s: the network was tried", d)
	}
	if _, err := Build("github.com/example/platform/deploy?ref=main"); !errors.Is(err, ErrRemote) {
		t.Errorf("remote root: %v", err)
	}
	if _, err := Build("testdata/nope"); err == nil {
		t.Error("missing folder: no error")
	}
}

func TestIsRemote(t *testing.T) {
	for s, want := range map[string]bool{
		"../base": false, "deployment.yaml": false, "https://example.com/x.yaml": true,
		"git@github.com:org/repo.git//base": true, "github.com/org/repo/base?ref=v1": true,
		"ssh://git@host/repo.git": true, "- op: replace\n  path: /x": false,
	} {
		if got := isRemote(s); got != want {
			t.Errorf("isRemote(%q) = %v", s, got)
		}
	}
}
