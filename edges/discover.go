// Package edges decides which client → Service port pairs to judge: those
// the manifests declare (env vars, container args, ConfigMap values that
// name a Service — above all OpenTelemetry exporter endpoints), or, with
// all-pairs, every workload × every Service port.
package edges

import (
	"cmp"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/internal/order"
	"github.com/meshdoctor/meshdoctor/internal/parallel"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/telemetry"
	corev1 "k8s.io/api/core/v1"
)

// Candidate is one pair to judge.
type Candidate struct {
	Client  *inventory.Workload
	Service *inventory.Service
	Port    corev1.ServicePort
	// Sources say why the pair exists, each with its object and file:line.
	Sources []string
	// AppTLS: the reference used https:// (the app originates TLS).
	AppTLS bool
	// Telemetry: an OpenTelemetry exporter endpoint.
	Telemetry bool
	// OTLP is set for edges derived from the telemetry model: which
	// exports (signals, protocol) take this edge and what receives them.
	OTLP *OTLP
	// ExtraBackends are workloads behind Service that the inventory does
	// not hold: those the Operator creates for an OpenTelemetryCollector.
	ExtraBackends []*inventory.Workload
	// Hosts are the names the pair's references dial the Service by (an
	// HTTP client's Host header); Unnamed is set when some source gives
	// none (all pairs alone), so the Host header is not known.
	Hosts   []string
	Unnamed bool
}

// Source joins the reasons for the pair.
func (c Candidate) Source() string { return strings.Join(c.Sources, "; ") }

// Dangling is a reference that looks like a Service address but names no
// Service (or no port of it) in the inputs.
type Dangling struct {
	Client    *inventory.Workload
	Value     string
	Where     string
	Reason    string
	Telemetry bool
}

// Result is what discovery found.
type Result struct {
	Candidates []Candidate
	Dangling   []Dangling
	// Telemetry is the OpenTelemetry model the telemetry edges came from.
	Telemetry *telemetry.Model
}

// Options select the edges.
type Options struct {
	// AllPairs adds every workload × every Service port.
	AllPairs bool
}

// Discover finds the edges of inv.
func Discover(inv *inventory.Inventory, opt Options) Result {
	d := discoverer{inv: inv, byKey: map[key]int{}, tel: telemetry.Build(inv)}
	d.ids = newIdentities(inv, d.tel)
	d.res.Telemetry = d.tel
	d.workloads()
	d.telemetry()
	d.gateways()
	if opt.AllPairs {
		for _, w := range inv.Workloads {
			for _, s := range inv.Services {
				for i := range s.Spec.Ports {
					d.add(w, s, &s.Spec.Ports[i], "all-pairs", "", false, false)
				}
			}
		}
	}
	d.byKey = nil // all added: the index is garbage while they are sorted
	sortCandidates(d.res.Candidates)
	return d.res
}

// sortCandidates orders cs by client, Service and port, stably. The
// 200-byte candidates are moved once, by the order of their indexes:
// sort.SliceStable swapped them in every merge (20 ms on the 20k mesh).
func sortCandidates(cs []Candidate) {
	order.SortStable(cs, compare)
}

// compare orders by client namespace, name and kind, then Service
// namespace and name, then port.
func compare(a, b *Candidate) int {
	for _, f := range [...][2]string{
		{a.Client.Namespace, b.Client.Namespace}, {a.Client.Name, b.Client.Name}, {a.Client.Kind, b.Client.Kind},
		{a.Service.Namespace, b.Service.Namespace}, {a.Service.Name, b.Service.Name},
	} {
		if c := strings.Compare(f[0], f[1]); c != 0 {
			return c
		}
	}
	return cmp.Compare(a.Port.Port, b.Port.Port)
}

type discoverer struct {
	inv          *inventory.Inventory
	res          Result
	byKey        map[key]int // candidate → index in res.Candidates
	ids          identities
	seenDangling map[string]bool
	external     map[string]*inventory.Service
	tel          *telemetry.Model
	hosts        map[string]string // urlHost's, by URL
	// rec, when set, records what add, dangling and reference would change
	// instead of changing it (workloads replays it).
	rec *[]op
}

// op is one change a workload's scan makes, replayed in order.
type op struct {
	add      *addOp
	dangling *Dangling
	ref      *deferredRef // a reference to a host no Service has: reference, in order
}

// addOp is one call of add, with its arguments.
type addOp struct {
	w                 *inventory.Workload
	s                 *inventory.Service
	p                 *corev1.ServicePort
	source, host      string
	appTLS, telemetry bool
}

type deferredRef struct {
	w         *inventory.Workload
	v         value
	tok       string
	r         Ref
	telemetry bool
}

// workloads scans every workload on every core (the scan of env vars,
// args and ConfigMaps was 0.2 s on one on the 20k mesh). Each scan only
// reads the inventory and records its candidates and dangling references;
// they are replayed in workload order, so the result is the one pass's. A
// reference that names no Service is replayed whole, because it may create
// the shared entry of an unregistered external host.
func (d *discoverer) workloads() {
	ws := d.inv.Workloads
	ops := make([][]op, len(ws))
	parallel.For(len(ws), func(i int) {
		r := discoverer{inv: d.inv, tel: d.tel, rec: &ops[i]}
		r.workload(ws[i])
	})
	// Sized once for every candidate the scans and the telemetry links may
	// add: grown by appending, the slice and its index were 60 MB of garbage
	// on the 20k mesh.
	adds := len(d.tel.Links)
	for _, o := range ops {
		adds += len(o)
	}
	d.res.Candidates = slices.Grow(d.res.Candidates, adds)
	if len(d.byKey) == 0 {
		d.byKey = make(map[key]int, adds)
	}
	for i := range ops {
		for _, o := range ops[i] {
			switch {
			case o.add != nil:
				a := o.add
				d.add(a.w, a.s, a.p, a.source, a.host, a.appTLS, a.telemetry)
			case o.dangling != nil:
				d.dangling(*o.dangling)
			default:
				x := o.ref
				d.reference(x.w, x.v, x.tok, x.r, x.telemetry)
			}
		}
		ops[i] = nil
	}
}

// add records the pair; host is the name its source dials it by ("" for
// all pairs, which names none). p points into s's ports (a copy in each
// recorded op was 3 MB of garbage on the 20k mesh).
func (d *discoverer) add(w *inventory.Workload, s *inventory.Service, p *corev1.ServicePort, source, host string, appTLS, telemetry bool) {
	if d.rec != nil {
		*d.rec = append(*d.rec, op{add: &addOp{w, s, p, source, host, appTLS, telemetry}})
		return
	}
	k := d.ids.keyOf(w, s, p.Port)
	if i, ok := d.byKey[k]; ok {
		c := &d.res.Candidates[i]
		if source != "all-pairs" {
			c.Sources = appendUnique(c.Sources, source)
			c.addHost(host)
		}
		c.AppTLS = c.AppTLS || appTLS
		c.Telemetry = c.Telemetry || telemetry
		return
	}
	d.byKey[k] = len(d.res.Candidates)
	c := Candidate{Client: w, Service: s, Port: *p, Sources: []string{source}, AppTLS: appTLS, Telemetry: telemetry, Unnamed: source == "all-pairs"}
	if source != "all-pairs" {
		c.addHost(host)
	}
	d.res.Candidates = append(d.res.Candidates, c)
}

func (c *Candidate) addHost(host string) {
	if host == "" {
		c.Unnamed = true
		return
	}
	c.Hosts = appendUnique(c.Hosts, host)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
