package fix

import (
	"encoding/json"
	"fmt"
	"strings"

	jsonpatch "github.com/evanphx/json-patch"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/kubernetes/scheme"
	sigsyaml "sigs.k8s.io/yaml"
)

// Patch is one change in the form users apply to objects they already
// have: a strategic-merge patch for Kubernetes kinds (lists merge by their
// keys, as kubectl patch does), a JSON merge patch for custom resources
// (Istio's, which have no patch strategy), a whole object for a new one,
// or a deletion.
type Patch struct {
	Change Change
	// Type is strategic, merge, apply (a new object) or delete.
	Type string
	// Body is the patch (JSON), or the new object (YAML) for apply.
	Body []byte
}

// Patches turns changes into patches against the objects they replace.
func Patches(changes []Change) ([]Patch, error) {
	var out []Patch
	for _, c := range sortChanges(changes) {
		switch {
		case c.Action == "delete":
			out = append(out, Patch{Change: c, Type: "delete"})
		case c.original == nil:
			y, err := sigsyaml.Marshal(c.Object)
			if err != nil {
				return nil, err
			}
			out = append(out, Patch{Change: c, Type: "apply", Body: y})
		default:
			p, typ, err := patchOf(c)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.Key(), err)
			}
			out = append(out, Patch{Change: c, Type: typ, Body: p})
		}
	}
	return out, nil
}

func patchOf(c Change) ([]byte, string, error) {
	before, err := json.Marshal(c.original)
	if err != nil {
		return nil, "", err
	}
	after, err := json.Marshal(c.Object)
	if err != nil {
		return nil, "", err
	}
	gv, _ := schema.ParseGroupVersion(fmt.Sprint(c.Object["apiVersion"]))
	if typed, err := scheme.Scheme.New(gv.WithKind(c.Kind)); err == nil {
		p, err := strategicpatch.CreateTwoWayMergePatch(before, after, typed)
		return p, "strategic", err
	}
	p, err := jsonpatch.CreateMergePatch(before, after)
	return p, "merge", err
}

// PatchScript renders patches as the kubectl commands that apply them, in
// the order of the changes (new objects inline as here-documents).
func PatchScript(ps []Patch) string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteString("\n")
		}
		c := p.Change
		res := strings.ToLower(c.Kind)
		ns := ""
		if c.Namespace != "" {
			ns = " -n " + c.Namespace
		}
		switch p.Type {
		case "delete":
			fmt.Fprintf(&b, "# delete %s (%s)\nkubectl delete %s %s%s\n", c.Key(), c.Replaces, res, c.Name, ns)
		case "apply":
			fmt.Fprintf(&b, "# new %s\nkubectl apply -f - <<'EOF'\n%sEOF\n", c.Key(), p.Body)
		default:
			fmt.Fprintf(&b, "# patch %s (%s)\nkubectl patch %s %s%s --type %s -p '%s'\n", c.Key(), c.Replaces, res, c.Name, ns, p.Type,
				strings.ReplaceAll(string(p.Body), "'", `'\''`))
		}
	}
	return b.String()
}
