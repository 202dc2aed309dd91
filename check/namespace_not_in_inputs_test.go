package check

import (
	"strings"
	"testing"
)

// With no judged edge hanging on the namespace, the hint must not count
// "0 edges … (0 fail)" — that reads as an all-clear — and points at
// --all-pairs, since the calls may live in code (bookinfo's shape).
func TestNamespaceMissingMessageNoEdges(t *testing.T) {
	m := namespaceMissingMessage("default", nil)
	if strings.Contains(m, "0 edges") || strings.Contains(m, "0 fail") {
		t.Errorf("message counts zero edges: %s", m)
	}
	for _, want := range []string{"Namespace object", "--cluster", "--all-pairs"} {
		if !strings.Contains(m, want) {
			t.Errorf("message lacks %q: %s", want, m)
		}
	}
}
