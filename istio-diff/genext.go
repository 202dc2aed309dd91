package istiodiff

import (
	"fmt"
	"math/rand"
	"strings"
)

// The extended shapes (Options.Extended): weighted VirtualService routes,
// ServiceEntries as destinations of sidecar clients, and ingress/egress
// gateways as clients. They are drawn from a second stream seeded from the
// seed, after the classic mesh is complete, so a seed's classic part is the
// same mesh with or without them and a disagreement can be told apart by
// shape.
const extSeedSalt = 0x5eed_e77e

// extend adds the extended shapes to a classic mesh.
func extend(seed int64, objs []obj, nss []string, svcs []genSvc) []obj {
	r := rand.New(rand.NewSource(seed ^ extSeedSalt))
	weightRoutes(r, objs, svcs)
	ses, calls := serviceEntries(r, nss, svcs)
	objs = append(objs, ses...)
	addCalls(r, objs, calls)
	objs = append(objs, gateways(r, nss, svcs)...)
	return objs
}

// weightRoutes turns some single-destination VirtualService routes into
// weighted ones: 2–3 destinations of the same host (subsets, ports), now and
// then one of another Service, a zero weight among them at times.
func weightRoutes(r *rand.Rand, objs []obj, svcs []genSvc) {
	for _, o := range objs {
		if kindOf(o) != "VirtualService" {
			continue
		}
		for _, kind := range []string{"http", "tcp"} {
			for _, rt := range list(o, "spec", kind) {
				if !chance(r, 0.6) {
					continue
				}
				dests := list(rt, "route")
				if len(dests) != 1 {
					continue
				}
				first := get(dests[0], "destination").(map[string]any)
				host := str(first, "host")
				s := svcOfHost(svcs, host)
				if s == nil {
					continue
				}
				n := 2 + r.Intn(2)
				ws := weights(r, n)
				out := []any{obj{"destination": first, "weight": ws[0]}}
				for i := 1; i < n; i++ {
					d := obj{"host": host}
					if chance(r, 0.12) && len(svcs) > 1 {
						o := svcs[r.Intn(len(svcs))]
						d["host"] = o.name + "." + o.ns + ".svc.cluster.local"
						d["port"] = obj{"number": o.ports[r.Intn(len(o.ports))]["port"]}
					} else {
						if chance(r, 0.75) {
							d["subset"] = pick(r, []string{"v1", "v2", "v3"})
						}
						if chance(r, 0.3) {
							d["port"] = obj{"number": s.ports[r.Intn(len(s.ports))]["port"]}
						}
					}
					out = append(out, obj{"destination": d, "weight": ws[i]})
				}
				rt.(map[string]any)["route"] = out
			}
		}
	}
}

// weights are n route weights summing to 100; one is zero now and then.
func weights(r *rand.Rand, n int) []int {
	ws := make([]int, n)
	left := 100
	for i := 0; i < n-1; i++ {
		w := r.Intn(left + 1)
		if chance(r, 0.15) {
			w = 0
		}
		ws[i] = w
		left -= w
	}
	ws[n-1] = left
	return ws
}

func svcOfHost(svcs []genSvc, host string) *genSvc {
	for i, s := range svcs {
		if s.name+"."+s.ns+".svc.cluster.local" == host {
			return &svcs[i]
		}
	}
	return nil
}

// seCall is an address a client app dials: a ServiceEntry host and port,
// with the scheme the app's configuration names it by.
type seCall struct {
	host, scheme string
	port         int
}

// External ServiceEntry addresses are documentation ranges (RFC 5737), which
// no generated pod, Service or capture range holds.
var seHosts = []string{"api.example.com", "db.example.org", "pay.example.net"}

