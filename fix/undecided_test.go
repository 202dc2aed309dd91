package fix

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/source"
)

// The seed without its Namespace objects has nothing failing on what the
// inputs say, yet its six edges are unknown and the four OTLP ones fail in
// some alternative: Undecided says so, within the scope asked for.
func TestUndecidedSeedWithoutNamespaces(t *testing.T) {
	var set source.Set
	for _, f := range []string{"apps.yaml", "otel-collector.yaml", "istio-security.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "examples", "seed", f))
		if err != nil {
			t.Fatal(err)
		}
		set.Add(source.Parse(f, data))
	}
	if u, mayFail := Undecided(set, "default", Filter{}); u != 6 || mayFail != 4 {
		t.Errorf("Undecided = %d, %d; want 6, 4", u, mayFail)
	}
	if u, _ := Undecided(set, "default", Filter{Scope: analysis.Namespaces("elsewhere")}); u != 0 {
		t.Errorf("out of scope: %d undecided, want 0", u)
	}
}
