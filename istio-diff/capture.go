package istiodiff

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"istio.io/istio/tools/common/config"
	"istio.io/istio/tools/istio-iptables/pkg/capture"
	"istio.io/istio/tools/istio-iptables/pkg/constants"
	dep "istio.io/istio/tools/istio-iptables/pkg/dependencies"
)

// Rules is the nat table Istio's iptables generator writes for one pod.
// Capture is decided by running that generator (tools/istio-iptables,
// capture.IptablesConfigurator.Run against the dry-run dependency stub) and
// walking the rules it emits for one packet, not by restating its logic.
type Rules struct {
	none   bool // interceptionMode NONE: no istio-init container at all
	chains map[string][]rule
	Text   string
}

type rule struct {
	args []string
	raw  string
}

// iptablesConfig is the istio-init container's arguments as the injection
// template writes them from the pod's annotations
// (manifests/charts/istio-control/istio-discovery/files/injection-template.yaml:
// -p 15001 -z 15006 -u 1337 -m REDIRECT -i includeOutboundIPRanges("*")
// -x excludeOutboundIPRanges -b includeInboundPorts("*")
// -d 15090,15021,<excludeInboundPort(15020, excludeInboundPorts)>
// -q includeOutboundPorts (only when annotated) -o excludeOutboundPorts (likewise)).
func iptablesConfig(ann map[string]string) *config.Config {
	val := func(k, def string) string {
		if v, ok := ann[k]; ok {
			return v
		}
		return def
	}
	excl := "15090,15021,15020"
	if v := strings.TrimSpace(ann["traffic.sidecar.istio.io/excludeInboundPorts"]); v != "" {
		excl += "," + v
	}
	return &config.Config{
		ProxyPort:               "15001",
		InboundCapturePort:      "15006",
		InboundTunnelPort:       "15008",
		ProxyUID:                constants.DefaultProxyUID,
		ProxyGID:                constants.DefaultProxyUID,
		InboundInterceptionMode: val("sidecar.istio.io/interceptionMode", "REDIRECT"),
		InboundTProxyMark:       "1337",
		InboundTProxyRouteTable: "133",
		OwnerGroupsInclude:      "*",
		HostIPv4LoopbackCidr:    "127.0.0.1/32",
		OutboundIPRangesInclude: val("traffic.sidecar.istio.io/includeOutboundIPRanges", "*"),
		OutboundIPRangesExclude: val("traffic.sidecar.istio.io/excludeOutboundIPRanges", ""),
		InboundPortsInclude:     val("traffic.sidecar.istio.io/includeInboundPorts", "*"),
		InboundPortsExclude:     excl,
		OutboundPortsInclude:    val("traffic.sidecar.istio.io/includeOutboundPorts", ""),
		OutboundPortsExclude:    val("traffic.sidecar.istio.io/excludeOutboundPorts", ""),
		DryRun:                  true,
	}
}

// RulesFor runs Istio's iptables generator for a pod's annotations.
func RulesFor(ann map[string]string) (*Rules, error) {
	if strings.EqualFold(ann["sidecar.istio.io/interceptionMode"], "NONE") {
		// The template renders no istio-init container (noInitContainer).
		return &Rules{none: true}, nil
	}
	ext := &dep.DependenciesStub{}
	ic, err := capture.NewIptablesConfigurator(iptablesConfig(ann), ext)
	if err != nil {
		return nil, err
	}
	// A nat table that the dry-run stub records line by line, as iptables-restore input.
	if err := ic.Run(); err != nil {
		return nil, fmt.Errorf("istio-iptables: %v", err)
	}
	r := &Rules{chains: map[string][]rule{}}
	var text strings.Builder
	table := ""
	for _, cmd := range ext.ExecutedAll {
		for _, l := range strings.Split(cmd, "\n") {
			l = strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(l, "* "):
				table = strings.TrimPrefix(l, "* ")
			case table == "nat" && strings.HasPrefix(l, "-A "):
				f := strings.Fields(l)
				r.chains[f[1]] = append(r.chains[f[1]], rule{args: f[2:], raw: l})
				text.WriteString(l + "\n")
			case table == "nat" && strings.HasPrefix(l, "-I "):
				f := strings.Fields(l)
				pos, args := 1, f[2:]
				if n, err := strconv.Atoi(f[2]); err == nil {
					pos, args = n, f[3:]
				}
				c := r.chains[f[1]]
				if pos-1 > len(c) {
					pos = len(c) + 1
				}
				c = append(c[:pos-1], append([]rule{{args: args, raw: l}}, c[pos-1:]...)...)
				r.chains[f[1]] = c
				text.WriteString(l + "\n")
			}
		}
	}
	r.Text = text.String()
	return r, nil
}

