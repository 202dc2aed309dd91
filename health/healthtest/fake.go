// Package healthtest is an in-memory cluster for the tests of health,
// doctor and verify: pods, events, objects and container logs, with the
// API's refusals (forbidden, no previous log) as cluster.ReadError.
package healthtest

import (
	"context"
	"errors"
	"sync"

	"github.com/meshdoctor/meshdoctor/source/cluster"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Forbidden as a log body makes reading that log an RBAC refusal.
const Forbidden = "\x00forbidden"

// Cluster is the fake. Logs are keyed "ns/pod/container", with
// " (previous)" appended for the last terminated instance; a missing key
// answers as the API does for an absent log (400).
type Cluster struct {
	mu       sync.Mutex
	Pods     []corev1.Pod
	Warnings []corev1.Event
	Logs     map[string]string
	Objects  map[string]map[string]any // "Kind/ns/name"
	// NoPods makes listing pods forbidden.
	NoPods bool
}

func (c *Cluster) List(_ context.Context, ns string) ([]corev1.Pod, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.NoPods {
		return nil, refusal("list pods in namespace "+ns, "forbidden", apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("RBAC")))
	}
	var out []corev1.Pod
	for _, p := range c.Pods {
		if ns == "" || p.Namespace == ns {
			out = append(out, *p.DeepCopy())
		}
	}
	return out, nil
}

func (c *Cluster) Events(_ context.Context, ns string) ([]corev1.Event, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]corev1.Event(nil), c.Warnings...), nil
}

func (c *Cluster) Log(_ context.Context, r cluster.LogRequest) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := r.Namespace + "/" + r.Pod + "/" + r.Container
	if r.Previous {
		k += " (previous)"
	}
	body, ok := c.Logs[k]
	what := "read the log of " + r.Namespace + "/" + r.Pod + " container " + r.Container
	switch {
	case !ok:
		return nil, refusal(what, "bad request", apierrors.NewBadRequest("previous terminated container not found"))
	case body == Forbidden:
		return nil, refusal(what, "forbidden", apierrors.NewForbidden(schema.GroupResource{Resource: "pods/log"}, r.Pod, errors.New("RBAC")))
	}
	return []byte(body), nil
}

func (c *Cluster) Object(_ context.Context, apiVersion, kind, ns, name string) (map[string]any, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if o, ok := c.Objects[kind+"/"+ns+"/"+name]; ok {
		return o, nil
	}
	return nil, refusal("get "+kind+" "+ns+"/"+name, "not found", apierrors.NewNotFound(schema.GroupResource{Resource: kind}, name))
}

// SetLog replaces one log, safely while a reader runs.
func (c *Cluster) SetLog(key, body string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.Logs[key] = body
}

func refusal(what, reason string, err error) error {
	return &cluster.ReadError{What: what, Reason: reason, Err: err}
}
