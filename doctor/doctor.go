// Package doctor is the first command of an outage on a live cluster: which
// pods are unhealthy, what their logs say (through explain), which edges of
// the live model that is and the objects deciding them, and the verified
// fixes of package fix. It only reads.
package doctor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/explain"
	"github.com/meshdoctor/meshdoctor/fix"
	"github.com/meshdoctor/meshdoctor/health"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Input is what doctor reads.
type Input struct {
	// Set is the live state (cluster.Read), DefaultNamespace its -n.
	Set              source.Set
	DefaultNamespace string
	// Namespaces are the pods' scope ("" is all namespaces).
	Namespaces []string
	// Scope is which edges to judge (analysis.Namespaces of the same
	// namespaces; the zero Scope judges all).
	Scope  analysis.Scope
	Reader health.Reader
	Logs   health.LogOptions
	// MaxPods bounds the pods whose logs are read; 0 means 50.
	MaxPods int
	// FixCommand is the command line that reads the same state, to which
	// "--edge … -o yaml" is appended ("meshdoctor fix --cluster -n staging-webs").
	FixCommand string
	// VerifyCommand likewise, for verify ("meshdoctor verify --cluster -n staging-webs").
	VerifyCommand string
}

// Status of what doctor saw.
const (
	Broken  = "broken"  // something in scope is broken
	Unknown = "unknown" // nothing broken was seen, but not everything could be read
	Healthy = "healthy"
)

// Report is doctor's result: the JSON contract of `doctor -o json`, read top-down.
type Report struct {
	Status string `json:"status"`
	// Scope names the namespaces read ("" is all).
	Scope       []string     `json:"scope"`
	PodsInScope int          `json:"podsInScope"`
	Pods        []health.Pod `json:"pods"` // the unhealthy ones
	// LogsRead and Lines say how much was read; LogsSkipped pods beyond MaxPods.
	LogsRead    []string    `json:"logsRead"`
	Lines       int         `json:"lines"`
	LogsSkipped int         `json:"logsSkipped,omitempty"`
	Diagnoses   []Diagnosis `json:"diagnoses"`
	// FailingEdges are the live model's failing edges in scope (client or server).
	FailingEdges []verdict.Edge `json:"failingEdges"`
	UnknownEdges int            `json:"unknownEdges"`
	Fixes        []Fix          `json:"fixes"`
	// Verify is the command that says when it is over, once a fix is applied.
	Verify string `json:"verify,omitempty"`
	// Unread is everything that could not be read, and why.
	Unread []string `json:"unread"`
}

// Diagnosis is a log diagnosis across pods, mapped onto the live model.
type Diagnosis struct {
	health.Diagnosis
	// Agrees is false when the model predicts no such failure for the pods
	// that log it (Correlation says how they disagree).
	Agrees bool `json:"agrees"`
	// DecidedBy are the policy objects behind the failing edges it maps
	// onto, each with its reach.
	DecidedBy []Decider `json:"decidedBy"`
	// Fixes are indexes into Report.Fixes for the edges it maps onto.
	Fixes []int `json:"fixes"`
	// SameCauseAs is the number (1-based) of an earlier diagnosis mapped
	// onto the same edges and deciding objects — the agent's and the
	// sidecar's lines of one failure; 0 when none.
	SameCauseAs int `json:"sameCauseAs,omitempty"`
}

// Decider is an object that decided a failing edge, and how far it reaches.
type Decider struct {
	inventory.Ref
	Reach string `json:"reach"` // "mesh-wide DestinationRule (root namespace istio-system, host *.local)"
}

// Fix is the best verified remediation of one failing target.
type Fix struct {
	Target string   `json:"target"`
	Edges  []string `json:"edges"` // ns/workload=host:port, as --edge takes them
	// Best is rank 1 of fix's candidates, nil when no mesh change fixes it.
	Best       *fix.Candidate `json:"best"`
	Candidates int            `json:"candidates"`
	Command    string         `json:"command"` // writes it as YAML
}

