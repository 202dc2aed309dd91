package lab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"time"
)

// TrustDomain is the mesh trust domain of the lab CA (Istio's default).
const TrustDomain = "cluster.local"

// CA is an in-memory certificate authority: the lab makes two, the mesh's
// (istiod's, issuing SPIFFE certs) and an "other" one that stands for the
// system roots or a private PKI that the mesh does not trust.
type CA struct {
	Name string
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	Pool *x509.CertPool
}

// NewCA makes a self-signed ECDSA P-256 root valid for one hour around now.
func NewCA(name string) (*CA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{name}, CommonName: name + " root"},
		NotBefore:             time.Now().Add(-time.Minute), // tolerate clock skew between goroutines' checks
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &CA{Name: name, cert: cert, key: key, Pool: pool}, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n
}

// SPIFFEID is the identity Istio gives a workload's service account.
func SPIFFEID(ns, sa string) string {
	return fmt.Sprintf("spiffe://%s/ns/%s/sa/%s", TrustDomain, ns, sa)
}

// Issue signs a leaf for both client and server use. uris become URI SANs
// (SPIFFE IDs, as Istio's workload certs carry no DNS names); dns and
// 127.0.0.1 are added for non-mesh certs that are verified by host name.
func (ca *CA) Issue(uris []string, dns ...string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{ca.Name}},
		NotBefore:    time.Now().Add(-time.Minute),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:     dns,
	}
	if len(dns) > 0 {
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	for _, u := range uris {
		pu, err := url.Parse(u)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl.URIs = append(tmpl.URIs, pu)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// verifyPeer checks a server the way Envoy's default validator does: the
// chain first (BoringSSL), then the name — SPIFFE URI SANs for istio mTLS
// (match_typed_subject_alt_names), the host for DR SIMPLE/MUTUAL (auto SNI
// SAN validation). Go's own Verify checks the name first, which would turn
// an untrusted mesh cert into a name mismatch.
func verifyPeer(roots *x509.CertPool, host string, uris []string) func(tls.ConnectionState) error {
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return fmt.Errorf("tls: peer presented no certificate")
		}
		leaf := cs.PeerCertificates[0]
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		fail := func(err error) error {
			return &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
		}
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
			return fail(err)
		}
		if host != "" {
			if err := leaf.VerifyHostname(host); err != nil {
				return fail(err)
			}
		}
		if len(uris) == 0 {
			return nil
		}
		for _, u := range leaf.URIs {
			for _, w := range uris {
				if u.String() == w {
					return nil
				}
			}
		}
		return fail(fmt.Errorf("x509: SAN %v does not match the expected %v", leaf.URIs, uris))
	}
}
