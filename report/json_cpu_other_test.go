//go:build !unix

package report

import "testing"

// reportCPU reports nothing where getrusage is not.
func reportCPU(*testing.B) func() { return func() {} }
