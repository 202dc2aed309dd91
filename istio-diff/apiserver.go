package istiodiff

// storedService is Service o as the API server stores it, which is what
// Istio's registry reads in a cluster: a port without targetPort gets its
// port (SetDefaults_Service in k8s.io/kubernetes pkg/apis/core/v1). The fake
// registry of pilot/test/xds applies no defaults, so without this a port
// that omits targetPort has target 0 in pilot's service targets and never
// takes its container port's inbound chain (listener_inbound.go
// getFilterChainsByServicePort), leaving it to another port that names it.
// o itself is left alone: meshdoctor reads the manifest as written.
func storedService(o obj) obj {
	c := Normalize([]obj{o})[0]
	for _, p := range list(c, "spec", "ports") {
		if m, ok := p.(obj); ok {
			if _, set := m["targetPort"]; !set {
				m["targetPort"] = m["port"]
			}
		}
	}
	return c
}