// Run reads pods and logs and judges the live state.
func Run(ctx context.Context, in Input) (*Report, error) {
	if in.MaxPods <= 0 {
		in.MaxPods = 50
	}
	in.Logs.Previous = true
	snap, err := health.ReadPods(ctx, in.Reader, in.Namespaces)
	if err != nil {
		return nil, err
	}
	rep := &Report{Scope: in.Namespaces, PodsInScope: len(snap.Pods), Pods: []health.Pod{}, LogsRead: []string{},
		Diagnoses: []Diagnosis{}, FailingEdges: []verdict.Edge{}, Fixes: []Fix{}, Unread: []string{}}
	for _, p := range in.Set.Problems {
		rep.Unread = append(rep.Unread, p.Error())
	}
	rep.Unread = append(rep.Unread, snap.Unread...)
	fleet := health.NewFleet(snap.Pods)

	inv := inventory.Build(in.Set, in.DefaultNamespace)
	res := analysis.Run(inv, analysis.Options{Scope: in.Scope})
	var failingClients []verdict.Client
	var scoped []verdict.Edge
	for _, e := range res.Edges {
		scoped = append(scoped, e)
		switch e.Outcome {
		case verdict.Fail:
			rep.FailingEdges = append(rep.FailingEdges, e)
			failingClients = append(failingClients, e.Client)
		case verdict.Unknown:
			rep.UnknownEdges++
		}
	}

	// Logs of the unhealthy pods first, then of the failing edges' clients
	// (an export failure does not make a pod unhealthy), then the rest:
	// "healthy" needs every log read.
	var readFrom, rest []health.Pod
	for _, p := range snap.Pods {
		if !p.Healthy {
			rep.Pods = append(rep.Pods, p)
		}
	}
	readFrom = append(readFrom, rep.Pods...)
	for _, p := range snap.Pods {
		switch {
		case !p.Healthy:
		case fleet.RunsAny(failingClients, &p):
			readFrom = append(readFrom, p)
		default:
			rest = append(rest, p)
		}
	}
	readFrom = append(readFrom, rest...)
	if len(readFrom) > in.MaxPods {
		rep.LogsSkipped = len(readFrom) - in.MaxPods
		readFrom = readFrom[:in.MaxPods]
		rep.Unread = append(rep.Unread, fmt.Sprintf("the logs of %d more pods in scope (beyond --max-pods %d)", rep.LogsSkipped, in.MaxPods))
	}
	logs := health.ReadLogs(ctx, in.Reader, readFrom, in.Logs)
	rep.LogsRead, rep.Lines = logs.Read, logs.Lines
	rep.Unread = append(rep.Unread, logs.Unread...)

	rep.Fixes = fixes(in, rep.FailingEdges)
	if len(rep.Fixes) > 0 && in.VerifyCommand != "" {
		rep.Verify = in.VerifyCommand + " mtls-fix.yaml --wait 5m"
	}
	causes := map[string]int{}
	for _, d := range logs.Diagnoses {
		c := correlate(d, scoped, fleet, rep.Fixes, inv)
		k := ""
		for _, e := range c.Edges {
			k += string(e.Outcome) + " " + EdgeFlag(e) + "|"
		}
		for _, r := range c.DecidedBy {
			k += r.String() + "|"
		}
		if n, ok := causes[k]; ok && len(c.Edges) > 0 {
			c.SameCauseAs = n
		} else {
			causes[k] = len(rep.Diagnoses) + 1
		}
		rep.Diagnoses = append(rep.Diagnoses, c)
	}
	rep.Status = Healthy
	switch {
	case len(rep.Pods) > 0 || len(rep.Diagnoses) > 0 || len(rep.FailingEdges) > 0:
		rep.Status = Broken
	case len(rep.Unread) > 0:
		rep.Status = Unknown
	}
	return rep, nil
}

