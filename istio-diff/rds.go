package istiodiff

import (
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"

	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pilot/test/xds"
)

// rdsOnce builds the proxy's route configurations the way Envoy asks for
// them: each RDS name once (Envoy subscribes to a set of resource names).
// simulation.NewSimulation asks pilot for one name per HTTP connection
// manager (core.ExtractRoutesFromListeners keeps duplicates), and a headless
// Service on a sniffed port has one listener per pod IP, all naming the
// route "host:port". pilot's BuildHTTPRoutes (networking/core/httproute.go
// buildSidecarOutboundHTTPRouteConfig) caches the port's virtual hosts and
// getVirtualHostsForSniffedServicePort sets the chosen one's domains to "*"
// in that cache, so the second build of the same name finds no virtual host;
// xdstest.ExtractRouteConfigurations then keeps that empty last copy and
// every HTTP call answers "no virtual host matched" — which a real Envoy,
// given the first and only build, never sees.
func rdsOnce(fake *xds.FakeDiscoveryServer, px *model.Proxy, ls []*listener.Listener) []*route.RouteConfiguration {
	seen := map[string]bool{}
	var names []string
	for _, n := range core.ExtractRoutesFromListeners(ls) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	res, _ := fake.ConfigGen.BuildHTTPRoutes(px, &model.PushRequest{Push: fake.PushContext()}, names)
	out := make([]*route.RouteConfiguration, 0, len(res))
	for _, r := range res {
		rc := &route.RouteConfiguration{}
		if err := r.Resource.UnmarshalTo(rc); err == nil {
			out = append(out, rc)
		}
	}
	return out
}
