package inventory

import (
	"encoding/json"

	"github.com/meshdoctor/meshdoctor/source"
)

// podsOf is how many pods run a workload's template at once: spec.replicas
// for Deployments, StatefulSets and ReplicaSets and parallelism for Jobs and
// CronJobs (both default 1), 1 for a Pod, 0 (not known from the manifest) for
// a DaemonSet, which runs one per node. A pod calling its own headless
// Service reaches itself on loopback only when it is alone (mesh §10.6).
func podsOf(o source.Object) int32 {
	var v struct {
		Spec struct {
			Replicas    *int32 `json:"replicas"`
			Parallelism *int32 `json:"parallelism"`
			JobTemplate struct {
				Spec struct {
					Parallelism *int32 `json:"parallelism"`
				} `json:"spec"`
			} `json:"jobTemplate"`
		} `json:"spec"`
	}
	_ = json.Unmarshal(o.JSON, &v) // the object already decoded as its kind
	n := (*int32)(nil)
	switch o.Kind {
	case "Pod":
		return 1
	case "DaemonSet":
		return 0
	case "Job":
		n = v.Spec.Parallelism
	case "CronJob":
		n = v.Spec.JobTemplate.Spec.Parallelism
	default:
		n = v.Spec.Replicas
	}
	if n == nil {
		return 1
	}
	return *n
}
