package lab

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/meshdoctor/meshdoctor/probe"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// SpanName is the name of the span the lab's exporter sends.
const SpanName = "meshdoctor lab"

// receiver is the server app: a real OTLP trace receiver, gRPC
// TraceService on grpc-go (port 4317's role) or POST /v1/traces (4318's).
type receiver struct {
	coltracepb.UnimplementedTraceServiceServer
	spans atomic.Int64
}

func (r *receiver) count(req *coltracepb.ExportTraceServiceRequest) {
	for _, rs := range req.GetResourceSpans() {
		for _, ss := range rs.GetScopeSpans() {
			r.spans.Add(int64(len(ss.GetSpans())))
		}
	}
}

// Export implements the OTLP gRPC TraceService.
func (r *receiver) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	r.count(req)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// ServeHTTP implements OTLP/HTTP protobuf on /v1/traces.
func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/v1/traces" {
		http.NotFound(w, req)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	var msg coltracepb.ExportTraceServiceRequest
	if err == nil {
		err = proto.Unmarshal(body, &msg)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.count(&msg)
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// startReceiver starts the app on loopback and returns its address.
func startReceiver(e *env, otlp string) (*receiver, string, error) {
	r := &receiver{}
	ln, err := e.listen()
	if err != nil {
		return nil, "", err
	}
	if otlp == "grpc" {
		gs := grpc.NewServer(grpc.ConnectionTimeout(e.timeout))
		coltracepb.RegisterTraceServiceServer(gs, r)
		e.track(closerFunc(func() error { gs.Stop(); return nil }))
		e.goRun(func() { _ = gs.Serve(ln) })
		return r, ln.Addr().String(), nil
	}
	hs := &http.Server{Handler: r, ReadHeaderTimeout: e.timeout, ReadTimeout: e.timeout, Protocols: &http.Protocols{}}
	hs.Protocols.SetHTTP1(true)
	hs.Protocols.SetUnencryptedHTTP2(true) // as the collector's confighttp does
	e.track(hs)
	e.goRun(func() { _ = hs.Serve(ln) })
	return r, ln.Addr().String(), nil
}

// exportResult is what the client app saw.
type exportResult struct {
	err        error
	grpcCode   string
	httpStatus int
}

// export is the client app: the OpenTelemetry SDK exporter, retries off and
// a bounded timeout, sending one span to addr (TLS when cfg is set).
func export(ctx context.Context, otlp, addr string, cfg *tls.Config, timeout time.Duration) exportResult {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var res exportResult
	var exp sdktrace.SpanExporter
	var err error
	var rec *probe.StatusRecorder
	if otlp == "grpc" {
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(addr), otlptracegrpc.WithTimeout(timeout),
			otlptracegrpc.WithRetry(otlptracegrpc.RetryConfig{Enabled: false})}
		if cfg == nil {
			opts = append(opts, otlptracegrpc.WithInsecure())
		} else {
			opts = append(opts, otlptracegrpc.WithTLSCredentials(credentials.NewTLS(cfg)))
		}
		exp, err = otlptracegrpc.New(ctx, opts...)
	} else {
		rec = &probe.StatusRecorder{Base: &http.Transport{DialContext: (&net.Dialer{Timeout: timeout}).DialContext,
			TLSClientConfig: cfg, ForceAttemptHTTP2: cfg != nil, TLSHandshakeTimeout: timeout}}
		defer rec.Base.CloseIdleConnections()
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(addr), otlptracehttp.WithURLPath("/v1/traces"),
			otlptracehttp.WithTimeout(timeout), otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}),
			otlptracehttp.WithHTTPClient(&http.Client{Transport: rec, Timeout: timeout})}
		if cfg == nil {
			opts = append(opts, otlptracehttp.WithInsecure())
		} else {
			opts = append(opts, otlptracehttp.WithTLSClientConfig(cfg))
		}
		exp, err = otlptracehttp.New(ctx, opts...)
	}
	if err != nil {
		return exportResult{err: err}
	}
	res.err = sendSpan(ctx, exp)
	sctx, scancel := context.WithTimeout(context.Background(), timeout)
	defer scancel()
	_ = exp.Shutdown(sctx)
	if otlp == "grpc" {
		res.grpcCode = status.Code(res.err).String()
	} else {
		res.httpStatus = rec.Status()
	}
	return res
}

// spans keeps ended spans so they can be exported synchronously: a batcher
// would hand the error to the global handler, not to us.
type spans struct{ ended []sdktrace.ReadOnlySpan }

func (c *spans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c *spans) OnEnd(s sdktrace.ReadOnlySpan)                   { c.ended = append(c.ended, s) }
func (c *spans) Shutdown(context.Context) error                  { return nil }
func (c *spans) ForceFlush(context.Context) error                { return nil }

func sendSpan(ctx context.Context, exp sdktrace.SpanExporter) error {
	col := &spans{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(col),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "meshdoctor-lab"))))
	_, span := tp.Tracer("github.com/meshdoctor/meshdoctor/lab").Start(ctx, SpanName)
	span.End()
	_ = tp.Shutdown(ctx)
	return exp.ExportSpans(ctx, col.ended)
}
