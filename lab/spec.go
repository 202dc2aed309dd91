// Package lab checks the model against reality: it stands up, on loopback,
// a client side and a server side that behave like the model says an edge's
// two ends behave (emulated Istio sidecars with an in-memory mesh CA, real
// OTLP apps), runs one real export, and sets what happened next to what
// verdict.Judge predicted for the same (sends, accepts, protocol).
package lab

import (
	"fmt"
	"strings"
	"time"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// Client is the client side: its proxy and what leaves it on the wire.
type Client struct {
	Proxy mesh.ProxyKind
	Sends mesh.Sends
}

// Server is the server side: no proxy (the app listens), or a sidecar
// enforcing a PeerAuthentication mode on the port.
type Server struct {
	Proxy mesh.ProxyKind
	Mode  mesh.Mode
}

func (c Client) String() string { return string(c.Proxy) + ":" + string(c.Sends) }

func (s Server) String() string {
	if s.Proxy == mesh.ProxyNone {
		return "none"
	}
	return string(s.Proxy) + ":" + strings.ToLower(string(s.Mode))
}

// ClientSpecs lists the client behaviours the lab can emulate.
var ClientSpecs = []string{"none:plaintext", "none:tls", "none:mtls", "sidecar:istio-mtls", "sidecar:plaintext", "sidecar:tls", "sidecar:mtls"}

// ServerSpecs lists the server behaviours the lab can emulate.
var ServerSpecs = []string{"none", "sidecar:strict", "sidecar:permissive", "sidecar:disable"}

// ParseClient reads "sidecar:istio-mtls", "none:tls", "none" (= none:plaintext), ...
func ParseClient(s string) (Client, error) {
	proxy, sends, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	if proxy == "none" && sends == "" {
		sends = string(mesh.SendsPlaintext)
	}
	c := Client{Proxy: mesh.ProxyKind(proxy), Sends: mesh.Sends(sends)}
	return c, c.check()
}

func (c Client) check() error {
	ok := map[mesh.Sends]bool{mesh.SendsPlaintext: true, mesh.SendsTLS: true, mesh.SendsMTLS: true}
	switch c.Proxy {
	case mesh.ProxySidecar, mesh.ProxyGateway:
		ok[mesh.SendsIstioMTLS] = true
	case mesh.ProxyNone:
	default:
		return fmt.Errorf("client %q: the lab emulates only these clients: %s", c, strings.Join(ClientSpecs, ", "))
	}
	if !ok[c.Sends] {
		return fmt.Errorf("client %q: the lab emulates only these clients: %s", c, strings.Join(ClientSpecs, ", "))
	}
	return nil
}

// ParseServer reads "none", "sidecar:strict", "sidecar:permissive", "sidecar:disable".
func ParseServer(s string) (Server, error) {
	proxy, mode, _ := strings.Cut(strings.ToLower(strings.TrimSpace(s)), ":")
	srv := Server{Proxy: mesh.ProxyKind(proxy), Mode: mesh.Mode(strings.ToUpper(mode))}
	switch {
	case proxy == "none" && mode == "":
		return srv, nil
	case proxy == "sidecar" && (srv.Mode == mesh.Strict || srv.Mode == mesh.Permissive || srv.Mode == mesh.Disable):
		return srv, nil
	}
	return srv, fmt.Errorf("server %q: the lab emulates only these servers: %s", s, strings.Join(ServerSpecs, ", "))
}

// Accepts is what the model says such a server accepts (mesh.ServerAccepts).
func (s Server) Accepts() mesh.Acceptance {
	if s.Proxy == mesh.ProxyNone {
		return mesh.ServerAccepts(mesh.ServerInput{Proxy: mesh.ProxyNone})
	}
	return mesh.ServerAccepts(mesh.ServerInput{Proxy: mesh.ProxySidecar, Captured: true, Mode: s.Mode})
}

// serverFromAccepts is the inverse, for edges read from analysis.
func serverFromAccepts(a mesh.Accepts) (Server, error) {
	switch a {
	case mesh.AcceptsApp, mesh.AcceptsGateway:
		// A gateway's plaintext listener takes bytes as a plain server does.
		return Server{Proxy: mesh.ProxyNone}, nil
	case mesh.AcceptsIstioMTLS:
		return Server{Proxy: mesh.ProxySidecar, Mode: mesh.Strict}, nil
	case mesh.AcceptsIstioMTLSPlaintext:
		return Server{Proxy: mesh.ProxySidecar, Mode: mesh.Permissive}, nil
	case mesh.AcceptsPlaintext:
		return Server{Proxy: mesh.ProxySidecar, Mode: mesh.Disable}, nil
	}
	return Server{}, fmt.Errorf("the lab cannot emulate a server that accepts %q (only: none, STRICT, PERMISSIVE, DISABLE sidecars)", a)
}

// Config is one lab exchange.
type Config struct {
	Client Client
	Server Server
	// OTLP is the exporter's transport: "grpc" (4317) or "http" (4318).
	OTLP string
	// Protocol is how the Service port is declared (http, tcp, auto).
	Protocol mesh.Protocol
	// Timeout bounds every network step and the export; 0 means DefaultTimeout.
	Timeout time.Duration
	// Identities for the SPIFFE certs and SNI; defaults are filled in.
	ClientNS, ClientSA, ServerNS, ServerSA, Host string
	Port                                         int
	// ClientReason and ServerReason are the model's words when the edge came
	// from analysis; they only flavour the prediction's cause.
	ClientReason, ServerReason string
}

// DefaultTimeout bounds each exchange; loopback answers in milliseconds.
const DefaultTimeout = 3 * time.Second

func (c *Config) defaults() error {
	if err := c.Client.check(); err != nil {
		return err
	}
	if _, err := ParseServer(c.Server.String()); err != nil {
		return err
	}
	if c.OTLP == "" {
		c.OTLP = "grpc"
	}
	if c.OTLP != "grpc" && c.OTLP != "http" {
		return fmt.Errorf("otlp transport %q: want grpc or http", c.OTLP)
	}
	if c.Protocol == "" {
		c.Protocol = mesh.ProtoHTTP
	}
	if c.Protocol != mesh.ProtoHTTP && c.Protocol != mesh.ProtoTCP && c.Protocol != mesh.ProtoAuto {
		return fmt.Errorf("port protocol %q: want http, tcp or auto", c.Protocol)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	def := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	def(&c.ClientNS, "default")
	def(&c.ClientSA, "otel-agent")
	def(&c.ServerNS, "monitoring")
	def(&c.ServerSA, "otel-collector")
	def(&c.Host, "otel-collector."+c.ServerNS+".svc.cluster.local")
	if c.Port == 0 {
		c.Port = map[string]int{"grpc": 4317, "http": 4318}[c.OTLP]
	}
	return nil
}
