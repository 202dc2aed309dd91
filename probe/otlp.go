package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"

	"github.com/meshdoctor/meshdoctor/category"
)

// SpanName is the name of the test span sent by --otlp.
const SpanName = "meshdoctor probe"

// useTLS: https:// means TLS, http:// plaintext; a bare address is plaintext
// (the collector default) unless TLS material was given.
func (o Options) useTLS() bool {
	switch o.Target.Scheme {
	case "https":
		return true
	case "http":
		return false
	}
	return o.RootCAs != nil || o.ClientCert != nil || o.InsecureSkipVerify
}

// export sends one span and records the step; it reports success.
func (r *runner) export() bool {
	info := &ExportInfo{Protocol: r.opts.OTLP, Endpoint: r.endpoint()}
	r.rep.Export = info
	obs := &tlsObs{}
	s := r.do("otlp-"+r.opts.OTLP, func(ctx context.Context, s *Step) error {
		s.overTLS, s.plaintext = r.opts.useTLS(), !r.opts.useTLS()
		var tlsCfg *tls.Config
		if s.overTLS {
			tlsCfg = obs.hook(&tls.Config{
				ServerName: r.opts.Target.Host, RootCAs: r.opts.RootCAs,
				InsecureSkipVerify: r.opts.InsecureSkipVerify, //nolint:gosec // user asked for it
			}, r.opts.ClientCert)
		}
		var err error
		if r.opts.OTLP == "grpc" {
			err = r.exportGRPC(ctx, tlsCfg, info)
		} else {
			err = r.exportHTTP(ctx, tlsCfg, info)
		}
		if err != nil {
			info.Error, s.certUnsent = err.Error(), obs.certRequestedUnsent()
			return obs.tlsErr(err)
		}
		s.Detail = "test span accepted"
		return nil
	})
	if s.OK {
		r.rep.addProtocol(ProtoOTLP)
	}
	return s.OK
}

func (r *runner) endpoint() string {
	scheme := "http"
	if r.opts.useTLS() {
		scheme = "https"
	}
	if r.opts.OTLP == "grpc" {
		return scheme + "://" + r.opts.Target.Address
	}
	return scheme + "://" + r.opts.Target.Address + r.urlPath()
}

func (r *runner) urlPath() string {
	if p := r.opts.Target.Path; p != "" && p != "/" {
		return p
	}
	return "/v1/traces"
}

func (r *runner) exportGRPC(ctx context.Context, tlsCfg *tls.Config, info *ExportInfo) error {
	opts := []otlptracegrpc.Option{
		otlptracegrpc.WithEndpoint(r.opts.Target.Address),
		otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false}),
		otlptracegrpc.WithTimeout(r.opts.Timeout),
	}
	if tlsCfg == nil {
		opts = append(opts, otlptracegrpc.WithInsecure())
	} else {
		opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(tlsCfg)))
	}
	exp, err := otlptracegrpc.New(ctx, opts...)
	if err != nil {
		return err
	}
	defer shutdown(exp)
	err = sendSpan(ctx, exp, r.opts.Target.Raw)
	info.GRPCCode = status.Code(err).String()
	return err
}

// StatusRecorder keeps the last HTTP status, which the OTLP exporter's error hides for retryable codes.
type StatusRecorder struct {
	Base   *http.Transport
	status atomic.Int64
}

// Status is the last HTTP status seen (0 when none).
func (s *StatusRecorder) Status() int { return int(s.status.Load()) }

func (s *StatusRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.Base.RoundTrip(req)
	if resp != nil {
		s.status.Store(int64(resp.StatusCode))
	}
	return resp, err
}

func (r *runner) exportHTTP(ctx context.Context, tlsCfg *tls.Config, info *ExportInfo) error {
	rt := &StatusRecorder{Base: &http.Transport{ // no Proxy: the probe tests the direct path
		DialContext: (&net.Dialer{}).DialContext, TLSClientConfig: tlsCfg,
		ForceAttemptHTTP2: true, TLSHandshakeTimeout: r.opts.Timeout,
	}}
	defer rt.Base.CloseIdleConnections()
	opts := []otlptracehttp.Option{
		otlptracehttp.WithEndpoint(r.opts.Target.Address),
		otlptracehttp.WithURLPath(r.urlPath()),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
		otlptracehttp.WithHTTPClient(&http.Client{Transport: rt, Timeout: r.opts.Timeout}),
	}
	if tlsCfg == nil {
		opts = append(opts, otlptracehttp.WithInsecure())
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return err
	}
	defer shutdown(exp)
	err = sendSpan(ctx, exp, r.opts.Target.Raw)
	info.HTTPStatus = rt.Status()
	if err != nil && strings.Contains(err.Error(), "no healthy upstream") {
		return withCategory(category.NoRoute, err)
	}
	return err
}

func shutdown(exp sdktrace.SpanExporter) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = exp.Shutdown(ctx)
}

// collector keeps ended spans so they can be exported by hand.
type collector struct{ spans []sdktrace.ReadOnlySpan }

func (c *collector) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c *collector) OnEnd(s sdktrace.ReadOnlySpan)                   { c.spans = append(c.spans, s) }
func (c *collector) Shutdown(context.Context) error                  { return nil }
func (c *collector) ForceFlush(context.Context) error                { return nil }

// sendSpan creates one span with the SDK and exports it synchronously: a
// batcher or syncer would hand the error to the global handler, not to us.
func sendSpan(ctx context.Context, exp sdktrace.SpanExporter, target string) error {
	col := &collector{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(col),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "meshdoctor-probe"))))
	defer func() { _ = tp.Shutdown(ctx) }()
	_, span := tp.Tracer("github.com/meshdoctor/meshdoctor/probe").Start(ctx, SpanName,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("meshdoctor.probe.target", target)))
	span.End()
	return exp.ExportSpans(ctx, col.spans)
}
