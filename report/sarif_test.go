package report

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/check"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// testdata/sarif-schema-2.1.0.json is the OASIS SARIF 2.1.0 (rtm.5) schema,
// vendored from the npm package @microsoft/jest-sarif by webui/update.sh.
func loadSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSARIF(t *testing.T) {
	schema := loadSARIFSchema(t)
	for _, paths := range [][]string{{"../examples/seed"}, {"../examples/seed", "../examples/seed-fix"}} {
		t.Run(strings.Join(paths, "+"), func(t *testing.T) {
			r := seedResult(t, paths...)
			var buf bytes.Buffer
			if err := SARIF(&buf, r, SARIFOptions{ToolVersion: "0.0.0-test"}); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(inst); err != nil {
				t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v\n%s", err, buf.String())
			}
			broken := bytes.Replace(buf.Bytes(), []byte(`"version": "2.1.0"`), []byte(`"version": "2.0.0"`), 1)
			if inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(broken)); err != nil || schema.Validate(inst) == nil {
				t.Fatal("the schema accepts a log with version 2.0.0: validation is not biting")
			}
			var log struct {
				Version string
				Runs    []struct {
					Tool struct {
						Driver struct {
							Name, InformationURI string
							Rules                []struct {
								ID, Name             string
								ShortDescription     struct{ Text string }
								DefaultConfiguration struct{ Level string }
							}
						}
					}
					Results []struct {
						RuleID    string
						RuleIndex int
						Level     string
						Message   struct{ Text string }
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string }
								Region           struct{ StartLine int }
							}
						}
					}
				}
			}
			if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "meshdoctor" || log.Runs[0].Tool.Driver.InformationURI == "" {
				t.Fatalf("bad log header: %+v", log)
			}
			run := log.Runs[0]
			rules := run.Tool.Driver.Rules
			if len(rules) != len(check.All) {
				t.Errorf("%d rules, want one per check (%d)", len(rules), len(check.All))
			}
			declared := map[string]int{}
			for i, c := range check.All {
				if rules[i].ID != c.Code || rules[i].Name != c.Name || rules[i].ShortDescription.Text != c.Summary() || rules[i].DefaultConfiguration.Level != sarifLevel(c.Severity) {
					t.Errorf("rule %d = %+v, want %s %s", i, rules[i], c.Code, c.Name)
				}
				declared[rules[i].ID] = i
			}
			if len(run.Results) != len(r.Findings) {
				t.Errorf("%d results for %d findings", len(run.Results), len(r.Findings))
			}
			for _, res := range run.Results {
				i, ok := declared[res.RuleID]
				if !ok || i != res.RuleIndex {
					t.Errorf("result ruleId %s (index %d) is not declared in rules", res.RuleID, res.RuleIndex)
				}
				if res.Message.Text == "" || res.Level == "" {
					t.Errorf("result %s lacks message or level", res.RuleID)
				}
				if len(res.Locations) == 0 {
					t.Errorf("result %s has no location", res.RuleID)
					continue
				}
				loc := res.Locations[0].PhysicalLocation
				if u := loc.ArtifactLocation.URI; u == "" || strings.Contains(u, `\`) || strings.HasPrefix(u, "/") {
					t.Errorf("result %s: uri %q is not a relative forward-slash path", res.RuleID, u)
				}
				if loc.Region.StartLine < 1 {
					t.Errorf("result %s: startLine %d", res.RuleID, loc.Region.StartLine)
				}
			}
			if len(paths) == 1 && (len(run.Results) == 0 || run.Results[0].Level != "error" ||
				run.Results[0].Locations[0].PhysicalLocation.ArtifactLocation.URI != "../examples/seed/istio-security.yaml" ||
				run.Results[0].Locations[0].PhysicalLocation.Region.StartLine != 13) {
				t.Errorf("first seed result should be the failing edge at istio-security.yaml:13: %+v", run.Results)
			}
		})
	}
}

func TestSARIFURI(t *testing.T) {
	for in, want := range map[string]string{
		"k8s/apps.yaml":          "k8s/apps.yaml",
		"./k8s/a b.yaml":         "k8s/a%20b.yaml",
		"/repo/k8s/apps.yaml":    "k8s/apps.yaml",
		"/elsewhere/x.yaml":      "file:///elsewhere/x.yaml",
		"-":                      "stdin",
		"charts/x/templates/a.y": "charts/x/templates/a.y",
	} {
		if got := sarifURI(in, "/repo"); got != want {
			t.Errorf("sarifURI(%q) = %q, want %q", in, got, want)
		}
	}
}

// SARIF forbids a uriBaseId on an absolute URI (§3.4.4): code scanning could
// not place a finding whose file is outside the checkout either way, but the
// log must stay valid.
func TestSARIFBaseOnlyOnRelative(t *testing.T) {
	if a := artifactOf("/elsewhere/x.yaml", "/repo"); a.URIBaseID != "" || a.URI != "file:///elsewhere/x.yaml" {
		t.Errorf("absolute: %+v", a)
	}
	if a := artifactOf("/repo/k8s/a.yaml", "/repo"); a.URIBaseID != "%SRCROOT%" || a.URI != "k8s/a.yaml" {
		t.Errorf("relative: %+v", a)
	}
}
