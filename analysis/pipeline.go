package analysis

import (
	"fmt"
	"sort"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Pipeline is one collector Service port and the telemetry around it: who
// sends to it (each hop with the sender's telemetry findings), where the
// collector sends next, and the findings about the collector itself.
type Pipeline struct {
	Server   verdict.Server // the port, and the collector behind it
	Receiver string         // the receiver the port reaches ("" when unknown)
	Hops     []Hop
	Next     []verdict.Edge  // the collector's own telemetry edges
	Findings []check.Finding // about the collector: its receivers, its config
}

// Hop is one sender → collector port edge.
type Hop struct {
	Edge     verdict.Edge
	Findings []check.Finding // telemetry findings about the sender
}

// Pipelines is the telemetry of a result as pipelines, for the text view.
type Pipelines struct {
	List []Pipeline
	// Others are telemetry findings about senders no pipeline shows (an
	// exporter whose endpoint names no Service, say).
	Others []check.Finding
}

// Empty reports whether the result has no telemetry to show.
func (p Pipelines) Empty() bool { return len(p.List) == 0 && len(p.Others) == 0 }

// PipelinesOf groups r's telemetry edges by collector Service port, in host
// and port order. A collector port whose workload itself receives telemetry
// is drawn under that collector (as its next hop), not on its own.
func PipelinesOf(r Result) Pipelines {
	type key struct {
		host string
		port int32
	}
	groups := map[key][]verdict.Edge{}
	var keys []key
	receives := map[[2]string]bool{} // workloads that are servers of telemetry edges
	for _, e := range r.Edges {
		if !e.Telemetry {
			continue
		}
		k := key{e.Server.Host, e.Server.Port}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], e)
		if e.Server.Workload != "" {
			receives[[2]string{e.Server.Namespace, e.Server.Workload}] = true
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].host != keys[j].host {
			return keys[i].host < keys[j].host
		}
		return keys[i].port < keys[j].port
	})
	var telemetry []check.Finding
	for _, f := range r.Findings {
		if f.Telemetry() {
			telemetry = append(telemetry, f)
		}
	}
	var out Pipelines
	shown := map[string]bool{} // senders drawn on a hop
	drawn := map[int]bool{}    // telemetry findings drawn under a collector
	for _, k := range keys {
		es := groups[k]
		head := es[0]
		if receives[[2]string{head.Client.Namespace, head.Client.Workload}] {
			continue // drawn under the collector that sends it
		}
		p := Pipeline{Server: head.Server}
		if head.OTLP != nil {
			p.Receiver = head.OTLP.Receiver
		}
		for _, e := range es {
			h := Hop{Edge: e}
			for _, f := range telemetry {
				if f.Object.Kind == e.Client.Kind && f.Object.Namespace == e.Client.Namespace && f.Object.Name == e.Client.Workload {
					h.Findings = append(h.Findings, f)
				}
			}
			shown[objectKey(e.Client.Kind, e.Client.Namespace, e.Client.Workload)] = true
			p.Hops = append(p.Hops, h)
		}
		if s := head.Server; s.Workload != "" {
			for _, e := range r.Edges {
				if e.Telemetry && e.Client.Namespace == s.Namespace && e.Client.Workload == s.Workload {
					p.Next = append(p.Next, e)
				}
			}
			for i, f := range telemetry {
				if f.About(s.WorkloadKind, s.Namespace, s.Workload) {
					p.Findings = append(p.Findings, f)
					drawn[i] = true
				}
			}
		}
		out.List = append(out.List, p)
	}
	for i, f := range telemetry {
		if !drawn[i] && !shown[objectKey(f.Object.Kind, f.Object.Namespace, f.Object.Name)] {
			out.Others = append(out.Others, f)
		}
	}
	sort.SliceStable(out.Others, func(i, j int) bool {
		a, b := out.Others[i].Object, out.Others[j].Object
		return objectKey(a.Kind, a.Namespace, a.Name) < objectKey(b.Kind, b.Namespace, b.Name)
	})
	return out
}

func objectKey(kind, ns, name string) string { return fmt.Sprintf("%s|%s/%s", kind, ns, name) }
