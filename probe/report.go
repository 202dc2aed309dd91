// Package probe checks a live endpoint step by step (TCP, TLS, HTTP/1.1,
// h2c, gRPC, OTLP export) and reports what it saw, with timings and a
// failure category for every step that failed. It never guesses: a
// category is set from the error observed or from another step's evidence.
package probe

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/meshdoctor/meshdoctor/category"
)

// Protocol names reported in Report.Protocols.
const (
	ProtoTLS   = "tls"
	ProtoHTTP1 = "http/1.1"
	ProtoH2C   = "h2c"
	ProtoGRPC  = "grpc"
	ProtoOTLP  = "otlp"
)

// Options says what to probe and with which credentials.
type Options struct {
	Target             Target
	OTLP               string           // "", "grpc" or "http": send one test span
	RootCAs            *x509.CertPool   // nil means the system roots
	ClientCert         *tls.Certificate // presented when the server asks
	InsecureSkipVerify bool             // OTLP export only; probes always inspect
	Timeout            time.Duration    // per step; zero means DefaultTimeout
}

// DefaultTimeout bounds every network step when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Report is the whole outcome; plain data so renderers and tests need no network.
type Report struct {
	Target    string      `json:"target"`
	Address   string      `json:"address"`
	Mode      string      `json:"mode"`
	OK        bool        `json:"ok"`
	Protocols []string    `json:"protocols,omitempty"`
	Steps     []Step      `json:"steps"`
	TLS       *TLSInfo    `json:"tls,omitempty"`
	Export    *ExportInfo `json:"export,omitempty"`
	Findings  []string    `json:"findings,omitempty"`
}

// Step is one network exchange and what came of it.
type Step struct {
	Name     string            `json:"name"`
	OK       bool              `json:"ok"`
	Duration time.Duration     `json:"durationNs"`
	Detail   string            `json:"detail,omitempty"`
	Category category.Category `json:"category,omitempty"`

	plaintext  bool // the step spoke plaintext (for evidence-based recategorising)
	overTLS    bool // the step spoke TLS
	closed     bool // the peer closed or reset without an answer
	certUnsent bool // the server asked for a client certificate we did not have
}

// TLSInfo is what the server showed during the handshake.
type TLSInfo struct {
	Version             string     `json:"version,omitempty"`
	ALPN                string     `json:"alpn,omitempty"`
	CipherSuite         string     `json:"cipherSuite,omitempty"`
	ServerName          string     `json:"serverName,omitempty"`
	Chain               []CertInfo `json:"chain,omitempty"`
	ClientCertRequested bool       `json:"clientCertRequested"`
	ClientCertSent      bool       `json:"clientCertSent"`
	SPIFFEID            string     `json:"spiffeId,omitempty"`
	IstioSidecar        bool       `json:"istioSidecar"`
}

// CertInfo summarises one certificate of the presented chain.
type CertInfo struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	DNSNames  []string  `json:"dnsNames,omitempty"`
	IPs       []string  `json:"ips,omitempty"`
	URIs      []string  `json:"uris,omitempty"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
}

// ExportInfo is the outcome of the OTLP test span.
type ExportInfo struct {
	Protocol   string `json:"protocol"`
	Endpoint   string `json:"endpoint"`
	GRPCCode   string `json:"grpcCode,omitempty"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	Error      string `json:"error,omitempty"`
}

func (r *Report) addProtocol(p string) {
	for _, have := range r.Protocols {
		if have == p {
			return
		}
	}
	r.Protocols = append(r.Protocols, p)
}

func (r *Report) step(name string) *Step {
	for i := range r.Steps {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}
