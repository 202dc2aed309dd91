package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// scope says whether a resource is cluster-scoped: read one by one (get)
// when listing it is forbidden.
type scope int

const (
	clusterWide scope = iota // cluster-scoped (Namespaces)
	namespaced
)

// resource is one kind meshdoctor models, with the versions it accepts in
// order of preference (discovery picks the first one served).
type resource struct {
	group    string
	versions []string
	plural   string
	kind     string
	scope    scope
	optional bool // not being served is normal (OpenTelemetry operator)
}

var istioVersions = []string{"v1", "v1beta1", "v1alpha3"}

var resources = []resource{
	{"", []string{"v1"}, "namespaces", "Namespace", clusterWide, false},
	{"", []string{"v1"}, "pods", "Pod", namespaced, false},
	{"", []string{"v1"}, "services", "Service", namespaced, false},
	{"", []string{"v1"}, "configmaps", "ConfigMap", namespaced, false},
	{"apps", []string{"v1"}, "deployments", "Deployment", namespaced, false},
	{"apps", []string{"v1"}, "statefulsets", "StatefulSet", namespaced, false},
	{"apps", []string{"v1"}, "daemonsets", "DaemonSet", namespaced, false},
	{"apps", []string{"v1"}, "replicasets", "ReplicaSet", namespaced, false},
	{"batch", []string{"v1"}, "jobs", "Job", namespaced, false},
	{"batch", []string{"v1"}, "cronjobs", "CronJob", namespaced, false},
	{"security.istio.io", []string{"v1", "v1beta1"}, "peerauthentications", "PeerAuthentication", namespaced, false},
	{"networking.istio.io", istioVersions, "destinationrules", "DestinationRule", namespaced, false},
	{"networking.istio.io", istioVersions, "serviceentries", "ServiceEntry", namespaced, false},
	{"networking.istio.io", istioVersions, "sidecars", "Sidecar", namespaced, false},
	// Routes change which cluster (subset, port, tls) a proxied client dials
	// (§10), and Telemetry resources make proxies clients of collectors:
	// edges judged without them could be a false all-clear.
	{"networking.istio.io", istioVersions, "virtualservices", "VirtualService", namespaced, false},
	// Gateways decide which VirtualServices a gateway proxy applies (§10.7).
	{"networking.istio.io", istioVersions, "gateways", "Gateway", namespaced, false},
	{"telemetry.istio.io", []string{"v1", "v1alpha1"}, "telemetries", "Telemetry", namespaced, false},
	{"opentelemetry.io", []string{"v1beta1", "v1alpha1"}, "opentelemetrycollectors", "OpenTelemetryCollector", namespaced, true},
	{"opentelemetry.io", []string{"v1alpha1"}, "instrumentations", "Instrumentation", namespaced, true},
}

// name is how kubectl names the resource: pods, peerauthentications.security.istio.io.
func (r resource) name() string {
	if r.group == "" {
		return r.plural
	}
	return r.plural + "." + r.group
}

// discover finds, for every resource, the first preferred version the API
// serves with the list verb. Unserved resources are Problems (Istio) or
// skipped (optional ones).
func (r *reader) discover(ctx context.Context) (map[string]schema.GroupVersionResource, error) {
	r.show("cluster: discovery")
	served := map[string][]string{"": {"v1"}}
	var groups metav1.APIGroupList
	if err := r.getJSON(ctx, "/apis", &groups); err != nil {
		return nil, fmt.Errorf("cluster: discovery: %w", err)
	}
	for _, g := range groups.Groups {
		for _, v := range g.Versions {
			served[g.Name] = append(served[g.Name], v.Version)
		}
	}
	lists := map[string]*metav1.APIResourceList{}
	out := map[string]schema.GroupVersionResource{}
	for _, res := range resources {
		var tried []string
		for _, v := range res.versions {
			if !slices.Contains(served[res.group], v) {
				continue
			}
			tried = append(tried, v)
			gv := schema.GroupVersion{Group: res.group, Version: v}
			l, ok := lists[gv.String()]
			if !ok {
				l = &metav1.APIResourceList{}
				path := "/apis/" + gv.String()
				if res.group == "" {
					path = "/api/v1"
				}
				if err := r.getJSON(ctx, path, l); err != nil {
					if ctx.Err() != nil {
						return nil, r.timeout("discovery")
					}
					r.problem("cannot discover %s: %v", gv, err)
				}
				lists[gv.String()] = l
			}
			if listable(l, res.plural) {
				out[res.plural] = gv.WithResource(res.plural)
				break
			}
		}
		if _, ok := out[res.plural]; ok || res.optional {
			continue
		}
		why := "its API group is not served"
		if len(tried) > 0 {
			why = "not served in " + strings.Join(tried, ", ")
		}
		r.unread(res.kind, "", nil, "not served")
		r.problem("cannot list %s: %s (is it installed?) — conclusions that depend on %s are unknown", res.name(), why, res.kind)
	}
	return out, nil
}

func listable(l *metav1.APIResourceList, plural string) bool {
	for _, ar := range l.APIResources {
		if ar.Name == plural {
			return len(ar.Verbs) == 0 || slices.Contains(ar.Verbs, "list")
		}
	}
	return false
}

func (r *reader) getJSON(ctx context.Context, path string, into any) error {
	body, err := r.disc.Get().AbsPath(path).SetHeader("Accept", "application/json").DoRaw(ctx)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, into)
}
