// Package inventory is the typed, indexed snapshot of a cluster as the
// inputs describe it: namespaces, workloads (as pod templates), services,
// the Istio objects that decide mTLS, and the mesh config. Kubernetes objects
// are decoded into k8s.io/api types and Istio objects into istio.io types.
package inventory

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/meshdoctor/meshdoctor/source"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Ref names an object and where it was read: the provenance carried by every
// decision. Its JSON form is the public objectRef of the analyze contract.
type Ref struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	File      string `json:"file"`
	Line      int    `json:"line"`
}

// String is "Kind ns/name" ("Kind name" for cluster-scoped objects) at file:line.
func (r Ref) String() string {
	id := r.Name
	if r.Namespace != "" {
		id = r.Namespace + "/" + r.Name
	}
	if r.Line > 0 {
		return fmt.Sprintf("%s %s (%s:%d)", r.Kind, id, r.File, r.Line)
	}
	return fmt.Sprintf("%s %s (%s)", r.Kind, id, r.File)
}

// Meta is what every inventory object shares.
type Meta struct {
	Kind        string
	Namespace   string
	Name        string
	Labels      map[string]string
	Annotations map[string]string
	// Created is the creationTimestamp, zero when the manifest has none.
	Created time.Time
	Origin  source.Origin
}

// Ref returns the provenance of m.
func (m Meta) Ref() Ref {
	return Ref{Kind: m.Kind, Namespace: m.Namespace, Name: m.Name, File: m.Origin.File, Line: m.Origin.Line}
}

// Key is "namespace/name", the usual human handle.
func (m Meta) Key() string { return m.Namespace + "/" + m.Name }

// Namespace is a namespace the inputs declare.
type Namespace struct {
	Meta
}

// Workload is anything that runs pods, reduced to its pod template.
type Workload struct {
	Meta
	Template corev1.PodTemplateSpec
	// Injected is, for a live pod, whether it runs a sidecar.
	Injected bool
	// Live is set for pods read from a cluster, which show the result of
	// injection rather than its prediction.
	Live bool
	// Pods is how many pods run the template at once (replicas; 0 when the
	// manifest does not say, as for a DaemonSet).
	Pods int32
}

// Service is a Kubernetes Service, or a host outside the cluster's Services
// (External set): a ServiceEntry host, or one dialled without any entry.
type Service struct {
	Meta
	Spec     corev1.ServiceSpec
	External *ExternalHost
	// fqdn is Host(fqdnDomain), kept by the index: judging asks for it per
	// edge and per route (16 MB of concatenations on a 20,000-workload mesh).
	fqdn, fqdnDomain string
}

// ExternalHost describes a Service that is not a Kubernetes Service.
type ExternalHost struct {
	Host string
	// Entry is the ServiceEntry that registers the host; nil when none does.
	Entry *ServiceEntry
	// MeshInternal is location MESH_INTERNAL (auto mTLS may apply).
	MeshInternal bool
}

// Headless reports clusterIP: None (Istio's Passthrough resolution).
func (s *Service) Headless() bool { return s.Spec.ClusterIP == corev1.ClusterIPNone }

// Host is the service's fully qualified name (the external host itself for
// ServiceEntry and unregistered hosts).
func (s *Service) Host(domain string) string {
	if s.External != nil {
		return s.External.Host
	}
	if domain == s.fqdnDomain && s.fqdn != "" {
		return s.fqdn
	}
	return s.Name + "." + s.Namespace + ".svc." + domain
}

