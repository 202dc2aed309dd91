package mesh

import "testing"

// BenchmarkCaptureOf: a pod without capture annotations, as most are;
// judging asks for every edge's client and backend (120,000 times on the
// 20k mesh, three maps each before ports returned nil for an empty list).
func BenchmarkCaptureOf(b *testing.B) {
	ann := map[string]string{"sidecar.istio.io/status": "{}"}
	b.ReportAllocs()
	for b.Loop() {
		if c, _ := CaptureOf(ann).InboundCaptured(15090); c {
			b.Fatal("the proxy's Prometheus port is captured")
		}
	}
}
