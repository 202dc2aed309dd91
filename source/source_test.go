package source

import (
	"strconv"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		objects  []string // kind/name@line
		problems []string // substring@line
	}{
		{name: "multi-document with comments",
			in:      "# header\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n# note\n\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
			objects: []string{"Namespace/a@2", "Service/s@8"}},
		{name: "CRLF and BOM",
			in:      "\ufeffapiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: a\r\n---\r\napiVersion: v1\r\nkind: Namespace\r\nmetadata:\r\n  name: b\r\n",
			objects: []string{"Namespace/a@1", "Namespace/b@6"}},
		{name: "List kind expands, each item at its own line",
			in:      "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: a}\n- apiVersion: v1\n  kind: Namespace\n  metadata: {name: b}\n",
			objects: []string{"Namespace/a@4", "Namespace/b@7"}},
		{name: "JSON document",
			in:      `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"j"}}`,
			objects: []string{"Namespace/j@1"}},
		{name: "malformed document is reported at its absolute line, the rest is kept",
			in:       "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: v1\nkind: [x\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: c}\n",
			objects:  []string{"Namespace/a@1", "Namespace/c@8"},
			problems: []string{"malformed YAML@5"}},
		{name: "a mapping without kind is not an object",
			in:       "foo: bar\n",
			problems: []string{"apiVersion and kind are required@1"}},
		{name: "a scalar document is not an object",
			in:       "--- just text\n",
			problems: []string{"not a mapping@1"}},
		{name: "empty documents and document end markers are ignored",
			in:      "---\n---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n...\n",
			objects: []string{"Namespace/a@5"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := Parse("f.yaml", []byte(tc.in))
			var got, gotP []string
			for _, o := range set.Objects {
				got = append(got, o.Kind+"/"+o.Name+"@"+strconv.Itoa(o.Origin.Line))
			}
			for _, p := range set.Problems {
				gotP = append(gotP, p.Message+"@"+strconv.Itoa(p.Origin.Line))
			}
			if strings.Join(got, ",") != strings.Join(tc.objects, ",") {
				t.Errorf("objects = %v, want %v", got, tc.objects)
			}
			if len(gotP) != len(tc.problems) {
				t.Fatalf("problems = %v, want %v", gotP, tc.problems)
			}
			for i, want := range tc.problems {
				msg, line, _ := strings.Cut(want, "@")
				if !strings.Contains(gotP[i], msg) || !strings.HasSuffix(gotP[i], "@"+line) {
					t.Errorf("problem %q, want %q", gotP[i], want)
				}
			}
		})
	}
}

// FuzzParse: no input may panic, and every object keeps a positive line.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
		"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service, metadata: {name: s}}\n",
		"---\n--- {a: 1}\n...\n",
		"kind: [\n",
		"\ufeff{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[1,\"x\",null]}",
		"apiVersion: v1\nkind: Pod\nmetadata: &a {name: *a}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set := Parse("fuzz.yaml", data)
		for _, o := range set.Objects {
			if o.Origin.Line <= 0 || o.Kind == "" {
				t.Fatalf("object without line or kind: %+v", o.Origin)
			}
		}
	})
}

// Two files concatenated without "---" fuse into one mapping with duplicate
// keys: that must be reported, not silently resolved to the last value.
func TestDuplicateKeys(t *testing.T) {
	set := Parse("cat.yaml", []byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\napiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n"))
	if len(set.Objects) != 0 || len(set.Problems) != 1 || !strings.Contains(set.Problems[0].Message, `key "apiVersion" already set`) ||
		strings.Contains(set.Problems[0].Message, "\n") {
		t.Fatalf("objects %v, problems %v", set.Objects, set.Problems)
	}
}
