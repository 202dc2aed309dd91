package telemetry

import "testing"

// TestReceivers checks each receiver surface: the Helm chart's ConfigMap,
// plain workloads with --config, Operator CRs (object and string config),
// default bind addresses by version, TLS blocks and pipelines.
func TestReceivers(t *testing.T) {
	find := func(m *Model, name string, p Protocol) Receiver {
		t.Helper()
		for _, c := range m.Collectors {
			if c.Name == name {
				for _, r := range c.Receivers {
					if r.Protocol == p {
						return r
					}
				}
				t.Fatalf("%s: no %s receiver in %v (err %v)", name, p, c.Receivers, c.Err)
			}
		}
		t.Fatalf("no collector %s", name)
		return Receiver{}
	}
	chart := loadTxtar(t, "senders.txtar")
	ops := loadTxtar(t, "operator.txtar")
	recv := loadTxtar(t, "receivers.txtar")
	for _, tc := range []struct {
		rule      string
		m         *Model
		collector string
		proto     Protocol
		bind      string
		port      int32
		tls       bool
		signals   int
	}{
		{"Helm chart: ${env:MY_POD_IP} from status.podIP", chart, "otel-collector", GRPC, "pod-ip", 4317, false, 3},
		{"Helm chart: http on 4318", chart, "otel-collector", HTTPProtobuf, "pod-ip", 4318, false, 3},
		{"Operator CR: unset endpoint written as 0.0.0.0 by the Operator", ops, "gw", GRPC, "all", 4317, false, 3},
		{"collector ≥ 0.104: unset endpoint binds localhost", recv, "new-default", GRPC, "localhost", 4317, false, 1},
		{"collector < 0.104: unset endpoint binds 0.0.0.0", recv, "old-default", GRPC, "all", 4317, false, 1},
		{"explicit 127.0.0.1", recv, "loopback", HTTPProtobuf, "localhost", 4318, false, 1},
		{"tls block", recv, "tls-col", GRPC, "all", 4317, true, 1},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r := find(tc.m, tc.collector, tc.proto)
			if r.Bind != tc.bind || r.Port != tc.port || r.TLS != tc.tls || len(r.Signals) != tc.signals {
				t.Errorf("got %s bind=%s signals=%v", r, r.Bind, r.Signals)
			}
		})
	}
	// The Operator's Service for a deployment-mode CR: <name>-collector with grpc/http ports.
	s := ops.Service("obs", "gw-collector")
	if s == nil || len(s.Spec.Ports) != 2 || s.Spec.Ports[0].Name != "otlp-grpc" || *s.Spec.Ports[0].AppProtocol != "grpc" {
		t.Fatalf("synthesized Service: %+v", s)
	}
	if len(ops.Backends(s)) != 1 {
		t.Errorf("the synthesized Service must select the synthesized collector workload")
	}
	// Collector exporters are links: the seed's collector → tempo, which the inputs lack.
	seed := loadPaths(t, "../examples/seed")
	for _, l := range seed.Links {
		if l.Sender.Collector != nil {
			if l.Host != "tempo.monitoring.svc.cluster.local" || l.Protocol() != GRPC || l.TLS() || l.Problem == "" {
				t.Errorf("seed collector link: %+v", l)
			}
		}
	}
	if !seed.ConfigKeys["monitoring/otel-collector|relay"] {
		t.Errorf("the chart's relay key must be owned by the telemetry model: %v", seed.ConfigKeys)
	}
}

func TestDefaultHost(t *testing.T) {
	for _, tc := range []struct {
		version  string
		operator bool
		want     string
	}{{"0.103.0", false, "0.0.0.0"}, {"0.104.0", false, "localhost"}, {"", false, "localhost"}, {"0.90.0", true, "0.0.0.0"}} {
		if got, _ := defaultHost(tc.version, tc.operator); got != tc.want {
			t.Errorf("defaultHost(%q, %v) = %s, want %s", tc.version, tc.operator, got, tc.want)
		}
	}
}
