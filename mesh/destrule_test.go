package mesh

import (
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
)

func name(c *ConsolidatedDR) string {
	if c == nil {
		return "none"
	}
	return c.From[0].Namespace + "/" + c.From[0].Name
}

// TestDestinationRuleExportTo restates push_context_test.go TestSetDestinationRuleWithExportTo (§8.2.9).
func TestDestinationRuleExportTo(t *testing.T) {
	host := "httpbin.org"
	drs := []*inventory.DestinationRule{
		dr("test1", "rule1", host, []string{".", "ns1"}, nil, "DISABLE"),
		dr("test2", "rule2", host, []string{"test2", "ns1", "test1", "newNS"}, nil, "DISABLE"),
		dr("test3", "rule3", host, []string{"test1", "test2", "*"}, nil, "DISABLE"),
		dr("test4", "rule4-local", host, []string{"test4"}, nil, "DISABLE"),
		dr("istio-system", "rule4", host, nil, nil, "DISABLE"),
		dr("istio-system", "rule1", host, []string{"."}, nil, "DISABLE"),
		dr("test5", "rule5", host, []string{"istio-system"}, nil, "DISABLE"),
	}
	ix := NewDRIndex(drs, "istio-system", "cluster.local", nil)
	for _, tc := range []struct {
		rule, clientNs, svcNs, want string
	}{
		{"§2.4 client namespace wins", "test1", "test2", "test1/rule1"},
		{"§2.4 client namespace (exportTo names it)", "test2", "test1", "test2/rule2"},
		{"§2.4 service namespace exported to ns1", "ns1", "test1", "test1/rule1"},
		{"§2.3 private DR skipped, root namespace applies", "test5", "test4", "istio-system/rule4"},
		{"§2.4 root client: root-local private DR first", "istio-system", "random", "istio-system/rule1"},
		{"§2.4 DR in an unrelated namespace never applies", "istio-system", "test7", "istio-system/rule1"},
		{"§2.4 service namespace exported with *", "other", "test3", "test3/rule3"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := name(ix.For(tc.clientNs, nil, host, tc.svcNs)); got != tc.want {
				t.Errorf("client %s, service %s: got %s, want %s", tc.clientNs, tc.svcNs, got, tc.want)
			}
		})
	}
}

