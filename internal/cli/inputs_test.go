package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
	"github.com/spf13/cobra"
)

// parse runs args through a command that registers the inputs the way
// analyze does, and returns them with the positional paths in place.
func parse(t *testing.T, args ...string) (*source.Inputs, *cobra.Command, error) {
	t.Helper()
	var in *source.Inputs
	c := &cobra.Command{Use: "x", SilenceUsage: true, SilenceErrors: true,
		RunE: func(_ *cobra.Command, a []string) error { in.SetArgs(a); return nil }}
	in = inputs(c)
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	err := c.Execute()
	return in, c, err
}

const charts = "../../source/helm/testdata/"

func TestReadChartsReproducesSeed(t *testing.T) {
	in, c, err := parse(t,
		"--chart", charts+"common-charts/infra/istio-security", "-f", charts+"staging/values/values-istio-security.yaml", "-n", "istio-system",
		"--chart", charts+"common-charts/apps/java-service", "-f", charts+"staging/values/values.yaml", "--namespace", "staging-webs",
		"--chart", charts+"common-charts/infra/monitoring/otel-collector", "--namespace", "monitoring")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := load(c, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(inv, analysis.Options{})
	n := 0
	for _, e := range res.Edges {
		if e.Server.Service == "otel-collector" && e.Server.Port == 4317 {
			n++
			if e.Outcome != verdict.Fail {
				t.Errorf("%s -> collector:4317: %s", e.Client.Workload, e.Outcome)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d edges to the collector, want 4", n)
	}
}

// TestReadClusterWithOverlay goes through kubeconfig, discovery and the
// overlay against an API server that serves only pods (none running).
func TestReadClusterWithOverlay(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/apis":
			fmt.Fprint(w, `{"kind":"APIGroupList","apiVersion":"v1","groups":[]}`)
		case "/api/v1":
			fmt.Fprint(w, `{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","namespaced":true,"kind":"Pod","verbs":["list"]}]}`)
		case "/api/v1/namespaces/team/pods":
			fmt.Fprint(w, `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}`)
		default:
			w.WriteHeader(404)
			fmt.Fprint(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404}`)
		}
	}))
	defer srv.Close()
	dir := t.TempDir()
	kc := filepath.Join(dir, "kubeconfig")
	os.WriteFile(kc, []byte("apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "+srv.URL+"}}]\n"+
		"users: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\ncurrent-context: c\n"), 0o600)
	change := filepath.Join(dir, "change.yaml")
	os.WriteFile(change, []byte("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"), 0o644)
	in, c, err := parse(t, "--cluster", change, "--kubeconfig", kc, "-n", "team")
	if err != nil {
		t.Fatal(err)
	}
	set, err := read(c, in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Objects) != 1 || set.Objects[0].Namespace != "team" || set.Objects[0].Origin.File != change {
		t.Errorf("objects: %+v", set.Objects)
	}
	var msgs []string
	for _, p := range set.Problems {
		msgs = append(msgs, p.Error())
	}
	if all := strings.Join(msgs, "\n"); !strings.Contains(all, "cluster: cannot list services: not served in v1") ||
		!strings.Contains(all, "cluster: cannot list peerauthentications.security.istio.io: its API group is not served") {
		t.Errorf("problems:\n%s", all)
	}
	// An unreachable cluster is unreadable input: exit 2.
	srv.Close()
	in, c, _ = parse(t, "--cluster", "--kubeconfig", kc, "--cluster-timeout", "2s")
	var ee *exitError
	if _, err := read(c, in, nil); !errors.As(err, &ee) || ee.code != ExitUsage {
		t.Errorf("unreachable cluster: %v", err)
	}
}
