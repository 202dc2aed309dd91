package edges

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
)

// Ref is one address found in a value: scheme, host and port as written.
type Ref struct {
	Scheme string
	Host   string
	Port   int32 // 0 when not written
}

// hostish env var names make a bare, port-less name count as an address.
var hostish = []string{"HOST", "URL", "URI", "ENDPOINT", "ADDR", "SERVER", "TARGET", "BROKER", "DSN"}

func isHostish(name string) bool {
	up := strings.ToUpper(name)
	for _, h := range hostish {
		if strings.Contains(up, h) {
			return true
		}
	}
	return false
}

// Tokens splits a value into address-like tokens: JVM system properties
// (-Dotel.exporter.otlp.endpoint=http://…), comma lists, quoted strings.
func Tokens(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		switch r {
		case ' ', '\t', '\n', '\r', ',', ';', '"', '\'', '=', '(', ')', '[', ']', '{', '}':
			return true
		}
		return false
	})
}

// ParseRef reads "scheme://host:port/path", "host:port" or "host".
// It returns false for anything that is not plausibly a host.
func ParseRef(tok string) (Ref, bool) {
	var r Ref
	s := tok
	if i := strings.Index(s, "://"); i > 0 {
		u, err := url.Parse(s)
		if err != nil || u.Hostname() == "" {
			return r, false
		}
		r.Scheme = strings.ToLower(u.Scheme)
		r.Host = strings.ToLower(u.Hostname())
		if p := u.Port(); p != "" {
			n, err := strconv.ParseUint(p, 10, 16)
			if err != nil {
				return r, false
			}
			r.Port = int32(n)
		}
		return r, validHost(r.Host)
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	host, port, hasPort := strings.Cut(s, ":")
	if hasPort {
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil {
			return r, false
		}
		r.Port = int32(n)
	}
	r.Host = strings.ToLower(host)
	return r, validHost(r.Host)
}

// validHost accepts RFC 1123 labels separated by dots.
func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, l := range strings.Split(h, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// Resolve maps a host written by a client in namespace ns to a Service:
// "name" (same namespace), "name.ns", "name.ns.svc", "name.ns.svc.<domain>".
func Resolve(inv *inventory.Inventory, ns, host string) *inventory.Service {
	parts := strings.Split(host, ".")
	domain := inv.Mesh.DomainSuffix
	switch {
	case len(parts) == 1:
		return inv.ServiceByHost(host + "." + ns + ".svc." + domain)
	case len(parts) == 2, len(parts) == 3 && parts[2] == "svc":
		if s := inv.ServiceByHost(parts[0] + "." + parts[1] + ".svc." + domain); s != nil {
			return s
		}
	}
	return inv.ServiceByHost(host) // a full name, or a ServiceEntry host such as example.com
}

// looksInCluster reports whether a host is meant for in-cluster DNS, so
// that a miss is worth reporting as a dangling reference.
func looksInCluster(host, domain string) bool {
	return strings.HasSuffix(host, ".svc") || strings.HasSuffix(host, ".svc."+domain) ||
		strings.Count(host, ".") == 1 && !strings.Contains(host, "com")
}

// defaultPort is the port a scheme implies when none is written.
func defaultPort(scheme string) int32 {
	switch scheme {
	case "http", "ws", "h2c":
		return 80
	case "https", "wss", "grpcs":
		return 443
	}
	return 0
}

// pickPort chooses the Service port a reference dials: the written one, the
// scheme's default if the Service has it, or the Service's only port.
func pickPort(s *inventory.Service, r Ref) (corev1.ServicePort, error) {
	want := r.Port
	if want == 0 {
		want = defaultPort(r.Scheme)
	}
	for _, p := range s.Spec.Ports {
		if p.Port == want {
			return p, nil
		}
	}
	if r.Port == 0 && len(s.Spec.Ports) == 1 {
		return s.Spec.Ports[0], nil
	}
	if r.Port != 0 {
		return corev1.ServicePort{}, fmt.Errorf("Service %s/%s has no port %d", s.Namespace, s.Name, r.Port)
	}
	return corev1.ServicePort{}, fmt.Errorf("Service %s/%s has several ports and the reference names none", s.Namespace, s.Name)
}