func TestDestinationRuleLookup(t *testing.T) {
	host := "reviews.default.svc.cluster.local"
	for _, tc := range []struct {
		rule     string
		drs      []*inventory.DestinationRule
		clientNs string
		labels   map[string]string
		want     string
	}{
		{rule: "§2.4 namespace precedence beats host specificity: * in the client namespace wins",
			drs:      []*inventory.DestinationRule{dr("client", "star", "*", nil, nil, "DISABLE"), dr("default", "exact", host, nil, nil, "ISTIO_MUTUAL")},
			clientNs: "client", want: "client/star"},
		{rule: "§2.5 exact host beats wildcard in the same namespace",
			drs:      []*inventory.DestinationRule{dr("default", "star", "*.cluster.local", nil, nil, "DISABLE"), dr("default", "exact", host, nil, nil, "ISTIO_MUTUAL")},
			clientNs: "client", want: "default/exact"},
		{rule: "§2.5 longer wildcard beats shorter",
			drs:      []*inventory.DestinationRule{dr("default", "local", "*.local", nil, nil, "DISABLE"), dr("default", "svc", "*.svc.cluster.local", nil, nil, "ISTIO_MUTUAL")},
			clientNs: "client", want: "default/svc"},
		{rule: "§2.2 short host expands in the DR's namespace",
			drs: []*inventory.DestinationRule{dr("default", "short", "reviews", nil, nil, "DISABLE")}, clientNs: "client", want: "default/short"},
		{rule: "§2.2 short host in the wrong namespace resolves elsewhere",
			drs: []*inventory.DestinationRule{dr("client", "short", "reviews", nil, nil, "DISABLE")}, clientNs: "client", want: "none"},
		{rule: "§2.2 dotted short host is verbatim and never matches",
			drs: []*inventory.DestinationRule{dr("default", "dotted", "reviews.default", nil, nil, "DISABLE")}, clientNs: "client", want: "none"},
		{rule: "§2.7 selector DR applies to matching clients in its namespace",
			drs:      []*inventory.DestinationRule{dr("client", "sel", host, nil, map[string]string{"app": "a"}, "DISABLE"), dr("client", "all", host, nil, nil, "ISTIO_MUTUAL")},
			clientNs: "client", labels: map[string]string{"app": "a"}, want: "client/sel"},
		{rule: "§2.7 non-matching clients get the catch-all",
			drs:      []*inventory.DestinationRule{dr("client", "sel", host, nil, map[string]string{"app": "a"}, "DISABLE"), dr("client", "all", host, []string{"*"}, nil, "ISTIO_MUTUAL")},
			clientNs: "client", labels: map[string]string{"app": "b"}, want: "client/all"},
		{rule: "§2.7 istio#58322: catch-all with exportTo [.] is merged into the selector entry and lost",
			drs:      []*inventory.DestinationRule{dr("client", "sel", host, nil, map[string]string{"app": "a"}, "DISABLE"), dr("client", "all", host, []string{"."}, nil, "ISTIO_MUTUAL")},
			clientNs: "client", labels: map[string]string{"app": "b"}, want: "none"},
		{rule: "§2.7 selector DRs never apply across namespaces",
			drs:      []*inventory.DestinationRule{dr("default", "sel", host, nil, map[string]string{"app": "a"}, "DISABLE")},
			clientNs: "client", labels: map[string]string{"app": "a"}, want: "none"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			ix := NewDRIndex(tc.drs, "istio-system", "cluster.local", nil)
			if got := name(ix.For(tc.clientNs, tc.labels, host, "default")); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestDestinationRuleMerge(t *testing.T) {
	host := "reviews.default.svc.cluster.local"
	older := dr("default", "a-old", host, nil, nil, "DISABLE")
	older.Created = t0
	newer := dr("default", "b-new", host, nil, nil, "ISTIO_MUTUAL")
	newer.Created = t0.Add(time.Hour)
	newer.Spec.Subsets = []*networking.Subset{{Name: "v2"}}
	c := NewDRIndex([]*inventory.DestinationRule{newer, older}, "istio-system", "cluster.local", nil).For("default", nil, host, "default")
	if c == nil || len(c.From) != 2 {
		t.Fatalf("§2.6 same exportTo: want one merged entry from two DRs, got %+v", c)
	}
	if got := c.Rule.GetTrafficPolicy().GetTls().GetMode(); got != networking.ClientTLSSettings_DISABLE {
		t.Errorf("§2.6 the oldest top-level trafficPolicy wins whole: got %s", got)
	}
	if len(c.Rule.GetSubsets()) != 1 || c.Rule.GetSubsets()[0].GetName() != "v2" {
		t.Errorf("§2.6 subsets concatenate: got %v", c.Rule.GetSubsets())
	}
	// §2.6 wider exportTo, newer: only merged into the older narrower entry.
	narrow := dr("default", "a-narrow", host, []string{"default", "x"}, nil, "DISABLE")
	narrow.Created = t0
	wide := dr("default", "b-wide", host, []string{"default", "x", "y"}, nil, "ISTIO_MUTUAL")
	wide.Created = t0.Add(time.Hour)
	ix := NewDRIndex([]*inventory.DestinationRule{narrow, wide}, "istio-system", "cluster.local", nil)
	if got := name(ix.For("y", nil, host, "default")); got != "none" {
		t.Errorf("§2.6 newer wider DR is only merged, so namespace y finds nothing: got %s", got)
	}
}

func TestClusterTLS(t *testing.T) {
	d := &networking.DestinationRule{TrafficPolicy: &networking.TrafficPolicy{
		Tls: &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_ISTIO_MUTUAL},
		PortLevelSettings: []*networking.TrafficPolicy_PortTrafficPolicy{
			{Port: &networking.PortSelector{Number: 4317}, Tls: &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_DISABLE}},
			{Port: &networking.PortSelector{Number: 9090}},
		}},
		Subsets: []*networking.Subset{{Name: "legacy", TrafficPolicy: &networking.TrafficPolicy{Tls: &networking.ClientTLSSettings{Mode: networking.ClientTLSSettings_DISABLE}}}},
	}
	mode := func(s *networking.ClientTLSSettings) string {
		if s == nil {
			return "nil"
		}
		return s.GetMode().String()
	}
	for _, tc := range []struct {
		rule   string
		port   uint32
		subset string
		want   string
		check  string
	}{
		{"§2.8 top-level applies to other ports", 8080, "", "ISTIO_MUTUAL", "ISTIO_MUTUAL"},
		{"§2.8 port-level keyed by Service port replaces tls", 4317, "", "DISABLE", "DISABLE"},
		{"§2.8 port-level entry without tls clears the cluster tls but not the checker mode", 9090, "", "nil", "ISTIO_MUTUAL"},
		{"§2.8 subset tls overrides", 8080, "legacy", "DISABLE", "DISABLE"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := mode(ClusterTLS(d, tc.port, tc.subset)); got != tc.want {
				t.Errorf("cluster tls = %s, want %s", got, tc.want)
			}
			got := "nil"
			if m := CheckerTLSMode(d, tc.port, tc.subset); m != nil {
				got = m.String()
			}
			if got != tc.check {
				t.Errorf("checker mode = %s, want %s", got, tc.check)
			}
		})
	}
}
