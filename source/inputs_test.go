package source_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/cluster"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/source/kustomize"
	"github.com/spf13/pflag"
)

// parse runs args through one input registration, as every command does.
func parse(t *testing.T, args ...string) (*source.Inputs, error) {
	t.Helper()
	in := &source.Inputs{}
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	in.Register(fs)
	err := fs.Parse(args)
	in.SetArgs(fs.Args())
	return in, err
}

// order names the inputs in the order Read composes them.
func order(in *source.Inputs) []string {
	var s []string
	for _, i := range in.List {
		s = append(s, i.String())
	}
	return s
}

func TestChartFlagsFollowTheirChart(t *testing.T) {
	in, err := parse(t, "--chart", "A", "-f", "a.yaml", "--values", "b.yaml", "--set", "x=1,y=2",
		"--namespace", "staging-webs", "--chart", "B.tgz", "--namespace", "monitoring", "--release", "otel")
	if err != nil {
		t.Fatal(err)
	}
	want := []helm.Chart{
		{Path: "A", ValueFiles: []string{"a.yaml", "b.yaml"}, Set: []string{"x=1,y=2"}, Namespace: "staging-webs"},
		{Path: "B.tgz", Namespace: "monitoring", Release: "otel"},
	}
	var got []helm.Chart
	for _, i := range in.List {
		got = append(got, i.(*helm.Input).Chart)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("charts = %+v\nwant %+v", got, want)
	}
	if in.Namespace() != "default" || in.Scope.Namespace != "" {
		t.Errorf("a chart's namespace leaked into the default: %q / scope %q", in.Namespace(), in.Scope.Namespace)
	}
	// -n before the first chart is the default for charts without their own.
	in, err = parse(t, "-n", "apps", "--chart", "A", "--chart", "B", "-n", "b")
	if err != nil || in.Namespace() != "apps" || in.Scope.Namespace != "apps" ||
		in.List[0].(*helm.Input).Namespace != "" || in.List[1].(*helm.Input).Namespace != "b" {
		t.Errorf("default namespace: err=%v ns=%q list=%v", err, in.Namespace(), order(in))
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
		{[]string{"--cluster", "-f", "v.yaml"}, "--values applies to a chart"},
		{[]string{"--ns-label", "nonsense"}, "want NS:KEY=VALUE"},
	} {
		if _, err := parse(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
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
		{[]string{"-", "-"}, "more than once"},
	} {
		in, err := parse(t, tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if _, err = in.Read(t.Context(), nil, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
}

func TestClusterFlags(t *testing.T) {
	in, err := parse(t, "--cluster", "./pending-change/", "--context", "staging", "--kubeconfig", "kc", "-A")
	l, _ := in.Base.(*cluster.Input)
	if err != nil || l == nil || !in.Scope.All || l.Context != "staging" || l.Kubeconfig != "kc" || !reflect.DeepEqual(order(in), []string{"./pending-change/"}) {
		t.Errorf("err=%v base=%v scope=%+v list=%v", err, in.Base, in.Scope, order(in))
	}
	// A chart's -n next to -A is the chart's, not the scope.
	in, err = parse(t, "--chart", "A", "-n", "monitoring", "--cluster", "-A")
	if err != nil || in.Scope.Namespace != "" || in.List[0].(*helm.Input).Namespace != "monitoring" {
		t.Errorf("err=%v scope=%+v", err, in.Scope)
	}
	// --cluster closes the chart: the -n after it is the scope.
	in, err = parse(t, "--chart", "A", "--cluster", "-n", "staging-webs")
	if err != nil || in.Scope.Namespace != "staging-webs" || in.List[0].(*helm.Input).Namespace != "" {
		t.Errorf("err=%v scope=%+v", err, in.Scope)
	}
}

// TestCommandLineOrder: positional paths keep their place among the input
// flags, so an input given later lays over the earlier ones (#13.5).
func TestCommandLineOrder(t *testing.T) {
	in, err := parse(t, "a.yaml", "--chart", "C", "-f", "v.yaml", "fix.yaml", "--kustomize", "K", "last.yaml", "--cluster")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"a.yaml", "--chart C", "fix.yaml", "--kustomize K", "last.yaml"}
	if got := order(in); !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
	if in.List[1].(*helm.Input).ValueFiles[0] != "v.yaml" {
		t.Error("-f after the chart and before a path is the chart's")
	}
}

const (
	charts     = "helm/testdata/common-charts/"
	kustomized = "kustomize/testdata/overlays/staging"
)

// winner is the origin of the object Read composes last for a key, which
// is the one the inventory keeps.
func winner(t *testing.T, args ...string) string {
	t.Helper()
	in, err := parse(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	set, err := in.Read(t.Context(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, o := range set.Objects {
		if o.Kind == "PeerAuthentication" && o.Name == "otel-collector" || o.Kind == "Deployment" && o.Name == "auth-guard" {
			got = o.Origin.File
		}
	}
	return got
}

func TestChartThenFileAppliesTheFileLast(t *testing.T) {
	dir := t.TempDir()
	fix := filepath.Join(dir, "fix.yaml")
	os.WriteFile(fix, []byte("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: otel-collector, namespace: monitoring}\nspec: {mtls: {mode: PERMISSIVE}}\n"), 0o644)
	chart := charts + "infra/monitoring/otel-collector"
	if got := winner(t, "--chart", chart, "--set", "mtlsException.enabled=true", "-n", "monitoring", fix); got != fix {
		t.Errorf("--chart C fix.yaml: kept %s, want the fix", got)
	}
	if got := winner(t, fix, "--chart", chart, "--set", "mtlsException.enabled=true", "-n", "monitoring"); !strings.HasPrefix(got, "chart/") {
		t.Errorf("fix.yaml --chart C: kept %s, want the chart's", got)
	}
}

func TestKustomizeThenFileAppliesTheFileLast(t *testing.T) {
	dir := t.TempDir()
	fix := filepath.Join(dir, "fix.yaml")
	os.WriteFile(fix, []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: auth-guard, namespace: staging-webs}\nspec: {template: {spec: {containers: [{name: app, image: x}]}}}\n"), 0o644)
	if got := winner(t, "--kustomize", kustomized, fix); got != fix {
		t.Errorf("--kustomize K fix.yaml: kept %s, want the fix", got)
	}
	if got := winner(t, fix, "--kustomize", kustomized); got == fix {
		t.Errorf("fix.yaml --kustomize K: kept the fix, want the build's")
	}
}

// TestNoObjects: inputs that hold no Kubernetes object are an input error
// that says what was read instead (#13.7).
func TestNoObjects(t *testing.T) {
	dir := t.TempDir()
	readme := filepath.Join(dir, "README.md")
	os.WriteFile(readme, []byte("# my app\n\nSome words: here.\n"), 0o644)
	junk := filepath.Join(dir, "junk.yaml")
	os.WriteFile(junk, []byte("kind: [\n"), 0o644)
	empty := filepath.Join(dir, "docs")
	os.Mkdir(empty, 0o755)
	os.WriteFile(filepath.Join(empty, "notes.txt"), []byte("x"), 0o644)
	for _, tc := range []struct{ path, want string }{
		{readme, "no Kubernetes objects in " + readme},
		{junk, "malformed YAML"},
		{empty, "holds no manifest files"},
		{charts + "infra/monitoring/otel-collector", "is a Helm chart, not rendered manifests: use --chart " + charts + "infra/monitoring/otel-collector"},
		{charts + "infra/monitoring/otel-collector/Chart.yaml", "use --chart " + charts + "infra/monitoring/otel-collector"},
	} {
		in, _ := parse(t, tc.path)
		if _, err := in.Read(t.Context(), nil, nil); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.path, err, tc.want)
		}
	}
	// One side of a diff may not exist yet.
	in, _ := parse(t, readme)
	in.AllowEmpty = true
	if _, err := in.Read(t.Context(), nil, nil); err != nil {
		t.Errorf("AllowEmpty: %v", err)
	}
}

// TestNamespaceLabels: --ns-label adds to a declared Namespace's labels
// and declares a missing one.
func TestNamespaceLabels(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "ns.yaml")
	os.WriteFile(f, []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {team: a}}\n"), 0o644)
	in, err := parse(t, "--ns-label", "shop:istio-injection=enabled", "--ns-label", "pay:istio-injection=disabled", f)
	if err != nil {
		t.Fatal(err)
	}
	set, err := in.Read(t.Context(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range set.Objects[1:] {
		got = append(got, o.Origin.File+" "+string(o.JSON))
	}
	want := []string{
		`flag:--ns-label {"apiVersion":"v1","kind":"Namespace","metadata":{"labels":{"istio-injection":"disabled"},"name":"pay"}}`,
		f + `:1 + flag:--ns-label {"apiVersion":"v1","kind":"Namespace","metadata":{"labels":{"istio-injection":"enabled","team":"a"},"name":"shop"}}`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

var _ = kustomize.Input{}
