package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/kubeup"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// TestLiveScopeKubeUp is issue 13 on a real API server holding the seed's
// cluster: -n is what to judge, not what to read (the DestinationRule in
// istio-system and the collector in monitoring decide staging-webs' edges);
// a fix laid over the cluster shows the edges ok with or without -n; a user
// who may not read PeerAuthentications gets unknown with the reason, never
// ok; and fix --cluster -o yaml applies with kubectl as written.
func TestLiveScopeKubeUp(t *testing.T) {
	kc := kubeup.Start(t)
	seed, _ := filepath.Abs("../../examples/seed")
	kc.ApplyNamespacesFirst(t, seed)
	live := func(kubeconfig string, args ...string) (int, analysis.Result, string) {
		t.Helper()
		code, out, stderr := run(t, "", append([]string{"analyze", "--cluster", "--kubeconfig", kubeconfig, "-o", "json"}, args...)...)
		r, err := report.ReadResult([]byte(out))
		if err != nil {
			t.Fatalf("analyze %v: exit %d, %v\n%s\n%s", args, code, err, out, stderr)
		}
		return code, r, stderr
	}
	otlp := func(r analysis.Result) []verdict.Edge {
		var out []verdict.Edge
		for _, e := range r.Edges {
			if e.Server.Port == 4317 && e.Client.Namespace == "staging-webs" {
				out = append(out, e)
			}
		}
		return out
	}

	// -n staging-webs: the four OTLP edges fail with the client sidecar's error.
	code, r, _ := live(kc.Kubeconfig, "-n", "staging-webs")
	if es := otlp(r); code != ExitProblems || len(es) != 4 {
		t.Fatalf("-n staging-webs: exit %d, %d OTLP edges: %+v", code, len(es), r.Summary)
	}
	for _, e := range otlp(r) {
		if e.Outcome != verdict.Fail || !strings.Contains(e.Symptom, "WRONG_VERSION_NUMBER") {
			t.Errorf("%s → 4317: %s %s", e.Client.Workload, e.Outcome, e.Symptom)
		}
	}

	// The fix meshdoctor proposes from the live state, laid over it.
	code, fixYAML, stderr := run(t, "", "fix", "--cluster", "--kubeconfig", kc.Kubeconfig, "-n", "staging-webs", "-o", "yaml")
	if code != ExitOK || fixYAML == "" {
		t.Fatalf("fix -o yaml: exit %d\n%s\n%s", code, fixYAML, stderr)
	}
	for _, owned := range []string{"resourceVersion", "uid:", "creationTimestamp", "managedFields", "last-applied-configuration", "status:"} {
		if strings.Contains(fixYAML, owned) {
			t.Errorf("fix output keeps the server-owned %s:\n%s", owned, fixYAML)
		}
	}
	fixFile := filepath.Join(t.TempDir(), "fix.yaml")
	if err := os.WriteFile(fixFile, []byte(fixYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-n", "staging-webs", fixFile}, {fixFile}} {
		code, r, stderr := live(kc.Kubeconfig, args...)
		if es := otlp(r); code != ExitOK || len(es) != 4 {
			t.Errorf("%v: exit %d, %d OTLP edges, %+v\n%s", args, code, len(es), r.Summary, stderr)
		}
		for _, e := range otlp(r) {
			if e.Outcome != verdict.OK {
				t.Errorf("%v: %s → 4317: %s (%s)", args, e.Client.Workload, e.Outcome, e.Cause)
			}
		}
	}

	// Forbidden to read PeerAuthentications: what they could change is
	// unknown with the reason; nothing is ok on a guess.
	_, r, _ = live(kc.Limited, "-n", "staging-webs")
	if r.Summary.Edges != 6 {
		t.Errorf("limited user: %+v", r.Summary)
	}
	for _, e := range r.Edges {
		switch {
		case e.Server.Port == 4317 && e.Outcome != verdict.Fail:
			// The collector has no sidecar: no PeerAuthentication can save it.
			t.Errorf("limited: %s → 4317: %s (%s)", e.Client.Workload, e.Outcome, e.Cause)
		case e.Server.Port != 4317 && (e.Outcome != verdict.Unknown || !strings.Contains(e.Cause, "PeerAuthentications in") || !strings.Contains(e.Cause, "could not be read (forbidden)")):
			t.Errorf("limited: %s → %s: %s (%s), want unknown saying what could not be read", e.Client.Workload, e.Server.Service, e.Outcome, e.Cause)
		}
	}

	// fix --cluster -o patch: the kubectl commands run as printed.
	code, script, stderr := run(t, "", "fix", "--cluster", "--kubeconfig", kc.Kubeconfig, "-n", "staging-webs", "-o", "patch")
	if code != ExitOK || !strings.Contains(script, "kubectl ") {
		t.Fatalf("fix -o patch: exit %d\n%s\n%s", code, script, stderr)
	}
	sh := exec.Command("sh", "-e")
	sh.Stdin = strings.NewReader(script)
	sh.Env = append(os.Environ(), "KUBECONFIG="+kc.Kubeconfig, "PATH="+filepath.Dir(kc.KubectlBin)+":"+os.Getenv("PATH"))
	if out, err := sh.CombinedOutput(); err != nil {
		t.Fatalf("running fix -o patch: %v\n%s\n%s", err, script, out)
	}
	if code, r, _ := live(kc.Kubeconfig, "-n", "staging-webs"); code != ExitOK || r.Summary.Failing != 0 {
		t.Errorf("after fix -o patch: exit %d, %+v\n%s", code, r.Summary, script)
	}

	// fix --cluster -o yaml | kubectl apply -f - succeeds (over the patched
	// objects too), and the cluster then passes.
	kc.Kubectl(t, fixYAML, "apply", "-f", "-")
	code, r, _ = live(kc.Kubeconfig, "-n", "staging-webs")
	if code != ExitOK || r.Summary.Failing != 0 {
		t.Errorf("after kubectl apply of the fix: exit %d, %+v", code, r.Summary)
	}
}
