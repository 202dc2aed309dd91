package edges

import (
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

func TestParseRef(t *testing.T) {
	for _, tc := range []struct {
		tok    string
		ok     bool
		scheme string
		host   string
		port   int32
	}{
		{"http://otel-collector.monitoring:4317", true, "http", "otel-collector.monitoring", 4317},
		{"https://API.Example.com/v1/x", true, "https", "api.example.com", 0},
		{"redis.cache.svc.cluster.local:6379", true, "", "redis.cache.svc.cluster.local", 6379},
		{"queue", true, "", "queue", 0},
		{"seat:8080/path?q=1", true, "", "seat", 8080},
		{"${env:MY_POD_IP}:4317", false, "", "", 0},
		{"-javaagent:/otel/agent.jar", false, "", "", 0},
		{"host:99999", false, "", "", 0},
		{"under_score", false, "", "", 0},
		{"4321", false, "", "", 0}, // a port in a *_SERVER_*_PORT variable, not a host
	} {
		r, ok := ParseRef(tc.tok)
		if ok != tc.ok || ok && (r.Scheme != tc.scheme || r.Host != tc.host || r.Port != tc.port) {
			t.Errorf("ParseRef(%q) = %+v, %v", tc.tok, r, ok)
		}
	}
}

const cluster = `
apiVersion: v1
kind: Service
metadata: {name: api, namespace: srv}
spec:
  selector: {app: api}
  ports: [{name: http, port: 80, targetPort: 8080}, {name: grpc, port: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: cli}
spec:
  selector: {app: cache}
  ports: [{name: tcp-redis, port: 6379}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: cli}
data:
  CACHE_HOST: cache
  application.yaml: |
    api:
      base-url: https://api.srv.svc.cluster.local/v2
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: cli}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      volumes: [{name: cfg, configMap: {name: settings}}]
      containers:
        - name: app
          image: x
          args: ["--upstream=api.srv.svc:9090"]
          envFrom: [{configMapRef: {name: settings}}]
          env:
            - {name: API_URL, value: "http://api.srv"}
            - {name: APP_NAME, value: "api"}
            - {name: MISSING_URL, value: "http://nothing.srv.svc:80"}
            - {name: WRONG_PORT_URL, value: "http://api.srv:81"}
`

// TestDiscover: every surface that names a Service makes one edge, with the
// port written, implied by the scheme, or the Service's only one; a bare word
// counts only under a host-like name; misses are reported, not dropped.
func TestDiscover(t *testing.T) {
	inv := inventory.Build(source.Parse("c.yaml", []byte(cluster)), "default")
	res := Discover(inv, Options{})
	var got []string
	for _, c := range res.Candidates {
		got = append(got, c.Client.Name+"→"+c.Service.Name+"."+c.Service.Namespace+":"+strconv.Itoa(int(c.Port.Port)))
	}
	sort.Strings(got)
	// https://api.srv.svc.cluster.local/v2 implies 443, which the two-port Service lacks:
	// a dangling reference, not an edge. APP_NAME=api is no address (not a host-like name).
	want := "app→api.srv:80|app→api.srv:9090|app→cache.cli:6379"
	if strings.Join(got, "|") != want {
		t.Errorf("edges = %v, want %s", got, want)
	}
	var dangling []string
	for _, d := range res.Dangling {
		dangling = append(dangling, d.Value)
	}
	sort.Strings(dangling)
	if strings.Join(dangling, "|") != "http://api.srv:81|http://nothing.srv.svc:80|https://api.srv.svc.cluster.local/v2" {
		t.Errorf("dangling = %v", dangling)
	}
	for _, c := range res.Candidates {
		if c.Service.Name == "api" && c.Port.Port == 80 && !strings.Contains(c.Source(), "env API_URL=http://api.srv") {
			t.Errorf("source does not say where the edge came from: %s", c.Source())
		}
	}
	all := Discover(inv, Options{AllPairs: true})
	if len(all.Candidates) != 3 { // one workload × three Service ports
		t.Errorf("all pairs = %d candidates, want 3", len(all.Candidates))
	}
}
