package istiodiff

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
)

// obj is one Kubernetes object as YAML would hold it; the generator, the
// shrinker and both converters work on this one shape.
type obj = map[string]any

// Generator coverage (README "Differential test against Istio"): what a
// random mesh may contain. Every choice is drawn from r, so a seed replays.
var (
	nsNames   = []string{"alpha", "beta", "gamma", "delta"}
	appNames  = []string{"web", "api", "db", "cart", "auth", "mail"}
	portNames = []string{"http", "http-web", "grpc", "tcp", "tcp-db", "https", "tls", "metrics", "redis", "mongo", ""}
	portNums  = []int{80, 8080, 8000, 9000, 5432, 6379, 8443, 443, 3000}
	paModes   = []string{"STRICT", "PERMISSIVE", "DISABLE", "UNSET", ""}
	tlsModes  = []string{"DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL", ""}
)

// Options bound the generator; zero values give the mesh sizes.
type Options struct {
	// Extended adds weighted routes, ServiceEntries and gateways (genext.go)
	// to the classic mesh of the same seed.
	Extended bool
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.Intn(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func meta(name, ns string) obj {
	m := obj{"name": name}
	if ns != "" {
		m["namespace"] = ns
	}
	return m
}

type genSvc struct {
	name, ns string
	headless bool
	ports    []obj
	tports   []int // container ports the service targets
	labels   map[string]string
}

// Generate builds one random mesh from seed.
func Generate(seed int64, opt Options) []obj {
	r := rand.New(rand.NewSource(seed))
	var objs []obj
	nss := append([]string(nil), nsNames...)
	r.Shuffle(len(nss), func(i, j int) { nss[i], nss[j] = nss[j], nss[i] })
	nss = nss[:2+r.Intn(3)]
	slices.Sort(nss)

	objs = append(objs, obj{"apiVersion": "v1", "kind": "Namespace", "metadata": meta("istio-system", "")})
	if chance(r, 0.2) {
		objs = append(objs, obj{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("istio", "istio-system"),
			"data": obj{"mesh": "outboundTrafficPolicy:\n  mode: REGISTRY_ONLY\n"}})
	}
	for _, ns := range nss {
		m := meta(ns, "")
		switch r.Intn(4) {
		case 0, 1:
			m["labels"] = obj{"istio-injection": "enabled"}
		case 2:
			m["labels"] = obj{"istio-injection": "disabled"}
		}
		objs = append(objs, obj{"apiVersion": "v1", "kind": "Namespace", "metadata": m})
	}

	var svcs []genSvc
	ips := map[string]bool{}
	for _, ns := range nss {
		apps := append([]string(nil), appNames...)
		r.Shuffle(len(apps), func(i, j int) { apps[i], apps[j] = apps[j], apps[i] })
		for _, app := range apps[:1+r.Intn(3)] {
			// container ports shared by the app's versions
			cports := map[int]bool{}
			for len(cports) < 1+r.Intn(3) {
				cports[pick(r, portNums)] = true
			}
			var cps []int
			for p := range cports {
				cps = append(cps, p)
			}
			slices.Sort(cps)
			versions := []string{"v1"}
			if chance(r, 0.35) {
				versions = append(versions, "v2")
			}
			for _, v := range versions {
				name := app
				if v != "v1" {
					name = app + "-" + v
				}
				objs = append(objs, deployment(r, name, ns, app, v, cps, nss))
			}
			s := genSvc{name: app, ns: ns, headless: chance(r, 0.15), labels: map[string]string{"app": app}}
			used := map[int]bool{}
			usedNames := map[string]bool{}
			for range 1 + r.Intn(3) {
				p := pick(r, portNums)
				if chance(r, 0.02) {
					p = 15001 // collides with a proxy-reserved port
				}
				if used[p] {
					continue
				}
				used[p] = true
				pn := pick(r, portNames)
				if pn != "" {
					pn = fmt.Sprintf("%s-%d", pn, p)
					if strings.HasPrefix(pn, "http-web") || strings.HasPrefix(pn, "tcp-db") {
						pn = strings.SplitN(pn, "-", 2)[0] + "-" + fmt.Sprint(p)
					}
				}
				if usedNames[pn] {
					continue
				}
				usedNames[pn] = true
				sp := obj{"port": p}
				if pn != "" {
					sp["name"] = pn
				} else {
					sp["name"] = fmt.Sprintf("p%d", p)
				}
				if chance(r, 0.1) {
					sp["appProtocol"] = pick(r, []string{"http", "tcp", "grpc", "https", "kubernetes.io/h2c"})
				}
				tp := p
				if !slices.Contains(cps, p) || chance(r, 0.3) {
					tp = pick(r, cps)
				}
				if tp != p {
					sp["targetPort"] = tp
				}
				s.ports = append(s.ports, sp)
				s.tports = append(s.tports, tp)
			}
			if len(s.ports) == 0 {
				continue
			}
			svcs = append(svcs, s)
			objs = append(objs, service(r, s, nss, ips))
		}
	}

	objs = append(objs, peerAuths(r, nss, svcs)...)
	objs = append(objs, destRules(r, nss, svcs)...)
	objs = append(objs, sidecars(r, nss)...)
	objs = append(objs, virtualServices(r, nss, svcs)...)
	if opt.Extended {
		objs = extend(seed, objs, nss, svcs)
	}
	return objs
}

func deployment(r *rand.Rand, name, ns, app, version string, cports []int, nss []string) obj {
	labels := obj{"app": app, "version": version}
	switch r.Intn(5) {
	case 0:
		labels["sidecar.istio.io/inject"] = "true"
	case 1:
		labels["sidecar.istio.io/inject"] = "false"
	}
	ann := obj{}
	if chance(r, 0.25) {
		switch r.Intn(7) {
		case 0:
			ann["traffic.sidecar.istio.io/excludeOutboundPorts"] = fmt.Sprint(pick(r, portNums))
		case 1:
			ann["traffic.sidecar.istio.io/excludeInboundPorts"] = fmt.Sprint(pick(r, cports))
		case 2:
			ann["traffic.sidecar.istio.io/includeInboundPorts"] = pick(r, []string{"", fmt.Sprint(pick(r, cports))})
		case 3:
			ann["traffic.sidecar.istio.io/excludeOutboundIPRanges"] = pick(r, []string{"10.96.0.0/16", "10.96.1.0/24", "10.96.2.0/24"})
		case 4:
			ann["traffic.sidecar.istio.io/includeOutboundIPRanges"] = pick(r, []string{"10.96.1.0/24", "10.96.0.0/12", ""})
		case 5:
			ann["traffic.sidecar.istio.io/includeOutboundPorts"] = fmt.Sprint(pick(r, portNums))
			ann["traffic.sidecar.istio.io/includeOutboundIPRanges"] = ""
		case 6:
			ann["sidecar.istio.io/interceptionMode"] = "NONE"
		}
	}
	var ports []any
	for _, p := range cports {
		ports = append(ports, obj{"name": fmt.Sprintf("c%d", p), "containerPort": p})
	}
	tmeta := obj{"labels": labels}
	if len(ann) > 0 {
		tmeta["annotations"] = ann
	}
	return obj{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(name, ns),
		"spec": obj{"replicas": 1,
			"selector": obj{"matchLabels": obj{"app": app, "version": version}},
			"template": obj{"metadata": tmeta,
				"spec": obj{"containers": []any{obj{"name": "app", "image": "example/app:1", "ports": ports}}}}}}
}

func service(r *rand.Rand, s genSvc, nss []string, ips map[string]bool) obj {
	m := meta(s.name, s.ns)
	if chance(r, 0.15) {
		m["annotations"] = obj{"networking.istio.io/exportTo": pick(r, []string{".", "~", pick(r, nss), s.ns + "," + pick(r, nss)})}
	}
	var ports []any
	for _, p := range s.ports {
		ports = append(ports, p)
	}
	spec := obj{"selector": obj{"app": s.labels["app"]}, "ports": ports}
	if s.headless {
		spec["clusterIP"] = "None"
	} else {
		// Unique, as the API server allocates them.
		ip := ""
		for ip == "" || ips[ip] {
			ip = fmt.Sprintf("10.96.%d.%d", r.Intn(3), 10+r.Intn(240))
		}
		ips[ip] = true
		spec["clusterIP"] = ip
	}
	return obj{"apiVersion": "v1", "kind": "Service", "metadata": m, "spec": spec}
}

func mtlsMode(r *rand.Rand) obj {
	m := pick(r, paModes)
	if m == "" {
		return nil
	}
	return obj{"mode": m}
}

func peerAuths(r *rand.Rand, nss []string, svcs []genSvc) []obj {
	var out []obj
	pa := func(name, ns string, spec obj) {
		out = append(out, obj{"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication", "metadata": meta(name, ns), "spec": spec})
	}
	if chance(r, 0.6) {
		pa("default", "istio-system", obj{"mtls": obj{"mode": pick(r, []string{"STRICT", "PERMISSIVE", "DISABLE"})}})
	}
	for _, ns := range nss {
		if chance(r, 0.4) {
			spec := obj{}
			if m := mtlsMode(r); m != nil {
				spec["mtls"] = m
			}
			pa("default", ns, spec)
		}
	}
	for i, s := range svcs {
		if !chance(r, 0.25) {
			continue
		}
		spec := obj{"selector": obj{"matchLabels": obj{"app": s.labels["app"]}}}
		if m := mtlsMode(r); m != nil {
			spec["mtls"] = m
		}
		if chance(r, 0.6) {
			pl := obj{}
			for _, tp := range s.tports {
				if chance(r, 0.6) {
					pl[fmt.Sprint(tp)] = obj{"mode": pick(r, []string{"STRICT", "PERMISSIVE", "DISABLE", "UNSET"})}
				}
			}
			if len(pl) > 0 {
				spec["portLevelMtls"] = pl
			}
		}
		pa(fmt.Sprintf("pa-%s-%d", s.name, i), s.ns, spec)
	}
	return out
}

func tlsSettings(r *rand.Rand) obj {
	m := pick(r, tlsModes)
	if m == "" {
		return nil
	}
	t := obj{"mode": m}
	if m == "MUTUAL" {
		t["clientCertificate"] = "/etc/certs/client.pem"
		t["privateKey"] = "/etc/certs/key.pem"
	}
	return t
}

func destRules(r *rand.Rand, nss []string, svcs []genSvc) []obj {
	var out []obj
	n := 0
	dr := func(ns string, spec obj) {
		n++
		m := meta(fmt.Sprintf("dr-%d", n), ns)
		if chance(r, 0.1) {
			spec["exportTo"] = []any{pick(r, []string{".", "*", pick(r, nss)})}
		}
		out = append(out, obj{"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": m, "spec": spec})
	}
	if chance(r, 0.25) {
		spec := obj{"host": pick(r, []string{"*.local", "*"})}
		if t := tlsSettings(r); t != nil {
			spec["trafficPolicy"] = obj{"tls": t}
		}
		dr("istio-system", spec)
	}
	for _, ns := range nss {
		if chance(r, 0.15) {
			spec := obj{"host": "*." + pick(r, nss) + ".svc.cluster.local"}
			if t := tlsSettings(r); t != nil {
				spec["trafficPolicy"] = obj{"tls": t}
			}
			dr(ns, spec)
		}
	}
	for _, s := range svcs {
		if !chance(r, 0.45) {
			continue
		}
		host := s.name + "." + s.ns + ".svc.cluster.local"
		if chance(r, 0.2) {
			host = s.name // short name, resolved in the DR's namespace
		}
		spec := obj{"host": host}
		tp := obj{}
		if t := tlsSettings(r); t != nil {
			tp["tls"] = t
		}
		if chance(r, 0.1) {
			tp["loadBalancer"] = obj{"simple": "PASSTHROUGH"}
		}
		if chance(r, 0.3) {
			var pls []any
			for _, p := range s.ports {
				if t := tlsSettings(r); t != nil && chance(r, 0.5) {
					pls = append(pls, obj{"port": obj{"number": p["port"]}, "tls": t})
				}
			}
			if len(pls) > 0 {
				tp["portLevelSettings"] = pls
			}
		}
		if len(tp) > 0 {
			spec["trafficPolicy"] = tp
		}
		if chance(r, 0.5) {
			var subs []any
			for _, v := range []string{"v1", "v2", "v3"}[:1+r.Intn(3)] {
				sub := obj{"name": v, "labels": obj{"version": v}}
				if t := tlsSettings(r); t != nil && chance(r, 0.4) {
					sub["trafficPolicy"] = obj{"tls": t}
				}
				subs = append(subs, sub)
			}
			spec["subsets"] = subs
		}
		ns := s.ns
		if chance(r, 0.25) {
			ns = pick(r, nss)
			if !strings.Contains(host, ".") {
				host = s.name + "." + s.ns + ".svc.cluster.local"
				spec["host"] = host
			}
		}
		dr(ns, spec)
	}
	return out
}

func sidecars(r *rand.Rand, nss []string) []obj {
	var out []obj
	for _, ns := range nss {
		if !chance(r, 0.2) {
			continue
		}
		hosts := []any{"./*", "istio-system/*"}
		if chance(r, 0.5) {
			hosts = append(hosts, pick(r, nss)+"/*")
		}
		spec := obj{"egress": []any{obj{"hosts": hosts}}}
		if chance(r, 0.3) {
			spec["outboundTrafficPolicy"] = obj{"mode": pick(r, []string{"REGISTRY_ONLY", "ALLOW_ANY"})}
		}
		if chance(r, 0.3) {
			spec["workloadSelector"] = obj{"labels": obj{"app": pick(r, appNames)}}
		}
		out = append(out, obj{"apiVersion": "networking.istio.io/v1", "kind": "Sidecar", "metadata": meta("sc-"+ns, ns), "spec": spec})
	}
	return out
}

func virtualServices(r *rand.Rand, nss []string, svcs []genSvc) []obj {
	var out []obj
	for i, s := range svcs {
		if !chance(r, 0.3) {
			continue
		}
		host := s.name + "." + s.ns + ".svc.cluster.local"
		dest := func() obj {
			d := obj{"host": host}
			if chance(r, 0.7) {
				d["subset"] = pick(r, []string{"v1", "v2", "v3"})
			}
			if chance(r, 0.2) {
				d["port"] = obj{"number": s.ports[r.Intn(len(s.ports))]["port"]}
			}
			return d
		}
		spec := obj{"hosts": []any{host}}
		if chance(r, 0.7) {
			spec["http"] = []any{obj{"route": []any{obj{"destination": dest()}}}}
		}
		if chance(r, 0.5) || spec["http"] == nil {
			spec["tcp"] = []any{obj{"route": []any{obj{"destination": dest()}}}}
		}
		ns := s.ns
		if chance(r, 0.2) {
			ns = pick(r, nss)
		}
		m := meta(fmt.Sprintf("vs-%s-%d", s.name, i), ns)
		if chance(r, 0.1) {
			spec["exportTo"] = []any{pick(r, []string{".", "*"})}
		}
		out = append(out, obj{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": m, "spec": spec})
	}
	return out
}
