package mesh

// How a gateway proxy (router) differs from a sidecar as a client (§10.7).
//
// A gateway has no outbound capture and no listener per Service: its
// listeners are its Gateways' servers, and their routes come only from
// VirtualServices bound to those Gateways (pilot/pkg/networking/core/
// gateway.go buildGatewayHTTPRouteConfig → PushContext.VirtualServicesForGateway).
// A VirtualService without gateways binds to "mesh" only
// (model/virtualservice.go resolveVirtualServiceShortnames), so it never
// routes a gateway's traffic. meshdoctor does not read Gateway resources yet:
// a gateway's edge is its own cluster for the Service port, the one any of
// its routes to that port takes.

// gatewayRoutes is the routes a gateway client's traffic to a Service port
// takes: the default cluster (nil), never the mesh's VirtualServices.
func gatewayRoutes() []Route { return nil }

// gatewayVisibility: a gateway builds clusters only for the Services
// exported to its namespace (core/cluster.go buildOutboundClusters over
// PushContext.ServicesForProxy) and has no PassthroughCluster behind a
// route, so a route to a hidden Service names a cluster that does not
// exist: Envoy answers 503 (NC), whatever the outbound traffic policy.
func gatewayVisibility(v Visibility) Visibility {
	if v.Visible || v.BlackHole {
		return v
	}
	v.BlackHole = true
	v.Reason += "; a gateway has no cluster for it and no passthrough: any route to it is 503 (no cluster)"
	return v
}
