package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"

	"github.com/meshdoctor/meshdoctor/category"
)

// probeALPN offers Istio's mTLS ALPN first: a PERMISSIVE sidecar picks its
// mTLS filter chain by ALPN, so a probe without it would reach the app instead.
var probeALPN = []string{"istio-peer-exchange", "istio", "h2", "http/1.1"}

// tlsObs records what the server did during a handshake.
type tlsObs struct {
	requested atomic.Bool
	sent      atomic.Bool
	state     atomic.Pointer[tls.ConnectionState]
}

func (o *tlsObs) certRequestedUnsent() bool { return o.requested.Load() && !o.sent.Load() }

// hook installs the observers; it keeps cfg's other fields.
func (o *tlsObs) hook(cfg *tls.Config, cert *tls.Certificate) *tls.Config {
	cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		o.requested.Store(true) // only called when the server sent a CertificateRequest
		if cert == nil {
			return &tls.Certificate{}, nil
		}
		o.sent.Store(true)
		return cert, nil
	}
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		o.state.Store(&cs) // runs before Finished, so a later rejection still leaves the chain
		return nil
	}
	return cfg
}

// tlsErr adds the handshake context Classify cannot see.
func (o *tlsObs) tlsErr(err error) error {
	unsent := o.certRequestedUnsent()
	if unsent && strings.Contains(err.Error(), "remote error: tls:") {
		err = fmt.Errorf("%w (the server requested a client certificate and none was sent)", err)
	}
	if code, ok := RemoteAlert(err); ok {
		return withCategory(alertCategory(code, unsent), err)
	}
	if unsent && strings.Contains(err.Error(), "remote error: tls:") {
		return withCategory(category.ClientCertificateRequired, err)
	}
	return err
}

// tlsSteps handshakes, inspects, sends one request over TLS and verifies the chain.
func (r *runner) tlsSteps() {
	obs := &tlsObs{}
	var conn *tls.Conn
	r.do("tls", func(ctx context.Context, s *Step) error {
		s.overTLS = true
		raw, err := r.dial(ctx)
		if err != nil {
			return err
		}
		cfg := obs.hook(&tls.Config{
			ServerName:         sni(r.opts.Target.Host),
			InsecureSkipVerify: true, // inspect any chain; tls-verify judges it explicitly
			NextProtos:         probeALPN,
		}, r.opts.ClientCert)
		c := tls.Client(raw, cfg)
		err = c.HandshakeContext(ctx)
		if err == nil {
			st := c.ConnectionState() // the final state carries the negotiated ALPN
			obs.state.Store(&st)
		}
		r.recordTLS(obs)
		if err != nil {
			if r.rep.TLS != nil {
				s.Detail = r.rep.TLS.summary() // the server spoke TLS before failing
			}
			_ = c.Close()
			return obs.tlsErr(err)
		}
		conn, s.Detail = c, r.rep.TLS.summary()
		return nil
	})
	if conn == nil {
		return
	}
	defer conn.Close()
	r.do("tls-request", func(ctx context.Context, s *Step) error {
		s.overTLS = true
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		d, err := r.appExchange(conn, conn.ConnectionState().NegotiatedProtocol)
		s.Detail = d
		if err != nil {
			return obs.tlsErr(err)
		}
		return nil
	})
	r.verifyStep(obs)
}

func (r *runner) appExchange(c net.Conn, alpn string) (string, error) {
	if alpn == "h2" {
		return h2Exchange(c)
	}
	return http1Exchange(c, r.opts.Target.Address)
}

// sni is the name to send; IP literals are not sent as SNI.
func sni(host string) string {
	if net.ParseIP(host) != nil {
		return ""
	}
	return host
}

// recordTLS fills Report.TLS once the server has shown a certificate.
func (r *runner) recordTLS(obs *tlsObs) {
	cs := obs.state.Load()
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return
	}
	info := &TLSInfo{
		Version: tls.VersionName(cs.Version), ALPN: cs.NegotiatedProtocol,
		CipherSuite: tls.CipherSuiteName(cs.CipherSuite), ServerName: cs.ServerName,
		ClientCertRequested: obs.requested.Load(), ClientCertSent: obs.sent.Load(),
	}
	for _, c := range cs.PeerCertificates {
		info.Chain = append(info.Chain, certInfo(c))
	}
	info.SPIFFEID = spiffeID(cs.PeerCertificates[0])
	info.IstioSidecar = istioWorkloadID.MatchString(info.SPIFFEID) && info.ClientCertRequested
	r.rep.TLS = info
	r.rep.addProtocol(ProtoTLS)
}

func certInfo(c *x509.Certificate) CertInfo {
	ci := CertInfo{Subject: c.Subject.String(), Issuer: c.Issuer.String(),
		DNSNames: c.DNSNames, NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	for _, ip := range c.IPAddresses {
		ci.IPs = append(ci.IPs, ip.String())
	}
	for _, u := range c.URIs {
		ci.URIs = append(ci.URIs, u.String())
	}
	return ci
}

// istioWorkloadID is the identity Istio's CA issues to every workload.
var istioWorkloadID = regexp.MustCompile(`^spiffe://[^/]+/ns/[^/]+/sa/[^/]+$`)

func spiffeID(c *x509.Certificate) string {
	for _, u := range c.URIs {
		if u.Scheme == "spiffe" {
			return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
		}
	}
	return ""
}

func (t *TLSInfo) summary() string {
	if t == nil {
		return ""
	}
	parts := []string{t.Version}
	if t.ALPN != "" {
		parts = append(parts, "ALPN "+t.ALPN)
	}
	if len(t.Chain) > 0 {
		parts = append(parts, "server cert "+t.Chain[0].Subject)
	}
	if t.SPIFFEID != "" {
		parts = append(parts, t.SPIFFEID)
	}
	if t.ClientCertRequested {
		parts = append(parts, fmt.Sprintf("client cert requested (sent: %t)", t.ClientCertSent))
	}
	return strings.Join(parts, ", ")
}

// verifyStep checks the chain and then the name separately, so each failure
// gets its own category.
func (r *runner) verifyStep(obs *tlsObs) {
	cs := obs.state.Load()
	if r.opts.InsecureSkipVerify || cs == nil || len(cs.PeerCertificates) == 0 {
		return
	}
	r.do("tls-verify", func(_ context.Context, s *Step) error {
		roots := "system roots"
		if r.opts.RootCAs != nil {
			roots = "--cacert"
		}
		s.Detail = "chain trusted by " + roots + ", name " + r.opts.Target.Host + " matches"
		err := r.verify(cs.PeerCertificates)
		if err != nil {
			s.Detail = "against " + roots
		}
		return err
	})
}

func (r *runner) verify(chain []*x509.Certificate) error {
	leaf, inter := chain[0], x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: r.opts.RootCAs, Intermediates: inter}); err != nil {
		return withCategory(category.UntrustedCertificate, err)
	}
	if err := leaf.VerifyHostname(r.opts.Target.Host); err != nil {
		if spiffeID(leaf) != "" && len(leaf.DNSNames) == 0 {
			err = fmt.Errorf("%w (SPIFFE peers are checked by identity, not host name)", err)
		}
		return withCategory(category.NameMismatch, err)
	}
	return nil
}
