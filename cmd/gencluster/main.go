// Command gencluster writes a large synthetic cluster as YAML on stdout:
//
//	go run ./cmd/gencluster -namespaces 200 -workloads 100 > /tmp/big.yaml
//	meshdoctor analyze /tmp/big.yaml
package main

import (
	"flag"
	"os"

	"github.com/meshdoctor/meshdoctor/internal/synth"
)

func main() {
	var s synth.Shape
	flag.IntVar(&s.Namespaces, "namespaces", 200, "number of namespaces")
	flag.IntVar(&s.WorkloadsPerNS, "workloads", 100, "workloads per namespace")
	flag.Parse()
	os.Stdout.Write(synth.Cluster(s))
}
