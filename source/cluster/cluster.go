// Package cluster reads the live state of a Kubernetes cluster — the kinds
// meshdoctor models — into a source.Set, read-only, paged and bounded in
// time. What it cannot see (RBAC, unserved APIs) becomes a source.Problem
// naming the conclusions that are therefore unknown; never a silent gap.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/meshdoctor/meshdoctor/source"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Options say which cluster to read, how much of it and how.
type Options struct {
	// Getter resolves kubeconfig, context and credentials the way kubectl
	// does (genericclioptions.ConfigFlags).
	Getter genericclioptions.RESTClientGetter
	// Namespace is the namespace asked about (-n). It does not limit the
	// read: every namespace is read when allowed, since other namespaces'
	// policies, destinations and clients decide its edges; it is where a
	// forbidden list is narrowed to first. "" means the context's namespace.
	Namespace     string
	AllNamespaces bool
	// RootNamespace is Istio's root namespace; "" means istio-system.
	RootNamespace string
	// Timeout bounds the whole read; 0 means 60s.
	Timeout time.Duration
	// PageSize is the list limit; 0 means 500.
	PageSize int64
	// Progress, when set, receives a one-line progress display (a TTY).
	Progress io.Writer
	// Overlay are local objects laid on top of the live ones: an object with
	// the same group, kind, namespace and name replaces the live one.
	Overlay source.Set
	// OverlayNamespace is the namespace of overlay objects that name none;
	// "" means the namespace read (or "default" with AllNamespaces).
	OverlayNamespace string
}

// ContextNamespace is the kubeconfig context's namespace (kubectl's
// default for -n), what a read without -n or -A is about.
func ContextNamespace(g genericclioptions.RESTClientGetter) (string, error) {
	ns, _, err := g.ToRawKubeConfigLoader().Namespace()
	return ns, err
}

// Origin of problems that concern the cluster as a whole.
var clusterOrigin = source.Origin{File: "cluster"}

// Read reads the cluster. Connection, credential and timeout failures are
// errors; what RBAC or the API hides is reported as Problems.
func Read(ctx context.Context, opt Options) (source.Set, error) {
	if opt.Getter == nil {
		return source.Set{}, errors.New("cluster: no kubeconfig flags")
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 60 * time.Second
	}
	if opt.PageSize <= 0 {
		opt.PageSize = 500
	}
	if opt.RootNamespace == "" {
		opt.RootNamespace = "istio-system"
	}
	if raw, err := opt.Getter.ToRawKubeConfigLoader().RawConfig(); err == nil && len(raw.Clusters) == 0 && os.Getenv("KUBERNETES_SERVICE_HOST") == "" {
		return source.Set{}, errors.New("cluster: no kubeconfig found (give --kubeconfig, set $KUBECONFIG or create ~/.kube/config)")
	}
	if opt.Namespace == "" && !opt.AllNamespaces {
		ns, err := ContextNamespace(opt.Getter)
		if err != nil {
			return source.Set{}, fmt.Errorf("cluster: %w", err)
		}
		opt.Namespace = ns
	}
	if opt.OverlayNamespace == "" {
		opt.OverlayNamespace = opt.Namespace
		if opt.AllNamespaces {
			opt.OverlayNamespace = "default"
		}
	}
	cfg, err := opt.Getter.ToRESTConfig()
	if err != nil {
		return source.Set{}, fmt.Errorf("cluster: %w", err)
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 50, 100
	// The context bounds the read; the client's own timeout is only a backstop,
	// later than the context so that a deadline always reads as "timed out".
	cfg.Timeout = opt.Timeout + 5*time.Second
	cfg.UserAgent = "meshdoctor (read-only)"
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return source.Set{}, fmt.Errorf("cluster: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return source.Set{}, fmt.Errorf("cluster: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	r := &reader{opt: opt, disc: disc.RESTClient(), dyn: dyn, progress: opt.Progress}
	defer r.done()
	if err := r.read(ctx); err != nil {
		return source.Set{}, err
	}
	out := assemble(r.items, opt.Overlay, opt.OverlayNamespace)
	out.Problems = append(r.problems, out.Problems...)
	out.Unread = append(r.unreadKinds, out.Unread...)
	return out, nil
}

// progress line, only when asked for.
func (r *reader) show(format string, args ...any) {
	if r.progress != nil {
		fmt.Fprintf(r.progress, "\r\033[K"+format, args...)
	}
}

func (r *reader) done() {
	if r.progress != nil {
		fmt.Fprint(r.progress, "\r\033[K")
	}
}

// unread records a kind the model must treat as missing, not absent.
func (r *reader) unread(kind, ns string, except []string, reason string) {
	r.unreadKinds = append(r.unreadKinds, source.Unread{Kind: kind, Namespace: ns, Except: except, Reason: reason})
}

func (r *reader) problem(format string, args ...any) {
	r.problems = append(r.problems, source.Problem{Origin: clusterOrigin, Message: fmt.Sprintf(format, args...)})
}
