package report

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// TestServerCell: rows that would read alike name the subset and the backend
// workload; an unstated target port is "?", not 0 (issue 14 item 8).
func TestServerCell(t *testing.T) {
	e := func(subset, workload string, tp int32) verdict.Edge {
		var x verdict.Edge
		x.Client.Namespace, x.Client.Workload = "shop", "web"
		x.Server.Host, x.Server.Port, x.Server.TargetPort = "cart.shop.svc.cluster.local", 8080, tp
		x.Server.Subset, x.Server.Workload, x.Server.Proxy = subset, workload, "sidecar"
		return x
	}
	es := []verdict.Edge{e("v1", "cart-v1", 8080), e("v2", "cart-v2", 8080), {}}
	es[2].Server.Host, es[2].Server.Port, es[2].Server.Proxy = "db.shop.svc.cluster.local", 5432, "unknown"
	twins := sameRow(es)
	for i, want := range []string{"cart.shop:8080@v1 → 8080 cart-v1 (sidecar)", "cart.shop:8080@v2 → 8080 cart-v2 (sidecar)", "db.shop:5432 → ? (unknown)"} {
		if got := serverCell(es[i], twins); got != want {
			t.Errorf("row %d: %q, want %q", i, got, want)
		}
	}
	if got := dashed(""); got != "" || !strings.HasPrefix(dashed("why"), " — ") {
		t.Errorf("dashed: %q", got)
	}
}
