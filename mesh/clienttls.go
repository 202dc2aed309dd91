package mesh

import (
	networking "istio.io/api/networking/v1alpha3"
)

// ClusterTLS is the DR tls settings for the cluster of (service port P,
// subset): §2.8, Istio pilot/pkg/networking/util/util.go
// GetPortLevelTrafficPolicy + MergeSubsetTrafficPolicy. A matching port-level
// entry replaces tls wholesale, even with nil.
func ClusterTLS(dr *networking.DestinationRule, port uint32, subset string) *networking.ClientTLSSettings {
	if dr == nil {
		return nil
	}
	tls, _ := policyTLS(dr.GetTrafficPolicy(), port)
	if subset == "" {
		return tls
	}
	for _, ss := range dr.GetSubsets() {
		if ss.GetName() != subset || ss.GetTrafficPolicy() == nil {
			continue
		}
		stls, portMatched := policyTLS(ss.GetTrafficPolicy(), port)
		if portMatched || stls != nil {
			return stls
		}
	}
	return tls
}

// policyTLS returns the tls of tp for port and whether a port-level entry matched.
func policyTLS(tp *networking.TrafficPolicy, port uint32) (*networking.ClientTLSSettings, bool) {
	if pl := portLevel(tp, port); pl != nil {
		return pl.GetTls(), true
	}
	return tp.GetTls(), false
}

// portLevel is the port-level entry of tp for port, if any: it replaces the
// policy wholesale (util.go GetPortLevelTrafficPolicy, §2.8).
func portLevel(tp *networking.TrafficPolicy, port uint32) *networking.TrafficPolicy_PortTrafficPolicy {
	for _, pl := range tp.GetPortLevelSettings() {
		if pl.GetPort().GetNumber() == port {
			return pl
		}
	}
	return nil
}

// CheckerTLSMode is the mode the per-endpoint mTLS checker reads (§3.3,
// pilot/pkg/xds/endpoints/mtls_checker.go tlsModeForDestinationRule): a
// port-level mode overrides only when its tls is set, so a port-level entry
// without tls leaves the top-level mode in force here (§2.8).
func CheckerTLSMode(dr *networking.DestinationRule, port uint32, subset string) *networking.ClientTLSSettings_TLSmode {
	if dr == nil {
		return nil
	}
	if subset != "" {
		for _, ss := range dr.GetSubsets() {
			if ss.GetName() != subset {
				continue
			}
			if m := checkerMode(ss.GetTrafficPolicy(), port); m != nil {
				return m
			}
			return checkerMode(dr.GetTrafficPolicy(), port)
		}
		return nil
	}
	return checkerMode(dr.GetTrafficPolicy(), port)
}

func checkerMode(tp *networking.TrafficPolicy, port uint32) *networking.ClientTLSSettings_TLSmode {
	if tp == nil {
		return nil
	}
	var mode *networking.ClientTLSSettings_TLSmode
	if tp.GetTls() != nil {
		m := tp.GetTls().GetMode()
		mode = &m
	}
	for _, pl := range tp.GetPortLevelSettings() {
		if pl.GetPort().GetNumber() == port && pl.GetTls() != nil {
			m := pl.GetTls().GetMode()
			return &m
		}
	}
	return mode
}
