// Command meshdoctor finds, explains, fixes and verifies Istio mTLS breakage.
package main

import (
	"os"

	"github.com/meshdoctor/meshdoctor/internal/cli"
)

func main() { os.Exit(cli.Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