// serviceEntries: MESH_EXTERNAL hosts (resolution DNS, NONE or STATIC with
// endpoints), and MESH_INTERNAL hosts whose workloadSelector picks generated
// pods; ports HTTP, HTTPS, TLS, TCP, sometimes with a targetPort; VIP
// addresses on some. Every TCP-like port of an entry without addresses gets
// none of the guessing a client would need: the app dials the VIP when
// there is one, otherwise (HTTP) the name alone decides.
func serviceEntries(r *rand.Rand, nss []string, svcs []genSvc) ([]obj, []seCall) {
	var out []obj
	var calls []seCall
	n := r.Intn(3)
	usedHosts := map[string]bool{}
	for i := range n {
		ns := pick(r, nss)
		internal := chance(r, 0.4) && len(svcs) > 0
		host := seHosts[i]
		spec := obj{}
		var ports []any
		used := map[int]bool{}
		var sel *genSvc
		if internal {
			s := svcs[r.Intn(len(svcs))]
			if usedHosts[s.name+".internal"] {
				// One entry per host: entries sharing a host merge by namespace
				// (push_context.go initServiceRegistry), a shape not generated.
				continue
			}
			usedHosts[s.name+".internal"] = true
			sel = &s
			ns = s.ns
			host = s.name + ".internal"
			spec["location"] = "MESH_INTERNAL"
			spec["resolution"] = "STATIC"
			spec["workloadSelector"] = obj{"labels": obj{"app": s.labels["app"]}}
		} else {
			spec["location"] = "MESH_EXTERNAL"
			spec["resolution"] = pick(r, []string{"DNS", "NONE", "STATIC"})
		}
		for range 1 + r.Intn(2) {
			proto := pick(r, []string{"HTTP", "HTTP", "TCP", "TLS", "HTTPS"})
			num := map[string]int{"HTTP": 80, "TCP": 5432, "TLS": 443, "HTTPS": 8443}[proto]
			if chance(r, 0.3) {
				num = pick(r, []int{8080, 9000, 3306})
			}
			if used[num] {
				continue
			}
			used[num] = true
			p := obj{"number": num, "name": strings.ToLower(proto) + "-" + fmt.Sprint(num), "protocol": proto}
			if sel != nil {
				p["targetPort"] = sel.tports[r.Intn(len(sel.tports))]
			}
			ports = append(ports, p)
			// The app originates TLS itself on TLS and HTTPS ports.
			scheme := map[string]string{"HTTP": "http", "TCP": "tcp", "TLS": "https", "HTTPS": "https"}[proto]
			calls = append(calls, seCall{host: host, scheme: scheme, port: num})
		}
		spec["hosts"] = []any{host}
		spec["ports"] = ports
		if chance(r, 0.5) || (str(spec, "resolution") == "NONE") {
			spec["addresses"] = []any{fmt.Sprintf("240.240.%d.%d", i, 10+r.Intn(200))}
		}
		if str(spec, "resolution") == "STATIC" && !internal {
			spec["endpoints"] = []any{obj{"address": fmt.Sprintf("203.0.113.%d", 10+i)}}
		}
		if chance(r, 0.15) {
			spec["exportTo"] = []any{pick(r, []string{".", "*"})}
		}
		md := meta(fmt.Sprintf("se-%d", i), ns)
		if chance(r, 0.5) {
			// Entries sharing a wildcard TCP port are ordered oldest first
			// (§10.8); a few dates, so equal ones fall to the hostname.
			md["creationTimestamp"] = pick(r, []string{"2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z", "2026-01-01T00:00:00Z"})
		}
		out = append(out, obj{"apiVersion": "networking.istio.io/v1", "kind": "ServiceEntry",
			"metadata": md, "spec": spec})
		if chance(r, 0.4) {
			dr := obj{"host": host}
			if t := tlsSettings(r); t != nil {
				dr["trafficPolicy"] = obj{"tls": t}
			}
			out = append(out, obj{"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
				"metadata": meta(fmt.Sprintf("dr-se-%d", i), ns), "spec": dr})
		}
	}
	return out, calls
}

// addCalls gives some deployments env values naming ServiceEntry hosts, as
// an app's configuration would (meshdoctor discovers the edge from them),
// one port per host.
func addCalls(r *rand.Rand, objs []obj, calls []seCall) {
	if len(calls) == 0 {
		return
	}
	for _, o := range objs {
		if kindOf(o) != "Deployment" || !chance(r, 0.5) {
			continue
		}
		ct := list(o, "spec", "template", "spec", "containers")[0].(map[string]any)
		var env []any
		named := map[string]bool{}
		for i, c := range calls {
			// One address per host: meshdoctor's env discovery keeps one edge
			// per client and host (the first port named).
			if chance(r, 0.5) && !named[c.host] {
				named[c.host] = true
				env = append(env, obj{"name": fmt.Sprintf("UPSTREAM_%d_URL", i), "value": fmt.Sprintf("%s://%s:%d", c.scheme, c.host, c.port)})
			}
		}
		if len(env) > 0 {
			ct["env"] = env
		}
	}
}

