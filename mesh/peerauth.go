package mesh

import (
	"sort"

	"github.com/meshdoctor/meshdoctor/inventory"
	security "istio.io/api/security/v1beta1"
	"k8s.io/apimachinery/pkg/labels"
)

// Mode is a resolved mTLS mode of a server port or namespace.
type Mode string

// The modes; Unknown only arises for a namespace view without any PA (§1.7).
const (
	Unknown    Mode = "UNKNOWN"
	Disable    Mode = "DISABLE"
	Permissive Mode = "PERMISSIVE"
	Strict     Mode = "STRICT"
)

func modeOf(m security.PeerAuthentication_MutualTLS_Mode) (Mode, bool) {
	switch m {
	case security.PeerAuthentication_MutualTLS_DISABLE:
		return Disable, true
	case security.PeerAuthentication_MutualTLS_PERMISSIVE:
		return Permissive, true
	case security.PeerAuthentication_MutualTLS_STRICT:
		return Strict, true
	}
	return "", false // UNSET inherits
}

func paMode(pa *inventory.PeerAuthentication) (Mode, bool) {
	if pa.Spec.GetMtls() == nil {
		return "", false
	}
	return modeOf(pa.Spec.GetMtls().GetMode())
}

func hasSelector(pa *inventory.PeerAuthentication) bool {
	return len(pa.Spec.GetSelector().GetMatchLabels()) > 0
}

// PeerAuthIndex is the PA index of §1.2–1.4 (Istio: pilot/pkg/model/authentication.go
// addPeerAuthentication): policies sorted oldest first, one mesh- and one
// namespace-level policy per namespace, root-namespace selector PAs dropped.
type PeerAuthIndex struct {
	root     string
	mesh     *inventory.PeerAuthentication
	ns       map[string]*inventory.PeerAuthentication
	workload map[string][]*inventory.PeerAuthentication
	// Shadowed are mesh/namespace-level PAs discarded because an older one
	// exists in the same namespace; IgnoredRootSelector are PAs with a
	// selector in the root namespace (§1.3).
	Shadowed            []*inventory.PeerAuthentication
	IgnoredRootSelector []*inventory.PeerAuthentication
	// untimed is true when no PA carries a creationTimestamp, so oldest-wins
	// falls back to the name tie-break and depends on creation order.
	untimed bool
}

// SortOldestFirst orders like pilot/pkg/model/config.go configCompareByCreationTime:
// timestamp, then name, then namespace (§1.4).
func SortOldestFirst(pas []*inventory.PeerAuthentication) {
	sort.SliceStable(pas, func(i, j int) bool {
		a, b := pas[i], pas[j]
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c < 0
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Namespace < b.Namespace
	})
}

// NewPeerAuthIndex builds the index for a mesh whose root namespace is root
// (§1.2–1.4; Istio: pilot/pkg/model/authentication.go addPeerAuthentication).
func NewPeerAuthIndex(pas []*inventory.PeerAuthentication, root string) *PeerAuthIndex {
	sorted := append([]*inventory.PeerAuthentication(nil), pas...)
	SortOldestFirst(sorted)
	ix := &PeerAuthIndex{root: root, ns: map[string]*inventory.PeerAuthentication{},
		workload: map[string][]*inventory.PeerAuthentication{}, untimed: true}
	for _, pa := range sorted {
		if !pa.Created.IsZero() {
			ix.untimed = false
		}
		switch {
		case hasSelector(pa) && pa.Namespace == root:
			ix.IgnoredRootSelector = append(ix.IgnoredRootSelector, pa)
		case hasSelector(pa):
			ix.workload[pa.Namespace] = append(ix.workload[pa.Namespace], pa)
		case pa.Namespace == root && ix.mesh == nil:
			ix.mesh = pa
		case pa.Namespace != root && ix.ns[pa.Namespace] == nil:
			ix.ns[pa.Namespace] = pa
		default:
			ix.Shadowed = append(ix.Shadowed, pa)
		}
	}
	return ix
}

