package fix

import (
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/source"
)

const helmBase = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: monitoring}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default-mtls, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: web:1, env: [
      {name: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, value: "http://collector.monitoring.svc.cluster.local:4317"},
      {name: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, value: grpc},
      {name: OTEL_EXPORTER_OTLP_METRICS_ENDPOINT, value: "http://collector.monitoring.svc.cluster.local:4318/v1/metrics"},
      {name: OTEL_EXPORTER_OTLP_METRICS_PROTOCOL, value: http/protobuf}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: collector, namespace: monitoring}
spec:
  selector: {matchLabels: {app: collector}}
  template:
    metadata: {labels: {app: collector}}
    spec: {containers: [{name: otel, image: otel/opentelemetry-collector:0.115.0, ports: [{containerPort: 4317}, {containerPort: 4318}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: collector, namespace: monitoring}
spec: {selector: {app: collector}, ports: [{name: grpc-otlp, port: 4317}, {name: http-otlp, port: 4318}]}
`

// -o helm never writes two DestinationRules for one host in one namespace:
// they would merge and the older one win whole (§2.6). Two failing ports
// of one Service share one exception DR (the second extends the first,
// which -o helm still writes as one new object); beside a DR the chart
// cannot edit, a sibling would do nothing, and the model's verification
// refuses it.
func TestHelmOneDestinationRulePerHost(t *testing.T) {
	drs := func(o Outcome) []string {
		var out []string
		for _, c := range o.Changes {
			if c.Kind == "DestinationRule" {
				out = append(out, c.Key())
			}
		}
		return out
	}
	set := source.Parse("in.yaml", []byte(helmBase))
	o := TopChanges(set, "default", Filter{NewObjectsOnly: true, Strategy: DRDisablePort.Name})
	if got := drs(o); len(got) != 1 || len(o.Applied) != 2 || len(o.Unfixed) > 0 || !strings.Contains(YAML(o.Changes), "number: 4318") || !strings.Contains(YAML(o.Changes), "number: 4317") {
		t.Errorf("two ports: DRs %v, unfixed %v\n%s", got, o.Unfixed, YAML(o.Changes))
	}
	set = source.Parse("in.yaml", []byte(helmBase+`---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: collector-pool, namespace: monitoring}
spec: {host: collector.monitoring.svc.cluster.local, trafficPolicy: {connectionPool: {tcp: {maxConnections: 10}}}}
`))
	o = TopChanges(set, "default", Filter{NewObjectsOnly: true})
	for _, c := range o.Changes {
		if c.Kind == "DestinationRule" && c.Namespace == "monitoring" && c.Replaces == "" {
			t.Errorf("-o helm writes %s beside DestinationRule monitoring/collector-pool:\n%s", c.Key(), YAML(o.Changes))
		}
	}
}
