package telemetry

import (
	"fmt"
	"net"
	"regexp"
	"sort"
	"strconv"
	"strings"

	sigsyaml "sigs.k8s.io/yaml"
)

// Receiver is one OTLP protocol server of a collector.
type Receiver struct {
	Name     string   // the receiver's id, e.g. "otlp" or "otlp/internal"
	Protocol Protocol // GRPC, or HTTPProtobuf for the HTTP server (which also takes http/json)
	Endpoint string   // as configured (env expanded), or the default
	Host     string
	Port     int32
	// Bind: "all" (0.0.0.0, ::, empty host), "pod-ip" (${env:MY_POD_IP}),
	// "localhost", or "unknown".
	Bind string
	// Defaulted: no endpoint was written; Because says which default applied.
	Defaulted bool
	Because   string
	TLS       bool
	// Signals are those of the pipelines that use the receiver (none: unused).
	Signals []Signal
}

// Exporter is one collector exporter that dials an endpoint.
type Exporter struct {
	Name     string // e.g. "otlp/tempo"
	Type     string // otlp, otlphttp, …
	Endpoint string
	Protocol Protocol // GRPC for otlp, HTTPProtobuf for otlphttp, Unknown otherwise
	TLS      bool
	Signals  []Signal
	// Setting is the key that names the endpoint (endpoint, http.endpoint,
	// resolver.static.hostnames[0], …); Pull marks a pull receiver's target.
	Setting string
	Pull    bool
}

// Config is the part of a collector configuration the model uses.
type Config struct {
	Receivers []Receiver
	Exporters []Exporter
}

// Defaults of the OTLP receiver (opentelemetry-collector receiver/otlpreceiver
// factory.go: grpc on 4317, http on 4318). The host became localhost when the
// component.UseLocalHostAsDefaultHost feature gate went beta (on by default)
// in v0.104.0 (opentelemetry-collector #10352; "OTLP receivers fail with latest
// docker image (0.104.0)", contrib #33896); it went stable around v0.110/0.111
// (collector #11235, contrib #35570) and was then removed (collector #11412).
const localhostDefaultSince = 104

var envRef = regexp.MustCompile(`\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)`)

// expander replaces ${env:X} with what the collector's environment says;
// values from status.podIP become "$(status.podIP)".
type expander func(string) string

