package istiodiff

import "time"

// storedService is Service o as the API server stores it, which is what
// Istio's registry reads in a cluster: a port without targetPort gets its
// port (SetDefaults_Service in k8s.io/kubernetes pkg/apis/core/v1). The fake
// registry of pilot/test/xds applies no defaults, so without this a port
// that omits targetPort has target 0 in pilot's service targets and never
// takes its container port's inbound chain (listener_inbound.go
// getFilterChainsByServicePort), leaving it to another port that names it.
// The API server also stamps a creationTimestamp, the time it stores the
// object; the fake does not, and a zero time sorts before every real one,
// so a Service without one would count as older than a ServiceEntry the
// manifests date (listener_inbound.go: the oldest service target takes the
// chain) where in a cluster it is the newer. It gets the time of storing.
// o itself is left alone: meshdoctor reads the manifest as written.
func storedService(o obj) obj {
	c := Normalize([]obj{o})[0]
	if md, ok := c["metadata"].(obj); ok && md["creationTimestamp"] == nil {
		md["creationTimestamp"] = time.Now().UTC().Format(time.RFC3339)
	}
	for _, p := range list(c, "spec", "ports") {
		if m, ok := p.(obj); ok {
			if _, set := m["targetPort"]; !set {
				m["targetPort"] = m["port"]
			}
		}
	}
	return c
}
