package mesh

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	corev1 "k8s.io/api/core/v1"
)

const svcHost = "svc.srv.svc.cluster.local"

func dest(subset string, weight int32) *networking.HTTPRouteDestination {
	return &networking.HTTPRouteDestination{Destination: &networking.Destination{Host: "svc", Subset: subset}, Weight: weight}
}

func l4dest(subset string) *networking.RouteDestination {
	return &networking.RouteDestination{Destination: &networking.Destination{Host: svcHost, Subset: subset}}
}

func vs(name string, spec *networking.VirtualService) *inventory.VirtualService {
	if spec.Hosts == nil {
		spec.Hosts = []string{"svc"}
	}
	return &inventory.VirtualService{Meta: inventory.Meta{Kind: "VirtualService", Namespace: "srv", Name: name}, Spec: spec}
}

func subsets(rs []Route) string {
	var out []string
	for _, r := range rs {
		s := r.Subset
		if s == "" {
			s = "default"
		}
		if r.Sniffed != "" {
			s += "(" + r.Sniffed + ")"
		}
		out = append(out, s)
	}
	if rs != nil && len(rs) == 0 {
		return "none"
	}
	if out == nil {
		return "default"
	}
	return strings.Join(out, ",")
}

// TestRoutesFor pins §10.1–10.2: which routes a sidecar applies on a port.
func TestRoutesFor(t *testing.T) {
	httpTCP := vs("both", &networking.VirtualService{
		Http: []*networking.HTTPRoute{{Route: []*networking.HTTPRouteDestination{dest("h", 0)}}},
		Tcp:  []*networking.TCPRoute{{Route: []*networking.RouteDestination{l4dest("t")}}},
	})
	port := func(name string, n int32) corev1.ServicePort { return corev1.ServicePort{Name: name, Port: n} }
	for _, tc := range []struct {
		rule  string
		vss   []*inventory.VirtualService
		port  corev1.ServicePort
		bytes AppBytes
		sc    *inventory.Sidecar
		want  string
	}{
		{"§10.1 HTTP port: http routes only", []*inventory.VirtualService{httpTCP}, port("http-web", 80), BytesUnknown, nil, "h"},
		{"§10.1 TCP port: tcp routes only", []*inventory.VirtualService{httpTCP}, port("tcp-db", 5432), BytesUnknown, nil, "t"},
		{"§10.1 TLS port: neither http nor tcp routes, the default cluster", []*inventory.VirtualService{httpTCP}, port("https", 443), BytesUnknown, nil, "default"},
		{"§10.1 TLS port: a tls route whose match holds", []*inventory.VirtualService{vs("tls", &networking.VirtualService{
			Tls: []*networking.TLSRoute{{Match: []*networking.TLSMatchAttributes{{SniHosts: []string{svcHost}, Port: 443}},
				Route: []*networking.RouteDestination{l4dest("s")}}}})}, port("tls", 443), BytesUnknown, nil, "s"},
		{"§10.1 sniffed port, bytes unknown: each route tagged", []*inventory.VirtualService{httpTCP}, port("web", 8080), BytesUnknown, nil, "h(http),t(tcp)"},
		{"§10.1 sniffed port, HTTP bytes: the http route", []*inventory.VirtualService{httpTCP}, port("web", 8080), BytesHTTP, nil, "h(http)"},
		{"§10.1 sniffed port, other bytes: the tcp route", []*inventory.VirtualService{httpTCP}, port("web", 8080), BytesOther, nil, "t(tcp)"},
		{"§10.1 sniffed port, only http routes: other bytes take the default", []*inventory.VirtualService{vs("h", &networking.VirtualService{
			Http: []*networking.HTTPRoute{{Route: []*networking.HTTPRouteDestination{dest("h", 0)}}}})}, port("web", 8080), BytesUnknown, nil, "h(http),default(tcp)"},
		{"§10.1 match port other than the dialled one: the VirtualService yields nothing", []*inventory.VirtualService{vs("p", &networking.VirtualService{
			Http: []*networking.HTTPRoute{{Match: []*networking.HTTPMatchRequest{{Port: 9090}}, Route: []*networking.HTTPRouteDestination{dest("h", 0)}}}})},
			port("http", 80), BytesUnknown, nil, "default"},
		{"§10.1 a catch-all ends the http routes", []*inventory.VirtualService{vs("c", &networking.VirtualService{Http: []*networking.HTTPRoute{
			{Match: []*networking.HTTPMatchRequest{{Uri: &networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: "/api"}}}}, Route: []*networking.HTTPRouteDestination{dest("a", 0)}},
			{Route: []*networking.HTTPRouteDestination{dest("b", 0)}},
			{Route: []*networking.HTTPRouteDestination{dest("never", 0)}}}})}, port("http", 80), BytesUnknown, nil, "a,b"},
		{"§10.1 sourceLabels that do not hold drop the match", []*inventory.VirtualService{vs("l", &networking.VirtualService{Http: []*networking.HTTPRoute{
			{Match: []*networking.HTTPMatchRequest{{SourceLabels: map[string]string{"app": "other"}}}, Route: []*networking.HTTPRouteDestination{dest("a", 0)}},
			{Route: []*networking.HTTPRouteDestination{dest("b", 0)}}}})}, port("http", 80), BytesUnknown, nil, "b"},
		{"§10.1 a zero-weight destination beside another takes nothing", []*inventory.VirtualService{vs("w", &networking.VirtualService{Http: []*networking.HTTPRoute{
			{Route: []*networking.HTTPRouteDestination{dest("a", 100), dest("b", 0)}}}})}, port("http", 80), BytesUnknown, nil, "a"},
		{"§10.1 a route whose only carrying destination is another host sends nothing to this one", []*inventory.VirtualService{vs("o", &networking.VirtualService{Http: []*networking.HTTPRoute{
			{Route: []*networking.HTTPRouteDestination{dest("a", 0), {Destination: &networking.Destination{Host: "other.elsewhere.svc.cluster.local"}, Weight: 100}}}}})},
			port("http", 80), BytesUnknown, nil, "none"},
		{"§10.1 the first matching tcp route wins", []*inventory.VirtualService{vs("t", &networking.VirtualService{Tcp: []*networking.TCPRoute{
			{Match: []*networking.L4MatchAttributes{{Port: 9999}}, Route: []*networking.RouteDestination{l4dest("x")}},
			{Route: []*networking.RouteDestination{l4dest("a")}},
			{Route: []*networking.RouteDestination{l4dest("b")}}}})}, port("tcp", 5432), BytesUnknown, nil, "a"},
		{"§10.2 a VirtualService exported elsewhere does not apply", []*inventory.VirtualService{vs("x", &networking.VirtualService{ExportTo: []string{"."},
			Tcp: []*networking.TCPRoute{{Route: []*networking.RouteDestination{l4dest("t")}}}})}, port("tcp", 5432), BytesUnknown, nil, "default"},
		{"§10.2 Sidecar egress hosts that do not import its namespace", []*inventory.VirtualService{httpTCP}, port("tcp", 5432), BytesUnknown,
			sidecar("cli", "./*"), "default"},
		{"§10.2 Sidecar egress hosts that import it", []*inventory.VirtualService{httpTCP}, port("tcp", 5432), BytesUnknown,
			sidecar("cli", "srv/*"), "t"},
		{"§10.2 gateways without mesh: not for sidecars", []*inventory.VirtualService{vs("g", &networking.VirtualService{Gateways: []string{"ns/gw"},
			Tcp: []*networking.TCPRoute{{Route: []*networking.RouteDestination{l4dest("t")}}}})}, port("tcp", 5432), BytesUnknown, nil, "default"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			got := RoutesFor(tc.vss, RouteQuery{ClientNs: "cli", ClientLabels: map[string]string{"app": "c"}, Sidecar: tc.sc,
				Host: svcHost, Port: tc.port, Bytes: tc.bytes, Domain: "cluster.local"})
			if s := subsets(got); s != tc.want {
				t.Errorf("routes %s, want %s", s, tc.want)
			}
		})
	}
}

