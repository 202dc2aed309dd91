package istiodiff

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	istiolog "istio.io/istio/pkg/log"
)

var (
	flagMeshes  = flag.Int("meshes", 0, "number of random meshes to compare (0: skip TestDifferential)")
	flagSeed    = flag.Int64("seed", 1, "first generator seed")
	flagMD      = flag.String("meshdoctor", "", "meshdoctor binary (default: built from the parent module)")
	flagRepro   = flag.String("repro", "", "write one shrunk reproducer per disagreement signature into this directory")
	flagShrink  = flag.Int("shrink-budget", 120, "evaluations per shrink")
	flagVerb    = flag.Bool("show", false, "print every disagreement, not one per signature")
	flagMax     = flag.Int("repro-max", 20, "shrink at most this many signatures, most frequent first")
	flagDump    = flag.String("dump", "", "write each generated mesh as seed-N.yaml into this directory")
	flagClassic = flag.Bool("classic", false, "generate the classic shapes only (no weighted routes, ServiceEntries, gateways)")
)

var (
	mdOnce sync.Once
	md     *Meshdoctor
	mdErr  error
)

func meshdoctor(t *testing.T) *Meshdoctor {
	mdOnce.Do(func() {
		dir, err := os.MkdirTemp("", "istio-diff-")
		if err != nil {
			mdErr = err
			return
		}
		bin := *flagMD
		if bin == "" {
			bin = filepath.Join(dir, "meshdoctor")
			start := time.Now()
			cmd := exec.Command("go", "build", "-o", bin, "./cmd/meshdoctor")
			cmd.Dir = ".."
			if out, err := cmd.CombinedOutput(); err != nil {
				mdErr = fmt.Errorf("building meshdoctor: %v\n%s", err, out)
				return
			}
			fmt.Printf("built meshdoctor from the parent module in %s\n", time.Since(start).Round(time.Millisecond))
		}
		md = &Meshdoctor{Bin: bin, Dir: dir}
	})
	if mdErr != nil {
		t.Fatal(mdErr)
	}
	return md
}

// judge runs Istio and meshdoctor on one mesh; ok is false when the Istio
// harness itself failed on it (reported, never counted).
func judge(t *testing.T, name string, objs []obj) (tally Tally, ds []Disagreement, ok bool) {
	m := meshdoctor(t)
	data := ToYAML(objs)
	t.Run(name, func(t *testing.T) {
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("istio harness panicked: %v", r)
			}
		}()
		c, err := Layout(objs)
		if err != nil {
			t.Error(err)
			return
		}
		o, err := NewOracle(t, c)
		if err != nil {
			t.Error(err)
			return
		}
		istio := o.Edges()
		mdv, err := m.Analyze(strings.ReplaceAll(name, "/", "_"), data)
		if err != nil {
			t.Error(err)
			return
		}
		gws := map[string]bool{}
		for _, p := range c.Pods {
			if p.Gateway {
				gws[p.Namespace+"/"+p.Workload] = true
			}
		}
		tally, ds = CompareShapes(istio, mdv, gws)
		ok = !t.Failed()
	})
	return tally, ds, ok
}

type found struct {
	d    Disagreement
	seed int64
	objs []obj
	n    int
}

