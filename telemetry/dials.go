package telemetry

import (
	"fmt"
	"strconv"
	"strings"
)

// dial is one address a collector component connects to, with the path of
// the setting that names it.
type dial struct {
	endpoint string
	setting  string
	signals  []Signal // nil: the component's pipelines decide
}

// exporterDials lists every endpoint an exporter's settings name: endpoint,
// the per-signal endpoints of otlphttp (traces_endpoint, …), nested client
// settings (opensearch and others: http.endpoint), endpoint lists
// (elasticsearch endpoints), and the loadbalancing exporter's resolvers,
// each backend one dial (opentelemetry-collector-contrib
// exporter/loadbalancingexporter config.go: static.hostnames; dns.hostname +
// dns.port, default 4317; k8s.service "name.ns" + k8s.ports, default 4317).
func exporterDials(typ string, e map[string]any) []dial {
	var out []dial
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	obj := func(m map[string]any, k string) map[string]any { o, _ := m[k].(map[string]any); return o }
	if ep := str(e, "endpoint"); ep != "" {
		out = append(out, dial{endpoint: ep, setting: "endpoint"})
	}
	for _, sig := range Signals {
		if ep := str(e, string(sig)+"_endpoint"); ep != "" {
			out = append(out, dial{endpoint: ep, setting: string(sig) + "_endpoint", signals: []Signal{sig}})
		}
	}
	for _, nested := range []string{"http", "client"} {
		if ep := str(obj(e, nested), "endpoint"); ep != "" {
			out = append(out, dial{endpoint: ep, setting: nested + ".endpoint"})
		}
	}
	if list, ok := e["endpoints"].([]any); ok {
		for i, x := range list {
			if ep, ok := x.(string); ok && ep != "" {
				out = append(out, dial{endpoint: ep, setting: fmt.Sprintf("endpoints[%d]", i)})
			}
		}
	}
	if typ == "loadbalancing" {
		r := obj(e, "resolver")
		if hosts, ok := obj(r, "static")["hostnames"].([]any); ok {
			for i, h := range hosts {
				if s, ok := h.(string); ok {
					out = append(out, dial{endpoint: withDefaultPort(s, 4317), setting: fmt.Sprintf("resolver.static.hostnames[%d]", i)})
				}
			}
		}
		if dns := obj(r, "dns"); str(dns, "hostname") != "" {
			port := 4317
			if p, ok := dns["port"]; ok {
				port = atoiAny(p, 4317)
			}
			out = append(out, dial{endpoint: fmt.Sprintf("%s:%d", str(dns, "hostname"), port), setting: "resolver.dns.hostname"})
		}
		if k8s := obj(r, "k8s"); str(k8s, "service") != "" {
			ports := []int{4317}
			if list, ok := k8s["ports"].([]any); ok && len(list) > 0 {
				ports = nil
				for _, p := range list {
					ports = append(ports, atoiAny(p, 4317))
				}
			}
			for _, p := range ports {
				out = append(out, dial{endpoint: fmt.Sprintf("%s:%d", str(k8s, "service"), p), setting: "resolver.k8s.service"})
			}
		}
	}
	return out
}

// receiverDials lists what a pull receiver scrapes or connects to: the
// prometheus receiver's static scrape targets, httpcheck targets, and the
// endpoint (or kafka brokers) of the nginx, postgresql, redis, kafka, … receivers.
func receiverDials(typ string, r map[string]any) []dial {
	var out []dial
	switch typ {
	case "otlp", "jaeger", "zipkin", "opencensus", "hostmetrics", "filelog", "k8s_cluster", "k8sobjects", "kubeletstats", "k8s_events":
		return nil // servers, or local and API-server sources
	case "prometheus", "prometheus_simple":
		cfg, _ := r["config"].(map[string]any)
		jobs, _ := cfg["scrape_configs"].([]any)
		for _, j := range jobs {
			job, _ := j.(map[string]any)
			name, _ := job["job_name"].(string)
			scheme, _ := job["scheme"].(string)
			statics, _ := job["static_configs"].([]any)
			for _, sc := range statics {
				s, _ := sc.(map[string]any)
				targets, _ := s["targets"].([]any)
				for _, t := range targets {
					if ts, ok := t.(string); ok {
						if scheme != "" {
							ts = scheme + "://" + ts
						}
						out = append(out, dial{endpoint: ts, setting: "config.scrape_configs[" + name + "].static_configs.targets"})
					}
				}
			}
		}
		if ep, ok := r["endpoint"].(string); ok && ep != "" {
			out = append(out, dial{endpoint: ep, setting: "endpoint"})
		}
	case "httpcheck":
		targets, _ := r["targets"].([]any)
		for i, t := range targets {
			tm, _ := t.(map[string]any)
			if ep, ok := tm["endpoint"].(string); ok && ep != "" {
				out = append(out, dial{endpoint: ep, setting: fmt.Sprintf("targets[%d].endpoint", i)})
			}
		}
	case "kafka", "kafkametrics":
		brokers, _ := r["brokers"].([]any)
		for i, b := range brokers {
			if s, ok := b.(string); ok {
				out = append(out, dial{endpoint: s, setting: fmt.Sprintf("brokers[%d]", i)})
			}
		}
	default:
		if ep, ok := r["endpoint"].(string); ok && ep != "" {
			out = append(out, dial{endpoint: ep, setting: "endpoint"})
		}
	}
	return out
}

func withDefaultPort(h string, port int) string {
	if strings.Contains(h, ":") {
		return h
	}
	return fmt.Sprintf("%s:%d", h, port)
}

func atoiAny(v any, def int) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int:
		return x
	case string:
		if n, err := strconv.Atoi(x); err == nil {
			return n
		}
	}
	return def
}

// role names what kind of component dials.
func (x Exporter) role() string {
	if x.Pull {
		return "pull receiver"
	}
	return "exporter"
}
