package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
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
	opt         Options
	disc        rest.Interface
	dyn         dynamic.Interface
	progress    io.Writer
	items       []item
	problems    []source.Problem
	unreadKinds []source.Unread
	narrowing   bool // reading namespace by namespace
	listed      int
}

// read lists every kind in all namespaces: the scope asked for (-n) says
// which edges to judge, not what to read, since the mesh-wide policies, the
// destinations' namespaces and the clients calling into the scope all
// decide its edges. Where a list over all namespaces is forbidden (a user
// bound to a few namespaces), the kind is read namespace by namespace in
// those that matter: the scope, the root namespace, the overlay's, and every
// namespace the objects read name as a destination (NAME.NS.svc).
func (r *reader) read(ctx context.Context) error {
	gvrs, err := r.discover(ctx)
	if err != nil {
		return err
	}
	var narrow []resource
	for _, res := range resources {
		gvr, ok := gvrs[res.plural]
		if !ok {
			continue
		}
		forbidden, err := r.list(ctx, res, gvr, "", !r.opt.AllNamespaces)
		if err != nil {
			return err
		}
		if forbidden && !r.opt.AllNamespaces {
			narrow = append(narrow, res)
		}
	}
	if len(narrow) == 0 {
		return nil
	}
	r.narrowing = true
	read := map[string][]string{} // kind → namespaces read
	queue := r.startNamespaces()
	seen := map[string]bool{}
	for _, ns := range queue {
		seen[ns] = true
	}
	for i := 0; i < len(queue); i++ {
		ns := queue[i]
		before := len(r.items)
		for _, res := range narrow {
			var ok bool
			var err error
			if res.scope == clusterWide {
				ok, err = r.get(ctx, res, gvrs[res.plural], ns)
			} else {
				var forbidden bool
				forbidden, err = r.list(ctx, res, gvrs[res.plural], ns, false)
				ok = !forbidden
			}
			if err != nil {
				return err
			}
			if ok {
				read[res.kind] = append(read[res.kind], ns)
			}
		}
		for _, next := range destinationNamespaces(r.items[before:]) {
			if !seen[next] && len(queue) < maxNamespaces {
				seen[next] = true
				queue = append(queue, next)
			}
		}
	}
	// One problem per set of namespaces read, naming its kinds.
	var order []string
	kinds := map[string][]string{}
	for _, res := range narrow {
		r.unread(res.kind, "", read[res.kind], "forbidden")
		k := strings.Join(read[res.kind], ", ")
		if kinds[k] == nil {
			order = append(order, k)
		}
		kinds[k] = append(kinds[k], res.name())
	}
	for _, k := range order {
		names := strings.Join(kinds[k], ", ")
		if k == "" {
			r.problem("cannot list %s in all namespaces, nor in %s: forbidden — conclusions that depend on them are unknown", names, strings.Join(queue, ", "))
			continue
		}
		r.problem("cannot list %s in all namespaces: forbidden — read in %s only; conclusions that depend on them in other namespaces are unknown", names, k)
	}
	return nil
}

// maxNamespaces bounds the namespace-by-namespace read.
const maxNamespaces = 64

// startNamespaces are read first when lists over all namespaces are
// forbidden: the scope, the root namespace and the overlay's namespaces.
func (r *reader) startNamespaces() []string {
	var out []string
	add := func(ns string) {
		if ns != "" && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	add(r.opt.Namespace)
	add(r.opt.RootNamespace)
	for _, o := range r.opt.Overlay.Objects {
		if o.Kind == "Namespace" {
			add(o.Name)
		} else if o.Namespace != "" {
			add(o.Namespace)
		} else {
			add(r.opt.OverlayNamespace)
		}
	}
	return out
}

// svcHost finds NAME.NS.svc in an object's JSON: a destination in NS.
var svcHost = regexp.MustCompile(`[a-z0-9]([-a-z0-9]*[a-z0-9])?\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.svc\b`)

// destinationNamespaces are the namespaces that objects name as a
// destination. Short NAME.NS forms are not followed (too many false hits).
func destinationNamespaces(items []item) []string {
	var out []string
	for _, it := range items {
		for _, m := range svcHost.FindAllSubmatch(it.obj.JSON, -1) {
			if ns := string(m[2]); !slices.Contains(out, ns) {
				out = append(out, ns)
			}
		}
	}
	sort.Strings(out)
	return out
}

func where(ns string) string {
	if ns == "" {
		return "in all namespaces"
	}
	return "in namespace " + ns
}

// list reads every page of res in ns ("" all namespaces). A page that
// expired (410) restarts the list once without paging, as client-go's pager
// does. It reports whether the list was forbidden; with narrowable, a
// forbidden list is left to the caller to read namespace by namespace and
// is not a problem yet.
func (r *reader) list(ctx context.Context, res resource, gvr schema.GroupVersionResource, ns string, narrowable bool) (forbidden bool, err error) {
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
			if apierrors.IsForbidden(err) && narrowable && ctx.Err() == nil {
				return true, nil // read namespace by namespace
			}
			return apierrors.IsForbidden(err), r.failed(ctx, err, "list", res, ns)
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
	return false, nil
}

// get reads one cluster-scoped object (a Namespace); ok says it was read.
func (r *reader) get(ctx context.Context, res resource, gvr schema.GroupVersionResource, name string) (ok bool, err error) {
	r.show("cluster: reading %s %s", res.kind, name)
	u, err := r.dyn.Resource(gvr).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return false, r.failed(ctx, err, "get", res, name)
	}
	r.items = append(r.items, toItem(u, res))
	r.listed++
	return true, nil
}

// failed turns an API refusal into a Problem; timeouts, bad credentials and
// unreachable servers end the read.
func (r *reader) failed(ctx context.Context, err error, verb string, res resource, ns string) error {
	what := where(ns)
	if verb == "get" {
		what = ns
	}
	if ctx.Err() != nil {
		return r.timeout(verb + " " + res.name() + " " + what)
	}
	var st apierrors.APIStatus
	if !errors.As(err, &st) || apierrors.IsUnauthorized(err) {
		return fmt.Errorf("cluster: %s %s %s: %w", verb, res.name(), what, err)
	}
	if apierrors.IsForbidden(err) && r.narrowing {
		return nil // said once per kind when the namespace-by-namespace read ends
	}
	reason := err.Error()
	switch {
	case apierrors.IsForbidden(err):
		reason = "forbidden"
	case apierrors.IsNotFound(err):
		reason = "not found"
	}
	if verb == "get" {
		// A Namespace not read is a namespace whose labels are unknown.
		r.unread(res.kind, ns, nil, reason)
		r.problem("cannot get %s: %s — conclusions that depend on it are unknown", strings.ToLower(res.kind+" "+what), reason)
		return nil
	}
	r.unread(res.kind, ns, nil, reason)
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