// gateways: an ingress and/or an egress gateway Deployment (the gateway
// injection template, proxy type router) in a generated namespace, with one
// or two Gateways selecting it — servers HTTP on 8080 or 80 (every host, a
// namespace's hosts, a named host), HTTPS terminated with a credential, TCP,
// TLS passthrough — and VirtualServices bound to them (short and ns/name
// gateway references, from the Gateway's namespace or another): http routes
// with a header match before the catch-all, port and gateway matches, tcp
// routes, tls routes by SNI, destinations with or without a port, subsets,
// weights; exportTo "." now and then.
func gateways(r *rand.Rand, nss []string, svcs []genSvc) []obj {
	var out []obj
	for _, gw := range []string{"ingress", "egress"} {
		if !chance(r, 0.45) {
			continue
		}
		ns := pick(r, nss)
		labels := obj{"istio": gw + "gateway", "app": "istio-" + gw + "gateway", "sidecar.istio.io/inject": "true"}
		out = append(out, obj{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("istio-"+gw+"gateway", ns),
			"spec": obj{"replicas": 1,
				"selector": obj{"matchLabels": obj{"istio": gw + "gateway"}},
				"template": obj{"metadata": obj{"labels": labels, "annotations": obj{"inject.istio.io/templates": "gateway"}},
					"spec": obj{"containers": []any{obj{"name": "istio-proxy", "image": "auto",
						"ports": []any{obj{"name": "http", "containerPort": 8080}}}}}}}})
		if len(svcs) == 0 {
			continue
		}
		plainHTTP := false
		for g := range 1 + r.Intn(2) {
			gwNs := ns
			if chance(r, 0.3) {
				gwNs = pick(r, nss) // a Gateway of another namespace selects it too
			}
			name := fmt.Sprintf("%s-gw-%d", gw, g)
			s := svcs[r.Intn(len(svcs))]
			vsNs := gwNs
			if chance(r, 0.3) {
				vsNs = s.ns
			}
			servers, kinds := gatewayServers(r, s, vsNs)
			for _, srv := range servers {
				if n := get(srv, "port", "number"); get(srv, "port", "protocol") == "HTTP" && (n == 8080 || n == 80) {
					plainHTTP = true
				}
			}
			out = append(out, obj{"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": meta(name, gwNs),
				"spec": obj{"selector": obj{"istio": gw + "gateway"}, "servers": servers}})
			for v := range 1 + r.Intn(2) {
				if v > 0 {
					s = svcs[r.Intn(len(svcs))]
				}
				out = append(out, gatewayVS(r, fmt.Sprintf("%s-vs-%d-%d", gw, g, v), vsNs, gwNs, name, s, svcs, kinds))
			}
		}
		if plainHTTP && chance(r, 0.5) {
			// A Service in front of the gateway, 80 → 8080: a server on port 80
			// binds 8080 (resolvePorts), and mesh clients call the gateway.
			out = append(out, obj{"apiVersion": "v1", "kind": "Service", "metadata": meta("istio-"+gw+"gateway", ns),
				"spec": obj{"selector": obj{"istio": gw + "gateway"}, "clusterIP": fmt.Sprintf("10.96.250.%d", 10+len(out)%200),
					"ports": []any{obj{"name": "http2", "port": 80, "targetPort": 8080}}}})
		}
	}
	return out
}

