package mesh

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"istio.io/api/annotation"
	"k8s.io/apimachinery/pkg/labels"
)

// Visibility says whether a client's proxy has a cluster for a service
// (§3.4 first lines): Service exportTo and the client's Sidecar egress hosts.
type Visibility struct {
	Visible bool
	// RegistryOnly is the effective outbound policy when not visible:
	// REGISTRY_ONLY gives BlackHole, ALLOW_ANY the PassthroughCluster.
	RegistryOnly bool
	// BlackHole: the traffic is dropped whatever the policy (§10.5).
	BlackHole bool
	// Symptom: what the client sees when BlackHole is not the
	// BlackHoleCluster's answer (empty: it is).
	Symptom string
	// Undecided: the inputs do not say whether the port's listener is the
	// service's (§10.8: another ServiceEntry's chain may own it); Reason
	// says both answers, and Alternatives holds each as a visibility.
	Undecided bool
	// ByCreation: Undecided only for want of creation timestamps.
	ByCreation bool
	// ByPilotOrder: Undecided because pilot's own answer hangs on an order
	// it does not fix (§11 pilot-order: which proxy computed a scope first).
	ByPilotOrder bool
	Alternatives []VisibilityAlternative
	// HostDomain: this visibility holds only for requests whose Host
	// header the port-80 rule's virtual host matches (§10.2); OtherHost is
	// the visibility for any other Host header.
	HostDomain string
	OtherHost  *Visibility
	// Port80: the call is visible only by the port-80 rule, which says
	// which of the routes' clusters exist (§10.2).
	Port80    *Port80Rule
	Reason    string
	DecidedBy []inventory.Ref
}

// VisibilityAlternative is the visibility under one assumption, in words.
type VisibilityAlternative struct {
	Assume     string
	Visibility Visibility
}

// SidecarFor picks the Sidecar resource that configures a client: a
// selector match in its namespace, else its namespace's default, else the
// root namespace's default (§3.4, §10.2; Istio: pilot/pkg/model/push_context.go
// getSidecarScope, initSidecarScopes).
func SidecarFor(sidecars []*inventory.Sidecar, ns string, l map[string]string, root string) *inventory.Sidecar {
	var nsDefault, rootDefault *inventory.Sidecar
	for _, s := range sidecars {
		sel := s.Spec.GetWorkloadSelector().GetLabels()
		switch {
		case s.Namespace == ns && len(sel) > 0 && labels.SelectorFromSet(sel).Matches(labels.Set(l)):
			return s
		case s.Namespace == ns && len(sel) == 0 && nsDefault == nil:
			nsDefault = s
		case s.Namespace == root && len(sel) == 0 && rootDefault == nil:
			rootDefault = s
		}
	}
	if nsDefault != nil {
		return nsDefault
	}
	return rootDefault
}

// VisibilityOf decides whether svc is visible to a client in clientNs
// configured by sidecar (may be nil): §3.4's first lines. Istio: the
// Service's exportTo, pilot/pkg/model/push_context.go IsServiceVisible and
// servicesExportedToNamespace; the Sidecar's egress hosts, sidecar.go
// IstioEgressListenerWrapper.selectServices; the outbound policy,
// networking/core/listener_builder.go buildOutboundCatchAllNetworkFiltersOnly.
func VisibilityOf(svc *inventory.Service, clientNs string, sidecar *inventory.Sidecar, mc inventory.MeshConfig) Visibility {
	v := Visibility{Visible: true, RegistryOnly: mc.OutboundRegistryOnly}
	if sidecar != nil && sidecar.Spec.GetOutboundTrafficPolicy() != nil {
		v.RegistryOnly = sidecar.Spec.GetOutboundTrafficPolicy().GetMode().String() == "REGISTRY_ONLY"
	}
	if svc.External != nil && svc.External.Entry == nil {
		v.Visible = false
		v.Reason = "host " + svc.External.Host + " is in no ServiceEntry, so it is not in the mesh registry"
		return v
	}
	if ext := svc.External; ext != nil {
		// A ServiceEntry's own exportTo (networking/v1alpha3 ServiceEntry;
		// push_context.go initServiceRegistry reads it as a Service's annotation).
		if exp := strings.Join(ext.Entry.Spec.GetExportTo(), ","); exp != "" && !exportedTo(exp, svc.Namespace, clientNs) {
			v.Visible = false
			v.Reason = "ServiceEntry " + ext.Entry.Key() + " exportTo " + exp + " does not include namespace " + clientNs
			v.DecidedBy = []inventory.Ref{ext.Entry.Ref()}
			return v
		}
	}
	if exp, ok := svc.Annotations[annotation.NetworkingExportTo.Name]; ok && !exportedTo(exp, svc.Namespace, clientNs) {
		v.Visible = false
		v.Reason = "the Service's networking.istio.io/exportTo=" + exp + " does not include namespace " + clientNs
		v.DecidedBy = []inventory.Ref{svc.Ref()}
		return v
	}
	if sidecar == nil || len(sidecar.Spec.GetEgress()) == 0 {
		return v
	}
	host := svc.Host(mc.DomainSuffix)
	for _, eg := range sidecar.Spec.GetEgress() {
		for _, h := range eg.GetHosts() {
			if egressHostMatches(h, svc.Namespace, host, clientNs) {
				return v
			}
		}
	}
	v.Visible = false
	v.Reason = "no egress host of Sidecar " + sidecar.Key() + " matches " + host
	v.DecidedBy = []inventory.Ref{sidecar.Ref()}
	return v
}

func exportedTo(exp, svcNs, clientNs string) bool {
	for _, e := range split(exp) {
		if e == "*" || e == clientNs || (e == "." && svcNs == clientNs) {
			return true
		}
	}
	return false
}

// egressHostMatches reads a Sidecar egress host "ns/dnsName" (networking/v1alpha3 Sidecar docs).
func egressHostMatches(h, svcNs, host, clientNs string) bool {
	ns, name, ok := strings.Cut(h, "/")
	if !ok {
		return false
	}
	switch ns {
	case "*":
	case ".":
		if svcNs != clientNs {
			return false
		}
	case "~":
		return false
	default:
		if ns != svcNs {
			return false
		}
	}
	if name == "*" || name == host {
		return true
	}
	return strings.HasPrefix(name, "*") && strings.HasSuffix(host, name[1:])
}