func sidecar(ns string, hosts ...string) *inventory.Sidecar {
	return &inventory.Sidecar{Meta: inventory.Meta{Kind: "Sidecar", Namespace: ns, Name: "default"},
		Spec: &networking.Sidecar{Egress: []*networking.IstioEgressListener{{Hosts: hosts}}}}
}

// TestPortProtocol pins ConvertProtocol (§0): appProtocol, the name prefix, well-known ports.
func TestPortProtocol(t *testing.T) {
	app := func(s string) *string { return &s }
	for _, tc := range []struct {
		port corev1.ServicePort
		want Protocol
		tls  bool
	}{
		{corev1.ServicePort{Name: "http-web", Port: 80}, ProtoHTTP, false},
		{corev1.ServicePort{Name: "grpc-web-ui", Port: 80}, ProtoHTTP, false},
		{corev1.ServicePort{Name: "https", Port: 443}, ProtoTCP, true},
		{corev1.ServicePort{Name: "tls-x", Port: 443}, ProtoTCP, true},
		{corev1.ServicePort{Name: "port-80", Port: 80}, ProtoAuto, false},
		{corev1.ServicePort{Name: "db", Port: 3306}, ProtoTCP, false},
		{corev1.ServicePort{Name: "web", Port: 80, AppProtocol: app("http-alt")}, ProtoHTTP, false},
		{corev1.ServicePort{Name: "web", Port: 80, AppProtocol: app("kubernetes.io/wss")}, ProtoTCP, true},
		{corev1.ServicePort{Name: "web", Port: 80, AppProtocol: app("kubernetes.io/h2c")}, ProtoHTTP, false},
	} {
		if got, tls := PortProtocol(tc.port), tlsPort(tc.port); got != tc.want || tls != tc.tls {
			t.Errorf("%+v: %s tls=%v, want %s tls=%v", tc.port, got, tls, tc.want, tc.tls)
		}
	}
}

// TestReservedOutboundPort pins §10.5 (conflictWithReservedListener).
func TestReservedOutboundPort(t *testing.T) {
	for _, tc := range []struct {
		port                corev1.ServicePort
		reserved, blackhole bool
	}{
		{corev1.ServicePort{Name: "http2", Port: 15001}, true, true},
		{corev1.ServicePort{Name: "http", Port: 15006}, true, true},
		{corev1.ServicePort{Name: "grpc", Port: 15021}, true, true},
		{corev1.ServicePort{Name: "http", Port: 15090}, true, true},
		{corev1.ServicePort{Name: "http", Port: 15000}, false, false},
		{corev1.ServicePort{Name: "tcp", Port: 15001}, false, false},
		{corev1.ServicePort{Name: "web", Port: 15001}, false, false},
	} {
		if r, b, _ := ReservedOutboundPort(tc.port); r != tc.reserved || b != tc.blackhole || (OwnListenerPort(tc.port.Port) != "") != (tc.port.Port != 15000) {
			t.Errorf("%+v: reserved=%v blackhole=%v, want %v %v", tc.port, r, b, tc.reserved, tc.blackhole)
		}
	}
}
