package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/check"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// sarifPairs are the results of the pairs judged by class: one per cause,
// under the edge rules (failing pairs are failing edges no manifest
// declares: MD0101 at error; undecided ones MD0102 at its level), with the
// counts, the largest class pair and an example pair, located at the
// example's deciding object as an edge's finding is.
func sarifPairs(ap *analysis.AllPairs, index map[string]int, base string) []sarifResult {
	var out []sarifResult
	for _, c := range pairCauses(ap) {
		rule, how := check.EdgeFails, "fail"
		if c.Outcome == verdict.Unknown {
			rule, how = check.EdgeUndecided, "are undecided"
		}
		msg := fmt.Sprintf("%s (of %d judged, every workload × Service port) %s this way (%s, in %s): %s.",
			plural(c.Pairs, "pair"), ap.Pairs, how, c.split(), plural(c.ClassPairs, "class pair"), c.Cause)
		if c.Symptom != "" {
			msg += " Client sees: " + c.Symptom + "."
		}
		msg += " Largest class pair: " + c.largest(ap) + "."
		res := sarifResult{RuleID: rule.Code, RuleIndex: index[rule.Code], Level: sarifLevel(rule.Severity)}
		if e, ok := c.example(); ok {
			msg += fmt.Sprintf(" Example: %s %s/%s → %s:%d.", e.Client.Kind, e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port)
			if d, ok := decidingRef(e); ok {
				res.Locations = []sarifLocation{refLocation(d, base)}
			}
		}
		res.Message = sarifText{Text: msg}
		sum := sha256.Sum256([]byte(rule.Code + "\x00pairs\x00" + string(c.Category) + "\x00" + c.Cause))
		res.PartialFingerprints = map[string]string{"meshdoctorPairs/v1": hex.EncodeToString(sum[:16])}
		out = append(out, res)
	}
	return out
}

// decidingRef is the example edge's first deciding policy object with a
// file, else its first deciding object with one (as check.EdgeFails
// locates a failing edge's finding).
func decidingRef(e verdict.Edge) (inventory.Ref, bool) {
	var first *inventory.Ref
	for i, d := range e.DecidedBy {
		if d.File == "" {
			continue
		}
		switch d.Kind {
		case "DestinationRule", "PeerAuthentication", "Sidecar":
			return d, true
		}
		if first == nil {
			first = &e.DecidedBy[i]
		}
	}
	if first == nil {
		return inventory.Ref{}, false
	}
	return *first, true
}

// refLocation locates an object at its file:line.
func refLocation(d inventory.Ref, base string) sarifLocation {
	line := max(d.Line, 1)
	obj := d.Kind + " " + d.Name
	if d.Namespace != "" {
		obj = d.Kind + " " + d.Namespace + "/" + d.Name
	}
	return sarifLocation{
		PhysicalLocation: sarifPhysical{ArtifactLocation: artifactOf(d.File, base), Region: sarifRegion{StartLine: line}},
		LogicalLocations: []sarifLogical{{Name: d.Name, FullyQualifiedName: obj, Kind: "object"}},
	}
}
