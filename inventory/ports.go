package inventory

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TargetPort resolves a Service port to the container port it lands on in
// pod template t: a number as is, a name through the containers' ports, and
// an unset targetPort as the port itself (Kubernetes Service semantics).
func TargetPort(p corev1.ServicePort, t corev1.PodTemplateSpec) (int32, error) {
	switch {
	case p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == 0:
		return p.Port, nil
	case p.TargetPort.Type == intstr.Int:
		return p.TargetPort.IntVal, nil
	}
	for _, c := range t.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == p.TargetPort.StrVal {
				return cp.ContainerPort, nil
			}
		}
	}
	return 0, fmt.Errorf("targetPort %q names no container port", p.TargetPort.StrVal)
}

// ContainerPorts lists the declared container ports of a pod template.
func ContainerPorts(t corev1.PodTemplateSpec) map[int32]bool {
	out := map[int32]bool{}
	for _, c := range t.Spec.Containers {
		for _, cp := range c.Ports {
			out[cp.ContainerPort] = true
		}
	}
	return out
}
