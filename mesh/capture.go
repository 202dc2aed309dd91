package mesh

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"istio.io/api/annotation"
)

// Capture holds a sidecar pod's iptables capture settings from its
// annotations (§4.2; tools/istio-iptables/pkg/capture/run.go; the injection
// template copies the annotations into the init container's arguments).
type Capture struct {
	none            bool
	includeInbound  string // "*", "" or a list
	excludeInbound  map[int32]bool
	excludeOutPorts map[int32]bool
	includeOutPorts map[int32]bool
	includeOutIPs   string
	excludeOutIPs   []netip.Prefix
}

// alwaysExcludedInbound are the proxy's own ports: Prometheus, health, status.
var alwaysExcludedInbound = []int32{15090, 15021, 15020}

// CaptureOf reads the capture annotations of a pod template (§4.2). Istio:
// the injection template (istio-discovery files/injection-template.yaml)
// copies them into istio-iptables' arguments, read by
// tools/istio-iptables/pkg/capture/run.go IptablesConfigurator.Run.
func CaptureOf(ann map[string]string) Capture {
	c := Capture{includeInbound: "*", includeOutIPs: "*",
		excludeInbound:  ports(ann[annotation.SidecarTrafficExcludeInboundPorts.Name]),
		excludeOutPorts: ports(ann[annotation.SidecarTrafficExcludeOutboundPorts.Name]),
		includeOutPorts: ports(ann[annotation.SidecarTrafficIncludeOutboundPorts.Name]),
	}
	c.none = strings.EqualFold(ann[annotation.SidecarInterceptionMode.Name], "NONE")
	if v, ok := ann[annotation.SidecarTrafficIncludeInboundPorts.Name]; ok {
		c.includeInbound = strings.TrimSpace(v)
	}
	if v, ok := ann[annotation.SidecarTrafficIncludeOutboundIPRanges.Name]; ok {
		c.includeOutIPs = strings.TrimSpace(v)
	}
	for _, s := range split(ann[annotation.SidecarTrafficExcludeOutboundIPRanges.Name]) {
		if p, err := netip.ParsePrefix(s); err == nil {
			c.excludeOutIPs = append(c.excludeOutIPs, p)
		}
	}
	return c
}

