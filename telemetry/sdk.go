package telemetry

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
)

// Default endpoints, per protocol. Spec protocol/exporter.md (v1.55):
// "Endpoint (OTLP/HTTP) … Default: http://localhost:4318" and
// "Endpoint (OTLP/gRPC) … Default: http://localhost:4317".
const (
	defaultGRPCEndpoint = "http://localhost:4317"
	defaultHTTPEndpoint = "http://localhost:4318"
)

// sdkDefault is what an SDK does when nothing is configured.
type sdkDefault struct {
	protocol Protocol
	signals  []Signal // exporters on by default
	source   string   // where the fact comes from
}

// defaultsOf returns the defaults of sdk. operator is true when the
// Operator injected the SDK (its images set their own defaults).
func defaultsOf(sdk SDK, operator bool) sdkDefault {
	all := []Signal{Traces, Metrics, Logs}
	switch sdk.Lang {
	case "java":
		if major(sdk.Version) == 1 {
			// Java agent 1.x: grpc to :4317; logs exporter off (enabled by
			// default only from 2.0, same release notes).
			return sdkDefault{GRPC, []Signal{Traces, Metrics}, "opentelemetry-java-instrumentation v2.0.0 release notes: the default was grpc before 2.0"}
		}
		// Java agent 2.x: opentelemetry-java-instrumentation v2.0.0 release
		// notes, "The default OTLP protocol has been changed from grpc to
		// http/protobuf" and "The OTLP logs exporter is now enabled by default".
		src := "opentelemetry-java-instrumentation v2.0.0 release notes: http/protobuf by default since 2.0"
		if sdk.Version == "" {
			// The jar's or image's version decides and the inputs do not tell it:
			// no protocol is assumed (the edge says what each would give).
			return sdkDefault{Unknown, all, "Java agent of unknown version: grpc before 2.0, http/protobuf since (opentelemetry-java-instrumentation v2.0.0 release notes)"}
		}
		return sdkDefault{HTTPProtobuf, all, src}
	case "python":
		if operator {
			// opentelemetry-operator internal/instrumentation/python.go getDefaultPythonEnvVars:
			// OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (since v0.67.0, #1328) and
			// OTEL_{TRACES,METRICS,LOGS}_EXPORTER=otlp (logs since v0.111.0), unless set.
			return sdkDefault{HTTPProtobuf, all, "OpenTelemetry Operator Python injection sets OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (operator v0.67.0+) and traces, metrics, logs exporters otlp (logs since v0.111.0)"}
		}
		// opentelemetry-python-contrib opentelemetry-distro/src/opentelemetry/distro/__init__.py
		// OpenTelemetryDistro._configure: os.environ.setdefault(OTEL_{TRACES,METRICS,LOGS}_EXPORTER,
		// "otlp") and setdefault(OTEL_EXPORTER_OTLP_PROTOCOL, "grpc"). (The bare SDK has no
		// default exporter; opentelemetry-instrument loads the distro.)
		return sdkDefault{GRPC, all, "opentelemetry-distro (opentelemetry-instrument) sets OTEL_EXPORTER_OTLP_PROTOCOL=grpc and otlp exporters for traces, metrics, logs"}
	case "nodejs":
		if operator {
			return nodeOperatorDefault(sdk.Version)
		}
		// opentelemetry-js experimental/packages/opentelemetry-sdk-node/src/utils.ts
		// getOtlpProtocolFromEnv: … || 'http/protobuf' (since experimental v0.56, Nov 2024);
		// sdk.ts: OTEL_METRICS_EXPORTER and OTEL_LOGS_EXPORTER empty → "Using default otlp
		// exporter" (logs since v0.53, #4740; metrics since v0.57, #5168).
		return sdkDefault{HTTPProtobuf, all, "@opentelemetry/sdk-node: http/protobuf by default, otlp exporters for traces, metrics (since 0.57) and logs (since 0.53)"}
	case "dotnet":
		// opentelemetry-dotnet-instrumentation docs/config.md:
		// OTEL_EXPORTER_OTLP_PROTOCOL default `http/protobuf`, endpoint
		// http://localhost:4318. (The plain .NET SDK exporter,
		// OpenTelemetry.Exporter.OpenTelemetryProtocol, defaults to grpc on
		// :4317 — it is configured in code, so manifests cannot show it.)
		return sdkDefault{HTTPProtobuf, all, "opentelemetry-dotnet-instrumentation docs/config.md: http/protobuf by default"}
	case "php":
		// opentelemetry-php src/SDK/Common/Configuration/Defaults.php:
		// OTEL_EXPORTER_OTLP_PROTOCOL = 'http/protobuf' and
		// OTEL_{TRACES,METRICS,LOGS}_EXPORTER = 'otlp' (detected only with
		// OTEL_PHP_AUTOLOAD_ENABLED=true, when the environment builds them).
		return sdkDefault{HTTPProtobuf, all, "opentelemetry-php Defaults.php: http/protobuf and otlp exporters for traces, metrics, logs (SDK autoloaded from the environment)"}
	case "go":
		// go.opentelemetry.io/contrib/exporters/autoexport doc:
		// OTEL_EXPORTER_OTLP_PROTOCOL "http/protobuf" (default); the Go
		// auto-instrumentation (operator) also uses http/protobuf.
		return sdkDefault{HTTPProtobuf, []Signal{Traces}, "Go autoexport / auto-instrumentation: http/protobuf by default"}
	}
	// Spec protocol/exporter.md: the default transport SHOULD be
	// http/protobuf, but SDKs may keep grpc; an unknown SDK decides nothing.
	return sdkDefault{Unknown, all, "SDK unknown: the spec leaves the default protocol to each SDK"}
}

