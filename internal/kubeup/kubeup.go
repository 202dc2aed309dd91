// Package kubeup starts ../shared/tools/kube-up — a real kube-apiserver on
// loopback, optionally with its fake kubelet serving pods/log from files —
// for tests, and skips them clearly when it is not built. A start takes
// ~9 s: share one cluster per test binary.
package kubeup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Cluster is a running kube-up cluster.
type Cluster struct {
	Dir        string
	Script     string
	KubectlBin string
	// Kubeconfig is the admin's; Limited the RBAC-limited user's (see kube-up).
	Kubeconfig, Limited string
	// LogDir holds the fake kubelet's logs: LogDir/<ns>/<pod>/<container>.log
	// (and .previous.log), read at each request.
	LogDir string
	// Node is the Node pods are bound to with spec.nodeName.
	Node string
}

// Find returns the kube-up script and its kubectl when kube-up has been
// built (cached binaries); otherwise t is skipped, never built.
func Find(t testing.TB) (script, kubectl string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: skipping the real kube-apiserver test (kube-up)")
	}
	script = os.Getenv("MESHDOCTOR_KUBE_UP")
	if script == "" {
		// shared/ lies beside the repository; find it from the package directory up.
		for _, p := range []string{"../shared/tools/kube-up", "../../shared/tools/kube-up", "../../../shared/tools/kube-up", "/work/shared/tools/kube-up"} {
			if _, err := os.Stat(p); err == nil {
				script = p
				break
			}
		}
	}
	if _, err := os.Stat(script); script == "" || err != nil {
		t.Skipf("kube-up not available (set MESHDOCTOR_KUBE_UP): skipping the real kube-apiserver test")
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	root := filepath.Join(cache, "kube-up")
	bin := filepath.Join(root, "k8s-v"+env("KUBE_UP_K8S_VERSION", "1.37.2"), "bin")
	kubectl = filepath.Join(bin, "kubectl")
	for _, f := range []string{filepath.Join(bin, "kube-apiserver"), kubectl,
		filepath.Join(root, "etcd-v"+env("KUBE_UP_ETCD_VERSION", "3.7.3"), "bin", "etcd"),
		filepath.Join(root, "istio-api-v"+env("KUBE_UP_ISTIO_API_VERSION", "1.32.0"), "customresourcedefinitions.gen.yaml"),
	} {
		if _, err := os.Stat(f); err != nil {
			t.Skipf("kube-up is not built (%s missing; `%s build` takes ~10 minutes once): skipping the real kube-apiserver test", f, script)
		}
	}
	return script, kubectl
}

// Start starts a fresh cluster with the fake kubelet; it is stopped when t ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	script, kubectl := Find(t)
	dir := t.TempDir()
	c := &Cluster{Dir: dir, Script: script, KubectlBin: kubectl, Kubeconfig: filepath.Join(dir, "kubeconfig"),
		Limited: filepath.Join(dir, "kubeconfig-limited"), LogDir: filepath.Join(dir, "logs"), Node: "kube-up-node"}
	if v := os.Getenv("KUBE_UP_NODE"); v != "" {
		c.Node = v
	}
	start := time.Now()
	if out, err := exec.Command(script, "start", dir).CombinedOutput(); err != nil {
		t.Fatalf("kube-up start: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command(script, "stop", dir).Run() })
	if err := os.MkdirAll(c.LogDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(script, "kubelet", dir, c.LogDir).CombinedOutput(); err != nil {
		t.Fatalf("kube-up kubelet: %v\n%s", err, out)
	}
	t.Logf("kube-up with kubelet started in %s", time.Since(start).Round(time.Millisecond))
	return c
}

// Kubectl runs kubectl as the admin with stdin; a failure ends the test.
func (c *Cluster) Kubectl(t testing.TB, stdin string, args ...string) string {
	t.Helper()
	out, err := c.kubectl(stdin, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// kubectl runs kubectl as the admin with stdin and returns its output.
func (c *Cluster) kubectl(stdin string, args ...string) ([]byte, error) {
	cmd := exec.Command(c.KubectlBin, append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	return cmd.CombinedOutput()
}

// WriteLog sets what the fake kubelet serves for one container's log
// (previous: the last terminated instance's).
func (c *Cluster) WriteLog(t testing.TB, ns, pod, container string, previous bool, body string) {
	t.Helper()
	dir := filepath.Join(c.LogDir, ns, pod)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	name := container + ".log"
	if previous {
		name = container + ".previous.log"
	}
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ApplyNamespacesFirst applies a folder of manifests whose namespaces.yaml
// declares the namespaces the rest lives in. An API server that has just
// started can still refuse an object in a namespace created a moment before
// ("namespaces X not found": its admission cache has not caught up), seen
// here under load; so the rest is applied again, a bounded number of times,
// only while that is the error.
func (c *Cluster) ApplyNamespacesFirst(t testing.TB, dir string) {
	t.Helper()
	c.Kubectl(t, "", "apply", "-f", filepath.Join(dir, "namespaces.yaml"))
	var out []byte
	var err error
	for wait := 50 * time.Millisecond; wait < 10*time.Second; wait *= 2 {
		if out, err = c.kubectl("", "apply", "-f", dir); err == nil {
			return
		}
		if !strings.Contains(string(out), "not found") {
			break
		}
		time.Sleep(wait) // backoff between retries of a refused create, not synchronisation
	}
	t.Fatalf("kubectl apply -f %s: %v\n%s", dir, err, out)
}