func split(v string) []string {
	var out []string
	if v == "" {
		return nil // most pods: strings.Split would allocate [""] per edge
	}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ports reads a port list; nil when there is none (most pods), which reads
// as empty: CaptureOf runs for every edge, and three maps each were 34 MB
// of garbage on the 20k mesh.
func ports(v string) map[int32]bool {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	out := map[int32]bool{}
	for _, s := range split(v) {
		if n, err := strconv.ParseInt(s, 10, 32); err == nil {
			out[int32(n)] = true
		}
	}
	return out
}

// InboundCaptured reports whether inbound traffic to container port t is
// redirected to Envoy, and when not, why (§4.2, §4.4). Istio:
// tools/istio-iptables/pkg/capture/run.go handleInboundPortsInclude.
func (c Capture) InboundCaptured(t int32) (bool, string) {
	switch {
	case c.none:
		return false, "sidecar.istio.io/interceptionMode=NONE: no traffic is captured"
	case c.includeInbound == "":
		return false, "traffic.sidecar.istio.io/includeInboundPorts is empty: no inbound port is captured"
	case c.includeInbound != "*":
		if ports(c.includeInbound)[t] {
			return true, ""
		}
		return false, "port " + itoa(t) + " is not in traffic.sidecar.istio.io/includeInboundPorts"
	case c.excludeInbound[t] || slices.Contains(alwaysExcludedInbound, t):
		return false, "port " + itoa(t) + " is excluded from inbound capture (traffic.sidecar.istio.io/excludeInboundPorts or a proxy port)"
	}
	return true, ""
}

// Tri is a three-valued answer: the model says unknown rather than guess.
type Tri int

// The Tri values.
const (
	No Tri = iota
	Yes
	Undecided
)

// OutboundCaptured reports whether the client's traffic to (ip, port)
// passes through its sidecar. ip may be empty when the inputs do not carry
// the Service's cluster IP; then an IP-range rule that could matter makes
// the answer Undecided. Spec §4.2, §10.2; Istio:
// tools/istio-iptables/pkg/capture/run.go Run (the excludeOutboundPorts and
// excludeOutboundIPRanges RETURN rules) and handleOutboundIncludeRules,
// handleOutboundPortsInclude.
func (c Capture) OutboundCaptured(ip string, port int32) (Tri, string) {
	switch {
	case c.none:
		return No, "sidecar.istio.io/interceptionMode=NONE: no traffic is captured"
	case c.excludeOutPorts[port]:
		return No, "port " + itoa(port) + " is in traffic.sidecar.istio.io/excludeOutboundPorts"
	}
	// run.go installs the excludeOutboundIPRanges RETURN rules before the
	// includeOutboundPorts rules, so an excluded IP wins over an included port.
	// Only the IP-range annotations read the address; most pods have none,
	// and a failed parse (no cluster IP in the inputs) allocates its error.
	var addr netip.Addr
	known := false
	if len(c.excludeOutIPs) > 0 || c.includeOutIPs != "*" {
		var err error
		addr, err = netip.ParseAddr(ip)
		known = err == nil
	}
	for _, p := range c.excludeOutIPs {
		if p.Bits() == 0 || (known && p.Contains(addr)) {
			return No, "destination is in traffic.sidecar.istio.io/excludeOutboundIPRanges " + p.String()
		}
	}
	switch {
	case c.includeOutPorts[port]:
		if len(c.excludeOutIPs) > 0 && !known {
			return Undecided, "traffic.sidecar.istio.io/excludeOutboundIPRanges is set and the Service's cluster IP is not in the inputs"
		}
		return Yes, ""
	case c.includeOutIPs == "":
		return No, "traffic.sidecar.istio.io/includeOutboundIPRanges is empty: no outbound IP is captured"
	}
	if c.includeOutIPs != "*" {
		for _, s := range split(c.includeOutIPs) {
			if s == "*" {
				return Yes, ""
			}
			if p, err := netip.ParsePrefix(s); err == nil && (p.Bits() == 0 || (known && p.Contains(addr))) {
				return Yes, ""
			}
		}
		if known {
			return No, "destination is outside traffic.sidecar.istio.io/includeOutboundIPRanges"
		}
		return Undecided, "traffic.sidecar.istio.io/includeOutboundIPRanges is set and the Service's cluster IP is not in the inputs"
	}
	if len(c.excludeOutIPs) > 0 && !known {
		return Undecided, "traffic.sidecar.istio.io/excludeOutboundIPRanges is set and the Service's cluster IP is not in the inputs"
	}
	return Yes, ""
}

func itoa(p int32) string { return strconv.Itoa(int(p)) }

// Loopback reports a sidecar pod calling its own headless Service, when it
// is the only pod behind its workload (§10.6): DNS gives it its own pod IP,
// the kernel routes that over lo, and iptables returns app traffic on lo
// untouched (tools/istio-iptables/pkg/capture/run.go: -A ISTIO_OUTPUT -o lo -m owner !
// --uid-owner 1337 -j RETURN), so neither its outbound nor its inbound
// capture sees the call; pilot builds no listener for the pod's own address
// either (networking/core/listener.go buildSidecarOutboundListeners, "Skip
// the node itself"). run.go drops that RETURN rule when
// includeOutboundIPRanges names a loopback range (config.go SeparateV4V6
// HasLoopBackIP). A ClusterIP call is captured and comes back through Envoy
// (uid 1337), so it is not loopback.
func (m *Model) Loopback(h Hop) bool {
	return h.Client != nil && h.Backend == h.Client && h.Service.Headless() && h.Client.Pods == 1 &&
		m.Proxy(h.Client).Kind == ProxySidecar && !CaptureOf(h.Client.Template.Annotations).includesLoopback()
}

// includesLoopback: includeOutboundIPRanges lists a loopback range.
func (c Capture) includesLoopback() bool {
	if c.includeOutIPs == "*" {
		return false
	}
	for _, s := range split(c.includeOutIPs) {
		if p, err := netip.ParsePrefix(s); err == nil && p.Addr().IsLoopback() {
			return true
		}
	}
	return false
}

// SelfViaEnvoy reports a lone sidecar pod calling a ClusterIP Service that
// routes it back to itself (§10.6): its sidecar captures the call and picks
// its own pod IP from EDS, and Envoy's connection to it (uid 1337, over lo)
// is redirected inbound by the OUTPUT chain — -A ISTIO_OUTPUT -o lo ! -d
// 127.0.0.1/32 -p tcp ! --dport 15008 -m owner --uid-owner 1337 -j
// ISTIO_IN_REDIRECT (tools/istio-iptables/pkg/capture/run.go Run) — which
// includeInboundPorts and excludeInboundPorts do not touch: those shape
// ISTIO_INBOUND, on PREROUTING. An ORIGINAL_DST cluster dials the ClusterIP
// instead and comes back through the node like any other pod's call.
func (m *Model) SelfViaEnvoy(h Hop) bool {
	if h.Client == nil || h.Backend != h.Client || h.Client.Pods != 1 || h.Service.Headless() || h.TargetPort == 15008 ||
		m.Proxy(h.Client).Kind != ProxySidecar || CaptureOf(h.Client.Template.Annotations).none {
		return false
	}
	out, _, vis, _ := m.outbound(h.Client, h.Service, h.Port)
	port := h.Port.Port
	if h.ClusterPort != 0 {
		port = h.ClusterPort
	}
	cl := m.ClusterFor(h.Client.Namespace, h.Client.Template.Labels, ProxySidecar, h.Service, uint32(port), h.Subset)
	return out == Yes && vis.Visible && !cl.OriginalDst
}

// SelfRedirected reports whether the sidecar's own connection to its pod IP
// on container port t (a SelfViaEnvoy hop) is redirected to its inbound
// listener, and why (§10.6). Only ISTIO_OUTPUT sees that connection, and
// run.go writes the excludeOutboundPorts RETURN rules first in it, for
// every uid ("Must be applied before connections back to self are
// redirected"), before the uid-1337 loopback redirect: an excluded port
// reaches the app untouched.
func (c Capture) SelfRedirected(t int32) (bool, string) {
	if c.excludeOutPorts[t] {
		return false, "the pod's own sidecar sends the call back to it over loopback, and port " + itoa(t) +
			" is in traffic.sidecar.istio.io/excludeOutboundPorts, whose RETURN comes first in ISTIO_OUTPUT: Envoy's connection reaches the app, not the inbound listener"
	}
	return true, "the pod's own sidecar sends the call back to it over loopback, and iptables redirects Envoy's loopback connections inbound whatever the inbound port annotations say"
}

// loopbackWhy is the capture reason of a Loopback hop.
const loopbackWhy = "the pod calls its own headless Service: its own pod IP is reached over loopback, which iptables leaves to the app"