// nodeOperatorDefault is the Operator's Node.js injection by image version.
// Since operator v0.120.0 (#3570, image autoinstrumentation-nodejs 0.56.0 and
// later) the image runs register.js of @opentelemetry/auto-instrumentations-node,
// so sdk-node's defaults apply: http/protobuf, traces and logs; metrics
// only once the webhook sets OTEL_METRICS_EXPORTER=otlp (v0.158.0, #3768).
// Before, autoinstrumentation.ts built an OTLP/gRPC trace exporter when
// OTEL_EXPORTER_OTLP_PROTOCOL was unset and a gRPC metrics exporter.
func nodeOperatorDefault(version string) sdkDefault {
	if mj, mn := majorMinor(version); version != "" && mj == 0 && mn < 56 {
		return sdkDefault{GRPC, []Signal{Traces, Metrics}, "OpenTelemetry Operator Node.js image " + version + " (before operator v0.120.0): autoinstrumentation.ts exports grpc"}
	}
	src := "OpenTelemetry Operator Node.js image runs auto-instrumentations-node register.js since operator v0.120.0 (#3570): sdk-node's http/protobuf default; metrics on since v0.158.0 (#3768)"
	if version == "" {
		// The operator's own default image: its version decides, and the inputs do not hold it.
		return sdkDefault{Unknown, []Signal{Traces, Metrics, Logs}, "OpenTelemetry Operator Node.js image of unknown version: grpc before operator v0.120.0, http/protobuf since (#3570)"}
	}
	return sdkDefault{HTTPProtobuf, []Signal{Traces, Metrics, Logs}, src}
}

func majorMinor(v string) (int, int) {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return major(v), 0
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return major(v), 0
	}
	return major(v), n
}

func major(v string) int {
	head, _, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(head)
	if err != nil {
		return 0
	}
	return n
}

var (
	javaagentJar = regexp.MustCompile(`-javaagent:(\S+)`)
	jarVersion   = regexp.MustCompile(`opentelemetry-javaagent[-_]v?(\d+\.\d+\.\d+)`)
	imageTag     = regexp.MustCompile(`:v?(\d+\.\d+\.\d+[\w.-]*)$`)
)

// tagOf is the version in an image reference ("" when untagged or "latest").
func tagOf(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if m := imageTag.FindStringSubmatch(image); m != nil {
		return m[1]
	}
	return ""
}

