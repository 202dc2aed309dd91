package probe

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
)

// Target is a parsed probe target.
type Target struct {
	Raw     string `json:"raw"`
	Scheme  string `json:"scheme,omitempty"` // "", "http" or "https"
	Address string `json:"address"`          // host:port dialled
	Host    string `json:"host"`
	Path    string `json:"path,omitempty"` // URL path, used by OTLP/HTTP
}

// ParseTarget accepts host:port, http://host[:port][/path] or https://….
// A bare host:port must carry a port; a URL without one gets 80 or 443.
func ParseTarget(s string) (Target, error) {
	t := Target{Raw: s}
	if !strings.Contains(s, "://") {
		host, port, err := net.SplitHostPort(s)
		if err != nil || host == "" || port == "" {
			return t, fmt.Errorf("target %q: want host:port, http://host:port or https://host:port", s)
		}
		t.Address, t.Host = s, host
		return t, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return t, fmt.Errorf("target %q: %w", s, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return t, fmt.Errorf("target %q: scheme must be http or https", s)
	}
	if u.Hostname() == "" {
		return t, fmt.Errorf("target %q: no host", s)
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	t.Scheme, t.Host, t.Path = u.Scheme, u.Hostname(), u.Path
	t.Address = net.JoinHostPort(t.Host, port)
	return t, nil
}

// LoadCredentials reads a PEM CA bundle and a client key pair; empty paths are skipped.
func LoadCredentials(caFile, certFile, keyFile string) (*x509.CertPool, *tls.Certificate, error) {
	var pool *x509.CertPool
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, nil, err
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, fmt.Errorf("%s: no PEM certificate found", caFile)
		}
	}
	if (certFile == "") != (keyFile == "") {
		return nil, nil, errors.New("--cert and --key go together")
	}
	if certFile == "" {
		return pool, nil, nil
	}
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, nil, err
	}
	return pool, &pair, nil
}
