package check

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"istio.io/api/annotation"
	corev1 "k8s.io/api/core/v1"
)

// ProbeStrictNoRewrite is §5: kubelet probes are plaintext from outside the mesh.
var ProbeStrictNoRewrite = &Check{
	Code:     "MD0401",
	Name:     "probe-strict-no-rewrite",
	Severity: Error,
	Doc: `HTTP or gRPC probe on a STRICT port with probe rewriting off: the pod never becomes ready

Kubelet sends plaintext and has no mesh certificate; with sidecar.istio.io/rewriteAppHTTPProbers the agent probes instead (TestMtlsHealthCheck).`,
	Run: func(p *Pass) {
		m := p.Model
		for _, w := range m.Inv.Workloads {
			if m.Proxy(w).Kind != mesh.ProxySidecar || rewrites(w, m.Inv.Mesh) {
				continue
			}
			pa := m.PeerAuth.For(w.Namespace, w.Template.Labels)
			capture := mesh.CaptureOf(w.Template.Annotations)
			for _, c := range w.Template.Spec.Containers {
				for kind, pr := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe, "startup": c.StartupProbe} {
					port, ok := probePort(pr, c)
					if !ok {
						continue
					}
					mode, _ := pa.ModeForPort(uint32(port))
					if captured, _ := capture.InboundCaptured(port); captured && mode == mesh.Strict {
						p.Report(w.Ref(), fmt.Sprintf("%s probe of container %s on port %d is plaintext from kubelet, the port is STRICT and probe rewriting is off", kind, c.Name, port))
					}
				}
			}
		}
	},
}

func rewrites(w *inventory.Workload, mc inventory.MeshConfig) bool {
	if v, ok := w.Template.Annotations[annotation.SidecarRewriteAppHTTPProbers.Name]; ok {
		return v != "false"
	}
	return mc.RewriteAppHTTPProbe
}

// probePort returns the port of an HTTP or gRPC probe (TCP probes succeed
// once Envoy accepts, exec is unaffected).
func probePort(pr *corev1.Probe, c corev1.Container) (int32, bool) {
	if pr == nil {
		return 0, false
	}
	switch {
	case pr.HTTPGet != nil:
		if pr.HTTPGet.Port.IntValue() != 0 {
			return int32(pr.HTTPGet.Port.IntValue()), true
		}
		for _, cp := range c.Ports {
			if cp.Name == pr.HTTPGet.Port.StrVal {
				return cp.ContainerPort, true
			}
		}
	case pr.GRPC != nil:
		return pr.GRPC.Port, true
	}
	return 0, false
}
