package lab

import (
	"crypto/tls"
	"fmt"

	"github.com/meshdoctor/meshdoctor/mesh"
)

// identities holds the exchange's certificates: mesh SPIFFE certs for both
// workloads, and a client cert from the other CA for DR MUTUAL.
type identities struct {
	cfg          Config
	mesh, other  *CA
	client       tls.Certificate
	server       tls.Certificate
	otherClient  tls.Certificate
	serverSPIFFE string
}

func newIdentities(cfg Config) (*identities, error) {
	id := &identities{cfg: cfg, serverSPIFFE: SPIFFEID(cfg.ServerNS, cfg.ServerSA)}
	var err error
	if id.mesh, err = NewCA("mesh (istiod)"); err != nil {
		return nil, err
	}
	if id.other, err = NewCA("other (system roots / private PKI)"); err != nil {
		return nil, err
	}
	if id.client, err = id.mesh.Issue([]string{SPIFFEID(cfg.ClientNS, cfg.ClientSA)}); err != nil {
		return nil, err
	}
	if id.server, err = id.mesh.Issue([]string{id.serverSPIFFE}); err != nil {
		return nil, err
	}
	if id.otherClient, err = id.other.Issue(nil, cfg.ClientSA+"."+cfg.ClientNS); err != nil {
		return nil, err
	}
	return id, nil
}

// upstreamTLS is the client sidecar's transport socket for what it sends
// (cluster_tls.go); nil means a raw_buffer (plaintext) upstream.
func (id *identities) upstreamTLS(sends mesh.Sends) func(h2 bool) *tls.Config {
	switch sends {
	case mesh.SendsIstioMTLS:
		return func(h2 bool) *tls.Config {
			alpn := "istio-http/1.1"
			if h2 {
				alpn = "istio-h2"
			}
			return &tls.Config{
				Certificates: []tls.Certificate{id.client},
				// SNI outbound_.P_.subset_.host; the SAN, not the name, is verified.
				ServerName:         fmt.Sprintf("outbound_.%d_._.%s", id.cfg.Port, id.cfg.Host),
				NextProtos:         []string{"istio-peer-exchange", "istio", alpn},
				InsecureSkipVerify: true, //nolint:gosec // VerifyConnection checks chain and SPIFFE SAN, as Envoy does
				VerifyConnection:   verifyPeer(id.mesh.Pool, "", []string{id.serverSPIFFE}),
				MinVersion:         tls.VersionTLS12,
			}
		}
	case mesh.SendsTLS, mesh.SendsMTLS:
		return func(h2 bool) *tls.Config {
			cfg := id.originate(sends, h2)
			cfg.InsecureSkipVerify = true //nolint:gosec // VerifyConnection checks chain, then name, in Envoy's order
			cfg.VerifyConnection = verifyPeer(id.other.Pool, id.cfg.Host, nil)
			return cfg
		}
	}
	return nil
}

// originate is non-mesh TLS (DR SIMPLE/MUTUAL, or the app's own https):
// it trusts the other CA (standing for the system roots, which Istio ≥1.20
// uses when caCertificates is empty) and, for MUTUAL, shows the other CA's cert.
func (id *identities) originate(sends mesh.Sends, h2 bool) *tls.Config {
	if sends != mesh.SendsTLS && sends != mesh.SendsMTLS {
		return nil
	}
	alpn := []string{"http/1.1"}
	if h2 {
		alpn = []string{"h2"}
	}
	cfg := &tls.Config{RootCAs: id.other.Pool, ServerName: id.cfg.Host, NextProtos: alpn, MinVersion: tls.VersionTLS12}
	if sends == mesh.SendsMTLS {
		cfg.Certificates = []tls.Certificate{id.otherClient}
	}
	return cfg
}
