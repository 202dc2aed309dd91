package mesh

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	corev1 "k8s.io/api/core/v1"
)

// TestClusterFor pins §10.3–10.4: which clusters are ORIGINAL_DST, and which
// read their endpoints for the mTLS mode.
func TestClusterFor(t *testing.T) {
	pass := &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_Simple{Simple: networking.LoadBalancerSettings_PASSTHROUGH}}
	rr := &networking.LoadBalancerSettings{LbPolicy: &networking.LoadBalancerSettings_Simple{Simple: networking.LoadBalancerSettings_ROUND_ROBIN}}
	subset := func(lb *networking.LoadBalancerSettings) []*networking.Subset {
		s := &networking.Subset{Name: "v1", Labels: map[string]string{"v": "1"}}
		if lb != nil {
			s.TrafficPolicy = &networking.TrafficPolicy{LoadBalancer: lb}
		}
		return []*networking.Subset{s}
	}
	for _, tc := range []struct {
		rule              string
		headless          bool
		proxy             ProxyKind
		top               *networking.TrafficPolicy
		subsets           []*networking.Subset
		subset            string
		origDst, passMTLS bool
		selectsOther      bool // reaches a pod the subset's labels do not select
	}{
		{rule: "§10.3 ClusterIP, no DR: EDS", proxy: ProxySidecar},
		{rule: "§10.3 headless, sidecar: ORIGINAL_DST", headless: true, proxy: ProxySidecar, origDst: true, passMTLS: true},
		{rule: "§10.3 headless, gateway: EDS, mode still from endpoints", headless: true, proxy: ProxyGateway, passMTLS: true},
		{rule: "§10.3 headless subset reaches every pod", headless: true, proxy: ProxySidecar, subsets: subset(nil), subset: "v1", origDst: true, passMTLS: true, selectsOther: true},
		{rule: "§10.3 EDS subset reaches its labels only", proxy: ProxySidecar, subsets: subset(nil), subset: "v1"},
		{rule: "§10.4 DR PASSTHROUGH: default cluster ORIGINAL_DST, mode from endpoints", proxy: ProxySidecar, top: &networking.TrafficPolicy{LoadBalancer: pass}, origDst: true, passMTLS: true},
		{rule: "§10.4 DR PASSTHROUGH, subset without: ORIGINAL_DST, mode not from endpoints", proxy: ProxySidecar, top: &networking.TrafficPolicy{LoadBalancer: pass},
			subsets: subset(nil), subset: "v1", origDst: true, selectsOther: true},
		{rule: "§10.4 DR PASSTHROUGH, subset ROUND_ROBIN: stays ORIGINAL_DST", proxy: ProxySidecar, top: &networking.TrafficPolicy{LoadBalancer: pass},
			subsets: subset(rr), subset: "v1", origDst: true, selectsOther: true},
		{rule: "§10.4 subset PASSTHROUGH: ORIGINAL_DST and mode from endpoints", proxy: ProxySidecar, subsets: subset(pass), subset: "v1", origDst: true, passMTLS: true, selectsOther: true},
		{rule: "§10.4 port-level PASSTHROUGH: ORIGINAL_DST, the top-level mode inference does not read it", proxy: ProxySidecar,
			top: &networking.TrafficPolicy{PortLevelSettings: []*networking.TrafficPolicy_PortTrafficPolicy{{Port: &networking.PortSelector{Number: 80}, LoadBalancer: pass}}}, origDst: true},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			svc := &inventory.Service{Meta: inventory.Meta{Kind: "Service", Namespace: "srv", Name: "svc"}}
			if tc.headless {
				svc.Spec.ClusterIP = corev1.ClusterIPNone
			}
			inv := &inventory.Inventory{Mesh: inventory.DefaultMeshConfig()}
			if tc.top != nil || tc.subsets != nil {
				inv.DestinationRules = []*inventory.DestinationRule{{Meta: inventory.Meta{Kind: "DestinationRule", Namespace: "srv", Name: "d"},
					Spec: &networking.DestinationRule{Host: "svc", TrafficPolicy: tc.top, Subsets: tc.subsets}}}
			}
			c := New(inv).ClusterFor("cli", nil, tc.proxy, svc, 80, tc.subset)
			if c.OriginalDst != tc.origDst || c.PassthroughMTLS != tc.passMTLS || !c.Defined {
				t.Errorf("origDst=%v passMTLS=%v defined=%v, want %v %v true", c.OriginalDst, c.PassthroughMTLS, c.Defined, tc.origDst, tc.passMTLS)
			}
			if got := c.Selects(map[string]string{"v": "2"}); got != (tc.selectsOther || tc.subset == "") {
				t.Errorf("selects a pod outside the subset: %v", got)
			}
		})
	}
}
