package explain

import (
	"regexp"

	"github.com/meshdoctor/meshdoctor/category"
)

// OpenTelemetry SDK emitters besides the Java agent (catalog_java.go).
const (
	OTelPython Emitter = "otel-python-sdk" // opentelemetry-exporter-otlp-proto-grpc / -proto-http
	OTelGo     Emitter = "otel-go-sdk"     // go.opentelemetry.io/otel/exporters/otlp/...
	OTelNode   Emitter = "otel-node-sdk"   // @opentelemetry/sdk-trace, sdk-metrics, sdk-logs, otlp-exporter-base
	OTelDotnet Emitter = "otel-dotnet-sdk" // OpenTelemetry.Exporter.OpenTelemetryProtocol
)

// otelExportCauses are what an SDK's export-failure wrapper points at; the
// wrapped error (gRPC status, HTTP status, TLS reason) says which.
var otelExportCauses = []string{
	"read the wrapped error: a gRPC status (UNAVAILABLE: the connection failed or was reset; UNIMPLEMENTED: an OTLP/HTTP receiver on the port), an HTTP status (400/404/415: an OTLP/HTTP path or protocol mismatch) or a TLS reason decides the direction",
	"the exporter's protocol does not match the receiver behind the port (4317 gRPC, 4318 HTTP by convention)",
	"the client sidecar originates istio mTLS toward a collector without a sidecar (a *.local ISTIO_MUTUAL DestinationRule), or plaintext reaches a STRICT collector sidecar",
}

