package mesh

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestInjection(t *testing.T) {
	ns := func(l map[string]string) *inventory.Namespace {
		return &inventory.Namespace{Meta: inventory.Meta{Kind: "Namespace", Name: "app", Labels: l}}
	}
	pod := func(l, a map[string]string) *inventory.Workload {
		return &inventory.Workload{Meta: inventory.Meta{Kind: "Deployment", Namespace: "app", Name: "w"},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: l, Annotations: a}}}
	}
	enabled := map[string]string{"istio-injection": "enabled"}
	mc := inventory.DefaultMeshConfig()
	for _, tc := range []struct {
		rule string
		ns   *inventory.Namespace
		w    *inventory.Workload
		mc   inventory.MeshConfig
		want ProxyKind
	}{
		{"§4.1a namespace istio-injection=enabled", ns(enabled), pod(nil, nil), mc, ProxySidecar},
		{"§4.1a pod label inject=false opts out", ns(enabled), pod(map[string]string{"sidecar.istio.io/inject": "false"}, nil), mc, ProxyNone},
		{"§4.1 step 2: annotation inject=false opts out once the webhook fired", ns(enabled), pod(nil, map[string]string{"sidecar.istio.io/inject": "false"}), mc, ProxyNone},
		{"§4.1 istio-injection=disabled matches no webhook, even with pod inject=true", ns(map[string]string{"istio-injection": "disabled"}), pod(map[string]string{"sidecar.istio.io/inject": "true"}, nil), mc, ProxyNone},
		{"§4.1b unlabelled namespace, pod label inject=true", ns(nil), pod(map[string]string{"sidecar.istio.io/inject": "true"}, nil), mc, ProxySidecar},
		{"§4.1 the annotation is not seen by the object selector", ns(nil), pod(nil, map[string]string{"sidecar.istio.io/inject": "true"}), mc, ProxyNone},
		{"§4.1c namespace istio.io/rev", ns(map[string]string{"istio.io/rev": "default"}), pod(nil, nil), mc, ProxySidecar},
		{"§4.1d pod istio.io/rev in an unlabelled namespace", ns(nil), pod(map[string]string{"istio.io/rev": "canary"}, nil), mc, ProxySidecar},
		{"§4.1e enableNamespacesByDefault", ns(nil), pod(nil, nil), func() inventory.MeshConfig { m := mc; m.EnableNamespacesByDefault = true; return m }(), ProxySidecar},
		{"§4.1 step 2.5 policy disabled: only explicit true", ns(enabled), pod(nil, nil), func() inventory.MeshConfig { m := mc; m.AutoInjectDisabled = true; return m }(), ProxyNone},
		{"§4.1 namespace not in the inputs → unknown", nil, pod(nil, nil), mc, ProxyUnknown},
		{"§4.1 ambient namespace without sidecar", ns(map[string]string{"istio.io/dataplane-mode": "ambient"}), pod(nil, nil), mc, ProxyAmbient},
		{"§4.1 sidecar wins over ambient", ns(map[string]string{"istio.io/dataplane-mode": "ambient", "istio-injection": "enabled"}), pod(nil, nil), mc, ProxySidecar},
		{"§4.1 pod dataplane-mode=none opts out of an ambient namespace", ns(map[string]string{"istio.io/dataplane-mode": "ambient"}), pod(map[string]string{"istio.io/dataplane-mode": "none"}, nil), mc, ProxyNone},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := Injection("app", tc.ns, tc.w, tc.mc); got.Kind != tc.want {
				t.Errorf("got %s (%s), want %s", got.Kind, got.Reason, tc.want)
			}
		})
	}
	hostNet := pod(nil, nil)
	hostNet.Template.Spec.HostNetwork = true
	if got := Injection("app", ns(enabled), hostNet, mc); got.Kind != ProxyNone {
		t.Errorf("§4.1 step 2.1 hostNetwork: got %s", got.Kind)
	}
	if got := Injection("kube-system", ns(enabled), pod(nil, nil), mc); got.Kind != ProxyNone {
		t.Errorf("§4.1 step 2.2 ignored namespace: got %s", got.Kind)
	}
}

func TestCapture(t *testing.T) {
	for _, tc := range []struct {
		rule string
		ann  map[string]string
		in   int32
		inOK bool
		ip   string
		out  int32
		want Tri
	}{
		{"§4.2 defaults capture everything", nil, 8080, true, "10.0.0.1", 4317, Yes},
		{"§4.2 excludeInboundPorts bypasses Envoy", map[string]string{"traffic.sidecar.istio.io/excludeInboundPorts": "4317,4318"}, 4317, false, "", 4317, Yes},
		{"§4.2 includeInboundPorts list", map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": "8080"}, 9090, false, "", 1, Yes},
		{"§4.2 empty includeInboundPorts captures nothing", map[string]string{"traffic.sidecar.istio.io/includeInboundPorts": ""}, 8080, false, "", 1, Yes},
		{"§4.2 status port 15020 is always excluded", nil, 15020, false, "", 1, Yes},
		{"§4.2 excludeOutboundPorts", map[string]string{"traffic.sidecar.istio.io/excludeOutboundPorts": "4317"}, 1, true, "10.0.0.1", 4317, No},
		{"§4.2 excludeOutboundIPRanges covering the cluster IP", map[string]string{"traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8"}, 1, true, "10.0.0.1", 80, No},
		{"§4.2 excludeOutboundIPRanges and unknown cluster IP → undecided", map[string]string{"traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/8"}, 1, true, "", 80, Undecided},
		{"§4.2 interceptionMode NONE", map[string]string{"sidecar.istio.io/interceptionMode": "NONE"}, 8080, false, "", 80, No},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			c := CaptureOf(tc.ann)
			if got, _ := c.InboundCaptured(tc.in); got != tc.inOK {
				t.Errorf("inbound %d captured = %v, want %v", tc.in, got, tc.inOK)
			}
			if got, _ := c.OutboundCaptured(tc.ip, tc.out); got != tc.want {
				t.Errorf("outbound %s:%d = %v, want %v", tc.ip, tc.out, got, tc.want)
			}
		})
	}
}
