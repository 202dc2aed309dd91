package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
)

// SARIF 2.1.0, as GitHub code scanning reads it.
const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	toolInfoURI  = "https://github.com/meshdoctor/meshdoctor"
)

// SARIFOptions tune the SARIF log.
type SARIFOptions struct {
	// ToolVersion is reported as the driver's version when set.
	ToolVersion string
	// BaseDir, when set, makes absolute file paths relative to it (the
	// repository root, usually the working directory).
	BaseDir string
	// Hidden is what the output controls took out, counted in the run's properties.
	Hidden Hidden
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Properties count the findings the output controls took out.
	Properties map[string]int `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties,omitempty"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations,omitempty"`
	PartialFingerprints map[string]string `json:"partialFingerprints,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical  `json:"physicalLocation"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

func sarifLevel(s check.Severity) string {
	switch s {
	case check.Error:
		return "error"
	case check.Warning:
		return "warning"
	}
	return "note"
}

// SARIF writes the findings as a SARIF 2.1.0 log: one rule per check of the
// catalogue, one result per finding, located at the finding's file:line;
// with pairs judged at scale, one result more per cause of failing (or
// undecided) pairs, so that a gate fails on pairs as it does on edges.
func SARIF(w io.Writer, r analysis.Result, opt SARIFOptions) error {
	index := map[string]int{}
	rules := make([]sarifRule, 0, len(check.All))
	for i, c := range check.All {
		index[c.Code] = i
		rules = append(rules, sarifRule{
			ID:                   c.Code,
			Name:                 c.Name,
			ShortDescription:     sarifText{Text: c.Summary()},
			FullDescription:      sarifText{Text: c.Doc},
			Help:                 sarifText{Text: c.Doc, Markdown: "**" + c.Code + " " + c.Name + "**: " + c.Doc},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(c.Severity)},
			Properties:           map[string]any{"tags": []string{"istio", "mtls", string(c.Severity)}},
		})
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		ri, ok := index[f.Code]
		if !ok { // a code outside the catalogue: declare it so the log stays valid
			ri = len(rules)
			index[f.Code] = ri
			rules = append(rules, sarifRule{ID: f.Code, Name: f.Check, ShortDescription: sarifText{Text: f.Check},
				FullDescription: sarifText{Text: f.Check}, Help: sarifText{Text: f.Check},
				DefaultConfiguration: sarifConfig{Level: sarifLevel(f.Severity)}})
		}
		res := sarifResult{RuleID: f.Code, RuleIndex: ri, Level: sarifLevel(f.Severity), Message: sarifText{Text: f.Message}}
		if f.File != "" {
			res.Locations = []sarifLocation{refLocation(inventory.Ref{Kind: f.Object.Kind, Namespace: f.Object.Namespace,
				Name: f.Object.Name, File: f.File, Line: f.Line}, opt.BaseDir)}
		}
		sum := sha256.Sum256([]byte(f.Code + "\x00" + f.Object.Kind + "\x00" + f.Object.Namespace + "\x00" + f.Object.Name + "\x00" + f.Message))
		res.PartialFingerprints = map[string]string{"meshdoctorFinding/v1": hex.EncodeToString(sum[:16])}
		results = append(results, res)
	}
	if r.AllPairs != nil {
		results = append(results, sarifPairs(r.AllPairs, index, opt.BaseDir)...)
	}
	log := sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{{
		Tool:    sarifTool{Driver: sarifDriver{Name: "meshdoctor", InformationURI: toolInfoURI, Version: opt.ToolVersion, Rules: rules}},
		Results: results,
	}}}
	if h := opt.Hidden; h.Suppressed+h.BelowSeverity > 0 {
		log.Runs[0].Properties = map[string]int{"suppressedFindings": h.Suppressed, "findingsBelowMinSeverity": h.BelowSeverity}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifURI makes a relative, forward-slash URI reference of a file path.
// artifactOf locates a file: relative to %SRCROOT% when it can be, else
// by an absolute file:// URI, which SARIF forbids a uriBaseId on (§3.4.4).
func artifactOf(file, base string) sarifArtifact {
	u := sarifURI(file, base)
	if strings.HasPrefix(u, "file://") {
		return sarifArtifact{URI: u}
	}
	return sarifArtifact{URI: u, URIBaseID: "%SRCROOT%"}
}

func sarifURI(file, base string) string {
	if file == "-" {
		return "stdin"
	}
	if filepath.IsAbs(file) && base != "" {
		if rel, err := filepath.Rel(base, file); err == nil && !strings.HasPrefix(rel, "..") {
			file = rel
		}
	}
	u := filepath.ToSlash(filepath.Clean(file))
	if filepath.IsAbs(file) {
		return "file://" + pathEscape(u)
	}
	return pathEscape(u)
}

// pathEscape percent-encodes what a URI reference cannot hold, keeping '/'.
func pathEscape(p string) string {
	var b strings.Builder
	for _, c := range []byte(p) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.IndexByte("-._~/!$&'()*+,;=:@", c) >= 0:
			b.WriteByte(c)
		default:
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}
