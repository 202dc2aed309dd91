package telemetry

import (
	"strings"
	"testing"
)

// TestSenders checks each sender surface against what the SDKs do.
func TestSenders(t *testing.T) {
	m := loadTxtar(t, "senders.txtar")
	for _, tc := range []struct {
		rule     string
		workload string
		signal   Signal
		protocol Protocol
		url      string
		sdk      string
	}{
		{"Java agent 2.x defaults to http/protobuf; generic endpoint gets /v1/<signal>", "java2-default", Traces, HTTPProtobuf, "http://otel-collector.obs:4317/v1/traces", "java-agent 2.11.0"},
		{"Java agent 2.x exports logs by default", "java2-default", Logs, HTTPProtobuf, "http://otel-collector.obs:4317/v1/logs", ""},
		{"Java agent 1.x defaulted to grpc; the endpoint is used as-is", "java1-default", Traces, GRPC, "http://otel-collector.obs:4317", "java-agent 1.32.0"},
		{"-D system properties in JAVA_TOOL_OPTIONS win over env", "java-sysprops", Metrics, GRPC, "http://otel-collector.obs:4317", "java-agent (version unknown)"},
		{"per-signal endpoint is used as-is", "per-signal", Traces, HTTPProtobuf, "http://otel-collector.obs:4318/custom/traces", "java-agent 2.9.0"},
		{"per-signal protocol from container args", "per-signal", Metrics, GRPC, "http://otel-collector.obs:4317", ""},
		{"generic endpoint with a trailing slash", "per-signal", Logs, HTTPProtobuf, "http://otel-collector.obs:4318/v1/logs", ""},
		{"envFrom and valueFrom ConfigMaps", "from-configmap", Traces, HTTPProtobuf, "http://otel-collector.obs.svc.cluster.local:4318/v1/traces", "python-distro (version unknown)"},
		{"opentelemetry-distro defaults to grpc on localhost:4317", "python-default", Traces, GRPC, "http://localhost:4317", ""},
		{"PHP SDK autoloaded from the environment: http/protobuf (Defaults.php)", "php-autoload", Logs, HTTPProtobuf, "http://otel-collector.obs:4318/v1/logs", "php-sdk (autoload) (version unknown)"},
		{"PHP without autoload builds its exporter in code: no protocol assumed", "php-in-code", Traces, Unknown, "http://otel-collector.obs:4318", "unknown SDK (version unknown)"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			s := senderOf(t, m, "apps", tc.workload)
			e := exportOf(t, s, tc.signal)
			if e.Protocol != tc.protocol || e.URL != tc.url {
				t.Errorf("got %s %s, want %s %s (because %v)", e.Protocol, e.URL, tc.protocol, tc.url, e.Because)
			}
			if tc.sdk != "" && s.SDK.String() != tc.sdk {
				t.Errorf("sdk %q, want %q", s.SDK, tc.sdk)
			}
		})
	}
	for _, tc := range []struct{ workload, off string }{
		{"java-sysprops", "logs: -Dotel.logs.exporter=none"},
		{"java1-default", "logs: off by default"},
		{"disabled", "all signals: env OTEL_SDK_DISABLED=true"},
		{"none", "traces: env OTEL_TRACES_EXPORTER=none"},
	} {
		s := senderOf(t, m, "apps", tc.workload)
		if !strings.Contains(strings.Join(s.Off, "\n"), tc.off) {
			t.Errorf("%s: off = %v, want %q", tc.workload, s.Off, tc.off)
		}
	}
	if s := senderOf(t, m, "apps", "none"); len(s.Exports) != 0 {
		t.Errorf("OTEL_*_EXPORTER=none must remove every export, got %v", s.Exports)
	}
}

// TestOperatorSenders checks injection by the Operator: annotation values,
// namespace vs pod annotations, per-language env and defaults, sidecars.
func TestOperatorSenders(t *testing.T) {
	m := loadTxtar(t, "operator.txtar")
	for _, tc := range []struct {
		rule     string
		workload string
		protocol Protocol
		url      string
	}{
		{`inject-java "true": spec.java.env sets grpc, spec.exporter.endpoint the URL`, "java-injected", GRPC, "http://gw-collector.obs:4317"},
		{`inject-python "ns/name": the Operator's Python default is http/protobuf`, "py-injected", HTTPProtobuf, "http://gw-collector.obs:4317/v1/traces"},
		{`namespace inject-nodejs "true", image 0.56.0: the Operator's Node.js image runs register.js (http/protobuf) since v0.120.0`, "node-injected", HTTPProtobuf, "http://gw-collector.obs:4317/v1/traces"},
		{`sidecar collector: the Java agent's default localhost:4318`, "java-sidecar", HTTPProtobuf, "http://localhost:4318/v1/traces"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			e := exportOf(t, senderOf(t, m, "apps", tc.workload), Traces)
			if e.Protocol != tc.protocol || e.URL != tc.url {
				t.Errorf("got %s %s, want %s %s (because %v)", e.Protocol, e.URL, tc.protocol, tc.url, e.Because)
			}
		})
	}
	if s := senderOf(t, m, "apps", "java-sidecar"); s.LocalCollector == nil || !s.LocalCollector.Sidecar {
		t.Errorf("sidecar.opentelemetry.io/inject: no local collector for java-sidecar")
	}
	// The sidecar collector's exporter is the next hop, with the app's pod as client.
	found := false
	for _, l := range m.Links {
		if l.Sender.Collector != nil && l.Sender.Workload.Name == "java-sidecar" && l.Service != nil && l.Service.Name == "gw-collector" {
			found = l.Protocol() == GRPC && !l.TLS()
		}
	}
	if !found {
		t.Errorf("no grpc insecure link java-sidecar (sidecar collector) → gw-collector")
	}
}

func TestSplitArgs(t *testing.T) {
	got := splitArgs(`-javaagent:/a.jar "-Dotel.exporter.otlp.endpoint=http://x:4317" -Dk='a b'`)
	want := []string{"-javaagent:/a.jar", "-Dotel.exporter.otlp.endpoint=http://x:4317", "-Dk=a b"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestNodeOperatorDefault: the Operator's Node.js image changed protocol with
// operator v0.120.0 (#3570, image 0.56.0); an image of unknown version decides nothing.
func TestNodeOperatorDefault(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    Protocol
		signals int
	}{
		{"", Unknown, 3},
		{"0.53.0", GRPC, 2},
		{"0.56.0", HTTPProtobuf, 3},
		{"0.62.1", HTTPProtobuf, 3},
		{"1.0.0", HTTPProtobuf, 3},
	} {
		d := defaultsOf(SDK{Lang: "nodejs", Version: tc.version}, true)
		if d.protocol != tc.want || len(d.signals) != tc.signals {
			t.Errorf("image %q: %s with %d signals, want %s with %d (%s)", tc.version, d.protocol, len(d.signals), tc.want, tc.signals, d.source)
		}
	}
}

// TestJavaAgentDefault: the Java agent's default protocol changed in 2.0; an
// agent whose version the inputs do not give decides nothing.
func TestJavaAgentDefault(t *testing.T) {
	for _, tc := range []struct {
		version string
		want    Protocol
	}{{"", Unknown}, {"1.32.0", GRPC}, {"2.11.0", HTTPProtobuf}} {
		if d := defaultsOf(SDK{Lang: "java", Version: tc.version}, false); d.protocol != tc.want {
			t.Errorf("agent %q: %s, want %s (%s)", tc.version, d.protocol, tc.want, d.source)
		}
	}
}
