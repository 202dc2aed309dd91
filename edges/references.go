package edges

import (
	"fmt"
	"net"
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

// hostish are the words of variable names that make a bare, port-less
// name count as an address. Whole words only: SECURITY holds "URI" but
// DISABLE_SECURITY_PLUGIN names no address.
var hostish = map[string]bool{"HOST": true, "HOSTS": true, "HOSTNAME": true, "URL": true, "URLS": true, "URI": true,
	"ENDPOINT": true, "ENDPOINTS": true, "ADDR": true, "ADDRESS": true, "SERVER": true, "SERVERS": true,
	"TARGET": true, "TARGETS": true, "BROKER": true, "BROKERS": true, "DSN": true}

func isHostish(name string) bool {
	for _, w := range strings.FieldsFunc(strings.ToUpper(name), func(r rune) bool { return r == '_' || r == '.' || r == '-' }) {
		if hostish[w] {
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
	if strings.Trim(r.Host, "0123456789") == "" {
		// A bare number is a port (OPAMP_SERVER_UI_PORT=4321 holds the word
		// SERVER); no Service is named so — its name is a DNS-1035 label,
		// which starts with a letter.
		return r, false
	}
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
// that a miss is worth reporting as a dangling reference: a single label
// (the pod's search path makes it a Service of its own namespace), a
// "name.ns" whose ns is a namespace of the inputs, or a .svc name. Public
// names (grafana.net, flagd.dev) are not, and neither is the API server's
// kubernetes.default Service, which every cluster has and no manifest holds.
func looksInCluster(inv *inventory.Inventory, host string) bool {
	domain := inv.Mesh.DomainSuffix
	short := strings.TrimSuffix(strings.TrimSuffix(host, "."+domain), ".svc")
	if short == "kubernetes.default" || host == "localhost" || net.ParseIP(host) != nil {
		return false
	}
	if strings.HasSuffix(host, ".svc") || strings.HasSuffix(host, ".svc."+domain) {
		return true
	}
	switch parts := strings.Split(host, "."); len(parts) {
	case 1:
		return true
	case 2:
		return inv.Namespace(parts[1]) != nil || len(inv.WorkloadsIn(parts[1])) > 0
	}
	return false
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
// scheme's default if the Service has it, or the Service's only port. It
// points into s's ports.
func pickPort(s *inventory.Service, r Ref) (*corev1.ServicePort, error) {
	want := r.Port
	if want == 0 {
		want = defaultPort(r.Scheme)
	}
	for i := range s.Spec.Ports {
		if s.Spec.Ports[i].Port == want {
			return &s.Spec.Ports[i], nil
		}
	}
	if r.Port == 0 && len(s.Spec.Ports) == 1 {
		return &s.Spec.Ports[0], nil
	}
	if r.Port != 0 {
		return nil, fmt.Errorf("Service %s/%s has no port %d", s.Namespace, s.Name, r.Port)
	}
	return nil, fmt.Errorf("Service %s/%s has several ports and the reference names none", s.Namespace, s.Name)
}