// EffectivePeerAuthentication is the composed policy of one workload (§1.5).
type EffectivePeerAuthentication struct {
	Mode Mode
	// ModeFrom is the PA that set Mode; nil when it is the PERMISSIVE default.
	ModeFrom *inventory.PeerAuthentication
	// Ports holds port-level modes (keys are container ports, §1.6), UNSET
	// entries already resolved to Mode.
	Ports map[uint32]Mode
	// Workload is the chosen workload-level PA, if any.
	Workload *inventory.PeerAuthentication
	// OrderDependent lists same-level PAs whose winner was chosen by the
	// name tie-break because the inputs carry no creation timestamps (§1.4).
	OrderDependent []*inventory.PeerAuthentication
}

// ModeForPort is GetMutualTLSModeForPort (pilot/pkg/security/authn/policy_applier.go,
// §1.6): the port-level entry for target port t if any, else the workload
// mode; with the PA behind it.
func (e EffectivePeerAuthentication) ModeForPort(t uint32) (Mode, *inventory.PeerAuthentication) {
	if m, ok := e.Ports[t]; ok {
		return m, e.Workload
	}
	return e.Mode, e.ModeFrom
}

// For composes the policy for a workload in namespace ns with pod labels l.
// Spec §1.5; Istio: pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication.
func (ix *PeerAuthIndex) For(ns string, l map[string]string) EffectivePeerAuthentication {
	e := EffectivePeerAuthentication{Mode: Permissive}
	apply := func(pa *inventory.PeerAuthentication) {
		if pa == nil {
			return
		}
		if m, ok := paMode(pa); ok {
			e.Mode, e.ModeFrom = m, pa
		}
	}
	apply(ix.mesh)
	if ns != ix.root {
		apply(ix.ns[ns])
	}
	var matching []*inventory.PeerAuthentication
	for _, pa := range ix.workload[ns] {
		if labels.SelectorFromSet(pa.Spec.GetSelector().GetMatchLabels()).Matches(labels.Set(l)) {
			matching = append(matching, pa)
		}
	}
	if len(matching) == 0 {
		return e
	}
	e.Workload = matching[0]
	if len(matching) > 1 && ix.untimed {
		e.OrderDependent = matching
	}
	apply(e.Workload)
	for port, pm := range e.Workload.Spec.GetPortLevelMtls() {
		if e.Ports == nil {
			e.Ports = map[uint32]Mode{}
		}
		if m, ok := modeOf(pm.GetMode()); ok {
			e.Ports[port] = m
		} else {
			e.Ports[port] = e.Mode
		}
	}
	return e
}

// NamespaceMode is GetNamespaceMutualTLSMode (pilot/pkg/model/authentication.go): the view
// the client-side cluster builder uses, ignoring workload and port PAs (§1.7, §3.1).
func (ix *PeerAuthIndex) NamespaceMode(ns string) (Mode, *inventory.PeerAuthentication) {
	meshMode := Unknown
	if ix.mesh != nil {
		meshMode = Permissive // a mesh PA with UNSET means PERMISSIVE
		if m, ok := paMode(ix.mesh); ok {
			meshMode = m
		}
	}
	if pa := ix.ns[ns]; pa != nil && ns != ix.root {
		if m, ok := paMode(pa); ok {
			return m, pa
		}
		if meshMode == Unknown {
			return Permissive, pa
		}
		return meshMode, pa
	}
	return meshMode, ix.mesh
}

// Mesh returns the mesh-level PA, if any: the oldest in the root namespace
// without a selector (§1.3–1.4; authentication.go addPeerAuthentication).
func (ix *PeerAuthIndex) Mesh() *inventory.PeerAuthentication { return ix.mesh }

// Namespace returns the namespace-level PA of ns, if any: its oldest PA
// without a selector (§1.3–1.4; authentication.go addPeerAuthentication).
func (ix *PeerAuthIndex) Namespace(ns string) *inventory.PeerAuthentication { return ix.ns[ns] }
