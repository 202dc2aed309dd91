package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

type reader struct {
	opt      Options
	disc     rest.Interface
	dyn      dynamic.Interface
	progress io.Writer
	items    []item
	problems []source.Problem
	listed   int
}

func (r *reader) read(ctx context.Context) error {
	gvrs, err := r.discover(ctx)
	if err != nil {
		return err
	}
	for _, res := range resources {
		gvr, ok := gvrs[res.plural]
		if !ok {
			continue
		}
		if res.scope == clusterWide && !r.opt.AllNamespaces {
			// Only the namespaces read: a namespaced user may get, not list, them.
			for _, ns := range r.namespaces(meshScope) {
				if err := r.get(ctx, res, gvr, ns); err != nil {
					return err
				}
			}
			continue
		}
		for _, ns := range r.namespaces(res.scope) {
			if err := r.list(ctx, res, gvr, ns); err != nil {
				return err
			}
		}
	}
	return nil
}

// namespaces to read a resource in; "" is all namespaces.
func (r *reader) namespaces(s scope) []string {
	if r.opt.AllNamespaces || s == clusterWide {
		return []string{""}
	}
	if s == meshScope && r.opt.RootNamespace != r.opt.Namespace {
		return []string{r.opt.Namespace, r.opt.RootNamespace}
	}
	return []string{r.opt.Namespace}
}

func where(ns string) string {
	if ns == "" {
		return "in all namespaces"
	}
	return "in namespace " + ns
}

// list reads every page of res in ns. A page that expired (410) restarts the
// list once without paging, as client-go's pager does.
func (r *reader) list(ctx context.Context, res resource, gvr schema.GroupVersionResource, ns string) error {
	opts := metav1.ListOptions{Limit: r.opt.PageSize}
	restarted := false
	var page []item
	for {
		r.show("cluster: reading %s %s … %d objects", res.name(), where(ns), r.listed+len(page))
		l, err := r.dyn.Resource(gvr).Namespace(ns).List(ctx, opts)
		if apierrors.IsResourceExpired(err) && !restarted {
			restarted, page, opts = true, nil, metav1.ListOptions{}
			continue
		}
		if err != nil {
			return r.failed(ctx, err, "list", res, where(ns))
		}
		for i := range l.Items {
			page = append(page, toItem(&l.Items[i], res))
		}
		if opts.Continue = l.GetContinue(); opts.Continue == "" {
			break
		}
	}
	r.items = append(r.items, page...)
	r.listed += len(page)
	return nil
}

func (r *reader) get(ctx context.Context, res resource, gvr schema.GroupVersionResource, name string) error {
	r.show("cluster: reading %s %s", res.kind, name)
	u, err := r.dyn.Resource(gvr).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return r.failed(ctx, err, "get", res, name)
	}
	r.items = append(r.items, toItem(u, res))
	r.listed++
	return nil
}

// failed turns an API refusal into a Problem; timeouts, bad credentials and
// unreachable servers end the read.
func (r *reader) failed(ctx context.Context, err error, verb string, res resource, what string) error {
	if ctx.Err() != nil {
		return r.timeout(verb + " " + res.name() + " " + what)
	}
	var st apierrors.APIStatus
	if !errors.As(err, &st) || apierrors.IsUnauthorized(err) {
		return fmt.Errorf("cluster: %s %s %s: %w", verb, res.name(), what, err)
	}
	reason := err.Error()
	switch {
	case apierrors.IsForbidden(err):
		reason = "forbidden"
	case apierrors.IsNotFound(err):
		reason = "not found"
	}
	if verb == "get" {
		what = res.kind + " " + what
		r.problem("cannot get %s: %s — conclusions that depend on it are unknown", strings.ToLower(what), reason)
		return nil
	}
	r.problem("cannot %s %s %s: %s — conclusions that depend on %s are unknown", verb, res.name(), what, reason, res.kind)
	return nil
}

func (r *reader) timeout(during string) error {
	return fmt.Errorf("cluster: timed out after %s during %s (read %d objects; raise --cluster-timeout or narrow with -n)", r.opt.Timeout, during, r.listed)
}

// item is one live object and what assembling needs to know of it.
type item struct {
	obj      source.Object
	group    string
	uid      string
	owner    string // UID of the controlling owner, if any
	injected bool   // a Pod that carries sidecar.istio.io/status
}

// toItem converts a listed object: managedFields dropped, the rest kept
// as the API returned it (creationTimestamp, status, real labels).
func toItem(u *unstructured.Unstructured, res resource) item {
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	if u.GetKind() == "" {
		u.SetKind(res.kind)
	}
	if u.GetAPIVersion() == "" {
		u.SetAPIVersion(schema.GroupVersion{Group: res.group, Version: res.versions[0]}.String())
	}
	js, _ := u.MarshalJSON()
	ns, name := u.GetNamespace(), u.GetName()
	ref := u.GetKind() + "/" + name
	if ns != "" {
		ref = u.GetKind() + "/" + ns + "/" + name
	}
	it := item{
		obj: source.Object{Origin: source.Origin{File: "cluster:" + ref}, APIVersion: u.GetAPIVersion(),
			Kind: u.GetKind(), Namespace: ns, Name: name, JSON: js},
		group: res.group, uid: string(u.GetUID()),
	}
	if c := metav1.GetControllerOfNoCopy(u); c != nil {
		it.owner = string(c.UID)
	}
	_, it.injected = u.GetAnnotations()["sidecar.istio.io/status"]
	return it
}
