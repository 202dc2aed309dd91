package health

import (
	"strings"

	"github.com/meshdoctor/meshdoctor/verdict"
)

// Fleet indexes a snapshot's pods so that an edge's client — which names
// one live pod standing for its replicas, or a controller whose pods were
// not read — can be matched to every pod it stands for.
type Fleet struct {
	byKey map[string]*Pod
}

// NewFleet indexes pods.
func NewFleet(pods []Pod) *Fleet {
	f := &Fleet{byKey: map[string]*Pod{}}
	for i := range pods {
		f.byKey[pods[i].Key()] = &pods[i]
	}
	return f
}

// Runs reports whether pod p is (a replica of) the edge client c.
func (f *Fleet) Runs(c verdict.Client, p *Pod) bool {
	if c.Namespace != p.Namespace {
		return false
	}
	if c.Kind == "Pod" {
		if c.Workload == p.Name {
			return true
		}
		rep := f.byKey[c.Namespace+"/"+c.Workload]
		return rep != nil && rep.Owner != "" && rep.Owner == p.Owner
	}
	if p.Owner == c.Kind+"/"+c.Workload {
		return true
	}
	// A Deployment's pods are owned by its ReplicaSets, named <deployment>-<pod-template-hash>.
	rs, ok := strings.CutPrefix(p.Owner, "ReplicaSet/")
	return ok && c.Kind == "Deployment" && strings.HasPrefix(rs, c.Workload+"-") && !strings.Contains(rs[len(c.Workload)+1:], "-")
}

// RunsAny reports whether p is a replica of any of the clients.
func (f *Fleet) RunsAny(cs []verdict.Client, p *Pod) bool {
	for _, c := range cs {
		if f.Runs(c, p) {
			return true
		}
	}
	return false
}

// Pod returns the pod "ns/name", or nil.
func (f *Fleet) Pod(key string) *Pod { return f.byKey[key] }
