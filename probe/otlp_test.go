package probe

import (
	"crypto/tls"
	"github.com/meshdoctor/meshdoctor/internal/loopback"
	"net"
	"strings"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/meshdoctor/meshdoctor/category"
)

// wantSpan asserts that the receiver got exactly the probe's test span.
func wantSpan(t *testing.T, sink *traceSink) {
	t.Helper()
	var req *coltracepb.ExportTraceServiceRequest
	select {
	case req = <-sink.got:
	default:
		t.Fatal("receiver got no span") // Run returned, so the export already happened
	}
	rs := req.ResourceSpans[0]
	span := rs.ScopeSpans[0].Spans[0]
	if span.Name != SpanName || len(span.TraceId) != 16 {
		t.Fatalf("span %q trace id %x", span.Name, span.TraceId)
	}
	if v := rs.Resource.Attributes[0]; v.Key != "service.name" || v.Value.GetStringValue() != "meshdoctor-probe" {
		t.Fatalf("resource %v", rs.Resource)
	}
}

func otlp(proto string, mut func(*Options)) func(*Options) {
	return func(o *Options) {
		o.OTLP = proto
		if mut != nil {
			mut(o)
		}
	}
}

func TestOTLPGRPCExport(t *testing.T) {
	sink := newSink()
	rep := run(t, "http://"+startGRPC(t, sink), otlp("grpc", nil))
	want(t, rep, "otlp-grpc", true, "")
	if !rep.OK || rep.Export.GRPCCode != "OK" || rep.Export.Error != "" {
		t.Fatalf("report %+v export %+v", rep, rep.Export)
	}
	wantSpan(t, sink)

	bare := run(t, startGRPC(t, sink), otlp("grpc", nil)) // bare address: plaintext
	want(t, bare, "otlp-grpc", true, "")
	wantSpan(t, sink)
}

func TestOTLPHTTPExport(t *testing.T) {
	sink := newSink()
	addr := startOTLPHTTP(t, sink)
	rep := run(t, "http://"+addr, otlp("http", nil))
	want(t, rep, "otlp-http", true, "")
	if !rep.OK || rep.Export.HTTPStatus != 200 || rep.Export.Endpoint != "http://"+addr+"/v1/traces" {
		t.Fatalf("export %+v", rep.Export)
	}
	wantSpan(t, sink)

	miss := run(t, "http://"+addr+"/otlp/v1/traces", otlp("http", nil))
	want(t, miss, "otlp-http", false, category.Other)
	if miss.OK || miss.Export.HTTPStatus != 404 {
		t.Fatalf("export %+v", miss.Export)
	}
}

func TestOTLPRefused(t *testing.T) {
	rep := run(t, "http://"+loopback.ClosedAddr(t), otlp("grpc", nil))
	want(t, rep, "tcp", false, category.ConnectionRefused)
	if rep.OK || rep.step("otlp-grpc") != nil {
		t.Fatalf("steps %v", stepNames(rep))
	}
}

func TestOTLPPlaintextToStrictSidecar(t *testing.T) {
	p := newPKI(t)
	addr := startSniff(t, p.istioServerConfig(t, 0), false)
	for _, proto := range []string{"grpc", "http"} {
		rep := run(t, "http://"+addr, otlp(proto, nil))
		want(t, rep, "otlp-"+proto, false, category.PlaintextToTLS)
		wantFinding(t, rep, "use https://")
		wantFinding(t, rep, "looks like an Istio sidecar inbound")
		if rep.OK {
			t.Fatal("want failure")
		}
	}
}

func TestOTLPTLSToPlaintext(t *testing.T) {
	skip := func(o *Options) { o.InsecureSkipVerify = true }
	rep := run(t, "https://"+startGRPC(t, newSink()), otlp("grpc", skip))
	want(t, rep, "otlp-grpc", false, category.TLSToPlaintext)
	if rep.Export.GRPCCode != "Unavailable" {
		t.Fatalf("grpc code %q", rep.Export.GRPCCode)
	}
	wantFinding(t, rep, "use http://")

	rep = run(t, "https://"+startOTLPHTTP(t, newSink()), otlp("http", skip))
	want(t, rep, "otlp-http", false, category.TLSToPlaintext)
}

func TestOTLPGRPCOverMTLS(t *testing.T) {
	p := newPKI(t)
	server := p.leaf(t, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")}, "")
	creds := credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{server},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: p.pool})
	sink := newSink()
	addr := "https://" + startGRPC(t, sink, grpc.Creds(creds))

	noCert := run(t, addr, otlp("grpc", func(o *Options) { o.RootCAs = p.pool }))
	want(t, noCert, "otlp-grpc", false, category.ClientCertificateRequired)

	untrusted := run(t, addr, otlp("grpc", nil))
	want(t, untrusted, "otlp-grpc", false, category.UntrustedCertificate)

	client := p.leaf(t, nil, nil, "spiffe://cluster.local/ns/apps/sa/agent")
	ok := run(t, addr, otlp("grpc", func(o *Options) { o.RootCAs, o.ClientCert = p.pool, &client }))
	want(t, ok, "otlp-grpc", true, "")
	wantSpan(t, sink)
	if !strings.HasPrefix(ok.Export.Endpoint, "https://") {
		t.Fatalf("endpoint %q", ok.Export.Endpoint)
	}
}
