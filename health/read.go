package health

import (
	"context"
	"errors"
	"sort"

	"github.com/meshdoctor/meshdoctor/source/cluster"
	corev1 "k8s.io/api/core/v1"
)

// Reader is what doctor and verify read from a cluster (cluster.Pods).
type Reader interface {
	LogReader
	List(ctx context.Context, ns string) ([]corev1.Pod, error)
	Events(ctx context.Context, ns string) ([]corev1.Event, error)
}

// Snapshot is the pods of some namespaces at one read.
type Snapshot struct {
	Pods []Pod `json:"pods"`
	// Unread says what the API refused (RBAC): pods or events not seen.
	Unread []string `json:"unread"`
}

// ReadPods lists the pods of namespaces ("" is all) with their Warning
// events. A refusal is recorded in Unread; a connection failure is an error.
func ReadPods(ctx context.Context, r Reader, namespaces []string) (Snapshot, error) {
	snap := Snapshot{Pods: []Pod{}, Unread: []string{}}
	var events []corev1.Event
	for _, ns := range namespaces {
		l, err := r.List(ctx, ns)
		if refused(err) {
			snap.Unread = append(snap.Unread, err.Error()+" — pod health there is unknown")
			continue
		}
		if err != nil {
			return snap, err
		}
		for i := range l {
			snap.Pods = append(snap.Pods, FromPod(&l[i]))
		}
		ev, err := r.Events(ctx, ns)
		if refused(err) {
			snap.Unread = append(snap.Unread, err.Error()+" — probe failures and back-off events are not shown")
			continue
		}
		if err != nil {
			return snap, err
		}
		events = append(events, ev...)
	}
	sort.Slice(snap.Pods, func(i, j int) bool { return snap.Pods[i].Key() < snap.Pods[j].Key() })
	AddEvents(snap.Pods, events)
	return snap, nil
}

// refused is an API refusal (RBAC, not found), as opposed to no answer.
func refused(err error) bool {
	var re *cluster.ReadError
	return err != nil && errors.As(err, &re) && re.Err != nil && !isTransport(re)
}

// isTransport is a ReadError whose cause is not an API status (a dead
// connection, a timeout): those end the run.
func isTransport(re *cluster.ReadError) bool { return !re.APIStatus() }

// Unhealthy are the pods that are not healthy.
func (s Snapshot) Unhealthy() []Pod {
	var out []Pod
	for _, p := range s.Pods {
		if !p.Healthy {
			out = append(out, p)
		}
	}
	return out
}
