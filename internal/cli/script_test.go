package cli

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the real command as "meshdoctor".
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"meshdoctor": func() { os.Exit(Run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: one user story each.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// The bundled examples, as a user of the repo has them.
			env.Setenv("EXAMPLES", mustAbs("../../examples"))
			env.Setenv("CHARTS", mustAbs("../../source/helm/testdata"))
			env.Setenv("KUSTOMIZE", mustAbs("../../source/kustomize/testdata"))
			return nil
		},
	})
}

func mustAbs(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	return wd + "/" + p
}