// parseConfig reads a collector config (YAML text). defaultBind is the host
// an unset receiver endpoint binds to, with the reason.
func parseConfig(text string, expand expander, defaultHost, because string) (Config, error) {
	var raw struct {
		Receivers map[string]map[string]any `json:"receivers"`
		Exporters map[string]map[string]any `json:"exporters"`
		Service   struct {
			Pipelines map[string]struct {
				Receivers []string `json:"receivers"`
				Exporters []string `json:"exporters"`
			} `json:"pipelines"`
		} `json:"service"`
	}
	if err := sigsyaml.Unmarshal([]byte(text), &raw); err != nil {
		return Config{}, err
	}
	uses := map[string][]Signal{}
	for name, p := range raw.Service.Pipelines {
		sig := Signal(strings.SplitN(name, "/", 2)[0])
		for _, r := range p.Receivers {
			uses["r:"+r] = appendSignal(uses["r:"+r], sig)
		}
		for _, e := range p.Exporters {
			uses["e:"+e] = appendSignal(uses["e:"+e], sig)
		}
	}
	var cfg Config
	for _, name := range sortedNames(raw.Receivers) {
		if typ, _, _ := strings.Cut(name, "/"); typ != "otlp" {
			continue
		}
		protocols, _ := raw.Receivers[name]["protocols"].(map[string]any)
		for _, proto := range []string{"grpc", "http"} {
			block, present := protocols[proto]
			if !present {
				continue
			}
			settings, _ := block.(map[string]any)
			r := Receiver{Name: name, Protocol: GRPC, Signals: uses["r:"+name]}
			port := int32(4317)
			if proto == "http" {
				r.Protocol, port = HTTPProtobuf, 4318
			}
			ep, _ := settings["endpoint"].(string)
			if ep == "" {
				r.Defaulted, r.Because = true, because
				ep = net.JoinHostPort(defaultHost, strconv.Itoa(int(port)))
			}
			r.Endpoint = expand(ep)
			r.Host, r.Port = splitHostPort(r.Endpoint, port)
			r.Bind = bindOf(r.Host)
			_, r.TLS = settings["tls"].(map[string]any)
			cfg.Receivers = append(cfg.Receivers, r)
		}
	}
	for _, name := range sortedNames(raw.Exporters) {
		e := raw.Exporters[name]
		typ, _, _ := strings.Cut(name, "/")
		tls, _ := e["tls"].(map[string]any)
		if typ == "loadbalancing" {
			// The backends are dialled with the protocol.otlp client settings.
			otlp, _ := e["protocol"].(map[string]any)
			o, _ := otlp["otlp"].(map[string]any)
			tls, _ = o["tls"].(map[string]any)
		}
		insecure, _ := tls["insecure"].(bool)
		for _, d := range exporterDials(typ, e) {
			x := Exporter{Name: name, Type: typ, Endpoint: expand(d.endpoint), Setting: d.setting, Protocol: Unknown, Signals: uses["e:"+name]}
			if d.signals != nil {
				x.Signals = intersect(x.Signals, d.signals)
			}
			switch typ {
			case "otlp", "otlp_grpc", "loadbalancing":
				// configgrpc: TLS unless tls.insecure, or an http:// endpoint.
				x.Protocol = GRPC
				x.TLS = !insecure && !strings.HasPrefix(x.Endpoint, "http://")
			case "otlphttp", "otlp_http":
				x.Protocol = HTTPProtobuf
				x.TLS = strings.HasPrefix(x.Endpoint, "https://")
			default:
				x.TLS = strings.HasPrefix(x.Endpoint, "https://")
			}
			cfg.Exporters = append(cfg.Exporters, x)
		}
	}
	// Pull receivers dial their targets: collector → target edges too.
	for _, name := range sortedNames(raw.Receivers) {
		typ, _, _ := strings.Cut(name, "/")
		for _, d := range receiverDials(typ, raw.Receivers[name]) {
			ep := expand(d.endpoint)
			cfg.Exporters = append(cfg.Exporters, Exporter{Name: name, Type: typ, Pull: true, Endpoint: ep, Setting: d.setting,
				Protocol: Unknown, TLS: strings.HasPrefix(ep, "https://"), Signals: uses["r:"+name]})
		}
	}
	return cfg, nil
}

func intersect(a, b []Signal) []Signal {
	var out []Signal
	for _, x := range a {
		if containsSignal(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func appendSignal(list []Signal, s Signal) []Signal {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	list = append(list, s)
	sort.Slice(list, func(i, j int) bool { return signalRank(list[i]) < signalRank(list[j]) })
	return list
}

func signalRank(s Signal) int {
	for i, x := range Signals {
		if x == s {
			return i
		}
	}
	return len(Signals)
}

func sortedNames[V any](mp map[string]V) []string {
	out := make([]string, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// splitHostPort reads "host:port", "[::]:port", ":port" or "scheme://host:port/…".
func splitHostPort(ep string, def int32) (string, int32) {
	if _, rest, ok := strings.Cut(ep, "://"); ok {
		ep = rest
	}
	ep, _, _ = strings.Cut(ep, "/")
	host, port, err := net.SplitHostPort(ep)
	if err != nil {
		return ep, def
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return host, def
	}
	return host, int32(n)
}

func bindOf(host string) string {
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		return "all"
	case "localhost", "127.0.0.1", "::1":
		return "localhost"
	case "$(status.podIP)", "$(status.podIPs)":
		return "pod-ip"
	}
	if strings.HasPrefix(host, "${") || strings.HasPrefix(host, "$") {
		return "unknown"
	}
	return "other"
}

// expanderFor resolves ${env:X} from a container's settings.
func expanderFor(s settings) expander {
	return func(v string) string {
		return envRef.ReplaceAllStringFunc(v, func(ref string) string {
			m := envRef.FindStringSubmatch(ref)
			name := m[1] + m[2]
			if p, ok := s.fieldRefs[name]; ok {
				return "$(" + p + ")"
			}
			if d, ok := s.env[name]; ok && d.value != "" {
				return d.value
			}
			return ref
		})
	}
}

func (r Receiver) String() string {
	tls := "plaintext"
	if r.TLS {
		tls = "TLS"
	}
	ep := strings.Replace(r.Endpoint, "$(status.podIP)", "<pod IP>", 1)
	return fmt.Sprintf("%s %s on %s (%s)", r.Name, r.Protocol, ep, tls)
}