// gatewayServers draws a Gateway's servers; kinds says which route kinds
// (http, tcp) they serve.
func gatewayServers(r *rand.Rand, s genSvc, vsNs string) ([]any, map[string]bool) {
	var servers []any
	kinds := map[string]bool{}
	used := map[int]bool{}
	host := s.name + "." + s.ns + ".svc.cluster.local"
	for range 1 + r.Intn(2) {
		var srv obj
		switch pick(r, []string{"http8080", "http8080", "http80", "https", "tcp", "tls"}) {
		case "http8080":
			srv = obj{"port": obj{"number": 8080, "name": "http", "protocol": "HTTP"}, "hosts": []any{"*/*"}}
		case "http80":
			hosts := pick(r, [][]any{{"*"}, {vsNs + "/*"}, {"./*"}, {host}, {"shop.example.com"}})
			srv = obj{"port": obj{"number": 80, "name": "http-80", "protocol": "HTTP"}, "hosts": hosts}
		case "https":
			srv = obj{"port": obj{"number": 8443, "name": "https", "protocol": "HTTPS"}, "hosts": []any{"*"},
				"tls": obj{"mode": "SIMPLE", "credentialName": "gw-cert"}}
		case "tcp":
			srv = obj{"port": obj{"number": 31400, "name": "tcp", "protocol": "TCP"}, "hosts": []any{"*"}}
		case "tls":
			srv = obj{"port": obj{"number": 9443, "name": "tls", "protocol": "TLS"}, "hosts": []any{"*"}, "tls": obj{"mode": "PASSTHROUGH"}}
		}
		n := get(srv, "port", "number").(int)
		if used[n] {
			continue
		}
		used[n] = true
		switch get(srv, "port", "protocol") {
		case "TCP":
			kinds["tcp"] = true
		case "TLS":
			kinds["tls"] = true
		default:
			kinds["http"] = true
		}
		servers = append(servers, srv)
	}
	return servers, kinds
}

// gatewayVS is a VirtualService bound to the Gateway gwNs/gw, routing to s.
func gatewayVS(r *rand.Rand, name, ns, gwNs, gw string, s genSvc, svcs []genSvc, kinds map[string]bool) obj {
	ref := gw
	if ns != gwNs || chance(r, 0.3) {
		ref = gwNs + "/" + gw // ("./gw" fails validation: validateGatewayNames)
	}
	host := s.name + "." + s.ns + ".svc.cluster.local"
	hosts := []any{pick(r, []any{host, host, "*", "shop.example.com"})}
	if hosts[0] == host && ns == s.ns && chance(r, 0.3) {
		hosts[0] = s.name // a short name resolves in the VirtualService's namespace
	}
	spec := obj{"hosts": hosts, "gateways": []any{ref}}
	if chance(r, 0.15) {
		spec["exportTo"] = []any{"."}
	}
	dests := func() []any {
		var out []any
		n := 1 + r.Intn(3)
		ws := weights(r, n)
		for i := range n {
			t := s
			if chance(r, 0.1) {
				t = svcs[r.Intn(len(svcs))]
			}
			d := obj{"host": t.name + "." + t.ns + ".svc.cluster.local"}
			if len(t.ports) > 1 || chance(r, 0.7) {
				d["port"] = obj{"number": t.ports[r.Intn(len(t.ports))]["port"]}
			}
			if chance(r, 0.6) {
				d["subset"] = pick(r, []string{"v1", "v2", "v3"})
			}
			rd := obj{"destination": d}
			if n > 1 {
				rd["weight"] = ws[i]
			}
			out = append(out, rd)
		}
		return out
	}
	if kinds["http"] || !kinds["tcp"] && !kinds["tls"] {
		var http []any
		if chance(r, 0.3) {
			m := obj{"headers": obj{"x-canary": obj{"exact": "1"}}}
			if chance(r, 0.3) {
				m["port"] = pick(r, []int{80, 8080, 8443})
			}
			if chance(r, 0.2) {
				m["gateways"] = []any{ref}
			}
			http = append(http, obj{"match": []any{m}, "route": dests()})
		}
		http = append(http, obj{"route": dests()})
		spec["http"] = http
	}
	if kinds["tcp"] {
		t := obj{"route": dests()}
		if chance(r, 0.4) {
			t["match"] = []any{obj{"port": 31400}}
		}
		spec["tcp"] = []any{t}
	}
	if kinds["tls"] {
		// SNI hosts within the VirtualService's hosts; a second VirtualService
		// may repeat one (pilot keeps the first: CheckDuplicates).
		sni := hosts[0]
		if sni == "*" {
			sni = "a.example.com"
		}
		m := obj{"sniHosts": []any{sni}}
		if chance(r, 0.3) {
			m["port"] = pick(r, []int{9443, 443})
		}
		spec["tls"] = []any{obj{"match": []any{m}, "route": dests()}}
	}
	return obj{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": meta(name, ns), "spec": spec}
}
