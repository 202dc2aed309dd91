package fix

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/source"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestPatchGolden: -o patch gives the top changes as kubectl commands —
// a strategic-merge patch that removes only the opt-out label from the
// Deployment, a merge patch for an Istio object read from a live cluster
// (server-owned fields never appear), and new objects as apply.
func TestPatchGolden(t *testing.T) {
	for _, tc := range []struct{ name, golden, strategy string }{
		{"testdata/client-opt-out.txtar", "testdata/patch-client-opt-out.golden", ""},
		{"testdata/dr-same-host-extends.txtar", "testdata/patch-dr-same-host-extends.golden", ""},
		{"testdata/seed.txtar", "testdata/patch-seed.golden", ""},
		{"testdata/seed.txtar", "testdata/patch-seed-dr-disable-port.golden", DRDisablePort.Name},
	} {
		c, err := scenario.Load(tc.name, "..")
		if err != nil {
			t.Fatal(err)
		}
		set := c.Set
		// As read from a cluster: the API server's own fields on every object.
		set.Objects = nil
		for _, o := range c.Set.Objects {
			set.Objects = append(set.Objects, live(t, o))
		}
		o := TopChanges(set, "default", Filter{Strategy: tc.strategy})
		ps, err := Patches(o.Changes)
		if err != nil {
			t.Fatal(err)
		}
		got := PatchScript(ps)
		if *update {
			os.WriteFile(tc.golden, []byte(got), 0o644)
		}
		want, err := os.ReadFile(tc.golden)
		if err != nil || string(want) != got {
			t.Errorf("%s differs from %s (go test ./fix/ -run TestPatchGolden -update rewrites it); got:\n%s", filepath.Base(tc.name), tc.golden, got)
		}
	}
}

// live adds what the API server writes to an object.
func live(t *testing.T, o source.Object) source.Object {
	obj := map[string]any{}
	if err := json.Unmarshal(o.JSON, &obj); err != nil {
		t.Fatal(err)
	}
	md := obj["metadata"].(map[string]any)
	md["uid"], md["resourceVersion"], md["generation"] = "6b1c", "4711", 3
	md["creationTimestamp"] = "2025-11-20T08:00:00Z"
	md["managedFields"] = []any{map[string]any{"manager": "kubectl-client-side-apply", "operation": "Update"}}
	ann, _ := md["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
	}
	ann["kubectl.kubernetes.io/last-applied-configuration"] = string(o.JSON)
	md["annotations"] = ann
	obj["status"] = map[string]any{"observedGeneration": 3}
	o.JSON, _ = json.Marshal(obj)
	o.Origin = source.Origin{File: "cluster:" + o.Kind + "/" + o.Namespace + "/" + o.Name}
	return o
}
