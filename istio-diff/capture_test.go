package istiodiff

import "testing"

// The rule walk against the rules Istio's generator really emits
// (tools/istio-iptables/pkg/capture/run.go), one row per rule it must honour.
func TestCaptureWalk(t *testing.T) {
	const podIP, vip = "10.244.0.10", "10.96.0.20"
	cases := []struct {
		name string
		ann  map[string]string
		pkt  Packet
		in   int // inbound port instead of pkt when > 0
		want string
	}{
		{"app to a cluster IP is redirected", nil, Packet{Dst: vip, Port: 80}, 0, "ISTIO_REDIRECT"},
		{"the proxy's own traffic is not", nil, Packet{Dst: vip, Port: 80, ProxyUID: true}, 0, "RETURN"},
		{"excludeOutboundPorts returns first", map[string]string{"traffic.sidecar.istio.io/excludeOutboundPorts": "80"}, Packet{Dst: vip, Port: 80}, 0, "RETURN"},
		{"app to its own pod IP leaves over lo uncaptured", nil, Packet{Dst: podIP, Port: 80, Loopback: true}, 0, "RETURN"},
		{"proxy to its own pod IP over lo goes to inbound", nil, Packet{Dst: podIP, Port: 80, Loopback: true, ProxyUID: true}, 0, "ISTIO_IN_REDIRECT"},
		{"...even with inbound capture off", map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": ""}, Packet{Dst: podIP, Port: 80, Loopback: true, ProxyUID: true}, 0, "ISTIO_IN_REDIRECT"},
		{"excluded IP range", map[string]string{"traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.96.0.0/16"}, Packet{Dst: vip, Port: 80}, 0, "RETURN"},
		{"include range misses", map[string]string{"traffic.sidecar.istio.io/includeOutboundIPRanges": "10.96.1.0/24"}, Packet{Dst: vip, Port: 80}, 0, "RETURN"},
		{"include range hits", map[string]string{"traffic.sidecar.istio.io/includeOutboundIPRanges": "10.96.0.0/24"}, Packet{Dst: vip, Port: 80}, 0, "ISTIO_REDIRECT"},
		{"includeOutboundPorts with no ranges", map[string]string{"traffic.sidecar.istio.io/includeOutboundPorts": "80", "traffic.sidecar.istio.io/includeOutboundIPRanges": ""}, Packet{Dst: vip, Port: 80}, 0, "ISTIO_REDIRECT"},
		{"interceptionMode NONE", map[string]string{"sidecar.istio.io/interceptionMode": "NONE"}, Packet{Dst: vip, Port: 80}, 0, "RETURN"},
		{"inbound captured by default", nil, Packet{}, 8080, "ISTIO_IN_REDIRECT"},
		{"status port never captured", nil, Packet{}, 15020, "RETURN"},
		{"excludeInboundPorts", map[string]string{"traffic.sidecar.istio.io/excludeInboundPorts": "8080"}, Packet{}, 8080, "RETURN"},
		{"includeInboundPorts list", map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": "9000"}, Packet{}, 8080, "RETURN"},
	}
	for _, c := range cases {
		r, err := RulesFor(c.ann)
		if err != nil {
			t.Fatal(err)
		}
		var got, why string
		if c.in > 0 {
			got, why = r.Inbound(c.in)
		} else {
			got, why = r.Outbound(c.pkt)
		}
		if got != c.want {
			t.Errorf("%s: got %s (%s), want %s\nrules:\n%s", c.name, got, why, c.want, r.Text)
		}
	}
}

func TestShrinkKeepsPredicate(t *testing.T) {
	objs := Normalize(Generate(7, Options{}))
	// Keep any mesh that still has a Service named like the first one.
	want := ""
	for _, o := range objs {
		if kindOf(o) == "Service" {
			want = nameOf(o)
			break
		}
	}
	small := Shrink(objs, func(c []obj) bool {
		for _, o := range c {
			if kindOf(o) == "Service" && nameOf(o) == want {
				return true
			}
		}
		return false
	}, 400)
	for _, o := range small[:len(small)-1] {
		if kindOf(o) != "Namespace" {
			t.Fatalf("kept %s %s", kindOf(o), nameOf(o))
		}
	}
	if last := small[len(small)-1]; kindOf(last) != "Service" || nameOf(last) != want {
		t.Fatalf("shrunk to %d objects: %s", len(small), ToYAML(small))
	}
}
