package check

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogue: codes unique and well-formed, every check documented and
// listed in the README's table.
func TestCatalogue(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	code := regexp.MustCompile(`^MD\d{4}$`)
	seen := map[string]string{}
	names := map[string]bool{}
	for _, c := range All {
		if !code.MatchString(c.Code) {
			t.Errorf("%s: code not of the form MD0000", c.Code)
		}
		if prev, dup := seen[c.Code]; dup {
			t.Errorf("code %s used by %s and %s", c.Code, prev, c.Name)
		}
		seen[c.Code] = c.Name
		if names[c.Name] {
			t.Errorf("name %s used twice", c.Name)
		}
		names[c.Name] = true
		if c.Run == nil || c.Summary() == "" || !strings.Contains(c.Doc, "\n\n") {
			t.Errorf("%s %s: needs Run and a Doc with a summary line, a blank line and an explanation", c.Code, c.Name)
		}
		switch c.Severity {
		case Error, Warning, Info:
		default:
			t.Errorf("%s: bad severity %q", c.Code, c.Severity)
		}
		// One check per file, named for the check.
		if _, err := os.Stat(strings.ReplaceAll(c.Name, "-", "_") + ".go"); err != nil {
			t.Errorf("%s %s: no file %s.go", c.Code, c.Name, strings.ReplaceAll(c.Name, "-", "_"))
		}
		row := "| " + c.Code + " | " + c.Name + " | " + string(c.Severity) + " |"
		if !strings.Contains(string(readme), row) {
			t.Errorf("README lacks the row %q", row)
		}
	}
}
