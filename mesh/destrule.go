package mesh

import (
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"google.golang.org/protobuf/proto"
	networking "istio.io/api/networking/v1alpha3"
	"k8s.io/apimachinery/pkg/labels"
)

// ConsolidatedDR is one entry of Istio's DR index: a rule after merging
// (§2.6), the DRs it came from (oldest first) and its exportTo set.
type ConsolidatedDR struct {
	Rule     *networking.DestinationRule
	From     []*inventory.DestinationRule
	ExportTo map[string]bool
	// Namespace is the namespace of the first (owning) DR.
	Namespace string
}

// Refs lists the provenance of the consolidated rule: the DRs merged into
// it, oldest first (§2.6; Istio: pilot/pkg/model/destination_rule.go
// mergeDestinationRule keeps them as ConsolidatedDestRule.from).
func (c *ConsolidatedDR) Refs() []inventory.Ref {
	out := make([]inventory.Ref, len(c.From))
	for i, d := range c.From {
		out[i] = d.Ref()
	}
	return out
}

type drTable map[string][]*ConsolidatedDR // resolved host → entries

// DRIndex is Istio's destinationRuleIndex (push_context.go setDestinationRules, §2.3).
type DRIndex struct {
	root           string
	domain         string
	namespaceLocal map[string]drTable
	exported       map[string]drTable
	rootLocal      drTable
}

// ResolveHost is ResolveShortnameToFQDN (pilot/pkg/model/config.go, §2.2): a host
// without a dot expands in the DR's own namespace; anything else is verbatim.
func ResolveHost(h, ns, domain string) string {
	if h == "*" || strings.Contains(h, ".") || net.ParseIP(h) != nil {
		return h
	}
	return h + "." + ns + ".svc." + domain
}

