package mesh

import (
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/inventory"
)

func TestComposePeerAuthentication(t *testing.T) {
	app := map[string]string{"app": "foo"}
	for _, tc := range []struct {
		rule  string // spec section and the Istio test it restates
		pas   []*inventory.PeerAuthentication
		ns    string
		want  Mode
		ports map[uint32]Mode
	}{
		{rule: "§8.2.1 no config → PERMISSIVE (ComposePeerAuthentication 'no config')", ns: "my-ns", want: Permissive},
		{rule: "§8.2.2 mesh STRICT, namespace PERMISSIVE → PERMISSIVE", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{pa("istio-system", "mesh", "STRICT", nil, t0, nil), pa("my-ns", "ns", "PERMISSIVE", nil, t0, nil)}},
		{rule: "§8.2.3 root-namespace PA with a selector is ignored", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{pa("istio-system", "sel", "STRICT", app, t0, nil)}},
		{rule: "§8.2.4 three mesh-level PAs: oldest wins, first of the tie by name", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{
				pa("istio-system", "c-disable", "DISABLE", nil, t0, nil),
				pa("istio-system", "a-permissive", "PERMISSIVE", nil, t0.Add(-time.Second), nil),
				pa("istio-system", "b-strict", "STRICT", nil, t0.Add(-time.Second), nil)}},
		{rule: "§8.2.4 same pattern at namespace level", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{
				pa("my-ns", "c-disable", "DISABLE", nil, t0, nil),
				pa("my-ns", "a-permissive", "PERMISSIVE", nil, t0.Add(-time.Second), nil),
				pa("my-ns", "b-strict", "STRICT", nil, t0.Add(-time.Second), nil)}},
		{rule: "§8.2.4 same pattern at workload level, even with different selectors", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{
				pa("my-ns", "c-disable", "DISABLE", app, t0, nil),
				pa("my-ns", "a-permissive", "PERMISSIVE", map[string]string{"app": "foo", "v": "1"}, t0.Add(-time.Second), nil),
				pa("my-ns", "b-strict", "STRICT", app, t0.Add(-time.Second), nil)}},
		{rule: "§8.2.5 mesh STRICT, workload UNSET with ports 80 DISABLE, 90 UNSET, 100 {}", ns: "my-ns", want: Strict,
			ports: map[uint32]Mode{80: Disable, 90: Strict, 100: Strict},
			pas: []*inventory.PeerAuthentication{pa("istio-system", "mesh", "STRICT", nil, t0, nil),
				pa("my-ns", "w", "UNSET", app, t0, map[uint32]string{80: "DISABLE", 90: "UNSET", 100: ""})}},
		{rule: "§1.5 mesh PA with UNSET means PERMISSIVE; namespace UNSET inherits it", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{pa("istio-system", "mesh", "UNSET", nil, t0, nil), pa("my-ns", "ns", "", nil, t0, nil)}},
		{rule: "§1.5 workload STRICT overrides namespace DISABLE", ns: "my-ns", want: Strict,
			pas: []*inventory.PeerAuthentication{pa("my-ns", "ns", "DISABLE", nil, t0, nil), pa("my-ns", "w", "STRICT", app, t0, nil)}},
		{rule: "§1.2 a workload PA in another namespace is no candidate", ns: "my-ns", want: Permissive,
			pas: []*inventory.PeerAuthentication{pa("other", "w", "STRICT", app, t0, nil)}},
		{rule: "§1.3 a PA in the root namespace is mesh-level for workloads in the root namespace too", ns: "istio-system", want: Strict,
			pas: []*inventory.PeerAuthentication{pa("istio-system", "mesh", "STRICT", nil, t0, nil)}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			e := NewPeerAuthIndex(tc.pas, "istio-system").For(tc.ns, map[string]string{"app": "foo", "v": "1"})
			if e.Mode != tc.want {
				t.Errorf("mode = %s, want %s", e.Mode, tc.want)
			}
			for p, want := range tc.ports {
				if got, _ := e.ModeForPort(p); got != want {
					t.Errorf("port %d = %s, want %s", p, got, want)
				}
			}
		})
	}
}

func TestNamespaceMode(t *testing.T) {
	for _, tc := range []struct {
		rule string
		pas  []*inventory.PeerAuthentication
		ns   string
		want Mode
	}{
		{rule: "§1.7 no PA at all → UNKNOWN", ns: "a", want: Unknown},
		{rule: "§1.7 mesh STRICT → STRICT", ns: "a", want: Strict, pas: []*inventory.PeerAuthentication{pa("istio-system", "m", "STRICT", nil, t0, nil)}},
		{rule: "§1.7 namespace UNSET, no mesh → PERMISSIVE", ns: "a", want: Permissive, pas: []*inventory.PeerAuthentication{pa("a", "n", "UNSET", nil, t0, nil)}},
		{rule: "§1.7 namespace UNSET inherits mesh DISABLE", ns: "a", want: Disable,
			pas: []*inventory.PeerAuthentication{pa("istio-system", "m", "DISABLE", nil, t0, nil), pa("a", "n", "UNSET", nil, t0, nil)}},
		{rule: "§8.2.8 workload-level PAs are ignored by the namespace view", ns: "partial", want: Strict,
			pas: []*inventory.PeerAuthentication{pa("istio-system", "m", "STRICT", nil, t0, nil), pa("partial", "w", "DISABLE", map[string]string{"app": "x"}, t0, nil)}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got, _ := NewPeerAuthIndex(tc.pas, "istio-system").NamespaceMode(tc.ns); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
