package mesh

import "testing"

// TestHostMatchesDomain: the port-80 rule's virtual host takes a request
// only when Envoy's domain match accepts its Host header (§10.2).
func TestHostMatchesDomain(t *testing.T) {
	for _, tc := range []struct {
		host, domain string
		want         bool
	}{
		{"ledger.shop.svc.cluster.local", "ledger.shop.svc.cluster.local", true},
		{"Ledger.Shop.svc.cluster.local:80", "ledger.shop.svc.cluster.local", true}, // case and port ignored
		{"ledger", "ledger.shop.svc.cluster.local", false},                          // short names are not domains of it
		{"ledger.shop", "ledger.shop.svc.cluster.local", false},
		{"10.96.0.84", "ledger.shop.svc.cluster.local", false},
		{"ledger.shop.svc.cluster.local", "*.shop.svc.cluster.local", true},
		{".shop.svc.cluster.local", "*.shop.svc.cluster.local", false}, // the wildcard stands for at least one character
		{"ledger.other.svc.cluster.local", "*.shop.svc.cluster.local", false},
	} {
		if got := HostMatchesDomain(tc.host, tc.domain); got != tc.want {
			t.Errorf("HostMatchesDomain(%q, %q) = %v, want %v", tc.host, tc.domain, got, tc.want)
		}
	}
}
