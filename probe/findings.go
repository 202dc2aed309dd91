package probe

import (
	"fmt"

	"github.com/meshdoctor/meshdoctor/category"
)

// findings states conclusions that follow from the steps; no guesses.
func findings(r *Report) []string {
	var out []string
	if t := r.TLS; t != nil && t.IstioSidecar {
		out = append(out, fmt.Sprintf("looks like an Istio sidecar inbound (STRICT or PERMISSIVE): it presents %s and requests a client certificate", t.SPIFFEID))
		switch {
		case hasPlaintext(r):
			out = append(out, "plaintext was answered on this port too, so mTLS is not enforced here (PERMISSIVE)")
		case stepWith(r, category.PlaintextToTLS):
			out = append(out, "plaintext was rejected on this port, consistent with STRICT mTLS")
		}
	}
	if t := r.TLS; t != nil && t.ClientCertRequested && !t.ClientCertSent && stepWith(r, category.ClientCertificateRequired) {
		out = append(out, "the server requires a client certificate: pass --cert and --key (for a sidecar: a workload certificate from the mesh CA)")
	}
	if r.Export == nil || r.Export.Error == "" {
		return out
	}
	if s := r.step("otlp-" + r.Export.Protocol); s != nil {
		switch s.Category {
		case category.PlaintextToTLS:
			out = append(out, "the exporter spoke plaintext but the port speaks TLS: use https:// with --cacert or --insecure-skip-verify")
		case category.TLSToPlaintext:
			out = append(out, "the exporter spoke TLS but the port answers plaintext: use http://")
		}
	}
	return out
}

func hasPlaintext(r *Report) bool {
	for _, p := range r.Protocols {
		if p == ProtoHTTP1 || p == ProtoH2C || p == ProtoGRPC {
			return true
		}
	}
	return false
}

func stepWith(r *Report, c category.Category) bool {
	for _, s := range r.Steps {
		if !s.OK && s.Category == c {
			return true
		}
	}
	return false
}
