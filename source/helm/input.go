package helm

import (
	"fmt"
	"sync"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/spf13/pflag"
)

// Charts are an input kind: --chart, with -f, --set, --release and -n
// after it belonging to that chart until the next input flag.
func init() { source.RegisterKind(source.Kind{Name: "chart", Register: register}) }

func register(fs *pflag.FlagSet, in *source.Inputs) {
	r := RegisterRemote(fs)
	fs.Var(chartFlag{in, r}, "chart", "render a Helm chart at this place of the input order: a folder or .tgz, REPO/NAME (a repository of repositories.yaml), or oci://HOST/PATH/NAME; dependencies missing from charts/ are fetched as helm dependency build does; repeatable")
	fs.Var(chartArg{in, "version", func(c *Chart, v string) { c.Version = v }}, "version", "chart version (or constraint) for the preceding REPO/NAME or oci:// --chart (default: the latest)")
	fs.VarP(chartArg{in, "values", func(c *Chart, v string) { c.ValueFiles = append(c.ValueFiles, v) }}, "values", "f", "values file for the preceding --chart; repeatable, later files win")
	fs.Var(chartArg{in, "set", func(c *Chart, v string) { c.Set = append(c.Set, v) }}, "set", "key=value for the preceding --chart (as helm --set); repeatable")
	fs.Var(chartArg{in, "release", func(c *Chart, v string) { c.Release = v }}, "release", "release name of the preceding --chart (default: the chart's name)")
}

// Input is a chart to render as one of the inputs.
type Input struct {
	Chart
	nsGiven bool
	remote  *Remote // the command's --repository-config etc., read when the flags are parsed
}

func (i *Input) String() string { return "--chart " + i.Path }

// Read renders the chart; without its own -n it lands in the default namespace.
func (i *Input) Read(env source.Env) (source.Set, error) {
	c := i.Chart
	if i.remote != nil {
		c.Remote = *i.remote
	}
	if c.Namespace == "" {
		c.Namespace = env.DefaultNamespace
	}
	return Render(c)
}

// SetNamespace is -n right after the --chart.
func (i *Input) SetNamespace(ns string) error {
	if i.nsGiven {
		return fmt.Errorf("--chart %s already has namespace %s (give -n once per chart; a default namespace goes before the first --chart)", i.Path, i.Namespace)
	}
	i.Namespace, i.nsGiven = ns, true
	return nil
}

type chartFlag struct {
	in     *source.Inputs
	remote *Remote
}

func (v chartFlag) Type() string   { return "path" }
func (v chartFlag) String() string { return "" }
func (v chartFlag) Set(x string) error {
	v.in.Add(&Input{Chart: Chart{Path: x}, remote: v.remote})
	return nil
}

// chartArg is a flag that applies to the preceding --chart.
type chartArg struct {
	in    *source.Inputs
	name  string
	apply func(*Chart, string)
}

func (v chartArg) Type() string   { return "string" }
func (v chartArg) String() string { return "" }
func (v chartArg) Set(x string) error {
	c, ok := v.in.Open().(*Input)
	if !ok {
		return fmt.Errorf("--%s applies to a chart: put it after the --chart it is for", v.name)
	}
	v.apply(&c.Chart, x)
	return nil
}

var (
	remotesMu sync.Mutex
	remotes   = map[*pflag.FlagSet]*Remote{}
)

// RegisterRemote adds Helm's flags for remote charts to fs once, and
// returns the Remote they fill; every input kind that fetches charts (a
// --chart, a GitOps object) shares it.
func RegisterRemote(fs *pflag.FlagSet) *Remote {
	remotesMu.Lock()
	defer remotesMu.Unlock()
	if r, ok := remotes[fs]; ok {
		return r
	}
	r := &Remote{}
	remotes[fs] = r
	fs.StringVar(&r.RepositoryConfig, "repository-config", "", "Helm repositories file for REPO/NAME charts (default: Helm's, $HELM_REPOSITORY_CONFIG or ~/.config/helm/repositories.yaml)")
	fs.StringVar(&r.RepositoryCache, "repository-cache", "", "Helm repository cache (default: Helm's, $HELM_REPOSITORY_CACHE or ~/.cache/helm/repository)")
	fs.StringVar(&r.RegistryConfig, "registry-config", "", "OCI registry credentials (default: Helm's, $HELM_REGISTRY_CONFIG)")
	fs.BoolVar(&r.PlainHTTP, "plain-http", false, "reach OCI registries over plain HTTP (helm --plain-http; for a registry on loopback)")
	fs.BoolVar(&r.Offline, "offline", false, "never use the network for charts: cached repository indexes, and downloads replayed from Helm's cache")
	return r
}
