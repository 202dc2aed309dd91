// Package verify answers "is the outage over?" on a live cluster: a
// checklist — pods Ready, restarts steady, sidecars ready, no TLS or export
// error in current logs, the live model's edges ok, the fix objects live as
// given — each item with its evidence. It only reads; Wait polls it.
package verify

import (
	"context"
	"fmt"
	"time"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/fix"
	"github.com/meshdoctor/meshdoctor/health"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Reader is what verify reads from the cluster (cluster.Pods).
type Reader interface {
	health.Reader
	Object(ctx context.Context, apiVersion, kind, ns, name string) (map[string]any, error)
}

// Input is what one round of verify reads.
type Input struct {
	// ReadSet reads the live state (cluster.Read) afresh for each round.
	ReadSet          func(ctx context.Context) (source.Set, error)
	DefaultNamespace string
	Namespaces       []string // the pods' scope ("" is all namespaces)
	// Scope is which edges to judge (the zero Scope: all).
	Scope  analysis.Scope
	Reader Reader
	// Edges narrow the scope to these edges' clients (fix's --edge form).
	Edges []string
	// Since bounds the current logs read; zero means since the newest fix
	// object appeared, or no bound without one.
	Since time.Time
	Logs  health.LogOptions
	// Fix are the fix's objects as files: each must be live as given.
	Fix []source.Object
	// Timeout bounds one round's reads (0: none).
	Timeout time.Duration
}

// Item states.
const (
	Pass    = "pass"
	Fail    = "fail"
	Unknown = "unknown" // could not be decided: never a pass
)

// Item is one line of the checklist.
type Item struct {
	Name     string   `json:"name"`
	State    string   `json:"state"`
	Summary  string   `json:"summary"`
	Evidence []string `json:"evidence"`
}

// Report is one round's checklist: the JSON contract of `verify -o json`.
type Report struct {
	Pass     bool      `json:"pass"`
	Items    []Item    `json:"items"`
	Attempts int       `json:"attempts"`
	Since    time.Time `json:"since,omitzero"`
	// Restarts per pod at the end of the round, to compare with the next.
	Restarts map[string]int32 `json:"-"`
}

// Check runs one round. prev, when set, is the previous round (--wait):
// restarts must not rise since it either.
func Check(ctx context.Context, in Input, prev *Report) (*Report, error) {
	if in.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, in.Timeout)
		defer cancel()
	}
	set, err := in.ReadSet(ctx)
	if err != nil {
		return nil, err
	}
	res := analysis.Run(inventory.Build(set, in.DefaultNamespace), analysis.Options{Scope: in.Scope})
	var edges []verdict.Edge
	for _, e := range res.Edges {
		if matchesAny(in.Edges, e) {
			edges = append(edges, e)
		}
	}
	first, err := health.ReadPods(ctx, in.Reader, in.Namespaces)
	if err != nil {
		return nil, err
	}
	pods := scopedPods(first.Pods, edges, len(in.Edges) > 0)

	rep := &Report{Attempts: 1, Restarts: map[string]int32{}}
	if prev != nil {
		rep.Attempts = prev.Attempts + 1
	}
	fixItem, newest := fixPresent(ctx, in.Reader, in.Fix)
	rep.Since = in.Since
	if rep.Since.IsZero() {
		rep.Since = newest
	}
	lo := in.Logs
	lo.Previous, lo.Since = false, rep.Since
	logs := health.ReadLogs(ctx, in.Reader, pods, lo)
	second, err := health.ReadPods(ctx, in.Reader, in.Namespaces)
	if err != nil {
		return nil, err
	}
	later := scopedPods(second.Pods, edges, len(in.Edges) > 0)

	unread := append(append([]string{}, first.Unread...), second.Unread...)
	rep.Items = []Item{
		podsReady(later, unread),
		sidecarsReady(later),
		restartsSteady(pods, later, prev, rep.Restarts),
		logsClean(logs, rep.Since),
		edgesOK(edges, set.Problems),
	}
	if len(in.Fix) > 0 {
		rep.Items = append(rep.Items, fixItem)
	}
	rep.Pass = true
	for _, it := range rep.Items {
		rep.Pass = rep.Pass && it.State == Pass
	}
	return rep, nil
}

// Clock lets tests drive Wait without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}

// Wait polls Check every interval until every item holds or timeout has
// passed; progress, when set, sees each failing round.
func Wait(ctx context.Context, in Input, timeout, interval time.Duration, clock Clock, progress func(*Report)) (*Report, error) {
	deadline := clock.Now().Add(timeout)
	var prev *Report
	for {
		rep, err := Check(ctx, in, prev)
		if err != nil {
			return prev, err
		}
		if rep.Pass || !clock.Now().Before(deadline) {
			return rep, nil
		}
		if progress != nil {
			progress(rep)
		}
		prev = rep
		select {
		case <-ctx.Done():
			return rep, ctx.Err()
		case <-clock.After(min(interval, deadline.Sub(clock.Now()))):
		}
	}
}

func matchesAny(flags []string, e verdict.Edge) bool {
	if len(flags) == 0 {
		return true
	}
	for _, f := range flags {
		if (fix.Filter{Edge: f}).MatchesEdge(e) {
			return true
		}
	}
	return false
}

// scopedPods are the pods in scope: with --edge, the replicas of those
// edges' clients; otherwise every pod read.
func scopedPods(pods []health.Pod, edges []verdict.Edge, byEdge bool) []health.Pod {
	if !byEdge {
		return pods
	}
	fleet := health.NewFleet(pods)
	var clients []verdict.Client
	for _, e := range edges {
		clients = append(clients, e.Client)
	}
	var out []health.Pod
	for _, p := range pods {
		if fleet.RunsAny(clients, &p) {
			out = append(out, p)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
