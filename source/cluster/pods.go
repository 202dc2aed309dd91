package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/dynamic"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
)

// Pods reads pod statuses, their Warning events and container logs
// (pods/log) — read-only, for doctor and verify. Unlike Read, it keeps every
// replica: health is per pod, not per workload.
type Pods struct {
	core corev1client.CoreV1Interface
	dyn  dynamic.Interface
}

// NewPods connects with kubectl's resolution of kubeconfig and context.
func NewPods(getter genericclioptions.RESTClientGetter) (*Pods, error) {
	if getter == nil {
		return nil, errors.New("cluster: no kubeconfig flags")
	}
	cfg, err := getter.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	cfg = rest.CopyConfig(cfg)
	cfg.QPS, cfg.Burst = 50, 100
	cfg.UserAgent = "meshdoctor (read-only)"
	// The caller's context bounds the reads; this is only a backstop.
	cfg.Timeout = 5 * time.Minute
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	return &Pods{core: core, dyn: dyn}, nil
}

// Object gets one object as the API serves it in apiVersion (verify's
// check that a fix is live as given).
func (p *Pods) Object(ctx context.Context, apiVersion, kind, ns, name string) (map[string]any, error) {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil, fmt.Errorf("cluster: %s %s: %w", kind, name, err)
	}
	plural := strings.ToLower(kind) + "s"
	for _, r := range resources {
		if r.kind == kind && r.group == gv.Group {
			plural = r.plural
		}
	}
	what := fmt.Sprintf("get %s %s", strings.ToLower(kind), name)
	if ns != "" {
		what = fmt.Sprintf("get %s %s/%s", strings.ToLower(kind), ns, name)
	}
	u, err := p.dyn.Resource(gv.WithResource(plural)).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, readErr(what, err)
	}
	return u.Object, nil
}

// List returns every pod of namespace ns ("" is all namespaces), paged.
func (p *Pods) List(ctx context.Context, ns string) ([]corev1.Pod, error) {
	var out []corev1.Pod
	opts := metav1.ListOptions{Limit: 500}
	for {
		l, err := p.core.Pods(ns).List(ctx, opts)
		if err != nil {
			return nil, readErr("list pods "+where(ns), err)
		}
		out = append(out, l.Items...)
		if opts.Continue = l.Continue; opts.Continue == "" {
			return out, nil
		}
	}
}

// Events returns the Warning events about pods in ns (probe failures,
// back-off, OOM kills), newest last as the API returns them.
func (p *Pods) Events(ctx context.Context, ns string) ([]corev1.Event, error) {
	l, err := p.core.Events(ns).List(ctx, metav1.ListOptions{FieldSelector: "involvedObject.kind=Pod,type=Warning", Limit: 1000})
	if err != nil {
		return nil, readErr("list events "+where(ns), err)
	}
	return l.Items, nil
}

// LogRequest names one container's log and its bounds.
type LogRequest struct {
	Namespace, Pod, Container string
	Previous                  bool // the last terminated instance (kubectl logs --previous)
	TailLines, LimitBytes     int64
	Since                     time.Time // zero: no lower bound
}

// Log reads one container's log through the API server's pods/log.
func (p *Pods) Log(ctx context.Context, r LogRequest) ([]byte, error) {
	o := &corev1.PodLogOptions{Container: r.Container, Previous: r.Previous}
	if r.TailLines > 0 {
		o.TailLines = &r.TailLines
	}
	if r.LimitBytes > 0 {
		o.LimitBytes = &r.LimitBytes
	}
	if !r.Since.IsZero() {
		t := metav1.NewTime(r.Since)
		o.SinceTime = &t
	}
	rc, err := p.core.Pods(r.Namespace).GetLogs(r.Pod, o).Stream(ctx)
	if err != nil {
		which := "log"
		if r.Previous {
			which = "previous log"
		}
		return nil, readErr(fmt.Sprintf("read the %s of %s/%s container %s", which, r.Namespace, r.Pod, r.Container), err)
	}
	defer rc.Close()
	limit := r.LimitBytes
	if limit <= 0 {
		limit = 16 << 20
	}
	return io.ReadAll(io.LimitReader(rc, limit))
}

// ReadError is a refusal of the API server, with what was being read.
type ReadError struct {
	What   string // "read the log of ns/pod container c"
	Reason string // forbidden, not found, or the server's message
	Err    error
}

func (e *ReadError) Error() string { return "cannot " + e.What + ": " + e.Reason }
func (e *ReadError) Unwrap() error { return e.Err }

// Forbidden reports an RBAC refusal.
func (e *ReadError) Forbidden() bool { return apierrors.IsForbidden(e.Err) }

// APIStatus reports an answer of the API server (as opposed to no answer:
// a dead connection, a timeout).
func (e *ReadError) APIStatus() bool {
	var st apierrors.APIStatus
	return errors.As(e.Err, &st)
}

// Absent reports a log that does not exist (no previous instance, a
// container that never started): not a gap in what could be read.
func (e *ReadError) Absent() bool {
	return apierrors.IsNotFound(e.Err) || apierrors.IsBadRequest(e.Err)
}

func readErr(what string, err error) error {
	reason := err.Error()
	switch {
	case apierrors.IsForbidden(err):
		reason = "forbidden"
	case apierrors.IsNotFound(err):
		reason = "not found"
	}
	return &ReadError{What: what, Reason: reason, Err: err}
}
