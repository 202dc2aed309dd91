package cluster

import (
	"errors"
	"fmt"
	"time"

	"github.com/meshdoctor/meshdoctor/source"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// The live cluster is an input kind: --cluster, read under every local
// input, with kubectl's --kubeconfig and --context.
func init() { source.RegisterKind(source.Kind{Name: "cluster", Register: register}) }

// Input is the live cluster as the base of the inputs.
type Input struct {
	Kubeconfig, Context string
	Timeout             time.Duration
	on                  bool
}

func register(fs *pflag.FlagSet, in *source.Inputs) {
	l := &Input{}
	fs.Var(flag{in, l}, "cluster", "read the live cluster (read-only), under every other input: files, charts and builds given are laid on top of it as a pending change")
	fs.Lookup("cluster").NoOptDefVal = "true"
	fs.StringVar(&l.Kubeconfig, "kubeconfig", "", "kubeconfig file for --cluster (default: $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&l.Context, "context", "", "kubeconfig context for --cluster")
	fs.DurationVar(&l.Timeout, "cluster-timeout", 60*time.Second, "give up reading the cluster after this long")
	in.Check(func(in *source.Inputs) error {
		if !l.on && (in.Scope.All || l.Kubeconfig != "" || l.Context != "") {
			return errors.New("--all-namespaces, --context and --kubeconfig need --cluster")
		}
		return nil
	})
}

func (l *Input) String() string { return "--cluster" }

// ReadUnder reads the cluster with overlay laid over it.
func (l *Input) ReadUnder(env source.Env, overlay source.Set) (source.Set, error) {
	opt := Options{Getter: l.Getter(), Namespace: env.Scope.Namespace, AllNamespaces: env.Scope.All, Timeout: l.Timeout, Overlay: overlay}
	if source.Terminal(env.Stderr) {
		opt.Progress = env.Stderr
	}
	return Read(env.Context, opt)
}

// Getter is kubectl's kubeconfig resolution with --kubeconfig and --context.
func (l *Input) Getter() *genericclioptions.ConfigFlags {
	cf := genericclioptions.NewConfigFlags(false)
	cf.KubeConfig, cf.Context = &l.Kubeconfig, &l.Context
	return cf
}

// flag is --cluster: a boolean that sets the base of the inputs.
type flag struct {
	in *source.Inputs
	l  *Input
}

func (v flag) Type() string     { return "bool" }
func (v flag) IsBoolFlag() bool { return true }
func (v flag) String() string   { return fmt.Sprint(v.l.on) }
func (v flag) Set(x string) error {
	switch x {
	case "true", "1":
		v.l.on = true
		v.in.SetBase(v.l)
	case "false", "0":
		v.l.on = false
		v.in.Base = nil
	default:
		return fmt.Errorf("invalid boolean %q", x)
	}
	return nil
}
