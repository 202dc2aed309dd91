package verdict

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// gatewayWords: Judge names the client's proxy "the client sidecar"; a
// gateway client's proxy is the gateway itself, which has no sidecar to
// bypass (§10.7), and whose 503 its own downstream caller gets.
func gatewayWords(j Judgement, kind mesh.ProxyKind) Judgement {
	if kind != mesh.ProxyGateway {
		return j
	}
	j.Symptom = strings.ReplaceAll(j.Symptom, "(client sidecar: 503 / gRPC UNAVAILABLE)", "(gateway: 503 / gRPC UNAVAILABLE)")
	j.Symptom = strings.ReplaceAll(j.Symptom, "through a client sidecar:", "through the gateway:")
	j.Cause = strings.ReplaceAll(j.Cause, "; STRICT is not the cause and the client did not bypass its sidecar", "; STRICT is not the cause")
	j.Cause = strings.ReplaceAll(j.Cause, "the client sidecar", "the gateway")
	return j
}