// Selects reports whether the Service's selector picks pods labelled l.
// A Service without a selector selects nothing (its endpoints are manual).
func (s *Service) Selects(l map[string]string) bool {
	if len(s.Spec.Selector) == 0 {
		return false
	}
	// What labels.SelectorFromSet(sel).Matches(l) decides (every key present
	// with its value), without building a selector per call: Backends asks
	// for every workload of the namespace, 400,000 selectors (77 MB) on the 20k mesh.
	for k, v := range s.Spec.Selector {
		if got, ok := l[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// ConfigMap is kept for edge discovery (values naming services) and mesh config.
type ConfigMap struct {
	Meta
	Data map[string]string
	// rendered names the ConfigMap an IstioOperator's settings stand for
	// (this one is the IstioOperator itself; see addIstioOperator).
	rendered string
}

// name is the ConfigMap's name, or the one an IstioOperator renders.
func (cm *ConfigMap) name() string {
	if cm.rendered != "" {
		return cm.rendered
	}
	return cm.Name
}

// Inventory holds everything read, sorted for deterministic output.
type Inventory struct {
	Namespaces map[string]*Namespace
	Workloads  []*Workload
	Services   []*Service
	// ServiceEntryHosts are the hosts ServiceEntries register, as Services.
	ServiceEntryHosts   []*Service
	ConfigMaps          []*ConfigMap
	ServiceEntries      []*ServiceEntry
	Sidecars            []*Sidecar
	VirtualServices     []*VirtualService
	Gateways            []*Gateway
	PeerAuthentications []*PeerAuthentication
	DestinationRules    []*DestinationRule
	Mesh                MeshConfig
	// Instrumentations and OpenTelemetryCollectors are the OpenTelemetry
	// Operator's resources (otel.go).
	Instrumentations        []*Instrumentation
	OpenTelemetryCollectors []*OpenTelemetryCollector
	// Telemetries are Istio's Telemetry resources.
	Telemetries []*Telemetry
	// Extra keeps other opentelemetry.io objects (OpAMPBridge, …) raw.
	Extra []source.Object
	// Problems are inputs that could not be used, with their location.
	Problems []source.Problem
	// Skipped counts objects of kinds the model does not use, by kind.
	Skipped map[string]int
	// Input and DefaultNamespace are what the inventory was built from, so
	// that it can be rebuilt under assumptions about what the inputs lack.
	Input            source.Set
	DefaultNamespace string

	servicesByHost  map[string]*Service
	servicesByNS    map[string][]*Service
	workloadsByNS   map[string][]*Workload
	workloadsByKey  map[string]*Workload
	configMapsByKey map[string]*ConfigMap
	backends        map[*Service][]*Workload
	backendsMu      sync.Mutex // edges are judged on every core
}

// ServiceByHost finds a Service by its fully qualified host.
func (inv *Inventory) ServiceByHost(host string) *Service { return inv.servicesByHost[host] }

// Namespace returns the declared namespace, or nil when the inputs lack it.
func (inv *Inventory) Namespace(name string) *Namespace { return inv.Namespaces[name] }

// Backends returns the workloads a Service selects, in inventory order
// (computed once per Service: every edge to it asks).
func (inv *Inventory) Backends(s *Service) []*Workload {
	inv.backendsMu.Lock()
	out, ok := inv.backends[s]
	inv.backendsMu.Unlock()
	if ok {
		return out
	}
	for _, w := range inv.workloadsByNS[s.Namespace] {
		if s.Selects(w.Template.Labels) {
			out = append(out, w)
		}
	}
	out = slices.Clip(out) // callers append to it: never into the cached array
	inv.backendsMu.Lock()
	inv.backends[s] = out
	inv.backendsMu.Unlock()
	return out
}

// Workload finds a workload by kind, namespace and name.
func (inv *Inventory) Workload(kind, ns, name string) *Workload {
	return inv.workloadsByKey[kind+"/"+ns+"/"+name]
}

// ConfigMap finds a ConfigMap by namespace and name.
func (inv *Inventory) ConfigMap(ns, name string) *ConfigMap { return inv.configMapsByKey[ns+"/"+name] }

// WorkloadsIn lists the workloads of namespace ns.
func (inv *Inventory) WorkloadsIn(ns string) []*Workload { return inv.workloadsByNS[ns] }

// ServicesIn lists the (Kubernetes) Services of ns, in inventory order.
func (inv *Inventory) ServicesIn(ns string) []*Service { return inv.servicesByNS[ns] }

func (inv *Inventory) index() {
	byKey := func(a, b Meta) bool {
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Kind < b.Kind
	}
	sort.SliceStable(inv.Workloads, func(i, j int) bool { return byKey(inv.Workloads[i].Meta, inv.Workloads[j].Meta) })
	sort.SliceStable(inv.Services, func(i, j int) bool { return byKey(inv.Services[i].Meta, inv.Services[j].Meta) })
	sort.SliceStable(inv.ConfigMaps, func(i, j int) bool { return byKey(inv.ConfigMaps[i].Meta, inv.ConfigMaps[j].Meta) })
	inv.workloadsByNS = map[string][]*Workload{}
	inv.workloadsByKey = make(map[string]*Workload, len(inv.Workloads))
	for _, w := range inv.Workloads {
		inv.workloadsByNS[w.Namespace] = append(inv.workloadsByNS[w.Namespace], w)
		inv.workloadsByKey[w.Kind+"/"+w.Key()] = w
	}
	inv.configMapsByKey = make(map[string]*ConfigMap, len(inv.ConfigMaps))
	for _, cm := range inv.ConfigMaps {
		inv.configMapsByKey[cm.Key()] = cm
	}
	inv.backends = map[*Service][]*Workload{}
	inv.servicesByHost = make(map[string]*Service, len(inv.Services))
	inv.servicesByNS = map[string][]*Service{}
	for _, s := range inv.Services {
		s.fqdn = "" // recomputed: a patched inventory is indexed again
		s.fqdn, s.fqdnDomain = s.Host(inv.Mesh.DomainSuffix), inv.Mesh.DomainSuffix
		inv.servicesByHost[s.fqdn] = s
		inv.servicesByNS[s.Namespace] = append(inv.servicesByNS[s.Namespace], s)
	}
	inv.ServiceEntryHosts = nil
	for _, se := range inv.ServiceEntries {
		for _, h := range se.Spec.GetHosts() {
			if strings.HasPrefix(h, "*") || inv.servicesByHost[h] != nil {
				continue // wildcards name no single host; a Kubernetes Service wins
			}
			s := &Service{Meta: se.Meta, External: &ExternalHost{Host: h, Entry: se,
				MeshInternal: se.Spec.GetLocation().String() == "MESH_INTERNAL"}}
			s.Name = h
			// A ServiceEntry's workloadSelector picks pods as its endpoints, like a Service selector.
			s.Spec.Selector = se.Spec.GetWorkloadSelector().GetLabels()
			for _, p := range se.Spec.GetPorts() {
				s.Spec.Ports = append(s.Spec.Ports, corev1.ServicePort{Name: p.GetName(), Port: int32(p.GetNumber()),
					TargetPort: intstr.FromInt32(int32(p.GetTargetPort()))})
			}
			inv.ServiceEntryHosts = append(inv.ServiceEntryHosts, s)
			inv.servicesByHost[h] = s
		}
	}
}

// CompareCreation orders creation timestamps oldest first. An object without
// one (a manifest not yet applied) counts as created now: after every object
// that has one, as it would be once applied.
func CompareCreation(a, b time.Time) int {
	switch {
	case a.Equal(b):
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}