// otelSignatures are the standard export-failure lines of the SDKs, each
// literal taken from the SDK's source (cited per entry; HEAD of August 2026,
// with the release range the text holds for).
var otelSignatures = []Signature{
	// opentelemetry-python exporter/opentelemetry-exporter-otlp-proto-grpc/.../grpc/exporter.py
	// _export: logger.warning("Transient error %s encountered while exporting %s to %s,
	// retrying in %.2fs. …") (and the OTLP/HTTP exporter's common/http.py:
	// "Transient error %s encountered while exporting %s batch, retrying in %.2fs.").
	{ID: "otel-python-transient-error", Emitter: OTelPython, Category: category.Other, Layer: LayerWrapper,
		Match:   []string{"encountered while exporting"},
		Confirm: regexp.MustCompile(`Transient error \S+ encountered while exporting`),
		Meaning: "The OpenTelemetry Python OTLP exporter got a retryable error (gRPC StatusCode.UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED…, or HTTP 429/502/503/504) from the collector endpoint and retries with backoff; the batch is not delivered yet.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
	// Same file: logger.error("Failed to export %s to %s, error code: %s, error details: %s", …).
	{ID: "otel-python-grpc-export-failed", Emitter: OTelPython, Category: category.Other, Layer: LayerWrapper,
		Match:   []string{"error code: StatusCode."},
		Confirm: regexp.MustCompile(`Failed to export \S+ to \S+, error code: StatusCode\.`),
		Meaning: "The OpenTelemetry Python OTLP/gRPC exporter gave up on a batch: a non-retryable gRPC status, or retries ran out.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
	// opentelemetry-python exporter/opentelemetry-exporter-otlp-common/.../common/http.py:
	// "Failed to export %s batch code: %s, reason: %s" and "Failed to export %s batch due
	// to timeout, max retries or shutdown." (the proto-http exporters before the common module
	// wrote the same "Failed to export batch code: %s, reason: %s").
	{ID: "otel-python-http-export-failed", Emitter: OTelPython, Category: category.Other, Layer: LayerWrapper,
		Match:   []string{"batch code: ", "batch due to timeout, max retries or shutdown"},
		Confirm: regexp.MustCompile(`Failed to export (\S+ )?batch (code: \d+|due to timeout)`),
		Meaning: "The OpenTelemetry Python OTLP/HTTP exporter gave up on a batch: the HTTP status and reason are the collector's (or the sidecar's: 503 with upstream connect error), or the retries timed out.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
	// opentelemetry-go exporters/otlp/otlptrace/exporter.go ExportSpans: fmt.Errorf("traces
	// export: %w", err) (since 2023, otlptrace v1.17); otlpmetricgrpc / otlpmetrichttp
	// exporter.go: "failed to upload metrics: %w"; otlptracehttp client.go: "failed to send
	// to %s: %s (%w)"; otlploghttp: "failed to send logs to %s: %s". The SDK hands them to the
	// global error handler, which logs them to stderr.
	{ID: "otel-go-export-failed", Emitter: OTelGo, Category: category.Other, Layer: LayerWrapper,
		Match:   []string{"traces export: ", "failed to upload metrics: ", "failed to upload incomplete metrics", "failed to send logs to "},
		Meaning: "The OpenTelemetry Go OTLP exporter could not deliver a batch; the wrapped error is grpc-go's status (\"rpc error: code = Unavailable desc = …\") or the HTTP client's.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
	{ID: "otel-go-http-status", Emitter: OTelGo, Category: category.Other, Layer: LayerSpecific,
		Match:   []string{"failed to send to "},
		Confirm: regexp.MustCompile(`failed to send to https?:\S+: \d{3} `),
		Meaning: "The OpenTelemetry Go OTLP/HTTP exporter got a non-success HTTP status from the endpoint: 404/415 from a receiver that does not serve that path or encoding, 503 from a client sidecar that could not connect upstream.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
	// opentelemetry-js packages/sdk-trace/src/export/BatchSpanProcessorBase.ts "BatchSpanProcessor:
	// span export failed" (since 2020), packages/sdk-metrics/.../PeriodicExportingMetricReader.ts
	// "PeriodicExportingMetricReader: metrics export failed (error %s)", experimental/packages/
	// sdk-logs/.../BatchLogRecordProcessorBase.ts "BatchLogRecordProcessor: log record export failed",
	// experimental/packages/otlp-exporter-base: OTLPExporterError, "Export failed with retryable status".
	{ID: "otel-node-export-failed", Emitter: OTelNode, Category: category.Other, Layer: LayerWrapper,
		Match: []string{"BatchSpanProcessor: span export failed", "SimpleSpanProcessor: span export failed",
			"PeriodicExportingMetricReader: metrics export failed", "BatchLogRecordProcessor: log record export failed",
			"OTLPExporterError", "Export failed with retryable status"},
		Meaning: "The OpenTelemetry JavaScript SDK could not deliver a batch to the collector; the error it carries (an OTLPExporterError with the HTTP code, or a grpc-js status such as \"14 UNAVAILABLE\") says why.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
	// opentelemetry-dotnet src/OpenTelemetry.Exporter.OpenTelemetryProtocol/Implementation/
	// OpenTelemetryProtocolExporterEventSource.cs: Event 2 "Exporter failed send data to collector
	// to {0} endpoint. Data will not be sent. Exception: {1}", Event 16 "Transient HTTP error
	// occurred when communicating with {0}. Exception: {1}", Event 17 "HTTP request to {0} failed.
	// Response: {1}. Exception: {2}", Event 23 "Export failed for {0}. Message: {1}. {2}.".
	{ID: "otel-dotnet-export-failed", Emitter: OTelDotnet, Category: category.Other, Layer: LayerWrapper,
		Match:   []string{"Exporter failed send data to collector", "Transient HTTP error occurred when communicating with", "failed. Response: ", "Export failed for "},
		Confirm: regexp.MustCompile(`Exporter failed send data to collector|Transient HTTP error occurred when communicating with|HTTP request to \S+ failed\. Response: |Export failed for \S+\. Message: `),
		Meaning: "The OpenTelemetry .NET OTLP exporter could not deliver a batch (its EventSource, seen through OTEL_DIAGNOSTICS.json or dotnet-trace, or the auto-instrumentation's log); the exception says why.",
		Causes:  otelExportCauses,
		Next:    []string{nextSvcPorts, nextDescribeDst, nextServerLog}},
}
