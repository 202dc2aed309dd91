package istiodiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Meshdoctor runs the product binary, built from the parent module, on a
// mesh. The binary is exec'd rather than linked: a go.work would put both
// modules on one build list, so Istio's pinned k8s/istio.io/api versions
// would move meshdoctor's (or the reverse) and the harness would test a
// build nobody ships.
type Meshdoctor struct {
	Bin string
	Dir string // scratch directory for mesh files
}

type mdEdge struct {
	Client struct {
		Namespace, Workload, Proxy string
	}
	Server struct {
		Host       string
		Port       int
		Workload   string
		Subset     string
		RoutedPort int `json:"routedPort"`
		Proxy      string
	}
	ClientSends   string
	ServerAccepts string
	Outcome       string
	// Explanation indexes the document's explanations, which hold the cause.
	Explanation int
	Cause       string `json:"-"`
	// BeyondPilot: meshdoctor's own marking of edges pilot does not decide
	// (verdict/beyond.go); such edges are skipped by that rule.
	BeyondPilot []string `json:"beyondPilot,omitempty"`
	// Alternatives: each answer of an unknown edge under one assumption.
	Alternatives []struct {
		Assume  []string
		Outcome string
		Sends   string
	}
}

// hostHeaderRule is meshdoctor's BeyondPilot rule for an edge that hangs on
// the Host header the app sends (verdict.BeyondHostHeader); its
// alternative opening with hostAssume + the Service's FQDN is the answer for
// the Host header the simulation sends (verdict.HostAssumePrefix).
const (
	hostHeaderRule = "host-header"
	hostAssume     = "the app sends Host: "
)

// byRule replaces an edge meshdoctor leaves to the Host header with its
// answer for the FQDN, which is what the simulation sends: compared by
// rule, not skipped. Without such an alternative the edge stays skipped.
func byRule(e mdEdge) mdEdge {
	if !slices.Contains(e.BeyondPilot, hostHeaderRule) {
		return e
	}
	for _, a := range e.Alternatives {
		if len(a.Assume) > 0 && strings.HasPrefix(a.Assume[0], hostAssume+e.Server.Host+" ") {
			e.Outcome, e.ClientSends = a.Outcome, a.Sends
			e.BeyondPilot = slices.DeleteFunc(slices.Clone(e.BeyondPilot), func(r string) bool { return r == hostHeaderRule })
			e.Cause = "[for Host " + e.Server.Host + "] " + e.Cause
			return e
		}
	}
	return e
}

// Analyze returns meshdoctor's verdict per edge key for the mesh in data.
func (m *Meshdoctor) Analyze(name string, data []byte) (map[Key]Verdict, error) {
	f := filepath.Join(m.Dir, name+".yaml")
	if err := os.WriteFile(f, data, 0o644); err != nil {
		return nil, err
	}
	defer os.Remove(f)
	cmd := exec.Command(m.Bin, "analyze", "--all-pairs", "-o", "json", f)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); err != nil && (!ok || ee.ExitCode() > 1) {
		return nil, fmt.Errorf("meshdoctor: %v: %s", err, errb.String())
	}
	var doc struct {
		Edges        []mdEdge `json:"edges"`
		Explanations []struct{ Cause string }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		return nil, fmt.Errorf("meshdoctor json: %v", err)
	}
	for i, e := range doc.Edges {
		if e.Explanation < len(doc.Explanations) {
			doc.Edges[i].Cause = doc.Explanations[e.Explanation].Cause
		}
	}
	res := map[Key]Verdict{}
	groups := map[Key][]mdEdge{}
	for _, e := range doc.Edges {
		e = byRule(e)
		k := Key{Client: e.Client.Namespace + "/" + e.Client.Workload, Host: e.Server.Host, Port: e.Server.Port, Backend: e.Server.Workload,
			Dest: DestOf(e.Server.Subset, e.Server.RoutedPort, e.Server.Port)}
		groups[k] = append(groups[k], e)
	}
	for k, es := range groups {
		v := Verdict{Sends: es[0].ClientSends, Outcome: es[0].Outcome, Skip: strings.Join(es[0].BeyondPilot, "+")}
		var why []string
		for _, e := range es {
			why = append(why, fmt.Sprintf("[subset %q] sends %s, accepts %s, %s: %s", e.Server.Subset, e.ClientSends, e.ServerAccepts, e.Outcome, e.Cause))
			if e.Outcome != v.Outcome || e.ClientSends != v.Sends {
				// Several routed subsets to one backend with different answers.
				v.Outcome, v.Sends = "mixed", "mixed"
			}
		}
		sort.Strings(why)
		v.Why = strings.Join(why, "; ")
		res[k] = v
	}
	return res, nil
}