// sortDRs is sortConfigBySelectorAndCreationTime: selector DRs first, then
// creation time, name, namespace.
func sortDRs(drs []*inventory.DestinationRule) {
	sort.SliceStable(drs, func(i, j int) bool {
		a, b := drs[i], drs[j]
		as, bs := a.Spec.GetWorkloadSelector() != nil, b.Spec.GetWorkloadSelector() != nil
		if as != bs {
			return as
		}
		if c := inventory.CompareCreation(a.Created, b.Created); c != 0 {
			return c < 0
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Namespace < b.Namespace
	})
}

// NewDRIndex builds the index (§2.3, §2.6). defaultExportTo is the mesh's
// defaultDestinationRuleExportTo (empty means "*"). Istio:
// pilot/pkg/model/push_context.go setDestinationRules, destination_rule.go
// mergeDestinationRule.
func NewDRIndex(drs []*inventory.DestinationRule, root, domain string, defaultExportTo []string) *DRIndex {
	sorted := append([]*inventory.DestinationRule(nil), drs...)
	sortDRs(sorted)
	ix := &DRIndex{root: root, domain: domain, namespaceLocal: map[string]drTable{},
		exported: map[string]drTable{}, rootLocal: drTable{}}
	defaultPrivate := len(defaultExportTo) > 0 && slices.Contains(defaultExportTo, ".")
	for _, d := range sorted {
		exportTo := map[string]bool{}
		if d.Spec.GetWorkloadSelector() == nil {
			for _, e := range d.Spec.GetExportTo() {
				exportTo[e] = true
			}
		} else {
			exportTo["."] = true // selector DRs never leave their namespace
		}
		if len(exportTo) == 0 || exportTo["*"] || exportTo["."] || exportTo[d.Namespace] {
			t := ix.namespaceLocal[d.Namespace]
			if t == nil {
				t = drTable{}
				ix.namespaceLocal[d.Namespace] = t
			}
			ix.merge(t, d, exportTo)
		}
		privateOnly := (len(exportTo) == 0 && defaultPrivate) ||
			(len(exportTo) == 1 && (exportTo["."] || exportTo[d.Namespace]))
		switch {
		case !privateOnly:
			t := ix.exported[d.Namespace]
			if t == nil {
				t = drTable{}
				ix.exported[d.Namespace] = t
			}
			ix.merge(t, d, exportTo)
		case d.Namespace == root:
			ix.merge(ix.rootLocal, d, exportTo)
		}
	}
	return ix
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

func superset(a, b map[string]bool) bool {
	for k := range b {
		if !a[k] {
			return false
		}
	}
	return true
}

// merge is mergeDestinationRule with ENABLE_ENHANCED_DESTINATIONRULE_MERGE
// (the default since 1.24; pilot/pkg/model/destination_rule.go, §2.6).
func (ix *DRIndex) merge(t drTable, d *inventory.DestinationRule, exportTo map[string]bool) {
	host := ResolveHost(d.Spec.GetHost(), d.Namespace, ix.domain)
	incoming := d.Spec
	list, exists := t[host]
	appendSeparately := true
	for _, c := range list {
		if !exists {
			break
		}
		switch {
		case sameSet(exportTo, c.ExportTo):
			appendSeparately = false
		case len(c.ExportTo) > 0 && superset(exportTo, c.ExportTo):
			appendSeparately = true
		default:
			appendSeparately = true
			continue
		}
		inSel, exSel := incoming.GetWorkloadSelector(), c.Rule.GetWorkloadSelector()
		bothWithout := inSel == nil && exSel == nil
		bothWith := inSel != nil && exSel != nil
		match := labels.Equals(inSel.GetMatchLabels(), exSel.GetMatchLabels())
		if bothWith && !match {
			appendSeparately = true
			continue
		}
		if bothWithout || (bothWith && match) {
			appendSeparately = false
		}
		// Subsets concatenate by name; the first (oldest) top-level policy wins whole.
		merged := proto.Clone(c.Rule).(*networking.DestinationRule)
		seen := map[string]bool{}
		for _, s := range merged.Subsets {
			seen[s.Name] = true
		}
		for _, s := range incoming.GetSubsets() {
			if !seen[s.Name] {
				merged.Subsets = append(merged.Subsets, s)
			}
		}
		if merged.TrafficPolicy == nil && incoming.GetTrafficPolicy() != nil {
			merged.TrafficPolicy = incoming.GetTrafficPolicy()
		}
		c.Rule = merged
		c.From = append(c.From, d)
	}
	if appendSeparately {
		rule := proto.Clone(incoming).(*networking.DestinationRule)
		rule.Host = host
		t[host] = append(t[host], &ConsolidatedDR{Rule: rule, From: []*inventory.DestinationRule{d},
			ExportTo: exportTo, Namespace: d.Namespace})
	}
}

// moreSpecific is host.MoreSpecific: non-wildcards beat wildcards, longer
// beats shorter, equal lengths order lexically.
func moreSpecific(a, b string) bool {
	aw, bw := strings.HasPrefix(a, "*"), strings.HasPrefix(b, "*")
	if aw != bw {
		return !aw
	}
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a < b
}

// mostSpecific is MostSpecificHostMatch (config.go, §2.5): exact host first,
// else the most specific wildcard that matches.
func (t drTable) mostSpecific(host string) []*ConsolidatedDR {
	if e, ok := t[host]; ok && !strings.HasPrefix(host, "*") {
		return e
	}
	best := ""
	for h := range t {
		if !strings.HasPrefix(h, "*") || !strings.HasSuffix(host, h[1:]) {
			continue
		}
		if best == "" || moreSpecific(h, best) {
			best = h
		}
	}
	if best == "" {
		return nil
	}
	return t[best]
}

func (ix *DRIndex) exportedFrom(ns, host, clientNs string) []*ConsolidatedDR {
	t := ix.exported[ns]
	if t == nil {
		return nil
	}
	var out []*ConsolidatedDR
	for _, c := range t.mostSpecific(host) {
		if len(c.ExportTo) == 0 || c.ExportTo["*"] || c.ExportTo[clientNs] {
			out = append(out, c)
		}
	}
	return out
}

// candidates is PushContext.destinationRule (push_context.go, §2.4): the
// first namespace that yields a match wins — client's, service's, root.
func (ix *DRIndex) candidates(clientNs, host, svcNs string) []*ConsolidatedDR {
	if clientNs != ix.root {
		if t := ix.namespaceLocal[clientNs]; t != nil {
			if e := t.mostSpecific(host); len(e) > 0 {
				return e
			}
		}
	} else if e := ix.rootLocal.mostSpecific(host); len(e) > 0 {
		return e
	}
	if svcNs != "" {
		if e := ix.exportedFrom(svcNs, host, clientNs); len(e) > 0 {
			return e
		}
	}
	return ix.exportedFrom(ix.root, host, clientNs)
}

// For returns the DR that applies to a client (namespace, pod labels) calling
// host in svcNs, or nil. Selector DRs apply only in the client's own
// namespace and when their labels match; otherwise the last non-selector
// entry is the catch-all (sidecar.go SidecarScope.DestinationRule, §2.7).
func (ix *DRIndex) For(clientNs string, clientLabels map[string]string, host, svcNs string) *ConsolidatedDR {
	var catchAll *ConsolidatedDR
	for _, c := range ix.candidates(clientNs, host, svcNs) {
		sel := c.Rule.GetWorkloadSelector()
		if sel == nil {
			catchAll = c
			continue
		}
		if c.Namespace == clientNs && labels.SelectorFromSet(sel.GetMatchLabels()).Matches(labels.Set(clientLabels)) {
			return c
		}
	}
	return catchAll
}