// Packet is one TCP SYN to judge.
type Packet struct {
	Dst      string
	Port     int
	Loopback bool // leaves through lo: the destination is the pod's own IP
	ProxyUID bool // sent by the sidecar (uid/gid 1337)
}

// Outbound walks OUTPUT → ISTIO_OUTPUT for p and reports where it ends:
// "ISTIO_REDIRECT" (to the outbound listener), "ISTIO_IN_REDIRECT" (the
// inbound listener) or "RETURN" (not captured), with the deciding rule.
func (r *Rules) Outbound(p Packet) (string, string) {
	if r.none {
		return "RETURN", "interceptionMode NONE: no istio-init"
	}
	return r.walk("OUTPUT", p, 0)
}

// Inbound walks PREROUTING → ISTIO_INBOUND for a connection arriving at port.
func (r *Rules) Inbound(port int) (string, string) {
	if r.none {
		return "RETURN", "interceptionMode NONE: no istio-init"
	}
	return r.walk("PREROUTING", Packet{Dst: "10.244.255.1", Port: port}, 0)
}

func (r *Rules) walk(chain string, p Packet, depth int) (string, string) {
	if depth > 8 {
		return "RETURN", "loop"
	}
	for _, ru := range r.chains[chain] {
		target, ok := ru.matches(p)
		if !ok {
			continue
		}
		switch target {
		case "RETURN":
			// Back to the calling chain; at the top the packet goes out uncaptured.
			return "RETURN", ru.raw
		case constants.ISTIOREDIRECT, constants.ISTIOINREDIRECT:
			return target, ru.raw
		default:
			if _, user := r.chains[target]; user {
				if t, why := r.walk(target, p, depth+1); t != "RETURN" {
					return t, why
				} else if depth == 0 && strings.HasPrefix(why, "-A "+target) {
					// A RETURN inside the jumped-to chain resumes here; Istio's
					// top-level chains only jump once, so that ends the walk.
					return "RETURN", why
				}
			}
		}
	}
	return "RETURN", "end of " + chain
}

// matches evaluates the match options Istio's generator emits in the nat
// table: -p, --dport/--dports (multiport), -d, -s, -o, -i, -m owner
// --uid-owner/--gid-owner, each optionally negated by a preceding "!".
func (ru rule) matches(p Packet) (string, bool) {
	a := ru.args
	neg := false
	target := ""
	ok := true
	for i := 0; i < len(a); i++ {
		tok := a[i]
		next := func() string {
			i++
			if i < len(a) {
				return a[i]
			}
			return ""
		}
		res := true
		switch tok {
		case "!":
			neg = true
			continue
		case "-p":
			res = next() == "tcp"
		case "--dport":
			res = next() == strconv.Itoa(p.Port)
		case "--dports":
			res = false
			for _, s := range strings.Split(next(), ",") {
				if s == strconv.Itoa(p.Port) {
					res = true
				}
			}
		case "-d":
			res = inCIDR(p.Dst, next())
		case "-s":
			// Only 127.0.0.6 (the inbound passthrough bind address) appears.
			next()
			res = false
		case "-o":
			res = next() == "lo" && p.Loopback
		case "-i":
			next()
			res = false
		case "-m":
			next()
			continue
		case "--uid-owner", "--gid-owner":
			res = next() == constants.DefaultProxyUID && p.ProxyUID
		case "-j":
			target = next()
			continue
		case "--to-ports", "--set-mark":
			next()
			continue
		default:
			continue
		}
		if neg {
			res = !res
			neg = false
		}
		ok = ok && res
	}
	return target, ok
}

func inCIDR(ip, cidr string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	if !strings.Contains(cidr, "/") {
		cidr += "/32"
	}
	pf, err := netip.ParsePrefix(cidr)
	return err == nil && pf.Contains(a)
}
