package telemetry

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	corev1 "k8s.io/api/core/v1"
)

// Link is one destination of a sender: the exports (signals) that go to
// the same address, resolved to a Service port and the collectors behind it.
type Link struct {
	Sender  *Sender
	Exports []Export
	Host    string
	Port    int32
	// Local: the address is the pod itself (localhost); LocalCollector,
	// when set, is the collector there.
	Local bool
	// Service and ServicePort are nil when the address names none; Problem says why.
	Service     *inventory.Service
	ServicePort *corev1.ServicePort
	Hops        []Hop
	Problem     string
	// Source says what the link sends where, and why: "traces,metrics
	// grpc → http://collector:4317 (java-agent 2.1.0): setting; setting",
	// the provenance of its edge.
	Source string
}

// Hop is one backend of a link's Service port.
type Hop struct {
	Backend    *inventory.Workload
	TargetPort int32
	Collector  *Collector
	Receiver   *Receiver // nil: no OTLP receiver listens on TargetPort (or not a collector)
	Err        error
}

// SignalList is "traces,metrics,logs".
func (l Link) SignalList() string {
	if len(l.Exports) == 1 {
		return string(l.Exports[0].Signal)
	}
	var b strings.Builder
	b.Grow(len(l.Exports) * len("metrics,"))
	for i, e := range l.Exports {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(string(e.Signal))
	}
	return b.String()
}

// Protocol is the link's protocol (its exports share one).
func (l Link) Protocol() Protocol { return l.Exports[0].Protocol }

// TLS reports whether the exporter originates TLS.
func (l Link) TLS() bool { return l.Exports[0].TLS }

// URL is the first export's URL (per-signal paths differ only in /v1/<signal>).
func (l Link) URL() string { return l.Exports[0].URL }

// Because is every setting that decided the link, without repeats.
func (l Link) Because() []string {
	var out []string
	for i, e := range l.Exports {
		if i > 0 && sameList(e.Because, l.Exports[i-1].Because) {
			continue // the signals' shared list (exports): nothing new
		}
		for _, b := range e.Because {
			// The lists are short (a few settings): a scan, not a set.
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
}

// sameList reports whether a and b are one list (the same elements in memory).
func sameList(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// source words l.Source. The settings' texts in its exports' Because are
// then made parts of it, equal but not held twice: the model keeps them
// until the checks run and the edge keeps Source to the end (3.6 MB on the
// 20k mesh).
func (l *Link) source() {
	because := l.Because()
	head := l.SignalList() + " " + string(l.Protocol()) + " → " + l.URL() + " (" + l.Sender.SDK.String() + "): "
	l.Source = head + strings.Join(because, "; ")
	at := len(head)
	for i, b := range because {
		because[i] = l.Source[at : at+len(b)]
		at += len(b) + len("; ")
	}
	for i, e := range l.Exports {
		if i > 0 && sameList(e.Because, l.Exports[i-1].Because) {
			continue
		}
		for j, b := range e.Because {
			if k := slices.Index(because, b); k >= 0 {
				e.Because[j] = because[k]
			}
		}
	}
}

func (m *Model) link() {
	// Most senders make one link: sized for that, grown by appending the
	// slice was 10 MB of garbage on the 20k mesh.
	m.Links = slices.Grow(m.Links, len(m.Senders))
	for _, s := range m.Senders {
		if sameAddress(s.Exports) {
			// The usual sender: every signal to one address. The link's
			// exports are the sender's own (clipped, read-only), not a copy:
			// 7 MB on the 20k mesh.
			l := Link{Sender: s, Exports: slices.Clip(s.Exports), Host: s.Exports[0].Host, Port: s.Exports[0].Port}
			m.resolve(&l)
			m.Links = append(m.Links, l)
			continue
		}
		var order []string
		groups := map[string]*Link{}
		for _, e := range s.Exports {
			key := fmt.Sprintf("%s|%d|%s|%v", e.Host, e.Port, e.Protocol, e.TLS)
			if l, ok := groups[key]; ok {
				l.Exports = append(l.Exports, e)
				continue
			}
			order = append(order, key)
			groups[key] = &Link{Sender: s, Exports: []Export{e}, Host: e.Host, Port: e.Port}
		}
		for _, k := range order {
			l := groups[k]
			m.resolve(l)
			m.Links = append(m.Links, *l)
		}
	}
}

// sameAddress reports whether es (at least one) all share the key link
// groups exports by: host, port, protocol and TLS.
func sameAddress(es []Export) bool {
	if len(es) == 0 {
		return false
	}
	for _, e := range es[1:] {
		if e.Host != es[0].Host || e.Port != es[0].Port || e.Protocol != es[0].Protocol || e.TLS != es[0].TLS {
			return false
		}
	}
	return true
}

// resolve maps the link's host to a Service (the forms a pod in namespace
// ns may use: name, name.ns, name.ns.svc, FQDN), its port, and backends.
func (m *Model) resolve(l *Link) {
	ns := l.Sender.Workload.Namespace
	switch l.Host {
	case "localhost", "127.0.0.1", "::1", "[::1]":
		l.Local = true
		if l.Sender.LocalCollector == nil {
			l.Problem = "nothing in the pod listens on localhost: no collector container or sidecar"
		}
		return
	case "":
		l.Problem = "the endpoint " + l.URL() + " has no host"
		return
	}
	if strings.HasPrefix(l.Host, "$(") {
		l.Problem = "the host comes from " + l.Host + " (e.g. a node-local collector): not modelled"
		return
	}
	parts := strings.Split(l.Host, ".")
	domain := m.Inv.Mesh.DomainSuffix
	var svc *inventory.Service
	switch {
	case len(parts) == 1:
		svc = m.Service(ns, parts[0])
	case len(parts) == 2, len(parts) == 3 && parts[2] == "svc",
		len(parts) > 3 && parts[2] == "svc" && strings.Join(parts[3:], ".") == domain:
		svc = m.Service(parts[1], parts[0])
	}
	if svc == nil {
		if len(parts) <= 2 || strings.Contains(l.Host, ".svc") {
			l.Problem = l.Host + " names no Service in the inputs"
		} else {
			l.Problem = l.Host + " is outside the cluster (not modelled)"
		}
		return
	}
	l.Service = svc
	for i, p := range svc.Spec.Ports {
		if p.Port == l.Port {
			l.ServicePort = &svc.Spec.Ports[i]
		}
	}
	if l.ServicePort == nil {
		l.Problem = fmt.Sprintf("Service %s/%s has no port %d", svc.Namespace, svc.Name, l.Port)
		return
	}
	for _, b := range m.Backends(svc) {
		h := Hop{Backend: b}
		h.TargetPort, h.Err = inventory.TargetPort(*l.ServicePort, b.Template)
		if h.Err == nil {
			h.Collector, h.Receiver = m.ReceiverAt(b, h.TargetPort)
		}
		l.Hops = append(l.Hops, h)
	}
}

func linkLess(a, b Link) bool {
	ka := []string{a.Sender.Workload.Namespace, a.Sender.Workload.Name, a.Sender.Container, a.Host}
	kb := []string{b.Sender.Workload.Namespace, b.Sender.Workload.Name, b.Sender.Container, b.Host}
	for i := range ka {
		if ka[i] != kb[i] {
			return ka[i] < kb[i]
		}
	}
	return a.Port < b.Port
}