// correlate maps a diagnosis onto the edges whose clients are the pods that
// logged it, with explain's --manifests reasoning.
func correlate(d health.Diagnosis, edges []verdict.Edge, fleet *health.Fleet, fixes []Fix, inv *inventory.Inventory) Diagnosis {
	var mine []verdict.Edge
	for _, e := range edges {
		for _, k := range d.Pods {
			if p := fleet.Pod(k); p != nil && fleet.Runs(e.Client, p) {
				mine = append(mine, e)
				break
			}
		}
	}
	one := &explain.Report{Diagnoses: []explain.Diagnosis{d.Diagnosis}}
	explain.Correlate(one, mine)
	d.Diagnosis = one.Diagnoses[0]
	out := Diagnosis{Diagnosis: d, Fixes: []int{}, DecidedBy: []Decider{}}
	seen := map[string]bool{}
	for _, e := range d.Edges {
		if e.Outcome != verdict.Fail {
			continue
		}
		out.Agrees = true
		for _, r := range e.DecidedBy {
			if reach := reachOf(r, inv); reach != "" && !seen[r.String()] {
				seen[r.String()] = true
				out.DecidedBy = append(out.DecidedBy, Decider{Ref: r, Reach: reach})
			}
		}
		for i, f := range fixes {
			if slices.Contains(f.Edges, EdgeFlag(e)) && !slices.Contains(out.Fixes, i) {
				out.Fixes = append(out.Fixes, i)
			}
		}
	}
	return out
}

// fixes plans the failing targets of the edges in scope.
func fixes(in Input, failing []verdict.Edge) []Fix {
	if len(failing) == 0 {
		return []Fix{}
	}
	want := map[string]bool{}
	for _, e := range failing {
		want[EdgeFlag(e)] = true
	}
	out := []Fix{}
	for _, p := range fix.PlanAll(in.Set, in.DefaultNamespace, fix.Filter{}) {
		f := Fix{Target: p.Target, Edges: []string{}, Candidates: len(p.Candidates)}
		for _, e := range p.Edges {
			if want[EdgeFlag(e)] {
				f.Edges = append(f.Edges, EdgeFlag(e))
			}
		}
		if len(f.Edges) == 0 {
			continue
		}
		if len(p.Candidates) > 0 && len(p.Candidates[0].Verification.Breaks) == 0 {
			best := p.Candidates[0]
			f.Best = &best
		}
		f.Command = fmt.Sprintf("%s --edge %s -o yaml > mtls-fix.yaml", in.FixCommand, f.Edges[0])
		out = append(out, f)
	}
	return out
}

// EdgeFlag is the edge as fix --edge names it: ns/workload=host:port.
func EdgeFlag(e verdict.Edge) string {
	return e.ID().String()
}

// Broken reports whether doctor should exit 1: something is broken, or
// nothing is seen broken only because something could not be read.
func (r *Report) Problems() bool { return r.Status != Healthy }

// reachOf says how far a policy object reaches ("" for what is not policy:
// the workloads and namespaces themselves). Spec §2 (DestinationRule
// lookup) and §1 (PeerAuthentication levels): the root namespace's
// selector-less objects apply mesh-wide.
func reachOf(r inventory.Ref, inv *inventory.Inventory) string {
	root := inv.Mesh.RootNamespace
	switch r.Kind {
	case "DestinationRule":
		for _, d := range inv.DestinationRules {
			if d.Namespace != r.Namespace || d.Name != r.Name {
				continue
			}
			host := d.Spec.GetHost()
			switch {
			case d.Spec.GetWorkloadSelector() != nil:
				return fmt.Sprintf("DestinationRule for the selected clients in %s (host %s)", d.Namespace, host)
			case d.Namespace == root && strings.HasPrefix(host, "*"):
				return fmt.Sprintf("mesh-wide DestinationRule (root namespace %s, host %s): every client sidecar uses it", root, host)
			case d.Namespace == root:
				return fmt.Sprintf("DestinationRule in the root namespace %s for host %s: mesh-wide for that host", root, host)
			default:
				return fmt.Sprintf("DestinationRule in %s for host %s", d.Namespace, host)
			}
		}
		return "DestinationRule"
	case "PeerAuthentication":
		for _, p := range inv.PeerAuthentications {
			if p.Namespace == r.Namespace && p.Name == r.Name {
				switch {
				case p.Spec.GetSelector() != nil:
					return "workload PeerAuthentication in " + p.Namespace
				case p.Namespace == root:
					return fmt.Sprintf("mesh-wide PeerAuthentication (root namespace %s)", root)
				default:
					return "namespace-wide PeerAuthentication in " + p.Namespace
				}
			}
		}
		return "PeerAuthentication"
	case "Sidecar", "ServiceEntry", "VirtualService":
		return r.Kind + " in " + r.Namespace
	}
	return ""
}
