package mesh

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/inventory"
	"istio.io/api/annotation"
	"istio.io/api/label"
	corev1 "k8s.io/api/core/v1"
)

// ProxyKind is what carries a workload's traffic.
type ProxyKind string

// The proxy kinds; Unknown when the inputs cannot decide (e.g. the
// namespace, whose labels decide injection, is not in the inputs).
const (
	ProxySidecar ProxyKind = "sidecar"
	ProxyNone    ProxyKind = "none"
	ProxyAmbient ProxyKind = "ambient"
	ProxyGateway ProxyKind = "gateway"
	ProxyUnknown ProxyKind = "unknown"
)

// ProxyDecision says whether a workload has a proxy, why, and which objects decided.
type ProxyDecision struct {
	Kind      ProxyKind
	Reason    string
	DecidedBy []inventory.Ref
}

// ignoredNamespaces never get sidecars (pkg/kube/inject/initializer.go IgnoredNamespaces).
var ignoredNamespaces = map[string]bool{"kube-system": true, "kube-public": true, "kube-node-lease": true, "local-path-storage": true}

const injectionLabel = "istio-injection"

// Injection predicts the proxy of a pod template in namespace ns (nil when
// the inputs do not declare it). Spec §4.1; Istio: step 1 is the webhook's object
// selectors (istio-discovery templates/mutatingwebhook.yaml), step 2 is
// pkg/kube/inject/inject.go injectRequired; ambient enrolment is
// cni/pkg/util/enablement_selector.go.
func Injection(nsName string, ns *inventory.Namespace, w *inventory.Workload, mc inventory.MeshConfig) ProxyDecision {
	t := w.Template
	self := w.Ref()
	if w.Live && w.Injected {
		return ProxyDecision{Kind: ProxySidecar, Reason: "the running pod has a sidecar (sidecar.istio.io/status / istio-proxy container)", DecidedBy: []inventory.Ref{self}}
	}
	if w.Live {
		// Created before its namespace was labelled, or opted out: what runs is what counts.
		return ambientOr(ProxyDecision{Kind: ProxyNone, Reason: "the running pod has no sidecar (no sidecar.istio.io/status, no istio-proxy container)", DecidedBy: []inventory.Ref{self}}, ns, t)
	}
	if isGateway(t) {
		return ProxyDecision{Kind: ProxyGateway, Reason: "the pod runs an Istio gateway proxy", DecidedBy: []inventory.Ref{self}}
	}
	if t.Spec.HostNetwork {
		return ProxyDecision{Kind: ProxyNone, Reason: "hostNetwork pods are never injected", DecidedBy: []inventory.Ref{self}}
	}
	if ignoredNamespaces[nsName] {
		return ProxyDecision{Kind: ProxyNone, Reason: "namespace " + nsName + " is never injected", DecidedBy: []inventory.Ref{self}}
	}
	podLabel, hasPodLabel := t.Labels[label.SidecarInject.Name]
	if hasPodLabel && podLabel == "false" {
		return ambientOr(ProxyDecision{Kind: ProxyNone, Reason: "pod label sidecar.istio.io/inject=false", DecidedBy: []inventory.Ref{self}}, ns, t)
	}
	if ns == nil {
		return ProxyDecision{Kind: ProxyUnknown,
			Reason:    fmt.Sprintf("namespace %s is not in the inputs, so its injection labels are unknown", nsName),
			DecidedBy: []inventory.Ref{self}}
	}
	refs := []inventory.Ref{ns.Ref(), self}
	fired, why := webhookFires(ns, t, mc)
	if !fired {
		return ambientOr(ProxyDecision{Kind: ProxyNone, Reason: why, DecidedBy: refs}, ns, t)
	}
	if inject, why := injectRequired(t, mc); !inject {
		return ambientOr(ProxyDecision{Kind: ProxyNone, Reason: why, DecidedBy: refs}, ns, t)
	}
	return ProxyDecision{Kind: ProxySidecar, Reason: why, DecidedBy: refs}
}

// webhookFires is step 1: the injector webhooks' namespace and object selectors.
func webhookFires(ns *inventory.Namespace, t corev1.PodTemplateSpec, mc inventory.MeshConfig) (bool, string) {
	nsInj, hasNsInj := ns.Labels[injectionLabel]
	nsRev, hasNsRev := ns.Labels[label.IoIstioRev.Name]
	podInj := t.Labels[label.SidecarInject.Name]
	_, hasPodRev := t.Labels[label.IoIstioRev.Name]
	switch {
	case hasNsInj && nsInj == "enabled":
		return true, "namespace label istio-injection=enabled"
	case hasNsInj:
		return false, fmt.Sprintf("namespace label istio-injection=%s matches no injection webhook", nsInj)
	case hasNsRev:
		return true, "namespace label istio.io/rev=" + nsRev
	case podInj == "true" && !hasPodRev:
		return true, "pod label sidecar.istio.io/inject=true"
	case hasPodRev:
		return true, "pod label istio.io/rev=" + t.Labels[label.IoIstioRev.Name]
	case mc.EnableNamespacesByDefault && podInj == "":
		return true, "sidecarInjectorWebhook.enableNamespacesByDefault=true"
	}
	return false, "namespace " + ns.Name + " has no istio-injection or istio.io/rev label and the pod does not opt in"
}

// injectRequired is step 2: the label, else the annotation, then the policy.
func injectRequired(t corev1.PodTemplateSpec, mc inventory.MeshConfig) (bool, string) {
	v, ok := t.Labels[label.SidecarInject.Name]
	src := "label"
	if !ok {
		v, ok = t.Annotations[annotation.SidecarInject.Name]
		src = "annotation"
	}
	switch {
	case ok && v == "true":
		return true, "pod " + src + " sidecar.istio.io/inject=true"
	case ok && v == "false":
		return false, "pod " + src + " sidecar.istio.io/inject=false"
	case mc.AutoInjectDisabled:
		return false, "injector policy is disabled and the pod does not opt in"
	}
	return true, "the namespace enables injection and the pod does not opt out"
}

// ambientOr returns ambient when a pod without a sidecar is enrolled in
// ambient (§4.1 "Ambient enrolment"); a sidecar always wins over ambient.
func ambientOr(d ProxyDecision, ns *inventory.Namespace, t corev1.PodTemplateSpec) ProxyDecision {
	mode := t.Labels[label.IoIstioDataplaneMode.Name]
	nsAmbient := ns != nil && ns.Labels[label.IoIstioDataplaneMode.Name] == "ambient"
	if mode == "ambient" || (nsAmbient && mode != "none") {
		d.Kind = ProxyAmbient
		d.Reason = "enrolled in ambient (istio.io/dataplane-mode=ambient); traffic goes through ztunnel"
	}
	return d
}

// isGateway recognises gateway deployments by their injection template or
// the gateway proxy's "router" mode.
func isGateway(t corev1.PodTemplateSpec) bool {
	if t.Annotations["inject.istio.io/templates"] == "gateway" {
		return true
	}
	if _, ok := t.Labels["gateway.networking.k8s.io/gateway-name"]; ok {
		return true
	}
	for _, c := range t.Spec.Containers {
		for i, a := range c.Args {
			if a == "router" && i > 0 && c.Args[i-1] == "proxy" {
				return true
			}
		}
	}
	return false
}
