package mesh

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// gwBase: an ingress gateway pod in istio-system, Services web (8080, 9090)
// and one (7070 only) in shop.
const gwBase = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}, annotations: {inject.istio.io/templates: gateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{name: http, port: 8080}, {name: http-admin, port: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: one, namespace: shop}
spec: {selector: {app: one}, ports: [{name: http, port: 7070}]}
`

const gwHTTP = `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*/*"]}]
`

func gwRoutes(t *testing.T, docs string) string {
	t.Helper()
	inv := inventory.Build(source.Parse("gw.yaml", []byte(gwBase+"---"+docs)), "default")
	if len(inv.Problems) > 0 {
		t.Fatalf("fixture: %v", inv.Problems)
	}
	w := inv.Workload("Deployment", "istio-system", "ingress")
	var out []string
	for _, r := range GatewayRoutes(inv, w) {
		s := strings.TrimSuffix(r.Host, ".shop.svc.cluster.local") + ":" + itoa(r.Port)
		if r.Subset != "" {
			s += "/" + r.Subset
		}
		out = append(out, s)
	}
	if out == nil {
		return "none"
	}
	return strings.Join(out, " ")
}

func vsDoc(ns, body string) string {
	return "\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs-" + ns + ", namespace: " + ns + "}\nspec:\n" + body + "\n"
}

// TestGatewayRoutes pins §10.7: which destinations a gateway's Gateway-bound
// routes give it, each case naming the pilot function that decides it.
func TestGatewayRoutes(t *testing.T) {
	route := "  http: [{route: [{destination: {host: web, port: {number: 8080}, subset: v1}}]}]"
	for _, tc := range []struct {
		rule, docs, want string
	}{
		{"ResolveVirtualServiceShortnames: no gateways binds to mesh only", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n"+route), "none"},
		{"resolveGatewayName: a short name is the VirtualService's namespace", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route), "web:8080/v1"},
		{"resolveGatewayName: a short name from another namespace names another Gateway", gwHTTP + "---" + vsDoc("istio-system", "  hosts: [web.shop.svc.cluster.local]\n  gateways: [gw]\n  http: [{route: [{destination: {host: web.shop.svc.cluster.local, port: {number: 8080}}}]}]"), "none"},
		{"resolveGatewayName: ns/name and the legacy name.ns.svc.cluster.local", gwHTTP + "---" + vsDoc("istio-system", "  hosts: ['*']\n  gateways: [gw.shop.svc.cluster.local]\n  http: [{route: [{destination: {host: web.shop.svc.cluster.local, port: {number: 9090}}}]}]"), "web:9090"},
		{"mergeGateways: the selector must be a subset of the pod's labels", strings.Replace(gwHTTP, "istio: ingressgateway", "istio: egressgateway", 1) + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route), "none"},
		{"mergeGateways: a Gateway without a selector applies to every gateway", strings.Replace(gwHTTP, "  selector: {istio: ingressgateway}\n", "", 1) + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route), "web:8080/v1"},
		{"host.NamesForNamespace: a server host ns/h binds only VirtualServices of ns", strings.Replace(gwHTTP, `["*/*"]`, `["prod/*"]`, 1) + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route), "none"},
		{"sanitizeServerHostNamespace: ./h is the Gateway's namespace", strings.Replace(gwHTTP, `["*/*"]`, `["./*"]`, 1) + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route), "web:8080/v1"},
		{"host.Names.Intersection: a wildcard server host takes the hosts within it", strings.Replace(gwHTTP, `["*/*"]`, `["*.example.com"]`, 1) + "---" + vsDoc("shop", "  hosts: [a.example.com, b.example.org]\n  gateways: [gw]\n"+route), "web:8080/v1"},
		{"host.Names.Intersection: no host in common, no virtual host", strings.Replace(gwHTTP, `["*/*"]`, `["*.example.com"]`, 1) + "---" + vsDoc("shop", "  hosts: [b.example.org]\n  gateways: [gw]\n"+route), "none"},
		{"BuildHTTPRoutesForVirtualService: a header match, then the catch-all", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http:\n  - {match: [{headers: {x-canary: {exact: '1'}}}], route: [{destination: {host: web, port: {number: 8080}, subset: v2}}]}\n  - {route: [{destination: {host: web, port: {number: 8080}, subset: v1}}]}"), "web:8080/v2 web:8080/v1"},
		{"TranslateRoute: a match on another port than the server's is dropped", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http:\n  - {match: [{port: 80}], route: [{destination: {host: web, port: {number: 8080}, subset: v2}}]}\n  - {route: [{destination: {host: web, port: {number: 8080}}}]}"), "web:8080"},
		{"sourceMatchHTTP: a match naming another gateway is dropped", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw, mesh]\n  http:\n  - {match: [{gateways: [mesh]}], route: [{destination: {host: web, port: {number: 8080}, subset: v2}}]}\n  - {match: [{gateways: [shop/gw]}], route: [{destination: {host: web, port: {number: 9090}}}]}"), "web:9090"},
		{"GetDestinationCluster: no port takes the Service's only port, else the server's", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http: [{route: [{destination: {host: one}, weight: 50}, {destination: {host: web}, weight: 50}, {destination: {host: web, subset: v3}, weight: 0}]}]"), "one:7070 web:8080"},
		{"buildGatewayHTTPRouteConfig: virtual hosts join across VirtualServices; Envoy never passes a catch-all",
			gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route) + "---" + strings.Replace(vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http: [{route: [{destination: {host: web, port: {number: 9090}}}]}]"), "vs-shop", "vs-z", 1),
			"web:8080/v1"},
		{"SortVHostRoutes: a later VirtualService's header match comes before an earlier catch-all",
			gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n"+route) + "---" + strings.Replace(vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http: [{match: [{headers: {x-a: {exact: b}}}], route: [{destination: {host: web, port: {number: 9090}}}]}]"), "vs-shop", "vs-z", 1),
			"web:9090 web:8080/v1"},
		{"buildGatewayHTTPRouteConfig: servers sharing a route configuration share the first server's routes",
			`
apiVersion: v1
kind: Service
metadata: {name: ingress, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 80, name: http-80, protocol: HTTP}, hosts: ["*"]}
  - {port: {number: 8080, name: http, protocol: HTTP}, hosts: ["*"]}
---` + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http:\n  - {match: [{port: 8080}], route: [{destination: {host: web, port: {number: 9090}}}]}\n  - {route: [{destination: {host: web, port: {number: 8080}}}]}"),
			"web:8080"},
		{"VirtualServicesForGateway: exportTo . hides it from a gateway of another namespace", gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  exportTo: [.]\n"+route), "none"},
		{"buildGatewayNetworkFiltersFromTCPRoutes: the first tcp route whose match holds",
			strings.Replace(gwHTTP, "{number: 8080, name: http, protocol: HTTP}", "{number: 31400, name: tcp, protocol: TCP}", 1) + "---" +
				vsDoc("shop", "  hosts: ['*']\n  gateways: [gw]\n  tcp:\n  - {match: [{port: 443}], route: [{destination: {host: one}}]}\n  - {route: [{destination: {host: web, port: {number: 9090}}}]}\n  - {route: [{destination: {host: web, port: {number: 8080}}}]}"),
			"web:9090"},
		{"mergeGateways: a TCP server on a port an HTTP server holds is skipped (canMergeProtocols)",
			gwHTTP + "---" + strings.Replace(strings.Replace(gwHTTP, "name: gw,", "name: gw2,", 1), "protocol: HTTP", "protocol: TCP", 1) + "---" +
				vsDoc("shop", "  hosts: ['*']\n  gateways: [gw2]\n  tcp: [{route: [{destination: {host: one}}]}]"),
			"none"},
		{"buildGatewayNetworkFiltersFromTLSRoutes: every tls route whose match holds (SNI decides)",
			strings.Replace(gwHTTP, "{number: 8080, name: http, protocol: HTTP}, hosts: [\"*/*\"]", "{number: 443, name: tls, protocol: TLS}, hosts: [\"*\"], tls: {mode: PASSTHROUGH}", 1) + "---" +
				vsDoc("shop", "  hosts: ['*.example.com']\n  gateways: [gw]\n  tls:\n  - {match: [{sniHosts: [a.example.com]}], route: [{destination: {host: web, port: {number: 9090}}}]}\n  - {match: [{sniHosts: [b.example.com], port: 8443}], route: [{destination: {host: one}}]}"),
			"web:9090"},
		{"buildGatewayNetworkFiltersFromTLSRoutes: a repeated SNI host on the listener port is skipped (CheckDuplicates)",
			strings.Replace(gwHTTP, "{number: 8080, name: http, protocol: HTTP}, hosts: [\"*/*\"]", "{number: 443, name: tls, protocol: TLS}, hosts: [\"*\"], tls: {mode: PASSTHROUGH}", 1) + "---" +
				vsDoc("shop", "  hosts: ['*.example.com']\n  gateways: [gw]\n  tls:\n  - {match: [{sniHosts: [a.example.com]}], route: [{destination: {host: web, port: {number: 9090}}}]}\n  - {match: [{sniHosts: [a.example.com]}], route: [{destination: {host: one}}]}"),
			"web:9090"},
	} {
		if got := gwRoutes(t, tc.docs); got != tc.want {
			t.Errorf("%s: got %s, want %s", tc.rule, got, tc.want)
		}
	}
}

// TestGatewayEdgeRoutes pins how a gateway's routes become its edges to a
// Service's ports (Model.Routes): the routed port's destinations, nothing
// on the other ports, a port the Service lacks on its first port, and the
// default cluster for a Service no route names.
func TestGatewayEdgeRoutes(t *testing.T) {
	docs := gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http: [{route: [{destination: {host: web, port: {number: 8080}, subset: v1}, weight: 60}, {destination: {host: web, port: {number: 81}}, weight: 40}]}]")
	inv := inventory.Build(source.Parse("gw.yaml", []byte(gwBase+"---"+docs)), "default")
	m := New(inv)
	w := inv.Workload("Deployment", "istio-system", "ingress")
	web, one := inv.ServiceByHost("web.shop.svc.cluster.local"), inv.ServiceByHost("one.shop.svc.cluster.local")
	show := func(rs []Route) string {
		if rs == nil {
			return "default"
		}
		var out []string
		for _, r := range rs {
			out = append(out, r.Subset+"@"+itoa(r.Port)+" by "+r.Gateway.Key())
		}
		return "[" + strings.Join(out, " ") + "]"
	}
	for _, tc := range []struct {
		svc  *inventory.Service
		port int
		want string
	}{
		{web, 0, "[v1@0 by shop/gw @81 by shop/gw]"},
		{web, 1, "[]"},
		{one, 0, "default"},
	} {
		if got := show(m.Routes(w, tc.svc, tc.svc.Spec.Ports[tc.port], BytesHTTP)); got != tc.want {
			t.Errorf("%s:%d: got %s, want %s", tc.svc.Name, tc.svc.Spec.Ports[tc.port].Port, got, tc.want)
		}
	}
}

// TestGatewayAccepts pins the client → gateway leg: a plaintext server on
// the pod's port (resolvePorts maps the Service port to its targetPort)
// takes plaintext; a TLS server there, or no server of the inputs, leaves
// it undecided (never ok by default) — but on 15021 and 15090 the proxy's
// own plaintext listeners answer.
func TestGatewayAccepts(t *testing.T) {
	docs := `
apiVersion: v1
kind: Service
metadata: {name: ingress, namespace: istio-system}
spec: {selector: {istio: ingressgateway}, ports: [{name: http, port: 80, targetPort: 8080}, {name: https, port: 443, targetPort: 8443}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}
  - {port: {number: 443, name: https, protocol: HTTPS}, hosts: ["*"], tls: {mode: MUTUAL, credentialName: c}}
`
	inv := inventory.Build(source.Parse("gw.yaml", []byte(gwBase+"---"+docs)), "default")
	m := New(inv)
	w := inv.Workload("Deployment", "istio-system", "ingress")
	for port, want := range map[int32]Accepts{8080: AcceptsGateway, 8443: AcceptsUnknown, 9000: AcceptsUnknown, 80: AcceptsUnknown,
		// §10.7: the proxy's own status and Prometheus listeners, bound by
		// no Gateway server, take plaintext and terminate no TLS.
		15021: AcceptsGateway, 15090: AcceptsGateway} {
		if a := ServerAccepts(m.ServerInputOf(Hop{Backend: w, TargetPort: port})); a.Accepts != want {
			t.Errorf("port %d: accepts %s (%s), want %s", port, a.Accepts, a.Reason, want)
		}
	}
}

// TestGatewayScopeAndOddShapes: istiod's PILOT_SCOPE_GATEWAY_TO_NAMESPACE
// keeps a gateway to its own namespace's Gateways (push_context.go
// mergeGateways); shapes pilot rejects or skips (a server without a port,
// no hosts, an empty gateway name, a destination without a host) give no
// route and never a panic.
func TestGatewayScopeAndOddShapes(t *testing.T) {
	bound := gwHTTP + "---" + vsDoc("shop", "  hosts: [web]\n  gateways: [gw]\n  http: [{route: [{destination: {host: web, port: {number: 8080}}}]}]")
	istiod := `
apiVersion: apps/v1
kind: Deployment
metadata: {name: istiod, namespace: istio-system}
spec:
  selector: {matchLabels: {app: istiod}}
  template:
    metadata: {labels: {app: istiod}}
    spec: {containers: [{name: discovery, image: pilot, env: [{name: PILOT_SCOPE_GATEWAY_TO_NAMESPACE, value: "true"}]}]}
`
	if got := gwRoutes(t, bound); got != "web:8080" {
		t.Errorf("default scope: got %s, want web:8080 (a Gateway of another namespace applies)", got)
	}
	if got := gwRoutes(t, bound+"---"+istiod); got != "none" {
		t.Errorf("PILOT_SCOPE_GATEWAY_TO_NAMESPACE=true: got %s, want none (the Gateway is in shop, the gateway in istio-system)", got)
	}
	odd := `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
  - {hosts: ["*"]}
  - {port: {number: 8080, protocol: HTTP}}
  - {port: {number: 9000, protocol: TLS}, hosts: ["*"], tls: {mode: AUTO_PASSTHROUGH}}
  - {port: {number: 9001, protocol: MONGO}, hosts: ["*"]}
` + "---" + vsDoc("shop", "  hosts: ['*']\n  gateways: ['', /, gw, shop/]\n  http: [{route: [{destination: {host: ''}}, {}]}]\n  tcp: [{route: [{destination: {}}]}]\n  tls: [{match: [{}], route: []}]")
	if got := gwRoutes(t, odd); got != "none" {
		t.Errorf("odd shapes: got %s, want none", got)
	}
}
