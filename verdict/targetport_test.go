package verdict

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// TestStatedTargetPort: a Service without pods still states its target port
// when it is a number or unset (issue 14 item 8 printed "targetPort: 0").
func TestStatedTargetPort(t *testing.T) {
	for _, tc := range []struct {
		p    corev1.ServicePort
		want int32
	}{
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromInt32(8080)}, 8080},
		{corev1.ServicePort{Port: 5432}, 5432},
		{corev1.ServicePort{Port: 80, TargetPort: intstr.FromString("http")}, 0},
	} {
		if got := statedTargetPort(tc.p); got != tc.want {
			t.Errorf("%v: %d, want %d", tc.p, got, tc.want)
		}
	}
}
