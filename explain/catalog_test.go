package explain

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/category"
)

func TestCatalogueIsWellFormed(t *testing.T) {
	if err := checkCatalogue(catalogue); err != nil {
		t.Fatal(err)
	}
	for _, c := range category.All {
		if category.Doc[c] == "" {
			t.Errorf("category %s has no Doc", c)
		}
	}
}

// checkCatalogue must reject a reused id, a missing doc or category.
func TestCheckCatalogueRejects(t *testing.T) {
	good := catalogue[0]
	bad := map[string][]Signature{
		"duplicate id":      {good, good},
		"missing meaning":   {func() Signature { s := good; s.Meaning = ""; return s }()},
		"missing category":  {func() Signature { s := good; s.Category = ""; return s }()},
		"unknown category":  {func() Signature { s := good; s.Category = "tls-ish"; return s }()},
		"missing causes":    {func() Signature { s := good; s.Causes = nil; return s }()},
		"missing next":      {func() Signature { s := good; s.Next = nil; return s }()},
		"missing emitter":   {func() Signature { s := good; s.Emitter = ""; return s }()},
		"short literal":     {func() Signature { s := good; s.Match = []string{"UF"}; return s }()},
		"escaped literal":   {func() Signature { s := good; s.Match = []string{`a\"b<c>d&e`}; return s }()},
		"no literal at all": {func() Signature { s := good; s.Match = nil; return s }()},
	}
	for name, cat := range bad {
		if checkCatalogue(cat) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

type corpusEntry struct {
	id, cat, emitter, src, text string
	line                        int
}

// readCorpus parses testdata/signatures.log (format in its header).
func readCorpus(t *testing.T) []corpusEntry {
	f, err := os.Open("testdata/signatures.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusEntry
	var cur *corpusEntry
	src := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "#>"):
			out = append(out, corpusEntry{src: src, line: n})
			cur = &out[len(out)-1]
			for _, kv := range strings.Fields(l[2:]) {
				k, v, _ := strings.Cut(kv, "=")
				switch k {
				case "id":
					cur.id = v
				case "cat":
					cur.cat = v
				case "emitter":
					cur.emitter = v
				}
			}
		case strings.HasPrefix(l, "# src:"):
			src = strings.TrimSpace(l[6:])
		case strings.HasPrefix(l, "#"):
		case cur != nil && l != "":
			cur.text += l + "\n"
		}
	}
	return out
}

// Every corpus block yields its expected signature, category and emitter,
// and every catalogue entry is matched by at least one corpus line.
func TestCorpus(t *testing.T) {
	covered := map[string]bool{}
	for _, e := range readCorpus(t) {
		if e.text == "" || e.id == "" {
			t.Fatalf("corpus line %d: empty block", e.line)
		}
		rep := explainString(t, e.text)
		if len(rep.Diagnoses) != 1 {
			t.Errorf("corpus line %d (%s): %d diagnoses, want 1", e.line, e.id, len(rep.Diagnoses))
			continue
		}
		d := rep.Diagnoses[0]
		for _, s := range d.Signatures {
			covered[s] = true
		}
		if !contains(d.Signatures, e.id) {
			t.Errorf("corpus line %d: signatures %v lack %s", e.line, d.Signatures, e.id)
		}
		if string(d.Category) != e.cat {
			t.Errorf("corpus line %d (%s): category %s, want %s", e.line, e.id, d.Category, e.cat)
		}
		if e.emitter != "" && string(d.Emitter) != e.emitter {
			t.Errorf("corpus line %d (%s): emitter %s, want %s", e.line, e.id, d.Emitter, e.emitter)
		}
		if d.Summary == "" || len(d.Causes) == 0 || len(d.Next) == 0 {
			t.Errorf("corpus line %d (%s): empty summary, causes or next", e.line, e.id)
		}
	}
	for _, s := range catalogue {
		if !covered[s.ID] {
			t.Errorf("catalogue entry %s is not matched by any corpus line", s.ID)
		}
	}
}
