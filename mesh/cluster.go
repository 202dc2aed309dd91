package mesh

import (
	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/labels"
)

// Cluster is the outbound cluster a client's proxy builds for a service
// port and subset: which DR subset it is, which pods it reaches, and the two
// passthrough facts auto mTLS depends on (§10.3, §10.4).
type Cluster struct {
	DR     *ConsolidatedDR
	Subset string
	// Defined: the DR defines the subset ("" always is); a route to an
	// undefined subset has no cluster at all.
	Defined bool
	// OriginalDst: the cluster forwards to the address the client dialled,
	// so every pod behind the Service is reached whatever the subset labels,
	// and auto mTLS has no per-endpoint socket match (all or nothing).
	OriginalDst bool
	// PassthroughMTLS: BestEffortInferServiceMTLSMode reads this cluster's
	// endpoints (a disabled one, or none, turns auto mTLS off).
	PassthroughMTLS bool
	selector        map[string]string
}

// ClusterFor builds the cluster a client (namespace clientNs, pod labels
// clientLabels, proxy kind) uses for svc port p and subset (§10.3, §10.4). Istio:
// networking/core/cluster_builder.go buildSubsetCluster and applyDestinationRule,
// cluster.go convertResolution (a headless service is ORIGINAL_DST for
// sidecars, EDS for gateways), cluster_traffic_policy.go applyLoadBalancer
// (PASSTHROUGH makes ORIGINAL_DST), push_context.go BestEffortInferServiceMTLSMode,
// which the default cluster asks with the DR's top-level policy and a subset
// cluster with the subset's own — so a DR-level PASSTHROUGH makes a subset
// cluster ORIGINAL_DST without making its mTLS mode passthrough.
func (m *Model) ClusterFor(clientNs string, clientLabels map[string]string, proxy ProxyKind, svc *inventory.Service, p uint32, subset string) Cluster {
	c := Cluster{Subset: subset, Defined: subset == ""}
	c.DR = m.DestRules.For(clientNs, clientLabels, svc.Host(m.Inv.Mesh.DomainSuffix), svc.Namespace)
	rule := (*networking.DestinationRule)(nil)
	if c.DR != nil {
		rule = c.DR.Rule
	}
	headless := svc.Headless()
	c.OriginalDst = (headless && proxy != ProxyGateway) || passthroughLB(portPolicy(rule.GetTrafficPolicy(), p))
	c.PassthroughMTLS = headless || passthroughLB(rule.GetTrafficPolicy())
	if subset == "" {
		return c
	}
	for _, s := range rule.GetSubsets() {
		if s.GetName() != subset {
			continue
		}
		c.Defined, c.selector = true, s.GetLabels()
		sp := s.GetTrafficPolicy()
		c.PassthroughMTLS = headless || passthroughLB(sp)
		// The subset cluster starts as the default cluster's type, and its
		// own or merged load balancer may make it ORIGINAL_DST.
		c.OriginalDst = c.OriginalDst || passthroughLB(sp) || passthroughLB(portPolicy(sp, p))
		break
	}
	return c
}

// Selects reports whether the cluster reaches pods labelled l: all of the
// Service's pods for ORIGINAL_DST, else the subset's labels (EDS). Spec
// §10.3; Istio: xds/endpoints/endpoint_builder.go (EDS endpoints filtered
// by the subset's labels; none for ORIGINAL_DST, which forwards to the
// dialled address).
func (c Cluster) Selects(l map[string]string) bool {
	if c.OriginalDst || c.Subset == "" {
		return true
	}
	return c.Defined && labels.SelectorFromSet(c.selector).Matches(labels.Set(l))
}

// portPolicy is the load-balancing half of GetPortLevelTrafficPolicy: a
// port-level entry for p replaces the policy (util.go).
func portPolicy(tp *networking.TrafficPolicy, p uint32) *networking.TrafficPolicy {
	if pl := portLevel(tp, p); pl != nil {
		return &networking.TrafficPolicy{LoadBalancer: pl.GetLoadBalancer()}
	}
	return tp
}

func passthroughLB(tp *networking.TrafficPolicy) bool {
	return tp.GetLoadBalancer().GetSimple() == networking.LoadBalancerSettings_PASSTHROUGH
}
