package mesh

import (
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	networking "istio.io/api/networking/v1alpha3"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Route is one destination subset a client's traffic to a host:port takes,
// and the VirtualService that sends it there ("" subset: the whole service).
type Route struct {
	Subset string
	// Port is the destination's port when it names another port of the
	// Service than the one dialled: the traffic takes that port's cluster
	// (route.go GetDestinationCluster); zero otherwise.
	Port int32
	From *inventory.VirtualService
	// Gateway is the Gateway whose server holds the route, for a gateway
	// client (§10.7); nil for a sidecar's.
	Gateway *inventory.Gateway
	// Sniffed is set on a protocol-sniffed port whose HTTP and other bytes
	// take different routes: SniffedHTTP or SniffedTCP names the bytes that
	// take this one (§10.1).
	Sniffed string
}

// The Sniffed values.
const (
	SniffedHTTP = "http"
	SniffedTCP  = "tcp"
)

// AppBytes is what the model knows the client app sends on a port; on a
// protocol-sniffed port it decides which routes apply (§10.1).
type AppBytes int

// The AppBytes values.
const (
	BytesUnknown AppBytes = iota
	BytesHTTP             // HTTP/1.1, HTTP/2 or gRPC (an OTLP exporter)
	BytesOther            // anything else, including the app's own TLS
)

// RouteQuery is everything route selection depends on.
type RouteQuery struct {
	ClientNs     string
	ClientLabels map[string]string
	// Sidecar is the client's Sidecar resource; its egress hosts decide which
	// VirtualServices are imported (nil: the default scope imports all).
	Sidecar *inventory.Sidecar
	Host    string
	Port    corev1.ServicePort
	Bytes   AppBytes
	Domain  string
}

// RoutesFor returns where a client's proxy sends its traffic for q.Host:q.Port,
// or nil for the default route (§10.1–10.2). Only the port's own kind of
// routes apply — http routes on HTTP ports, tls routes on https/tls ports, tcp
// routes on the other TCP ports; on a sniffed port HTTP requests take the http
// routes and other bytes the tcp routes, never a merge. Istio:
// networking/core/route/route.go BuildHTTPRoutesForVirtualService,
// networking/core/tls.go buildSidecarOutboundTLSFilterChainOpts and
// buildSidecarOutboundTCPFilterChainOpts (which return nothing on a port of the
// other kind), model/virtualservice.go SelectVirtualServices.
func RoutesFor(vss []*inventory.VirtualService, q RouteQuery) []Route {
	vss = importedVirtualServices(vss, q)
	if len(vss) == 0 {
		return nil
	}
	var out []Route
	switch {
	case tlsPort(q.Port):
		out = tlsRoutes(vss, q)
	case PortProtocol(q.Port) == ProtoHTTP:
		out = httpRoutes(vss, q)
	case PortProtocol(q.Port) == ProtoTCP:
		out = tcpRoutes(vss, q)
	default:
		out = sniffedRoutes(httpRoutes(vss, q), tcpRoutes(vss, q), q.Bytes)
	}
	if len(out) == 1 && out[0].Subset == "" && out[0].Sniffed == "" && out[0].Port == 0 {
		return nil
	}
	return out
}

// sniffedRoutes joins the routes of a sniffed port: when HTTP and other bytes
// go the same way the routes are untagged; otherwise each is tagged with the
// bytes that take it, and known bytes keep only their own.
func sniffedRoutes(h, t []Route, bytes AppBytes) []Route {
	same := len(h) == len(t)
	for i := 0; same && i < len(h); i++ {
		same = h[i].Subset == t[i].Subset && h[i].Port == t[i].Port
	}
	if same {
		return h
	}
	var out []Route
	if bytes != BytesOther {
		out = append(out, tagged(h, SniffedHTTP)...)
	}
	if bytes != BytesHTTP {
		out = append(out, tagged(t, SniffedTCP)...)
	}
	return out
}

func tagged(rs []Route, tag string) []Route {
	out := make([]Route, len(rs))
	for i, r := range rs {
		r.Sniffed = tag
		out[i] = r
	}
	return out
}

// defaultRoute is the service's own cluster, used when no route applies.
var defaultRoute = []Route{{}}

// routeSet collects destinations to q.Host once per subset.
type routeSet struct {
	q    RouteQuery
	out  []Route
	seen map[string]bool
	// elsewhere: a destination carrying traffic went to another host.
	elsewhere bool
}

// add takes the destinations of one route; zero-weight destinations carry
// no traffic when the route has others (route.go, networkfilter.go
// buildOutboundNetworkFiltersWithWeightedClusters).
func (s *routeSet) add(vs *inventory.VirtualService, dests []destination) {
	for _, d := range dests {
		if d.weight == 0 && len(dests) > 1 {
			continue
		}
		// Destinations of other hosts are not followed (the edge is to
		// the dialled Service).
		if d.dest == nil || ResolveHost(d.dest.GetHost(), vs.Namespace, s.q.Domain) != s.q.Host {
			s.elsewhere = s.elsewhere || d.dest != nil
			continue
		}
		r := Route{Subset: d.dest.GetSubset(), From: vs}
		if p := int32(d.dest.GetPort().GetNumber()); p != 0 && p != s.q.Port.Port {
			r.Port = p
		}
		key := r.Subset + "|" + itoa(r.Port)
		if s.seen == nil {
			s.seen = map[string]bool{}
		}
		if !s.seen[key] {
			s.seen[key] = true
			s.out = append(s.out, r)
		}
	}
}

// routes is what the set holds, or the default route when nothing was taken.
// A route whose every destination carrying traffic is another host sends
// nothing to this one: no routes, not the default cluster (the other host's
// cluster is judged on the client's own edge to it).
func (s *routeSet) routes(taken bool) []Route {
	if taken && len(s.out) == 0 && s.elsewhere {
		return []Route{}
	}
	if !taken || len(s.out) == 0 {
		return defaultRoute
	}
	return s.out
}

type destination struct {
	dest   *networking.Destination
	weight int32
}

func httpDestinations(h *networking.HTTPRoute) []destination {
	out := make([]destination, 0, len(h.GetRoute()))
	for _, r := range h.GetRoute() {
		out = append(out, destination{r.GetDestination(), r.GetWeight()})
	}
	return out
}

func l4Destinations(rs []*networking.RouteDestination) []destination {
	out := make([]destination, 0, len(rs))
	for _, r := range rs {
		out = append(out, destination{r.GetDestination(), r.GetWeight()})
	}
	return out
}

// staticMatch is the part of a route match a proxy decides when its config
// is generated: the port, the gateways ("mesh" for a sidecar), the client's
// labels and namespace (route.go TranslateRoute + sourceMatchHTTP; tls.go
// matchTLS, matchTCP). The HTTP form checks gateways instead of the source.
// HTTPMatchRequest, L4MatchAttributes and TLSMatchAttributes all have it.
type staticMatch interface {
	GetPort() uint32
	GetGateways() []string
	GetSourceLabels() map[string]string
	GetSourceNamespace() string
}

func matches(m staticMatch, q RouteQuery, http bool) bool {
	if p := m.GetPort(); p != 0 && p != uint32(q.Port.Port) {
		return false
	}
	gws := m.GetGateways()
	gw := len(gws) == 0 || slices.Contains(gws, "mesh")
	if http && len(gws) > 0 {
		return gw
	}
	return gw && labels.SelectorFromSet(m.GetSourceLabels()).Matches(labels.Set(q.ClientLabels)) &&
		(m.GetSourceNamespace() == "" || m.GetSourceNamespace() == q.ClientNs)
}

// httpRoutes: the first imported VirtualService that yields a route for the
// port owns the host's virtual host (httproute.go dedupeDomains); within it
// routes are taken in order, matches failing statically are dropped, and a
// catch-all ends the list (BuildHTTPRoutesForVirtualService, IsCatchAllRoute).
func httpRoutes(vss []*inventory.VirtualService, q RouteQuery) []Route {
	for _, vs := range vss {
		s := routeSet{q: q}
		taken := false
	routes:
		for _, h := range vs.Spec.GetHttp() {
			if len(h.GetMatch()) == 0 {
				s.add(vs, httpDestinations(h))
				taken = true
				break
			}
			for _, m := range h.GetMatch() {
				if !matches(m, q, true) {
					continue
				}
				s.add(vs, httpDestinations(h))
				taken = true
				if catchAll(m) {
					break routes
				}
			}
		}
		if taken {
			return s.routes(true)
		}
	}
	return defaultRoute
}

// catchAll is IsCatchAllRoute over TranslateRouteMatch: no uri or prefix "/"
// or regex ".*", and nothing else the request must carry.
func catchAll(m *networking.HTTPMatchRequest) bool {
	uri := m.GetUri()
	path := uri == nil || uri.GetPrefix() == "/" || uri.GetRegex() == ".*"
	return path && len(m.GetHeaders()) == 0 && len(m.GetWithoutHeaders()) == 0 && len(m.GetQueryParams()) == 0 &&
		m.GetAuthority() == nil && m.GetMethod() == nil && m.GetScheme() == nil
}

// tcpRoutes: over every imported VirtualService for the host, in order, the
// first tcp route whose match holds without a destination subnet wins; a
// match on destination subnets is decided at run time, so its route is a
// possibility and the search goes on (buildSidecarOutboundTCPFilterChainOpts).
func tcpRoutes(vss []*inventory.VirtualService, q RouteQuery) []Route {
	s := routeSet{q: q}
	for _, vs := range vss {
		for _, t := range vs.Spec.GetTcp() {
			if len(t.GetRoute()) == 0 {
				continue
			}
			if len(t.GetMatch()) == 0 {
				s.add(vs, l4Destinations(t.GetRoute()))
				return s.routes(true)
			}
			for _, m := range t.GetMatch() {
				if !matches(m, q, false) {
					continue
				}
				s.add(vs, l4Destinations(t.GetRoute()))
				if len(m.GetDestinationSubnets()) == 0 {
					return s.routes(true)
				}
			}
		}
	}
	// Only subnet matches (or none): what they miss takes the default route.
	if !s.seen["|0"] {
		s.out = append(s.out, Route{})
	}
	return s.out
}

// tlsRoutes: every tls route whose match holds statically is a possibility
// (the SNI decides at run time); without one the default cluster is used
// (buildSidecarOutboundTLSFilterChainOpts).
func tlsRoutes(vss []*inventory.VirtualService, q RouteQuery) []Route {
	s := routeSet{q: q}
	taken := false
	for _, vs := range vss {
		for _, t := range vs.Spec.GetTls() {
			if len(t.GetRoute()) == 0 {
				continue
			}
			for _, m := range t.GetMatch() {
				if matches(m, q, false) {
					s.add(vs, l4Destinations(t.GetRoute()))
					taken = true
				}
			}
		}
	}
	return s.routes(taken)
}

// importedVirtualServices are the VirtualServices a client's proxy holds for
// q.Host, in Istio's order: bound to the mesh gateway, exported to the
// client's namespace, imported by its Sidecar's egress hosts; private to the
// namespace first, then exported to it by name, then public, each oldest
// first (push_context.go initVirtualServices, SelectVirtualServices,
// virtualservice_controller.go sortMergedVirtualServicesByCreationTime).
func importedVirtualServices(vss []*inventory.VirtualService, q RouteQuery) []*inventory.VirtualService {
	var out []*inventory.VirtualService
	for _, vs := range vss {
		if appliesToMesh(vs.Spec) && vsVisibility(vs, q.ClientNs) >= 0 && vsHasHost(vs, q.Host, q.Domain) && sidecarImports(q.Sidecar, vs, q.ClientNs, q.Domain) {
			out = append(out, vs)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ga, gb := vsVisibility(a, q.ClientNs), vsVisibility(b, q.ClientNs); ga != gb {
			return ga < gb
		}
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c < 0
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Namespace < b.Namespace
	})
	return out
}

func appliesToMesh(vs *networking.VirtualService) bool {
	gws := vs.GetGateways()
	return len(gws) == 0 || slices.Contains(gws, "mesh")
}

// vsVisibility is the index group a VirtualService is found in for clientNs:
// 0 private to it, 1 exported to it by name, 2 public; -1 not visible.
// exportTo "*" (or none: the default) wins over any list, "~" hides it.
func vsVisibility(vs *inventory.VirtualService, clientNs string) int {
	ex := vs.Spec.GetExportTo()
	switch {
	case len(ex) == 0 || slices.Contains(ex, "*"):
		return 2
	case slices.Contains(ex, "~"):
		return -1
	case vs.Namespace == clientNs && (slices.Contains(ex, ".") || slices.Contains(ex, clientNs)):
		return 0
	case slices.Contains(ex, clientNs):
		return 1
	}
	return -1
}

func vsHasHost(vs *inventory.VirtualService, host, domain string) bool {
	for _, h := range vs.Spec.GetHosts() {
		if hostMatches(ResolveHost(h, vs.Namespace, domain), host) {
			return true
		}
	}
	return false
}

// sidecarImports is SelectVirtualServices for one VirtualService: an egress
// host "ns/host" imports it when ns is its namespace (or "*", "." the
// client's) and host matches one of its hosts either way round
// (hostClassification.VSMatches); "~ns/host" excludes. No Sidecar, or one
// without egress, imports everything (DefaultSidecarScopeForNamespace).
func sidecarImports(sc *inventory.Sidecar, vs *inventory.VirtualService, clientNs, domain string) bool {
	if sc == nil || len(sc.Spec.GetEgress()) == 0 {
		return true
	}
	imported := false
	for _, eg := range sc.Spec.GetEgress() {
		for _, h := range eg.GetHosts() {
			ns, name, ok := strings.Cut(h, "/")
			if !ok {
				continue
			}
			excluded := strings.HasPrefix(ns, "~")
			if excluded {
				if ns = strings.TrimPrefix(ns, "~"); ns == "" {
					ns = "*"
				}
			}
			if ns == "." {
				ns = clientNs
			}
			if ns != "*" && ns != vs.Namespace {
				continue
			}
			for _, vh := range vs.Spec.GetHosts() {
				r := ResolveHost(vh, vs.Namespace, domain)
				switch {
				case excluded && hostSubsetOf(r, name):
					return false
				case !excluded && hostMatches(r, name):
					imported = true
				}
			}
		}
	}
	return imported
}

// hostMatches is host.Name.Matches (pkg/config/host/name.go): equal names,
// or a wildcard suffix match either way round.
func hostMatches(a, b string) bool {
	aw, bw := strings.HasPrefix(a, "*"), strings.HasPrefix(b, "*")
	switch {
	case aw && bw:
		if len(a) < len(b) {
			return strings.HasSuffix(b[1:], a[1:])
		}
		return strings.HasSuffix(a[1:], b[1:])
	case aw:
		return strings.HasSuffix(b, a[1:])
	case bw:
		return strings.HasSuffix(a, b[1:])
	}
	return a == b
}

// hostSubsetOf is host.Name.SubsetOf: a is contained in b.
func hostSubsetOf(a, b string) bool {
	aw, bw := strings.HasPrefix(a, "*"), strings.HasPrefix(b, "*")
	switch {
	case aw && bw:
		return len(a) >= len(b) && strings.HasSuffix(a[1:], b[1:])
	case aw:
		return false
	case bw:
		return strings.HasSuffix(a, b[1:])
	}
	return a == b
}
