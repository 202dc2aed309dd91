package inventory

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/source"
)

// decodeBoth decodes o with json-iterator (falling back as unmarshal does)
// and with encoding/json alone, and fails when the typed values or the
// errors differ.
func decodeBoth(t *testing.T, o source.Object) bool {
	t.Helper()
	useFastJSON = true
	fast := decodeObject(o)
	useFastJSON = false
	std := decodeObject(o)
	useFastJSON = true
	if (fast.err == nil) != (std.err == nil) || fast.err != nil && fast.err.Error() != std.err.Error() {
		t.Fatalf("%s %s (%s): error %v, encoding/json says %v", o.Kind, o.Name, o.Origin, fast.err, std.err)
	}
	fast.err, std.err = nil, nil
	if !reflect.DeepEqual(fast, std) {
		t.Fatalf("%s %s (%s): json-iterator decodes\n%+v\nencoding/json\n%+v", o.Kind, o.Name, o.Origin, fast, std)
	}
	return std.v != nil
}

// TestFastJSONIsEncodingJSON: every object of ../shared/realworld, of the
// examples, of the generator and a set of malformed ones decodes to the
// same typed value (or the same error) either way.
func TestFastJSONIsEncodingJSON(t *testing.T) {
	var sets []source.Set
	for _, root := range []string{"../../shared/realworld", "../examples", "../analysis/testdata", "../internal/cli/testdata"} {
		if _, err := os.Stat(root); err != nil {
			t.Logf("skipping %s: %v", root, err)
			continue
		}
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") || strings.HasSuffix(p, ".txtar")) {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil {
				sets = append(sets, source.Parse(p, data))
			}
			return nil
		})
	}
	sets = append(sets, source.Parse("synth.yaml", synth.Cluster(synth.Shape{Namespaces: 30, WorkloadsPerNS: 4})))
	sets = append(sets, source.Parse("malformed.yaml", []byte(malformed)))
	decoded := 0
	for _, set := range sets {
		for _, o := range set.Objects {
			if decodeBoth(t, o) {
				decoded++
			}
		}
	}
	t.Logf("%d typed objects decode alike", decoded)
	if decoded < 100 {
		t.Fatalf("only %d typed objects compared", decoded)
	}
}

// malformed: wrong types where the decoders read, each must fail (or not)
// as encoding/json does.
const malformed = `apiVersion: v1
kind: Service
metadata: {name: a}
spec: {ports: [{port: "80"}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: b, labels: [x]}
spec: {replicas: "2"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: c}
spec: {replicas: 1.5, template: {spec: {containers: [{name: x, ports: [{containerPort: 99999999999}]}]}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: d}
data: {a: 1, b: {c: d}}
---
apiVersion: v1
kind: Service
metadata: {name: e}
spec: {ports: [{port: 80, targetPort: {x: 1}}], selector: {app: [1]}}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: f}
spec: {mtls: {mode: SOMETIMES}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: g}
spec: {host: x, trafficPolicy: {tls: {mode: 7}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: h, creationTimestamp: "yesterday"}
spec: {template: {metadata: {annotations: {a: 1}}, spec: {containers: [{name: x, env: [{name: A, value: 1}]}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: i, uid: 7}
spec: {containers: [{name: x, resources: {limits: {cpu: "lots"}}}]}
`
