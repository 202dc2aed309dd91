package cluster

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/cli-runtime/pkg/genericclioptions"
)

// fakeAPI is a loopback Kubernetes API server speaking real API JSON:
// discovery, paged lists (limit/continue), single gets and Status errors.
type fakeAPI struct {
	t         *testing.T
	groups    map[string][]string         // group → served versions
	resources map[string][]map[string]any // "group/version" → APIResource entries
	objects   map[string][]map[string]any // "group/version/plural" → objects
	forbidden map[string]bool             // "group/version/plural" answering 403
	onlyIn    []string                    // when set, every request outside these namespaces answers 403
	delay     map[string]time.Duration    // path prefix → delay
	mu        sync.Mutex
	requests  []string
}

func newFakeAPI(t *testing.T) *fakeAPI {
	return &fakeAPI{t: t, groups: map[string][]string{}, resources: map[string][]map[string]any{},
		objects: map[string][]map[string]any{}, forbidden: map[string]bool{}, delay: map[string]time.Duration{}}
}

// serve registers a resource kind at group/version.
func (f *fakeAPI) serve(group, version, plural, kind string, namespaced bool) {
	gv := version
	if group != "" {
		gv = group + "/" + version
		if !slices.Contains(f.groups[group], version) {
			f.groups[group] = append(f.groups[group], version)
		}
	}
	f.resources[gv] = append(f.resources[gv], map[string]any{"name": plural, "singularName": "",
		"namespaced": namespaced, "kind": kind, "verbs": []string{"get", "list", "watch"}})
}

func (f *fakeAPI) add(gvp string, objs ...map[string]any) {
	f.objects[gvp] = append(f.objects[gvp], objs...)
}

// start runs the server and writes a kubeconfig for it.
func (f *fakeAPI) start() (*httptest.Server, *genericclioptions.ConfigFlags) {
	srv := httptest.NewServer(http.HandlerFunc(f.handle))
	f.t.Cleanup(srv.Close)
	kc := filepath.Join(f.t.TempDir(), "kubeconfig")
	os.WriteFile(kc, []byte(fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: fake, cluster: {server: %q}}]
users: [{name: me, user: {token: t0k3n}}]
contexts: [{name: fake, context: {cluster: fake, user: me, namespace: staging-webs}}]
current-context: fake
`, srv.URL)), 0o600)
	cf := genericclioptions.NewConfigFlags(false)
	cf.KubeConfig = &kc
	return srv, cf
}

func (f *fakeAPI) count(substr string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if strings.Contains(r, substr) {
			n++
		}
	}
	return n
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func status(w http.ResponseWriter, code int, reason, msg string) {
	writeJSON(w, code, map[string]any{"kind": "Status", "apiVersion": "v1", "metadata": map[string]any{},
		"status": "Failure", "message": msg, "reason": reason, "code": code})
}

func (f *fakeAPI) handle(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.String())
	f.mu.Unlock()
	if r.Method != http.MethodGet {
		status(w, 405, "MethodNotAllowed", "read-only test server")
		return
	}
	for prefix, d := range f.delay {
		if strings.HasPrefix(r.URL.Path, prefix) {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
	}
	p := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(p, "/")
	switch {
	case p == "api":
		writeJSON(w, 200, map[string]any{"kind": "APIVersions", "versions": []string{"v1"}})
	case p == "apis":
		var gs []map[string]any
		for g, vs := range f.groups {
			var vv []map[string]any
			for _, v := range vs {
				vv = append(vv, map[string]any{"groupVersion": g + "/" + v, "version": v})
			}
			gs = append(gs, map[string]any{"name": g, "versions": vv, "preferredVersion": vv[0]})
		}
		writeJSON(w, 200, map[string]any{"kind": "APIGroupList", "apiVersion": "v1", "groups": gs})
	case p == "api/v1" || len(parts) == 3 && parts[0] == "apis":
		gv := strings.TrimPrefix(strings.TrimPrefix(p, "apis/"), "api/")
		res, ok := f.resources[gv]
		if !ok {
			status(w, 404, "NotFound", "the server could not find the requested resource")
			return
		}
		writeJSON(w, 200, map[string]any{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res})
	default:
		f.object(w, r, parts)
	}
}

// object serves /api/v1/[namespaces/NS/]PLURAL[/NAME] and the /apis form.
func (f *fakeAPI) object(w http.ResponseWriter, r *http.Request, parts []string) {
	var gv string
	if parts[0] == "api" {
		gv, parts = "v1", parts[2:]
	} else {
		gv, parts = parts[1]+"/"+parts[2], parts[3:]
	}
	ns := ""
	if len(parts) >= 3 && parts[0] == "namespaces" {
		ns, parts = parts[1], parts[2:]
	}
	if len(parts) == 0 {
		status(w, 404, "NotFound", "not found")
		return
	}
	plural := parts[0]
	key := gv + "/" + plural
	if gv == "v1" {
		key = "/v1/" + plural
	}
	bound := f.onlyIn != nil && !slices.Contains(f.onlyIn, ns) && !(plural == "namespaces" && len(parts) == 2 && slices.Contains(f.onlyIn, parts[1]))
	if f.forbidden[key] || bound {
		group := strings.Split(gv, "/")[0]
		scope := "at the cluster scope"
		if ns != "" {
			scope = "in the namespace \"" + ns + "\""
		}
		status(w, 403, "Forbidden", fmt.Sprintf("%s.%s is forbidden: User \"me\" cannot list resource %q in API group %q %s", plural, group, plural, group, scope))
		return
	}
	var items []map[string]any
	for _, o := range f.objects[key] {
		md := o["metadata"].(map[string]any)
		if ns == "" || md["namespace"] == ns {
			items = append(items, o)
		}
	}
	if len(parts) == 2 { // get by name
		for _, o := range items {
			if o["metadata"].(map[string]any)["name"] == parts[1] {
				one := map[string]any{"apiVersion": gv, "kind": f.kindOf(gv, plural)}
				for k, v := range o {
					one[k] = v
				}
				writeJSON(w, 200, one)
				return
			}
		}
		status(w, 404, "NotFound", fmt.Sprintf("%s %q not found", plural, parts[1]))
		return
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("continue"))
	end := len(items)
	if limit, _ := strconv.Atoi(r.URL.Query().Get("limit")); limit > 0 && start+limit < end {
		end = start + limit
	}
	meta := map[string]any{"resourceVersion": "42"}
	if end < len(items) {
		meta["continue"] = strconv.Itoa(end)
	}
	page := items[min(start, len(items)):end]
	if page == nil {
		page = []map[string]any{}
	}
	kind := f.kindOf(gv, plural) + "List"
	writeJSON(w, 200, map[string]any{"kind": kind, "apiVersion": gv, "metadata": meta, "items": page})
}

func (f *fakeAPI) kindOf(gv, plural string) string {
	for _, r := range f.resources[gv] {
		if r["name"] == plural {
			return r["kind"].(string)
		}
	}
	return "Unknown"
}
