package fix

import (
	"fmt"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
	"istio.io/api/annotation"
	networking "istio.io/api/networking/v1alpha3"
)

// Strategy is one kind of remediation, declared as a value the way checks
// are: its name (the --strategy value and the JSON "strategy") and when it
// applies, for users whose --strategy yields nothing.
type Strategy struct {
	Name    string
	Applies string
}

// The strategies. Their order in Strategies breaks ties, narrowest first.
var (
	DropOptOut = &Strategy{"drop-inject-opt-out",
		`a workload opts out of injection (sidecar.istio.io/inject: "false") in a namespace that injects`}
	InjectServerWorkload = &Strategy{"inject-server-workload", "the server has no sidecar and its namespace has no injection label"}
	InjectServerNS       = &Strategy{"inject-server-namespace", "the server has no sidecar and its Namespace object is in the inputs"}
	InjectClientNS       = &Strategy{"inject-client-namespace", "the client has no sidecar and its Namespace object is in the inputs"}
	RestoreCapture       = &Strategy{"restore-outbound-capture", "the client's sidecar does not capture the traffic (excludeOutboundPorts/IPRanges)"}
	RestoreInbound       = &Strategy{"restore-inbound-capture", "the server has a sidecar but its target port is excluded from inbound capture"}
	DRIstioMutualPort    = &Strategy{"dr-istio-mutual-port", "client sidecars send plaintext to a STRICT sidecar"}
	DRDisablePort        = &Strategy{"dr-disable-port", "clients originate TLS toward a server side that does not terminate it"}
	PermissivePort       = &Strategy{"pa-permissive-port", "plaintext reaches a STRICT sidecar port"}
	DropDR               = &Strategy{"drop-destinationrule", "a DestinationRule forces a tls mode the server side cannot take"}
	DRDisableHost        = &Strategy{"dr-disable-host", "clients originate TLS toward a server side that does not terminate it"}
	SeedFix              = &Strategy{"dr-disable+pa-permissive", "clients originate TLS toward a server side that does not terminate it"}
)

// Strategies lists every strategy, in tie-break order.
var Strategies = []*Strategy{DropOptOut, InjectServerWorkload, InjectServerNS, InjectClientNS, RestoreCapture, RestoreInbound,
	DRIstioMutualPort, DRDisablePort, PermissivePort, DropDR, DRDisableHost, SeedFix}

