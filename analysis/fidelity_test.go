package analysis_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// edgeHeader is the "# edge:" line of a reproducer in ../shared/fidelity.
var edgeHeader = regexp.MustCompile(`(?m)^# edge: (\S+)/(\S+) -> (\S+):(\d+) \(backend ([^)]*)\)`)

// TestFidelityReproducers runs each of ../shared/fidelity's meshes, on which
// Istio's pilot and meshdoctor once disagreed, and checks the named edge now
// gets Istio's answer (docs/semantics.md §10; the scenarios fidelity-*.txtar
// pin the same rules on meshes of our own).
func TestFidelityReproducers(t *testing.T) {
	dir := "../../shared/fidelity"
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/fidelity is not beside the repository:", err)
	}
	runReproducers(t, dir, []reproCase{
		{"tls-port-ignores-tcp-route.yaml", "§10.1 tls port: tcp routes ignored, default cluster", verdict.OK, "plaintext", ""},
		{"headless-self-call.yaml", "§10.6 loopback self-call bypasses both sidecars", verdict.OK, "plaintext", ""},
		{"vs-applied-to-invisible-service.yaml", "§10.2 hidden service: no VirtualService, BlackHole", verdict.Fail, "blackhole", ""},
		{"vs-http-and-tcp-routes-mixed.yaml", "§10.1 sniffed port: tcp route only for non-HTTP bytes", verdict.Fail, "istio-mtls", "tcp"},
		{"original-dst-subset-ignores-labels.yaml", "§10.3 ORIGINAL_DST subset reaches every pod", verdict.OK, "plaintext", ""},
		{"routed-subset-selects-no-pod.yaml", "§10.3 empty subset: 503 no healthy upstream", verdict.Fail, "none", ""},
		{"vs-applied-to-uncaptured-traffic.yaml", "§10.2 uncaptured port: no VirtualService", verdict.OK, "plaintext", ""},
		{"service-port-15001.yaml", "§10.5 HTTP port 15001: blackhole chain", verdict.Fail, "blackhole", ""},
		{"passthrough-subset-mtls-mode.yaml", "§10.4 PASSTHROUGH subset: ORIGINAL_DST, mode from the subset's policy", verdict.Fail, "istio-mtls", ""},
	})
}

// reproCase is a reproducer file and Istio's answer for its named edge.
type reproCase struct {
	file, rule string
	outcome    verdict.Outcome
	sends      string
	// sniffed: the edge is taken only by those bytes on a sniffed port
	// (Istio's simulation sent HTTP, so it had none for "tcp").
	sniffed string
}

func runReproducers(t *testing.T, dir string, cases []reproCase) {
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			checkReproducer(t, filepath.Join(dir, tc.file), tc.rule, tc.outcome, tc.sends, tc.sniffed)
		})
	}
}

// checkReproducer runs the reproducer at path (headed by "# edge:") and
// checks its named edge — the one whose sniffed bytes are sniffed, when a
// sniffed port splits it — gets outcome and sends.
func checkReproducer(t *testing.T, path, rule string, outcome verdict.Outcome, sends, sniffed string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h := edgeHeader.FindStringSubmatch(string(data))
	if h == nil {
		t.Fatalf("%s: no # edge: header", path)
	}
	set, err := source.ReadPaths([]string{path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(inventory.Build(set, "default"), analysis.Options{AllPairs: true})
	if h[5] == "<none>" { // an edge to a host outside the mesh has no backend
		h[5] = ""
	}
	var found []verdict.Edge
	for _, e := range res.Edges {
		if e.Client.Namespace == h[1] && e.Client.Workload == h[2] && e.Server.Host == h[3] &&
			strconv.Itoa(int(e.Server.Port)) == h[4] && e.Server.Workload == h[5] && (e.Server.Sniffed == "" || e.Server.Sniffed == sniffed) {
			found = append(found, e)
		}
	}
	if len(found) == 0 && h[5] != "" {
		// A call that fails before a backend is chosen is one edge without
		// one, standing for every backend (as istio-diff's expandNoBackend reads it).
		for _, e := range res.Edges {
			if e.Client.Namespace == h[1] && e.Client.Workload == h[2] && e.Server.Host == h[3] &&
				strconv.Itoa(int(e.Server.Port)) == h[4] && e.Server.Workload == "" && (e.Server.Sniffed == "" || e.Server.Sniffed == sniffed) {
				found = append(found, e)
			}
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: %d edges %s/%s -> %s:%s (backend %s), want 1: %+v", rule, len(found), h[1], h[2], h[3], h[4], h[5], found)
	}
	e := found[0]
	if slices.Contains(e.BeyondPilot, verdict.BeyondHostHeader) {
		// Pilot's simulation sends the Service's FQDN as the Host header: the
		// alternative assuming it is the answer to compare (as istio-diff does).
		// When that Host leaves more than one answer (other facts missing
		// too), the edge stays unknown.
		var fqdn []verdict.Alternative
		for _, a := range e.Alternatives {
			if strings.HasPrefix(a.Assume[0], verdict.HostAssumePrefix+e.Server.Host+" ") {
				fqdn = append(fqdn, a)
			}
		}
		if len(fqdn) == 1 {
			e.Outcome, e.ClientSends = fqdn[0].Outcome, fqdn[0].Sends
		}
	}
	if e.Outcome != outcome || string(e.ClientSends) != sends || e.Server.Sniffed != sniffed {
		t.Errorf("%s: got outcome=%s sends=%s sniffed=%q, want %s %s %q (cause: %s)", rule, e.Outcome, e.ClientSends, e.Server.Sniffed,
			outcome, sends, sniffed, e.Cause)
	}
}
