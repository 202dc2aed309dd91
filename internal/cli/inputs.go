package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/cluster"
	"github.com/meshdoctor/meshdoctor/source/helm"
	"github.com/meshdoctor/meshdoctor/source/kustomize"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// sourceFlags are the inputs beyond files: Helm charts, kustomizations and
// a live cluster. Flags that follow a --chart (-f, --set, --release and
// -n/--namespace) belong to that chart, so flag order matters:
//
//	--chart A -f a.yaml --namespace x --chart B --namespace y
//
// A -n given before any --chart is the default namespace of everything
// (and the namespace read with --cluster).
type sourceFlags struct {
	cmd        *cobra.Command
	ns         pflag.Value // the command's own --namespace
	nsGiven    bool        // -n given outside a chart
	charts     []helm.Chart
	chartNS    []bool // whether charts[i] was given its own namespace
	inChart    bool   // the last source flag was --chart
	kustomize  []string
	cluster    bool
	kubeconfig string
	kubeCtx    string
	all        bool
	timeout    time.Duration
}

// register adds the source flags to c. It must run after --namespace is
// registered: it takes that flag over to make it chart-aware.
func (s *sourceFlags) register(c *cobra.Command) {
	s.cmd = c
	fs := c.Flags()
	if f := fs.Lookup("namespace"); f != nil {
		s.ns = f.Value
		f.Value = nsValue{s}
		f.Usage += "; after a --chart, that chart's namespace (.Release.Namespace)"
	} else {
		s.ns = &plainString{v: "default"}
		fs.VarP(nsValue{s}, "namespace", "n", "namespace for objects that name none; after a --chart, that chart's namespace")
	}
	fs.Var(chartValue{s}, "chart", "render a Helm chart (folder or .tgz; dependencies vendored under charts/); repeatable")
	fs.VarP(chartArg{s, "values", func(c *helm.Chart, v string) { c.ValueFiles = append(c.ValueFiles, v) }}, "values", "f", "values file for the preceding --chart; repeatable, later files win")
	fs.Var(chartArg{s, "set", func(c *helm.Chart, v string) { c.Set = append(c.Set, v) }}, "set", "key=value for the preceding --chart (as helm --set); repeatable")
	fs.Var(chartArg{s, "release", func(c *helm.Chart, v string) { c.Release = v }}, "release", "release name of the preceding --chart (default: the chart's name)")
	fs.Var(kustomizeValue{s}, "kustomize", "build a kustomization folder (local bases only); repeatable")
	fs.Var(clusterValue{s}, "cluster", "read the live cluster (read-only); PATHs given are laid on top of it as a pending change")
	fs.Lookup("cluster").NoOptDefVal = "true"
	fs.StringVar(&s.kubeconfig, "kubeconfig", "", "kubeconfig file for --cluster (default: $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&s.kubeCtx, "context", "", "kubeconfig context for --cluster")
	fs.BoolVarP(&s.all, "all-namespaces", "A", false, "with --cluster, read every namespace")
	fs.DurationVar(&s.timeout, "cluster-timeout", 60*time.Second, "give up reading the cluster after this long")
}

// read gathers every input into one set: files and stdin, charts and
// kustomizations, or — with --cluster — the live state with all of those
// laid on top. Unreadable input is a usage error (exit 2).
func (s *sourceFlags) read(paths []string, stdin io.Reader) (source.Set, error) {
	var set source.Set
	if err := s.validate(paths); err != nil {
		return set, usageErr(err)
	}
	if len(paths) > 0 {
		local, err := source.ReadPaths(paths, stdin)
		if err != nil {
			return set, usageErr(err)
		}
		set.Add(local)
	}
	for _, ch := range s.charts {
		if ch.Namespace == "" {
			ch.Namespace = s.defaultNS()
		}
		r, err := helm.Render(ch)
		if err != nil {
			return set, usageErr(err)
		}
		set.Add(r)
	}
	for _, dir := range s.kustomize {
		r, err := kustomize.Build(dir)
		if err != nil {
			return set, usageErr(err)
		}
		set.Add(r)
	}
	if !s.cluster {
		return set, nil
	}
	opt := cluster.Options{Getter: s.kubeFlags(), AllNamespaces: s.all, Timeout: s.timeout, Overlay: set, Progress: s.progress()}
	if s.nsGiven {
		opt.Namespace = s.defaultNS()
	}
	live, err := cluster.Read(s.ctx(), opt)
	if err != nil {
		return live, usageErr(err)
	}
	return live, nil
}

func (s *sourceFlags) validate(paths []string) error {
	switch {
	case len(paths) == 0 && len(s.charts) == 0 && len(s.kustomize) == 0 && !s.cluster:
		return errors.New("no input: give files or folders of manifests, - for stdin, --chart, --kustomize or --cluster")
	case !s.cluster && (s.all || s.kubeconfig != "" || s.kubeCtx != ""):
		return errors.New("--all-namespaces, --context and --kubeconfig need --cluster")
	case s.all && s.nsGiven:
		return errors.New("--all-namespaces and --namespace cannot be used together")
	}
	return nil
}

// defaultNS is -n given outside any chart, or "default".
func (s *sourceFlags) defaultNS() string {
	if s.ns == nil || s.ns.String() == "" {
		return "default"
	}
	return s.ns.String()
}

func (s *sourceFlags) ctx() context.Context {
	if s.cmd != nil && s.cmd.Context() != nil {
		return s.cmd.Context()
	}
	return context.Background()
}

// progress is stderr when it is a terminal: a progress line is for people.
func (s *sourceFlags) progress() io.Writer {
	if s.cmd == nil {
		return nil
	}
	f, ok := s.cmd.ErrOrStderr().(*os.File)
	if !ok {
		return nil
	}
	if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	return f
}

// nsValue is -n/--namespace: the open chart's namespace, or the default.
type nsValue struct{ s *sourceFlags }

func (v nsValue) String() string { return v.s.ns.String() }
func (v nsValue) Type() string   { return "string" }
func (v nsValue) Set(x string) error {
	s := v.s
	if !s.inChart {
		s.nsGiven = true
		return s.ns.Set(x)
	}
	i := len(s.charts) - 1
	if s.chartNS[i] {
		return fmt.Errorf("--chart %s already has namespace %s (give -n once per chart; a default namespace goes before the first --chart)", s.charts[i].Path, s.charts[i].Namespace)
	}
	s.charts[i].Namespace, s.chartNS[i] = x, true
	return nil
}

type chartValue struct{ s *sourceFlags }

func (v chartValue) Type() string { return "path" }
func (v chartValue) String() string {
	var p []string
	for _, c := range v.s.charts {
		p = append(p, c.Path)
	}
	return strings.Join(p, ",")
}
func (v chartValue) Set(x string) error {
	v.s.charts = append(v.s.charts, helm.Chart{Path: x})
	v.s.chartNS = append(v.s.chartNS, false)
	v.s.inChart = true
	return nil
}

// chartArg is a flag that applies to the preceding --chart.
type chartArg struct {
	s     *sourceFlags
	name  string
	apply func(*helm.Chart, string)
}

func (v chartArg) Type() string   { return "string" }
func (v chartArg) String() string { return "" }
func (v chartArg) Set(x string) error {
	if !v.s.inChart {
		return fmt.Errorf("--%s applies to a chart: put it after the --chart it is for", v.name)
	}
	v.apply(&v.s.charts[len(v.s.charts)-1], x)
	return nil
}

type kustomizeValue struct{ s *sourceFlags }

func (v kustomizeValue) Type() string   { return "dir" }
func (v kustomizeValue) String() string { return strings.Join(v.s.kustomize, ",") }
func (v kustomizeValue) Set(x string) error {
	v.s.kustomize, v.s.inChart = append(v.s.kustomize, x), false
	return nil
}

// clusterValue is a boolean flag that also closes the open chart.
type clusterValue struct{ s *sourceFlags }

func (v clusterValue) Type() string     { return "bool" }
func (v clusterValue) IsBoolFlag() bool { return true }
func (v clusterValue) String() string   { return fmt.Sprint(v.s.cluster) }
func (v clusterValue) Set(x string) error {
	switch x {
	case "true", "1":
		v.s.cluster, v.s.inChart = true, false
	case "false", "0":
		v.s.cluster = false
	default:
		return fmt.Errorf("invalid boolean %q", x)
	}
	return nil
}

// plainString backs --namespace when the command has none of its own.
type plainString struct{ v string }

func (p *plainString) String() string     { return p.v }
func (p *plainString) Set(x string) error { p.v = x; return nil }
func (p *plainString) Type() string       { return "string" }
