package mesh

import (
	"time"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	security "istio.io/api/security/v1beta1"
	typev1beta1 "istio.io/api/type/v1beta1"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// pa builds a PeerAuthentication; mode "" leaves mtls unset, "UNSET" sets it UNSET.
func pa(ns, name, mode string, sel map[string]string, created time.Time, ports map[uint32]string) *inventory.PeerAuthentication {
	spec := &security.PeerAuthentication{}
	if mode != "" {
		spec.Mtls = &security.PeerAuthentication_MutualTLS{Mode: security.PeerAuthentication_MutualTLS_Mode(security.PeerAuthentication_MutualTLS_Mode_value[mode])}
	}
	if sel != nil {
		spec.Selector = &typev1beta1.WorkloadSelector{MatchLabels: sel}
	}
	for p, m := range ports {
		if spec.PortLevelMtls == nil {
			spec.PortLevelMtls = map[uint32]*security.PeerAuthentication_MutualTLS{}
		}
		e := &security.PeerAuthentication_MutualTLS{}
		if m != "" {
			e.Mode = security.PeerAuthentication_MutualTLS_Mode(security.PeerAuthentication_MutualTLS_Mode_value[m])
		}
		spec.PortLevelMtls[p] = e
	}
	return &inventory.PeerAuthentication{Meta: inventory.Meta{Kind: "PeerAuthentication", Namespace: ns, Name: name, Created: created}, Spec: spec}
}

func dr(ns, name, host string, exportTo []string, sel map[string]string, tls string) *inventory.DestinationRule {
	spec := &networking.DestinationRule{Host: host, ExportTo: exportTo}
	if sel != nil {
		spec.WorkloadSelector = &typev1beta1.WorkloadSelector{MatchLabels: sel}
	}
	if tls != "" {
		spec.TrafficPolicy = &networking.TrafficPolicy{Tls: &networking.ClientTLSSettings{
			Mode: networking.ClientTLSSettings_TLSmode(networking.ClientTLSSettings_TLSmode_value[tls])}}
	}
	return &inventory.DestinationRule{Meta: inventory.Meta{Kind: "DestinationRule", Namespace: ns, Name: name}, Spec: spec}
}

func portLevelNoTLS(p uint32) []*networking.TrafficPolicy_PortTrafficPolicy {
	return []*networking.TrafficPolicy_PortTrafficPolicy{{Port: &networking.PortSelector{Number: p}}}
}