// StrategyNamed finds a strategy by name (nil when none has it).
func StrategyNamed(name string) *Strategy {
	for _, s := range Strategies {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// StrategyNames are the names, in order (for help and errors).
func StrategyNames() []string {
	out := make([]string, len(Strategies))
	for i, s := range Strategies {
		out[i] = s.Name
	}
	return out
}

func tieRank(name string) int {
	for i, s := range Strategies {
		if s.Name == name {
			return i
		}
	}
	return len(Strategies)
}

// propose lists the candidates for one failing target.
func (st *state) propose(t *Target) []Candidate {
	var out []Candidate
	out = append(out, st.injectServer(t)...)
	out = append(out, st.restoreInbound(t)...)
	out = append(out, st.clientSide(t)...)
	out = append(out, st.destinationRules(t)...)
	out = append(out, st.permissivePort(t)...)
	return out
}

func sends(t *Target, s mesh.Sends) bool {
	for _, e := range t.Edges {
		if e.ClientSends == s {
			return true
		}
	}
	return false
}

// tlsToPlain: clients originate TLS the server side does not terminate.
func tlsToPlain(t *Target) bool {
	return (sends(t, mesh.SendsIstioMTLS) || sends(t, mesh.SendsTLS) || sends(t, mesh.SendsMTLS)) &&
		!strings.HasPrefix(string(t.Edges[0].ServerAccepts), "istio-mtls")
}

func (st *state) injectServer(t *Target) []Candidate {
	b := t.Backend
	if b == nil || st.model.Proxy(b).Kind != mesh.ProxyNone || !tlsToPlain(t) {
		return nil
	}
	var out []Candidate
	out = append(out, st.dropOptOut(b, "server")...)
	if ns := st.inv.Namespace(b.Namespace); ns != nil && ns.Labels["istio-injection"] == "" && ns.Labels["istio.io/rev"] == "" {
		if o, ok := st.object("Workload", b); ok {
			out = append(out, Candidate{Strategy: InjectServerWorkload.Name, Restarts: 1,
				Title: fmt.Sprintf("give %s %s a sidecar (pod label sidecar.istio.io/inject=true)", b.Kind, b.Key()),
				Why:   "the clients' sidecars originate istio mTLS; with a sidecar the server terminates it and the edge is mutual TLS end to end",
				Cost:  "no security cost: the edge becomes mutual TLS; the workload restarts and its inbound ports then follow its PeerAuthentication",
				Changes: []Change{replace(o, st.defNS, func(obj map[string]any) {
					path(podTemplateMeta(obj), "labels")["sidecar.istio.io/inject"] = "true"
				})}})
		}
	}
	if o, ok := st.object("Namespace", nil, b.Namespace); ok {
		n := len(st.inv.WorkloadsIn(b.Namespace))
		out = append(out, Candidate{Strategy: InjectServerNS.Name, Restarts: n,
			Title: fmt.Sprintf("inject sidecars in namespace %s (label istio-injection=enabled)", b.Namespace),
			Why:   "every workload of the namespace gets a sidecar, so the server terminates istio mTLS",
			Cost:  fmt.Sprintf("no security cost; all %d workloads of %s restart with sidecars and become subject to PeerAuthentication", n, b.Namespace),
			Changes: []Change{replace(o, st.defNS, func(obj map[string]any) {
				path(obj, "metadata", "labels")["istio-injection"] = "enabled"
			})}})
	}
	return out
}

// injectOptOut is the pod-level opt-out of injection (spec §2: the pod
// label, and the legacy annotation, sidecar.istio.io/inject: "false").
const injectOptOut = "sidecar.istio.io/inject"

// dropOptOut removes a workload's pod-level opt-out: in a namespace that
// injects, the workload then gets its sidecar — mutual TLS restored rather
// than the server's policy weakened.
func (st *state) dropOptOut(w *inventory.Workload, side string) []Candidate {
	t := w.Template
	if t.Labels[injectOptOut] != "false" && t.Annotations[injectOptOut] != "false" {
		return nil
	}
	o, ok := st.object("Workload", w)
	if !ok {
		return nil
	}
	return []Candidate{{Strategy: DropOptOut.Name, Restarts: 1,
		Title: fmt.Sprintf("remove the pod-level opt-out sidecar.istio.io/inject: \"false\" from the %s %s %s", side, w.Kind, w.Key()),
		Why:   "the namespace injects sidecars; without the opt-out the workload gets one and the edge is mutual TLS end to end",
		Cost:  "no security cost: the edge becomes mutual TLS; the workload restarts with a sidecar (check why it opted out: a job that must exit, host networking, a port the sidecar must not take)",
		Changes: []Change{replace(o, st.defNS, func(obj map[string]any) {
			m := podTemplateMeta(obj)
			for _, k := range []string{"labels", "annotations"} {
				if l, ok := m[k].(map[string]any); ok && l[injectOptOut] == "false" {
					delete(l, injectOptOut)
					if len(l) == 0 {
						delete(m, k)
					}
				}
			}
		})}}}
}

// restoreInbound puts the server's sidecar back in front of a port excluded
// from inbound capture (istio#30311: auto mTLS still sends mTLS there).
func (st *state) restoreInbound(t *Target) []Candidate {
	b := t.Backend
	if b == nil || st.model.Proxy(b).Kind != mesh.ProxySidecar {
		return nil
	}
	if captured, _ := mesh.CaptureOf(b.Template.Annotations).InboundCaptured(t.TargetPort); captured {
		return nil
	}
	o, ok := st.object("Workload", b)
	if !ok {
		return nil
	}
	port := fmt.Sprint(t.TargetPort)
	return []Candidate{{Strategy: RestoreInbound.Name, Restarts: 1,
		Title: fmt.Sprintf("capture inbound port %d of %s %s again (traffic.sidecar.istio.io annotations)", t.TargetPort, b.Kind, b.Key()),
		Why:   "the server's sidecar then terminates istio mTLS on that port and enforces its PeerAuthentication",
		Cost:  "no security cost: the edge becomes mutual TLS; the workload restarts, and clients without sidecars are then subject to its mode",
		Changes: []Change{replace(o, st.defNS, func(obj map[string]any) {
			ann := path(podTemplateMeta(obj), "annotations")
			k := annotation.SidecarTrafficExcludeInboundPorts.Name
			if v, ok := ann[k].(string); ok {
				if r := removePort(v, port); r == "" {
					delete(ann, k)
				} else {
					ann[k] = r
				}
			}
			inc := annotation.SidecarTrafficIncludeInboundPorts.Name
			if v, ok := ann[inc].(string); ok && v != "*" {
				ann[inc] = strings.Trim(v+","+port, ",")
			}
		})}}}
}

// clientSide restores the client's sidecar in the path.
func (st *state) clientSide(t *Target) []Candidate {
	var out []Candidate
	seenNS := map[string]bool{}
	var capture []Change
	for _, e := range t.Edges {
		c := st.workload(e.Client)
		if c == nil {
			continue
		}
		if st.model.Proxy(c).Kind == mesh.ProxyNone {
			out = append(out, st.dropOptOut(c, "client")...)
		}
		if st.model.Proxy(c).Kind == mesh.ProxyNone && !seenNS[c.Namespace] {
			seenNS[c.Namespace] = true
			if o, ok := st.object("Namespace", nil, c.Namespace); ok {
				out = append(out, Candidate{Strategy: InjectClientNS.Name, Restarts: len(st.inv.WorkloadsIn(c.Namespace)),
					Title:   fmt.Sprintf("inject sidecars in the client namespace %s", c.Namespace),
					Why:     "a client with a sidecar sends istio mTLS, which a STRICT server accepts",
					Cost:    "no security cost; the namespace's workloads restart with sidecars",
					Changes: []Change{replace(o, st.defNS, func(obj map[string]any) { path(obj, "metadata", "labels")["istio-injection"] = "enabled" })}})
			}
		}
		if strings.Contains(e.ClientReason, "does not capture") {
			if o, ok := st.object("Workload", c); ok {
				port := fmt.Sprint(e.Server.Port)
				capture = append(capture, replace(o, st.defNS, func(obj map[string]any) {
					ann := path(podTemplateMeta(obj), "annotations")
					for _, k := range []string{annotation.SidecarTrafficExcludeOutboundPorts.Name} {
						if v, ok := ann[k].(string); ok {
							if r := removePort(v, port); r == "" {
								delete(ann, k)
							} else {
								ann[k] = r
							}
						}
					}
					delete(ann, annotation.SidecarTrafficExcludeOutboundIPRanges.Name)
				}))
			}
		}
	}
	if len(capture) > 0 {
		out = append(out, Candidate{Strategy: RestoreCapture.Name, Restarts: len(capture),
			Title:   "send the clients' traffic through their sidecars again (drop the outbound capture exclusion)",
			Why:     "the excluded traffic leaves the pod as plaintext; through the sidecar it becomes istio mTLS",
			Cost:    "no security cost; the clients restart",
			Changes: capture})
	}
	return out
}

// decidingDR is the DR the failing edges' clients use for the target, if any.
func (st *state) decidingDR(t *Target) (*mesh.ConsolidatedDR, *inventory.Workload) {
	for _, e := range t.Edges {
		if c := st.workload(e.Client); c != nil {
			host := t.Service.Host(st.inv.Mesh.DomainSuffix)
			if d := st.model.DestRules.For(c.Namespace, c.Template.Labels, host, t.Service.Namespace); d != nil {
				return d, c
			}
		}
	}
	return nil, nil
}

func (st *state) destinationRules(t *Target) []Candidate {
	d, client := st.decidingDR(t)
	host := t.Service.Host(st.inv.Mesh.DomainSuffix)
	svc := t.Service.Name
	var out []Candidate
	// A new exact-host DR must sit where the lookup reaches it before the
	// deciding one: the client's namespace if that is where the deciding DR is.
	ns := t.Service.Namespace
	top := map[string]any{}
	if d != nil {
		if d.Namespace == client.Namespace {
			ns = client.Namespace
		}
		if tls := d.Rule.GetTrafficPolicy().GetTls(); tls != nil {
			top["tls"] = map[string]any{"mode": tls.GetMode().String()}
		}
	}
	portLevel := func(mode string) map[string]any {
		p := map[string]any{}
		for k, v := range top {
			p[k] = v
		}
		p["portLevelSettings"] = []any{map[string]any{"port": map[string]any{"number": t.Port.Port}, "tls": map[string]any{"mode": mode}}}
		return p
	}
	name := svc + "-mtls-exception"
	if tlsToPlain(t) {
		ch := st.extendDR(destinationRule(name, ns, host, portLevel("DISABLE")))
		out = append(out, Candidate{Strategy: DRDisablePort.Name,
			Title:   fmt.Sprintf("DestinationRule %s: tls DISABLE for %s port %d only", drTitle(ch, ns), host, t.Port.Port),
			Why:     "clients stop originating TLS toward a server that does not terminate it; other ports keep their policy",
			Cost:    fmt.Sprintf("traffic to %s:%d is plaintext inside the cluster: no encryption, no peer identity", svc, t.Port.Port),
			Changes: []Change{ch}})
		out = append(out, Candidate{Strategy: DRDisableHost.Name,
			Title:   fmt.Sprintf("DestinationRule %s/%s-mtls-disable: tls DISABLE for every port of %s", ns, svc, host),
			Why:     "clients send plaintext to every port of the service",
			Cost:    fmt.Sprintf("traffic to all ports of %s is plaintext inside the cluster", svc),
			Changes: []Change{destinationRule(svc+"-mtls-disable", ns, host, map[string]any{"tls": map[string]any{"mode": "DISABLE"}})}})
		if b := t.Backend; b != nil {
			sel := t.Service.Spec.Selector
			ports := map[string]any{fmt.Sprint(t.TargetPort): map[string]any{"mode": "PERMISSIVE"}}
			pa := peerAuthentication(svc, t.Service.Namespace, sel, map[string]any{"mtls": map[string]any{"mode": "PERMISSIVE"}, "portLevelMtls": ports})
			out = append(out, Candidate{Strategy: SeedFix.Name,
				Title:   "the write-up's fix: DestinationRule tls DISABLE for the host plus PeerAuthentication PERMISSIVE on the server",
				Why:     "clients send plaintext and the server is told to accept it",
				Cost:    fmt.Sprintf("traffic to all ports of %s is plaintext; the server accepts plaintext from anyone where it has a sidecar", svc),
				Changes: []Change{destinationRule(svc+"-mtls-disable", ns, host, map[string]any{"tls": map[string]any{"mode": "DISABLE"}}), pa}})
		}
	}
	if d != nil && forcesWrongTLS(d, t) {
		var changes []Change
		for _, from := range d.From {
			if o, ok := st.object("DestinationRule", nil, from.Namespace, from.Name); ok {
				changes = append(changes, deletion(o, st.defNS))
			}
		}
		out = append(out, Candidate{Strategy: DropDR.Name, Changes: changes,
			Title: fmt.Sprintf("remove DestinationRule %s/%s (host %s)", d.Namespace, d.From[0].Name, d.Rule.GetHost()),
			Why:   "without it, auto mTLS decides per endpoint: istio mTLS to sidecars, plaintext to the rest",
			Cost:  fmt.Sprintf("every host %s matches falls back to auto mTLS; sidecar-to-sidecar traffic stays mutual TLS", d.Rule.GetHost())})
	}
	if sends(t, mesh.SendsPlaintext) && t.Edges[0].ServerAccepts == mesh.AcceptsIstioMTLS && clientsHaveSidecars(st, t) {
		ch := st.extendDR(destinationRule(name, ns, host, portLevel("ISTIO_MUTUAL")))
		out = append(out, Candidate{Strategy: DRIstioMutualPort.Name,
			Title:   fmt.Sprintf("DestinationRule %s: tls ISTIO_MUTUAL for %s port %d", drTitle(ch, ns), host, t.Port.Port),
			Why:     "the clients' proxies send plaintext; telling them to use istio mTLS satisfies the STRICT server",
			Cost:    "no security cost: the edge becomes mutual TLS",
			Changes: []Change{ch}})
	}
	return out
}

// forcesWrongTLS: the DR sets a tls mode that the server side cannot take.
func forcesWrongTLS(d *mesh.ConsolidatedDR, t *Target) bool {
	tls := mesh.ClusterTLS(d.Rule, uint32(t.Port.Port), "")
	if tls == nil {
		return false
	}
	if tls.GetMode() == networking.ClientTLSSettings_DISABLE {
		return t.Edges[0].ServerAccepts == mesh.AcceptsIstioMTLS
	}
	return tlsToPlain(t)
}

func clientsHaveSidecars(st *state, t *Target) bool {
	for _, e := range t.Edges {
		if e.Client.Proxy != mesh.ProxySidecar && e.Client.Proxy != mesh.ProxyGateway {
			return false
		}
	}
	return true
}

// permissivePort opens the target port to plaintext on a STRICT sidecar.
func (st *state) permissivePort(t *Target) []Candidate {
	b := t.Backend
	if b == nil || !sends(t, mesh.SendsPlaintext) || t.Edges[0].ServerAccepts != mesh.AcceptsIstioMTLS {
		return nil
	}
	eff := st.model.PeerAuth.For(b.Namespace, b.Template.Labels)
	port := fmt.Sprint(t.TargetPort)
	var ch Change
	if w := eff.Workload; w != nil {
		o, ok := st.object("PeerAuthentication", nil, w.Namespace, w.Name)
		if !ok {
			return nil
		}
		ch = replace(o, st.defNS, func(obj map[string]any) {
			path(obj, "spec", "portLevelMtls")[port] = map[string]any{"mode": "PERMISSIVE"}
		})
	} else {
		ch = peerAuthentication(t.Service.Name+"-mtls-exception", b.Namespace, t.Service.Spec.Selector,
			map[string]any{"portLevelMtls": map[string]any{port: map[string]any{"mode": "PERMISSIVE"}}})
		ch = st.extendPA(ch)
	}
	return []Candidate{{Strategy: PermissivePort.Name, Changes: []Change{ch},
		Title: fmt.Sprintf("PeerAuthentication: PERMISSIVE on target port %d of %s only", t.TargetPort, b.Key()),
		Why:   "the server's sidecar accepts the clients' plaintext on that port; its other ports stay as they are",
		Cost:  fmt.Sprintf("port %d of %s accepts plaintext from anyone in the cluster (mesh clients still use mTLS)", t.TargetPort, b.Key())}}
}

func edgeKey(e verdict.Edge) string { return e.Client.Namespace + "/" + e.Client.Workload }

// drTitle names the DestinationRule a change writes: a new one, or the
// existing rule for the host that it extends (Istio applies one rule per
// host, so a second would be ignored).
func drTitle(ch Change, ns string) string {
	if ch.Replaces != "" && !strings.HasPrefix(ch.Replaces, "fix:") {
		return fmt.Sprintf("%s/%s (extended: the host's own rule, at %s)", ns, ch.Name, ch.Replaces)
	}
	return ns + "/" + ch.Name
}
