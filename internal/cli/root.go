// Package cli holds meshdoctor's cobra commands: flags, wiring and exit codes.
// Each command lives in its own file and registers itself in init.
package cli

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit codes are part of the contract: scripts and CI gate on them.
const (
	ExitOK       = 0 // nothing fails
	ExitProblems = 1 // an edge fails or an error finding exists
	ExitUsage    = 2 // usage error or unreadable input
)

// exitError carries an exit code out of a command without printing twice.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// usageErr marks err as a usage or input error (exit 2).
func usageErr(err error) error { return &exitError{code: ExitUsage, err: err} }

// problemsFound makes a command exit 1 without an error message.
var problemsFound = &exitError{code: ExitProblems}

// version is set at release time with -ldflags "-X .../internal/cli.version=v1.2.3".
var version = "0.1.0-dev"

// versionString is --version: the module version, else the release's.
func versionString() string {
	if v := moduleVersion(); v != "" {
		return v
	}
	return version
}

// moduleVersion is the module version the binary was built from (go
// install m@v1.2.3), or "" when built from a checkout.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return ""
}

// commands are added by each command file's init.
var commands []func() *cobra.Command

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "meshdoctor",
		Short:         "Find, explain, fix and verify Istio mTLS breakage",
		Long:          "meshdoctor predicts, for every client → service port, what the client sends, what the server accepts and the outcome under Istio mTLS — with the policy objects that decided it.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr(err) })
	for _, c := range commands {
		root.AddCommand(c())
	}
	return root
}

// Run executes meshdoctor with args and returns the process exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "meshdoctor:", ee.err)
		}
		return ee.code
	}
	// cobra's own errors (unknown command, bad args) are usage errors.
	fmt.Fprintln(stderr, "meshdoctor:", err)
	return ExitUsage
}
