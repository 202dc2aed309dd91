package source

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/internal/synth"
	sigsyaml "sigs.k8s.io/yaml"
)

// agree checks the fast path against sigs.k8s.io/yaml on one document: when
// the fast path converts it, the JSON and the header must be the same as
// the full parser's (which must then succeed too). It reports whether the
// fast path took the document.
func agree(t testing.TB, text []byte) bool {
	t.Helper()
	js, h, ok := fastJSON(text, nil)
	if !ok {
		return false
	}
	want, err := sigsyaml.YAMLToJSONStrict(text)
	if err != nil {
		t.Fatalf("fast path converted a document the full parser rejects (%v):\n%s\nfast: %s", err, text, js)
	}
	var a, b any
	if err := json.Unmarshal(js, &a); err != nil {
		t.Fatalf("fast path wrote invalid JSON %s: %v\n%s", js, err, text)
	}
	_ = json.Unmarshal(want, &b)
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("fast path disagrees on\n%s\nfast: %s\nfull: %s", text, js, want)
	}
	var wh header
	if json.Unmarshal(want, &wh) == nil && wh != h {
		t.Fatalf("header %+v, want %+v, for\n%s", h, wh, text)
	}
	return true
}

var fastCases = []struct {
	in   string
	fast bool // whether the fast path must take it
}{
	{"apiVersion: v1\nkind: Namespace\nmetadata: {name: a, labels: {istio-injection: enabled}}\n", true},
	{"apiVersion: v1\nkind: Service\nmetadata:\n  name: s # trailing comment\n  namespace: 'n'\nspec:\n  ports:\n  - name: http\n    port: 8080\n    targetPort: http\n  - {name: grpc, port: 9090}\n  selector:\n    app: \"x\"\n", true},
	{"kind: ConfigMap\napiVersion: v1\ndata:\n  config.yaml: |\n    receivers:\n      otlp:\n\n        protocols: {grpc: }\n  strip: |-\n    a\n    b\n  after: x\n", true},
	{"kind: ConfigMap\napiVersion: v1\ndata:\n  last: |\n    tail\n", true},
	{"a: yes\n", false},        // YAML 1.1 bool
	{"a: 1.5\n", false},        // float
	{"a: 08\n", false},         // odd int
	{"a: 2024-01-01\n", false}, // timestamp
	{"a: &x 1\nb: *x\n", false},
	{"a: 1\na: 2\n", false}, // duplicate key
	{"a: >\n  folded\n", false},
	{"a: b\n  c\n", false}, // multi-line plain scalar
	{"a: \"x\n  y\"\n", false},
	{"a: [1,\n  2]\n", false},
	{"- a\n- b\n", false}, // not a mapping
	{"a: {b: c: d}\n", false},
	{"a:\n- 1\n- -2\n- 0\n- 100m\n- 128Mi\n- ~\n- null\n- True\n- 'it''s'\n- \"q\\\"uote\\n\"\nb: c\n", true},
	{"a:\n  - x: 1\n    v:\n      - z\n  -\n    w: 2\n  - \nb: x:y\nc: http://a:80/b#frag\n", true},
	{"y: 1\n", false}, // "y" is a YAML 1.1 bool, as a key too
	{"a: b: c\n", false},
	{"\"quoted key\": v\n8080: {mode: DISABLE}\n", true},
	{"a:\n  b: 1\n c: 2\n", false},
	{"    a: 1\n    b: {c: [d, e, 'f']}\n", true},
	{"Kind: X\napiversion: v1\nMetadata: {NAME: nm}\n", true},
	{"kind: 5\napiVersion: v1\n", false}, // a header that is not a string: the full path explains it
	{"a: !!str 5\n", false},
	{"a: {}\nb: []\nc: [[], {}]\n", true},
	{"a: [b, c,]\n", false},
	{"a: |+\n  x\n\nb: 1\n", false},
	{"a: |\n  x\n\n  y\n\n\nb: 1\n", true},
	{"a: x #c\nb: 'y' # c\nc: [z] #c\n", true},
	{"a: -x\n", false},
	{"a: \"\\u00e9\"\n", false},
}

func TestFastJSONAgreesWithFullParser(t *testing.T) {
	for _, c := range fastCases {
		if got := agree(t, []byte(c.in)); got != c.fast {
			t.Errorf("fast path took=%v, want %v for\n%s", got, c.fast, c.in)
		}
	}
}

// TestFastJSONRealWorld runs every document of the real-world manifests
// through both paths, and says how many the fast path took.
func TestFastJSONRealWorld(t *testing.T) {
	root := "../../shared/realworld"
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/realworld is not beside the repository:", err)
	}
	var docs, fast int
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml")) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, doc := range splitDocuments([]byte(strings.ReplaceAll(string(data), "\r\n", "\n"))) {
			docs++
			if agree(t, doc.text) {
				fast++
			}
		}
		return nil
	})
	t.Logf("fast path took %d of %d real-world documents", fast, docs)
	if docs > 0 && fast == 0 {
		t.Fatal("the fast path took no real-world document")
	}
}

func TestFastJSONSynth(t *testing.T) {
	for _, d := range splitDocuments(synth.Cluster(synth.Shape{Namespaces: 20, WorkloadsPerNS: 3})) {
		if !agree(t, d.text) {
			t.Fatalf("the generator's document took the slow path:\n%s", d.text)
		}
	}
}

func FuzzFastJSON(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c.in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range splitDocuments(data) {
			agree(t, d.text)
		}
	})
}
