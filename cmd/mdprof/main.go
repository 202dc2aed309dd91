// Command mdprof runs meshdoctor with profiles, for the README's "Speed"
// section: a CPU profile of the whole run, and a heap profile taken at the
// collection that found the largest live heap (the high-water mark that
// sets peak memory), which `go tool pprof -sample_index=inuse_space` reads.
//
//	go run ./cmd/mdprof -cpuprofile cpu.out -heapprofile heap.out analyze -o json mesh.yaml >/dev/null
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"sync"

	"github.com/meshdoctor/meshdoctor/internal/cli"
)

func main() {
	cpu := flag.String("cpuprofile", "", "write a CPU profile of the run to `file`")
	heap := flag.String("heapprofile", "", "write the heap profile of the largest live heap to `file`")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: mdprof [-cpuprofile file] [-heapprofile file] meshdoctor-args...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *cpu != "" {
		f, err := os.Create(*cpu)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	var hw highWater
	if *heap != "" {
		runtime.MemProfileRate = 64 << 10 // finer than the default 512 KiB
		hw.arm()
	}
	code := cli.Run(flag.Args(), os.Stdin, os.Stdout, os.Stderr)
	if *cpu != "" {
		pprof.StopCPUProfile()
	}
	if *heap != "" {
		live, gcs, prof := hw.result()
		if err := os.WriteFile(*heap, prof, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Fprintf(os.Stderr, "mdprof: largest live heap %.1f MiB (of %d collections)\n", float64(live)/(1<<20), gcs)
	}
	os.Exit(code)
}

// highWater keeps the heap profile of the collection with the largest live
// heap. A finalizer runs after every collection (its object dies in each
// and re-arms itself); the profile it writes is the one that collection
// published.
type highWater struct {
	mu   sync.Mutex
	max  uint64
	gcs  int
	best bytes.Buffer
}

func (h *highWater) arm() {
	runtime.SetFinalizer(new([16]byte), func(*[16]byte) {
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		metrics.Read(s)
		h.mu.Lock()
		h.gcs++
		if live := s[0].Value.Uint64(); live > h.max {
			h.max = live
			h.best.Reset()
			pprof.Lookup("heap").WriteTo(&h.best, 0)
		}
		h.mu.Unlock()
		h.arm()
	})
}

func (h *highWater) result() (uint64, int, []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.max, h.gcs, bytes.Clone(h.best.Bytes())
}