// detectSDK recognises the SDK of a container from its command line,
// environment hints and init containers (the Operator's copy step).
func detectSDK(w *inventory.Workload, s settings, inst *Instrumentation, lang string) (SDK, bool) {
	words := strings.Join(s.words, " ")
	if lang == "sdk" {
		// The app's own SDK, configured by the Operator's environment: which
		// SDK, and so its default protocol, the inputs do not tell.
		return SDK{Lang: "unknown", Kind: "app's own SDK, operator inject-sdk", Hint: "instrumentation.opentelemetry.io/inject-sdk"}, true
	}
	if lang != "" {
		sdk := SDK{Lang: lang, Kind: lang + " (operator auto-instrumentation)", Hint: "instrumentation.opentelemetry.io/inject-" + lang}
		if inst != nil {
			sdk.Version = tagOf(inst.Image(lang))
		}
		if lang == "java" {
			sdk.Kind = "java-agent (operator)"
		}
		return sdk, true
	}
	if m := javaagentJar.FindStringSubmatch(words); m != nil && strings.Contains(strings.ToLower(m[1]), "opentelemetry") {
		sdk := SDK{Lang: "java", Kind: "java-agent", Hint: "-javaagent:" + m[1]}
		if v := jarVersion.FindStringSubmatch(m[1]); v != nil {
			sdk.Version = v[1]
		}
		for _, ic := range w.Template.Spec.InitContainers {
			if sdk.Version == "" && (strings.Contains(ic.Image, "javaagent") || strings.Contains(ic.Image, "autoinstrumentation-java")) {
				sdk.Version = tagOf(ic.Image)
			}
		}
		return sdk, true
	}
	has := func(prefix string) bool {
		for k := range s.env {
			if strings.HasPrefix(k, prefix) {
				return true
			}
		}
		return false
	}
	switch {
	case has("OTEL_JAVAAGENT_") || len(s.props) > 0:
		return SDK{Lang: "java", Kind: "java-agent", Hint: "OTEL_JAVAAGENT_* / -Dotel.*"}, true
	case strings.Contains(words, "opentelemetry-instrument") || has("OTEL_PYTHON_"):
		return SDK{Lang: "python", Kind: "python-distro", Hint: "opentelemetry-instrument / OTEL_PYTHON_*"}, true
	case strings.Contains(s.env["NODE_OPTIONS"].value, "@opentelemetry/") || has("OTEL_NODE_"):
		return SDK{Lang: "nodejs", Kind: "nodejs-sdk", Hint: "NODE_OPTIONS --require @opentelemetry/…"}, true
	case has("OTEL_DOTNET_AUTO_") || strings.Contains(s.env["DOTNET_STARTUP_HOOKS"].value, "OpenTelemetry.AutoInstrumentation"):
		return SDK{Lang: "dotnet", Kind: "dotnet-auto", Hint: "OTEL_DOTNET_AUTO_* / DOTNET_STARTUP_HOOKS"}, true
	case strings.EqualFold(strings.TrimSpace(s.env["OTEL_PHP_AUTOLOAD_ENABLED"].value), "true"):
		// opentelemetry-php SdkAutoloader: with autoload on, the SDK and its
		// exporters are built from the environment, so its defaults apply.
		return SDK{Lang: "php", Kind: "php-sdk (autoload)", Hint: "OTEL_PHP_AUTOLOAD_ENABLED=true"}, true
	case has("OTEL_GO_AUTO_") || strings.Contains(s.image, "autoinstrumentation-go"):
		return SDK{Lang: "go", Kind: "go-auto", Hint: "OTEL_GO_AUTO_*"}, true
	case exporterConfigured(s):
		return SDK{Lang: "unknown", Kind: "unknown SDK", Hint: "OTEL_* variables"}, true
	}
	return SDK{}, false
}

// exporterConfigured reports whether a container's variables show that an
// OTel SDK exports: an OTLP endpoint, protocol or connection setting, or an
// OTEL_<SIGNAL>_EXPORTER choice. OTEL_SERVICE_NAME, resource attributes and
// the metrics temporality or histogram preferences are read by SDKs but
// also set for every container of a chart (the OTel demo sets them on
// Envoy, nginx, Postgres and Valkey): they are no evidence of an exporter.
func exporterConfigured(s settings) bool {
	for k, v := range s.env {
		if strings.TrimSpace(v.value) == "" {
			continue
		}
		rest, ok := strings.CutPrefix(k, "OTEL_EXPORTER_OTLP_")
		if ok {
			for _, sig := range []string{"TRACES_", "METRICS_", "LOGS_"} {
				rest = strings.TrimPrefix(rest, sig)
			}
			switch rest {
			case "ENDPOINT", "PROTOCOL", "HEADERS", "INSECURE", "CERTIFICATE", "CLIENT_CERTIFICATE", "CLIENT_KEY", "COMPRESSION", "TIMEOUT":
				return true
			}
			continue
		}
		switch k {
		case "OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER", "OTEL_SDK_DISABLED":
			return true
		}
	}
	return false
}
