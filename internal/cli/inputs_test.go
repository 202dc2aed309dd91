package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/verdict"
	"github.com/spf13/cobra"
)

// parse runs args through a command that registers --namespace and the
// source flags the way analyze does.
func parse(t *testing.T, args ...string) (*sourceFlags, string, []string, error) {
	t.Helper()
	var ns string
	var s sourceFlags
	var rest []string
	c := &cobra.Command{Use: "x", SilenceUsage: true, SilenceErrors: true,
		RunE: func(_ *cobra.Command, a []string) error { rest = a; return nil }}
	c.Flags().StringVarP(&ns, "namespace", "n", "default", "namespace")
	s.register(c)
	c.SetArgs(args)
	c.SetOut(io.Discard)
	c.SetErr(io.Discard)
	err := c.Execute()
	return &s, ns, rest, err
}

func TestChartFlagsFollowTheirChart(t *testing.T) {
	s, ns, _, err := parse(t, "--chart", "A", "-f", "a.yaml", "--values", "b.yaml", "--set", "x=1,y=2",
		"--namespace", "staging-webs", "--chart", "B.tgz", "--namespace", "monitoring", "--release", "otel")
	if err != nil {
		t.Fatal(err)
	}
	want := []helm.Chart{
		{Path: "A", ValueFiles: []string{"a.yaml", "b.yaml"}, Set: []string{"x=1,y=2"}, Namespace: "staging-webs"},
		{Path: "B.tgz", Namespace: "monitoring", Release: "otel"},
	}
	if !reflect.DeepEqual(s.charts, want) {
		t.Errorf("charts = %+v\nwant %+v", s.charts, want)
	}
	if ns != "default" || s.nsGiven {
		t.Errorf("a chart's namespace leaked into the default: %q", ns)
	}
	// -n before the first chart is the default for charts without their own.
	s, ns, _, err = parse(t, "-n", "apps", "--chart", "A", "--chart", "B", "-n", "b")
	if err != nil || ns != "apps" || !s.nsGiven || s.charts[0].Namespace != "" || s.charts[1].Namespace != "b" {
		t.Errorf("default namespace: err=%v ns=%q charts=%+v", err, ns, s.charts)
	}
}

func TestFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "a.yaml", "--chart", "A"}, "put it after the --chart"},
		{[]string{"--set", "a=1"}, "--set applies to a chart"},
		{[]string{"--chart", "A", "-n", "x", "-n", "y"}, "already has namespace x"},
		{[]string{"--kustomize", "k", "-f", "v.yaml"}, "--values applies to a chart"},
	} {
		if _, _, _, err := parse(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "no input"},
		{[]string{"-A", "x.yaml"}, "need --cluster"},
		{[]string{"--context", "prod", "x.yaml"}, "need --cluster"},
		{[]string{"--cluster", "-A", "-n", "x"}, "cannot be used together"},
	} {
		s, _, rest, err := parse(t, tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		_, err = s.read(rest, nil)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want usage error %q", tc.args, err, tc.want)
		}
	}
}

func TestClusterFlags(t *testing.T) {
	s, _, rest, err := parse(t, "--cluster", "./pending-change/", "--context", "staging", "--kubeconfig", "kc", "-A")
	if err != nil || !s.cluster || !s.all || s.kubeCtx != "staging" || s.kubeconfig != "kc" || !reflect.DeepEqual(rest, []string{"./pending-change/"}) {
		t.Errorf("err=%v cluster=%v all=%v rest=%v", err, s.cluster, s.all, rest)
	}
	if err := s.validate(rest); err != nil {
		t.Error(err)
	}
	// A chart's -n next to -A is the chart's, not the read scope.
	s, _, rest, err = parse(t, "--chart", "A", "-n", "monitoring", "--cluster", "-A")
	if err != nil || s.validate(rest) != nil || s.charts[0].Namespace != "monitoring" {
		t.Errorf("err=%v validate=%v charts=%+v", err, s.validate(rest), s.charts)
	}
	// --cluster closes the chart: the -n after it scopes the read.
	s, ns, _, err := parse(t, "--chart", "A", "--cluster", "-n", "staging-webs")
	if err != nil || ns != "staging-webs" || !s.nsGiven || s.charts[0].Namespace != "" {
		t.Errorf("err=%v ns=%q charts=%+v", err, ns, s.charts)
	}
}

const charts = "../../source/helm/testdata/"

func TestReadChartsReproducesSeed(t *testing.T) {
	s, ns, rest, err := parse(t,
		"--chart", charts+"common-charts/infra/istio-security", "-f", charts+"staging/values/values-istio-security.yaml", "-n", "istio-system",
		"--chart", charts+"common-charts/apps/java-service", "-f", charts+"staging/values/values.yaml", "--namespace", "staging-webs",
		"--chart", charts+"common-charts/infra/monitoring/otel-collector", "--namespace", "monitoring")
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.read(rest, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(inventory.Build(set, ns), analysis.Options{})
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
	s, _, rest, err := parse(t, "--cluster", change, "--kubeconfig", kc, "-n", "team")
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.read(rest, nil)
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
	s, _, rest, _ = parse(t, "--cluster", "--kubeconfig", kc, "--cluster-timeout", "2s")
	var ee *exitError
	if _, err := s.read(rest, nil); !errors.As(err, &ee) || ee.code != ExitUsage {
		t.Errorf("unreachable cluster: %v", err)
	}
}
