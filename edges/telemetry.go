package edges

import (
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/telemetry"
)

// OTLP is the telemetry side of a candidate: the links (one sender's
// exports to one address) that take this client → Service port edge.
type OTLP struct {
	// Links point into the model's (read-only): copies were 2 MB on the 20k mesh.
	Links []*telemetry.Link
	model *telemetry.Model
}

// Signals lists the signals carried, without repeats, in spec order.
// (Marked by their place in telemetry.Signals: a map per edge took 3× as
// long, 270 against 85 ns, and allocated twice.)
func (o *OTLP) Signals() []string {
	var seen [8]bool
	n := 0
	for _, l := range o.Links {
		for _, e := range l.Exports {
			if i := slices.Index(telemetry.Signals, e.Signal); i >= 0 && i < len(seen) && !seen[i] {
				seen[i] = true
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for i, s := range telemetry.Signals {
		if i < len(seen) && seen[i] {
			out = append(out, string(s))
		}
	}
	return out
}

// Protocols lists the OTLP protocols used, without repeats.
func (o *OTLP) Protocols() []string {
	var out []string
	for _, l := range o.Links {
		out = appendUnique(out, string(l.Protocol()))
	}
	return out
}

// Senders names what exports (SDK and version, or collector).
func (o *OTLP) Senders() []string {
	var out []string
	for _, l := range o.Links {
		out = appendUnique(out, l.Sender.SDK.String())
	}
	return out
}

// Endpoints lists the URLs dialled.
func (o *OTLP) Endpoints() []string {
	var out []string
	for _, l := range o.Links {
		out = appendUnique(out, l.URL())
	}
	return out
}

// Receiver is the collector and OTLP receiver listening on container port
// port of backend b (either may be nil: not a collector, no receiver there).
func (o *OTLP) Receiver(b *inventory.Workload, port int32) (*telemetry.Collector, *telemetry.Receiver) {
	if o == nil || o.model == nil {
		return nil, nil
	}
	return o.model.ReceiverAt(b, port)
}

// telemetry adds the telemetry model's resolved links as candidates. Links
// that resolve to nothing are left to the telemetry checks, which say why.
func (d *discoverer) telemetry() {
	for i := range d.tel.Links {
		l := &d.tel.Links[i]
		if l.Service == nil || l.ServicePort == nil {
			continue
		}
		if l.Sender.SDK.Lang == telemetry.ProxyKind && !hasProxy(d.inv, l.Sender.Workload) {
			continue // a Telemetry selects the pod, but it runs no Istio proxy
		}
		d.add(l.Sender.Workload, l.Service, l.ServicePort, l.Source, d.urlHost(l.URL()), l.TLS(), true)
		c := &d.res.Candidates[d.byKey[d.ids.keyOf(l.Sender.Workload, l.Service, l.ServicePort.Port)]]
		for _, ex := range l.Exports[1:] {
			c.addHost(d.urlHost(ex.URL))
		}
		if c.OTLP == nil {
			c.OTLP = &OTLP{model: d.tel}
		}
		c.OTLP.Links = append(c.OTLP.Links, l)
		if len(d.inv.Backends(l.Service)) == 0 {
			c.ExtraBackends = d.tel.Backends(l.Service)
		}
	}
}

// otlpOption matches a JVM option the telemetry model reads
// (-Dotel.exporter.otlp.endpoint=…), so that generic scanning skips it.
var otlpOption = regexp.MustCompile(`-Dotel\.exporter\.otlp[\w.-]*=\S*`)

// telemetryOwned reports whether the value is read by the telemetry model
// (OTLP exporter settings, collector configs) rather than generic scanning.
func (d *discoverer) telemetryOwned(v value, cm *inventory.ConfigMap) bool {
	if strings.HasPrefix(strings.ToUpper(v.name), "OTEL_EXPORTER_OTLP_") {
		return true
	}
	return cm != nil && d.tel.ConfigKeys[cm.Key()+"|"+v.name]
}

// hasProxy reports whether w may run an Istio proxy (a sidecar or a
// gateway; undecided counts, the edge is then judged unknown).
func hasProxy(inv *inventory.Inventory, w *inventory.Workload) bool {
	switch mesh.Injection(w.Namespace, inv.Namespace(w.Namespace), w, inv.Mesh).Kind {
	case mesh.ProxySidecar, mesh.ProxyGateway, mesh.ProxyUnknown:
		return true
	}
	return false
}

// urlHost is the host an exporter's endpoint URL names, "" when it names
// none the model can read; read once per URL (most senders share one: parsed
// for each, they were 8 MB of garbage on the 20k mesh).
func (d *discoverer) urlHost(raw string) string {
	if h, ok := d.hosts[raw]; ok {
		return h
	}
	if d.hosts == nil {
		d.hosts = map[string]string{}
	}
	h := urlHost(raw)
	d.hosts[raw] = h
	return h
}

func urlHost(raw string) string {
	if !strings.Contains(raw, "://") {
		raw = "//" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
