package inventory

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Selects decides what a selector built from the Service's map decides
// (Kubernetes' own matching), on random label sets drawn from few keys and
// values, the empty value and missing keys included.
func TestSelectsAsLabelSelector(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	draw := func(n int) map[string]string {
		if n == 0 && r.IntN(2) == 0 {
			return nil
		}
		m := map[string]string{}
		for range n {
			m[[]string{"app", "version", "tier"}[r.IntN(3)]] = []string{"", "a", "b"}[r.IntN(3)]
		}
		return m
	}
	for range 5000 {
		sel, l := draw(r.IntN(3)), draw(r.IntN(4))
		s := &Service{Spec: corev1.ServiceSpec{Selector: sel}}
		want := len(sel) > 0 && labels.SelectorFromSet(sel).Matches(labels.Set(l))
		if got := s.Selects(l); got != want {
			t.Fatalf("selector %v, labels %v: Selects = %v, want %v", sel, l, got, want)
		}
	}
}

// BenchmarkSelects: one selector against one pod's labels, asked 400,000
// times on the 20k mesh (through a built selector: 77 MB of garbage).
func BenchmarkSelects(b *testing.B) {
	s := &Service{Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "svc-0007"}}}
	l := map[string]string{"app": "svc-0008"}
	b.ReportAllocs()
	for b.Loop() {
		s.Selects(l)
	}
}

// intern keeps every string's content: the inventory decodes the same
// after it as before (names, labels, env, ports).
func TestInternKeepsValues(t *testing.T) {
	mk := func() *Inventory {
		w := &Workload{Meta: Meta{Namespace: "ns", Labels: map[string]string{"app": "a"}}}
		w.Template.Labels = map[string]string{"app": "a", "empty": ""}
		w.Template.Spec.Containers = []corev1.Container{{Name: "app", Image: "img", Env: []corev1.EnvVar{{Name: "X", Value: "ns"}},
			Ports: []corev1.ContainerPort{{Name: "http"}}}}
		s := &Service{Meta: Meta{Namespace: strings.Clone("ns")}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "a"}, Ports: []corev1.ServicePort{{Name: "http"}}}}
		return &Inventory{Workloads: []*Workload{w}, Services: []*Service{s}}
	}
	inv, want := mk(), mk()
	inv.intern()
	if !reflect.DeepEqual(inv.Workloads, want.Workloads) || !reflect.DeepEqual(inv.Services, want.Services) {
		t.Fatalf("intern changed a value:\n%+v\nwant\n%+v", inv.Workloads[0], want.Workloads[0])
	}
	if unsafe.StringData(inv.Workloads[0].Namespace) != unsafe.StringData(inv.Services[0].Namespace) {
		t.Error("the namespace is not shared")
	}
}
