package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/spf13/cobra"
)

// inputFlags are the flags every command that reads manifests shares.
type inputFlags struct {
	namespace string
	// nsLabels are --ns-label NS:KEY=VALUE: namespace labels the inputs lack
	// (rendered charts rarely carry their Namespace objects).
	nsLabels    []string
	sources     sourceFlags // --chart, --kustomize, --cluster (inputs.go)
	withSources bool
}

func (f *inputFlags) register(c *cobra.Command) {
	c.Flags().StringVarP(&f.namespace, "namespace", "n", "default", "namespace for objects that do not name one (as kubectl apply -n)")
	c.Flags().StringArrayVar(&f.nsLabels, "ns-label", nil, "label a namespace the inputs do not declare, NS:KEY=VALUE (e.g. shop:istio-injection=enabled); repeatable")
}

// registerSources adds --chart, --kustomize and --cluster; after --namespace,
// since after a --chart, -n names that chart's namespace.
func (f *inputFlags) registerSources(c *cobra.Command) {
	f.sources.register(c)
	f.withSources = true
}

// read gathers every input into one set; unreadable input is a usage error.
func (f *inputFlags) read(paths []string, stdin io.Reader) (source.Set, error) {
	var set source.Set
	var err error
	if f.withSources {
		set, err = f.sources.read(paths, stdin) // files, charts, kustomize, cluster
	} else {
		set, err = readSet(paths, stdin)
	}
	if err != nil {
		return set, err // already a usage error (exit 2)
	}
	if len(set.Objects) == 0 && len(set.Problems) == 0 {
		return set, usageErr(fmt.Errorf("no Kubernetes objects in the inputs %v", paths))
	}
	extra, err := namespaceObjects(f.nsLabels)
	if err != nil {
		return set, usageErr(err)
	}
	set.Objects = append(set.Objects, extra...)
	return set, nil
}

// load reads every input into an inventory.
func (f *inputFlags) load(paths []string, stdin io.Reader) (*inventory.Inventory, error) {
	set, err := f.read(paths, stdin)
	if err != nil {
		return nil, err
	}
	return inventory.Build(set, f.namespace), nil
}

// namespaceObjects turns --ns-label values into Namespace objects, laid over
// the inputs (a later object replaces an earlier one of the same name).
func namespaceObjects(flags []string) ([]source.Object, error) {
	labels := map[string]map[string]string{}
	for _, v := range flags {
		ns, kv, ok := strings.Cut(v, ":")
		k, val, ok2 := strings.Cut(kv, "=")
		if !ok || !ok2 || ns == "" || k == "" {
			return nil, fmt.Errorf("--ns-label %q: want NS:KEY=VALUE", v)
		}
		if labels[ns] == nil {
			labels[ns] = map[string]string{}
		}
		labels[ns][k] = val
	}
	names := make([]string, 0, len(labels))
	for ns := range labels {
		names = append(names, ns)
	}
	sort.Strings(names)
	var out []source.Object
	for _, ns := range names {
		js, _ := json.Marshal(map[string]any{"apiVersion": "v1", "kind": "Namespace",
			"metadata": map[string]any{"name": ns, "labels": labels[ns]}})
		out = append(out, source.Object{Origin: source.Origin{File: "flag:--ns-label"}, APIVersion: "v1", Kind: "Namespace", Name: ns, JSON: js})
	}
	return out, nil
}
