package telemetry

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/rogpeppe/go-internal/txtar"
)

// loadPaths builds a model from files or folders.
func loadPaths(t *testing.T, paths ...string) *Model {
	t.Helper()
	set, err := source.ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Build(inventory.Build(set, "default"))
}

// loadTxtar builds a model from the .yaml files of a testdata archive.
func loadTxtar(t *testing.T, name string) *Model {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var set source.Set
	for _, f := range ar.Files {
		if strings.HasSuffix(f.Name, ".yaml") {
			set.Add(source.Parse(f.Name, f.Data))
		}
	}
	if len(set.Problems) > 0 {
		t.Fatalf("input problems: %v", set.Problems)
	}
	return Build(inventory.Build(set, "default"))
}

func senderOf(t *testing.T, m *Model, ns, name string) *Sender {
	t.Helper()
	for _, s := range m.Senders {
		if s.Workload.Namespace == ns && s.Workload.Name == name && s.Collector == nil {
			return s
		}
	}
	t.Fatalf("no sender %s/%s among %d", ns, name, len(m.Senders))
	return nil
}

func exportOf(t *testing.T, s *Sender, sig Signal) Export {
	t.Helper()
	for _, e := range s.Exports {
		if e.Signal == sig {
			return e
		}
	}
	t.Fatalf("%s/%s exports no %s (off: %v)", s.Workload.Namespace, s.Workload.Name, sig, s.Off)
	return Export{}
}