// TestDifferential compares Istio's pilot and meshdoctor on -meshes random
// meshes. Run it with ./run.sh (outside CI).
func TestDifferential(t *testing.T) {
	if *flagMeshes == 0 {
		t.Skip("set -meshes N (see istio-diff/run.sh); the differential run is not part of CI")
	}
	start := time.Now()
	var total Tally
	sigs := map[string]*found{}
	kinds := map[string]int{}
	failedMeshes := 0
	for i := 0; i < *flagMeshes; i++ {
		seed := *flagSeed + int64(i)
		objs := Normalize(Generate(seed, Options{Extended: !*flagClassic}))
		if *flagDump != "" {
			if err := os.WriteFile(filepath.Join(*flagDump, fmt.Sprintf("seed-%d.yaml", seed)), ToYAML(objs), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tally, ds, ok := judge(t, fmt.Sprintf("seed-%d", seed), objs)
		if !ok {
			failedMeshes++
			continue
		}
		total.Add(tally)
		for _, d := range ds {
			kinds[d.Kind]++
			if *flagVerb {
				t.Logf("seed %d: %s", seed, d)
			}
			s := d.Signature()
			if f, ok := sigs[s]; ok {
				f.n++
			} else {
				sigs[s] = &found{d: d, seed: seed, objs: objs, n: 1}
			}
		}
		if (i+1)%100 == 0 {
			fmt.Printf("%d meshes, %d edges judged, %d agree (%.2f%%), %s\n", i+1, total.Judged, total.Agree, pct(total.Agree, total.Judged), time.Since(start).Round(time.Second))
		}
	}
	fmt.Printf("\nRESULT: %d meshes (seeds %d..%d), %d edges judged, %d agree: %.2f%%; %d disagree; harness failures %d; %s\n",
		*flagMeshes, *flagSeed, *flagSeed+int64(*flagMeshes)-1, total.Judged, total.Agree, pct(total.Agree, total.Judged),
		total.Judged-total.Agree, failedMeshes, time.Since(start).Round(time.Second))
	fmt.Printf("skipped by rule: %v\n", total.Skipped)
	for _, sh := range []string{"classic", "weighted", "serviceentry", "gateway", "gateway-routed"} {
		v := total.ByShape[sh]
		fmt.Printf("shape %s: %d judged, %d agree (%.2f%%)\n", sh, v[0], v[1], pct(v[1], v[0]))
	}
	fmt.Printf("disagreements by kind: %v\n", kinds)
	var order []*found
	for _, f := range sigs {
		order = append(order, f)
	}
	sort.Slice(order, func(i, j int) bool { return order[i].n > order[j].n })
	for _, f := range order {
		fmt.Printf("\n[%d edges] seed %d: %s\n", f.n, f.seed, f.d)
	}
	if *flagRepro != "" {
		for i, f := range order {
			if i < *flagMax {
				writeRepro(t, f)
			}
		}
	}
	if failedMeshes > 0 {
		t.Errorf("%d meshes failed in the Istio harness", failedMeshes)
	}
	if total.Judged != total.Agree {
		t.Errorf("%d of %d edges disagree", total.Judged-total.Agree, total.Judged)
	}
}

func pct(a, b int) float64 {
	if b == 0 {
		return 100
	}
	return 100 * float64(a) / float64(b)
}

func writeRepro(t *testing.T, f *found) {
	sig := f.d.Signature()
	// A shrink that makes a disagreement of a kind the mesh did not have
	// (a Service left without its Deployment's pods, say) reproduces
	// something else too, and the reproducer would fail for it: rejected.
	orig := map[string]bool{}
	if _, ds, ok := judge(t, fmt.Sprintf("shrink-%d/0", f.seed), f.objs); ok {
		for _, d := range ds {
			orig[d.Signature()] = true
		}
	}
	n := 0
	var last Disagreement
	small := Shrink(f.objs, func(cand []obj) bool {
		n++
		_, ds, ok := judge(t, fmt.Sprintf("shrink-%d/%d", f.seed, n), cand)
		if !ok {
			return false
		}
		hit := false
		for _, d := range ds {
			if !orig[d.Signature()] {
				return false
			}
			if d.Key == f.d.Key && d.Signature() == sig {
				last, hit = d, true
			}
		}
		return hit
	}, *flagShrink)
	if last.Kind == "" {
		last = f.d
	}
	if err := os.MkdirAll(*flagRepro, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(*flagRepro, ReproName(f.d))
	body := ReproHeader(last, f.seed, fmt.Sprintf("seen on %d edges of this signature in the run.\nIstio function (harness's reading): %s", f.n, Reading(last))) + string(ToYAML(small))
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("wrote %s (%d documents, %d evaluations)\n", path, len(small), n)
}

// TestRepros replays every reproducer under repro/ and fails while Istio
// and meshdoctor still disagree on any of them.
func TestRepros(t *testing.T) {
	files, _ := filepath.Glob("repro/*.yaml")
	if len(files) == 0 {
		t.Skip("no reproducers")
	}
	if *flagMeshes == 0 && os.Getenv("ISTIO_DIFF_REPROS") == "" {
		t.Skip("set ISTIO_DIFF_REPROS=1 (run.sh does) to replay reproducers")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := FromYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		tally, ds, ok := judge(t, filepath.Base(f), objs)
		status := "agrees"
		if len(ds) > 0 {
			status = fmt.Sprintf("%d disagreements", len(ds))
		}
		fmt.Printf("%s: %d edges judged, %s (harness ok %v)\n", f, tally.Judged, status, ok)
		for _, d := range ds {
			t.Errorf("%s still disagrees: %s", f, d)
		}
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	// Istio's packages log at info; the differential run prints its own summary.
	for _, s := range istiolog.Scopes() {
		s.SetOutputLevel(istiolog.NoneLevel)
	}
	os.Exit(m.Run())
}
