package fix

import (
	"os"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/scenario"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// TestStrategies runs testdata/*.txtar. The comment says what the case
// shows; "use: path" adds files from the repository; "want" lines are
//
//	top: <strategy>          the first-ranked candidate
//	has: <strategy>          proposed, fixes its target, breaks nothing
//	breaks: <strategy>       proposed, and the model shows it breaks an edge (never first)
//	weakens: <strategy>      proposed, and a port starts accepting plaintext
//	redundant: <strategy>    proposed, and one of its objects has no effect
//	absent: <strategy>       not proposed
//	undecided: <strategy>    proposed, breaks nothing, and leaves the target's edges unknown (not failing)
//	unjudged: <strategy>     proposed, and a call it puts behind a new sidecar cannot be judged (never first)
//	title: <strategy> <text> proposed, and its title contains text
//	applied-fixes-all        -o yaml's changes leave no failing edge and break none
func TestStrategies(t *testing.T) {
	scenario.Run(t, "testdata", "..", func(t *testing.T, c scenario.Case) {
		set, want := c.Set, c.Sections["want"]
		plans := PlanAll(set, "default", Filter{})
		if len(plans) == 0 {
			t.Fatal("no failing target to fix")
		}
		cands := map[string]Candidate{}
		for _, p := range plans {
			for _, c := range p.Candidates {
				if _, ok := cands[c.Strategy]; !ok {
					cands[c.Strategy] = c
				}
			}
		}
		for _, w := range want {
			kind, strat, _ := strings.Cut(w, ": ")
			c, ok := cands[strat]
			v := c.Verification
			switch kind {
			case "top":
				if plans[0].Candidates[0].Strategy != strat {
					t.Errorf("top = %s, want %s (%s)", plans[0].Candidates[0].Strategy, strat, names(plans[0].Candidates))
				}
			case "has":
				if !ok || len(v.Breaks) > 0 || len(v.StillFailing) > 0 {
					t.Errorf("%s: proposed=%v breaks=%v still=%v", strat, ok, v.Breaks, v.StillFailing)
				}
			case "undecided":
				if !ok || len(v.Breaks) > 0 || len(v.StillFailing) > 0 || len(v.Undecided) == 0 {
					t.Errorf("%s: proposed=%v breaks=%v still=%v undecided=%v", strat, ok, v.Breaks, v.StillFailing, v.Undecided)
				}
			case "breaks":
				if !ok || len(v.Breaks) == 0 || c.Rank == 1 {
					t.Errorf("%s: proposed=%v breaks=%v rank=%d", strat, ok, v.Breaks, c.Rank)
				}
			case "title":
				strat, text, _ := strings.Cut(strat, " ")
				if c, ok := cands[strat]; !ok || !strings.Contains(c.Title, text) {
					t.Errorf("%s: proposed=%v title %q, want it to contain %q", strat, ok, c.Title, text)
				}
			case "unjudged":
				if !ok || len(v.Unjudged) == 0 || c.Rank == 1 {
					t.Errorf("%s: proposed=%v unjudged=%v rank=%d", strat, ok, v.Unjudged, c.Rank)
				}
			case "weakens":
				if !ok || len(v.PlaintextPorts) == 0 {
					t.Errorf("%s: proposed=%v plaintextPorts=%v", strat, ok, v.PlaintextPorts)
				}
			case "redundant":
				if !ok || len(v.Redundant) == 0 {
					t.Errorf("%s: proposed=%v redundant=%v", strat, ok, v.Redundant)
				}
			case "absent":
				if ok {
					t.Errorf("%s proposed, want absent", strat)
				}
			case "applied-fixes-all":
				o := TopChanges(set, "default", Filter{})
				after := analysis.Run(inventory.Build(Apply(set, "default", o.Changes), "default"), analysis.Options{})
				if after.Summary.Failing != 0 || len(o.Unfixed) > 0 || o.Result.Breaks() {
					t.Errorf("after -o yaml: %d failing, unfixed %v, breaks %v", after.Summary.Failing, o.Unfixed, o.Result.StartFailing)
				}
				// The YAML must read back as the same changes.
				re := source.Parse("fix.yaml", []byte(YAML(o.Changes)))
				if len(re.Problems) > 0 {
					t.Errorf("fix YAML does not parse: %v", re.Problems)
				}
			default:
				t.Fatalf("bad want line %q", w)
			}
		}
	})
}

func names(cs []Candidate) string {
	var n []string
	for _, c := range cs {
		n = append(n, c.Strategy)
	}
	return strings.Join(n, ",")
}

// Every strategy is declared once, says when it applies, and is in the README.
func TestStrategiesDeclared(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range Strategies {
		if seen[s.Name] || s.Applies == "" || StrategyNamed(s.Name) != s {
			t.Errorf("strategy %q: duplicate or undocumented", s.Name)
		}
		seen[s.Name] = true
		if !strings.Contains(string(readme), "`"+s.Name+"`") {
			t.Errorf("strategy %s is not in the README", s.Name)
		}
	}
}
