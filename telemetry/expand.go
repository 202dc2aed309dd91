package telemetry

import "strings"

// Expand resolves Kubernetes dependent environment variables in an env
// value as the kubelet does (kubernetes pkg/kubelet/kubelet_pods.go
// makeEnvironmentVariables → third_party/forked/golang/expansion Expand):
// $(NAME) becomes the value of NAME when lookup knows it (a variable
// defined earlier in the same container, envFrom included) and stays as
// written otherwise; $$ is an escaped $; any other $ is kept. It applies to
// every literal env value, not only OTEL_* ones.
func Expand(in string, lookup func(name string) (string, bool)) string {
	if !strings.Contains(in, "$") {
		return in
	}
	var b strings.Builder
	for i := 0; i < len(in); i++ {
		if in[i] != '$' || i+1 == len(in) {
			b.WriteByte(in[i])
			continue
		}
		switch in[i+1] {
		case '$':
			b.WriteByte('$')
			i++
		case '(':
			end := strings.IndexByte(in[i+2:], ')')
			if end < 0 {
				// An incomplete reference is kept as written.
				b.WriteString("$(")
				i++
				continue
			}
			name := in[i+2 : i+2+end]
			if v, ok := lookup(name); ok {
				b.WriteString(v)
			} else {
				b.WriteString("$(" + name + ")")
			}
			i += 2 + end
		default:
			b.WriteByte('$')
		}
	}
	return b.String()
}
