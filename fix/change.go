// Package fix proposes least-privilege remediations for failing edges,
// verifies each one by re-running the model on the patched input, and states
// what it costs in security. It patches inputs, never the model.
package fix

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/source"
	sigsyaml "sigs.k8s.io/yaml"
)

// Change is one object to apply (new, or a whole replacement of an existing
// object with the same kind/namespace/name) or to delete.
type Change struct {
	Action    string         `json:"action"` // apply | delete
	Kind      string         `json:"kind"`
	Namespace string         `json:"namespace,omitempty"`
	Name      string         `json:"name"`
	Object    map[string]any `json:"object,omitempty"`
	// Replaces names the input the object replaces (file:line), if any.
	Replaces string `json:"replaces,omitempty"`
	// original is the replaced object as read, server fields dropped (for
	// no-op detection and -o patch).
	original map[string]any
}

// Key is the object identity used for replacement.
func (c Change) Key() string { return c.Kind + "/" + c.Namespace + "/" + c.Name }

func objKey(o source.Object, defNS string) string {
	ns := o.Namespace
	if ns == "" && o.Kind != "Namespace" {
		ns = defNS
	}
	return o.Kind + "/" + ns + "/" + o.Name
}

// Apply returns set with the changes laid on top: deleted objects removed,
// applied ones appended (inventory.Build keeps the last of a key).
func Apply(set source.Set, defNS string, changes []Change) source.Set {
	del := map[string]bool{}
	for _, c := range changes {
		if c.Action == "delete" {
			del[c.Key()] = true
		}
	}
	out := source.Set{Problems: set.Problems}
	for _, o := range set.Objects {
		if !del[objKey(o, defNS)] {
			out.Objects = append(out.Objects, o)
		}
	}
	for _, c := range changes {
		if c.Action != "apply" {
			continue
		}
		js, _ := json.Marshal(c.Object)
		out.Objects = append(out.Objects, source.Object{Origin: source.Origin{File: "fix:" + c.Key()},
			APIVersion: fmt.Sprint(c.Object["apiVersion"]), Kind: c.Kind, Namespace: c.Namespace, Name: c.Name, JSON: js})
	}
	return out
}

// YAML renders changes as documents meant to be applied on top of the input;
// deletions become comments with the kubectl command, since apply cannot delete.
func YAML(changes []Change) string {
	var b strings.Builder
	for i, c := range sortChanges(changes) {
		if i > 0 {
			b.WriteString("---\n")
		}
		if c.Action == "delete" {
			fmt.Fprintf(&b, "# delete: kubectl delete %s %s -n %s   (replaces %s)\n", strings.ToLower(c.Kind), c.Name, c.Namespace, c.Replaces)
			continue
		}
		if c.Replaces != "" {
			fmt.Fprintf(&b, "# replaces %s\n", c.Replaces)
		}
		y, _ := sigsyaml.Marshal(c.Object)
		b.Write(y)
	}
	return b.String()
}

// HelmTemplate renders one change as a Helm template: the object's own
// namespace becomes {{ .Release.Namespace }}, as in the seed's chart.
func HelmTemplate(c Change) string {
	y, _ := sigsyaml.Marshal(c.Object)
	s := string(y)
	if c.Namespace != "" {
		s = strings.ReplaceAll(s, "namespace: "+c.Namespace+"\n", "namespace: {{ .Release.Namespace }}\n")
		s = strings.ReplaceAll(s, "."+c.Namespace+".svc.", ".{{ .Release.Namespace }}.svc.")
	}
	return s
}

// HelmFileName is the template file for a change: one object per file.
func HelmFileName(c Change) string {
	return strings.ToLower(c.Kind) + "-" + c.Name + ".yaml"
}

func sortChanges(cs []Change) []Change {
	out := append([]Change(nil), cs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out
}
