package source

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// Inputs are everything a command was told to read, in command-line order:
// paths and stdin, and the kinds registered with RegisterKind (charts,
// kustomize builds, the live cluster, …). Read composes them into one Set in
// which a later object replaces an earlier one of the same
// kind/namespace/name, as applying them in that order would — so
// `A --chart C fix.yaml` judges the chart's objects with fix.yaml applied.
// A Base input (the live cluster) lies under all of them.
//
// The namespace concepts are kept apart: DefaultNamespace is where objects
// that name none land (a chart may set its own); Scope is what to judge.
type Inputs struct {
	// List is every local input in command-line order. Positional paths
	// join it through SetArgs, at the place they were given.
	List []Input
	// Base is read under List (nil: none); it gets List's objects as its
	// overlay, so that it can drop what they replace.
	Base Base
	// DefaultNamespace is -n given outside any chart; "" means "default".
	DefaultNamespace string
	// Scope is -n / -A: the namespaces the user asks about. Read does not
	// interpret it beyond passing it to the inputs (the live cluster).
	Scope Scope
	// Labels are --ns-label NS:KEY=VALUE, laid over the composed objects:
	// a Namespace the inputs declare gets the label, one they lack is added.
	Labels []NamespaceLabel
	// AllowEmpty lets Read return a set without objects (one side of a diff
	// may not exist yet); otherwise that is an error.
	AllowEmpty bool

	fs     *pflag.FlagSet
	pos    []int // pos[i]: positional args seen when List[i] was added
	open   Input // the input that takes the options after it (-n, -f, …)
	checks []func(*Inputs) error
}

// Scope is what the user asked to judge: one namespace, or all of them.
type Scope struct {
	Namespace string // -n outside any chart; "" when not given
	All       bool   // -A
}

// NamespaceLabel is one --ns-label value.
type NamespaceLabel struct{ Namespace, Key, Value string }

// Input is one local input.
type Input interface {
	Read(env Env) (Set, error)
	String() string // as given on the command line, for messages
}

// Base is an input read under every other one: it receives the composed
// local objects and returns them laid over its own.
type Base interface {
	ReadUnder(env Env, overlay Set) (Set, error)
	String() string
}

// Namespaced is an Input that takes its own -n when given right after it
// (a chart's .Release.Namespace).
type Namespaced interface {
	Input
	SetNamespace(ns string) error
}

// Env is what inputs read with.
type Env struct {
	Context context.Context
	Stdin   io.Reader
	// Stderr receives notices for people (reading stdin, progress); only
	// when it is a terminal should an input draw progress on it.
	Stderr           io.Writer
	DefaultNamespace string // never ""
	Scope            Scope
}

// Kind is a kind of input beyond paths: Register adds its flags to fs, and
// their Set methods add inputs to in (in.Add, in.SetBase) in order.
type Kind struct {
	Name     string
	Register func(fs *pflag.FlagSet, in *Inputs)
}

var kinds []Kind

// RegisterKind makes a kind of input available to every command that reads
// inputs. Input packages call it from init.
func RegisterKind(k Kind) { kinds = append(kinds, k) }

// Register adds every input flag to fs — -n/--namespace, -A,
// --ns-label and each registered kind's — so that a flag means the same
// in every command. It must be the FlagSet the command parses with.
func (in *Inputs) Register(fs *pflag.FlagSet) {
	in.fs = fs
	fs.VarP(nsValue{in}, "namespace", "n", "namespace for objects that name none (as kubectl apply -n), and the namespace asked about; after a --chart, that chart's namespace (.Release.Namespace)")
	fs.BoolVarP(&in.Scope.All, "all-namespaces", "A", false, "every namespace (with --cluster: read them all)")
	fs.Var(labelValue{in}, "ns-label", "label a namespace, NS:KEY=VALUE (e.g. shop:istio-injection=enabled), for namespaces rendered charts do not declare; repeatable")
	for _, k := range kinds {
		k.Register(fs, in)
	}
}

// RegisterPaths adds a flag whose values are paths read at their place in
// the order (explain --manifests, where the positional argument is a log).
func (in *Inputs) RegisterPaths(fs *pflag.FlagSet, name, usage string) {
	fs.Var(pathsFlag{in}, name, usage)
}

// Add appends an input at the current place of the command line; it takes
// the options that follow it when it is Namespaced.
func (in *Inputs) Add(i Input) {
	n := 0
	if in.fs != nil {
		n = in.fs.NArg()
	}
	in.List = append(in.List, i)
	in.pos = append(in.pos, n)
	in.open = nil
	if _, ok := i.(Namespaced); ok {
		in.open = i
	}
}

// SetBase sets the input read under all others; the open input closes.
func (in *Inputs) SetBase(b Base) { in.Base, in.open = b, nil }

// Open is the input that takes the options given after it, or nil.
func (in *Inputs) Open() Input { return in.open }

// Check adds a validation run by Read before anything is read (flags that
// need another flag, say).
func (in *Inputs) Check(f func(*Inputs) error) { in.checks = append(in.checks, f) }

// SetArgs places the positional paths among the inputs where they were
// given: a path given after --chart C comes after C.
func (in *Inputs) SetArgs(args []string) {
	if len(args) == 0 {
		return
	}
	var list []Input
	var pos []int
	next := 0
	for i, it := range in.List {
		for ; next < len(args) && next < in.pos[i]; next++ {
			list, pos = append(list, Paths{args[next]}), append(pos, next)
		}
		list, pos = append(list, it), append(pos, in.pos[i])
	}
	for ; next < len(args); next++ {
		list, pos = append(list, Paths{args[next]}), append(pos, next)
	}
	in.List, in.pos = list, pos
}

// Given reports whether any input was given.
func (in *Inputs) Given() bool { return len(in.List) > 0 || in.Base != nil }

// Namespace is the default namespace for objects that name none.
func (in *Inputs) Namespace() string {
	if in.DefaultNamespace == "" {
		return "default"
	}
	return in.DefaultNamespace
}

// OnlyPaths refuses every input that is not a path (for commands that read
// paths in two ways, like diff); what says which command refuses.
func (in *Inputs) OnlyPaths(what string) error {
	if in.Base != nil {
		return fmt.Errorf("%s reads paths only, not %s", what, in.Base)
	}
	for _, it := range in.List {
		if _, ok := it.(Paths); !ok {
			return fmt.Errorf("%s reads paths only, not %s (render it to a file first)", what, it)
		}
	}
	return nil
}

// PathList is the paths among the inputs, in order.
func (in *Inputs) PathList() []string {
	var p []string
	for _, it := range in.List {
		if x, ok := it.(Paths); ok {
			p = append(p, x.Path)
		}
	}
	return p
}

// ErrNoInput is returned by Read when no input was given.
var ErrNoInput = errors.New("no input: give files or folders of manifests, - for stdin, --chart, --kustomize or --cluster")

// Read reads every input and composes them in command-line order, the
// Base under them all and the namespace labels over them. Any error is an
// input error (the command exits 2); documents that are not objects are
// only Problems — unless no object at all was read.
func (in *Inputs) Read(ctx context.Context, stdin io.Reader, stderr io.Writer) (Set, error) {
	var set Set
	for _, c := range in.checks {
		if err := c(in); err != nil {
			return set, err
		}
	}
	if in.Scope.All && in.Scope.Namespace != "" {
		return set, errors.New("--all-namespaces and --namespace cannot be used together")
	}
	if !in.Given() {
		return set, ErrNoInput
	}
	stdinUses := 0
	for _, it := range in.List {
		if p, ok := it.(Paths); ok && p.Path == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return set, errors.New("- (stdin) given more than once")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	env := Env{Context: ctx, Stdin: stdin, Stderr: stderr, DefaultNamespace: in.Namespace(), Scope: in.Scope}
	for _, it := range in.List {
		s, err := it.Read(env)
		if err != nil {
			return set, err
		}
		set.Add(s)
	}
	if in.Base != nil {
		var err error
		if set, err = in.Base.ReadUnder(env, set); err != nil {
			return set, err
		}
	}
	set.Objects = append(set.Objects, labelNamespaces(set.Objects, in.Labels)...)
	if len(set.Objects) == 0 && !in.AllowEmpty {
		return set, noObjects(in, set)
	}
	return set, nil
}

// noObjects says what was read instead of objects.
func noObjects(in *Inputs, set Set) error {
	var names []string
	for _, it := range in.List {
		names = append(names, it.String())
	}
	if in.Base != nil {
		names = append(names, in.Base.String())
	}
	msg := "no Kubernetes objects in " + strings.Join(names, ", ")
	const show = 3
	for i, p := range set.Problems {
		if i == show {
			msg += fmt.Sprintf("\n  … and %d more", len(set.Problems)-show)
			break
		}
		msg += "\n  " + p.Error()
	}
	return errors.New(msg)
}

// Paths is a file, a folder (read recursively) or "-" for stdin.
type Paths struct{ Path string }

func (p Paths) String() string { return p.Path }

func (p Paths) Read(env Env) (Set, error) {
	if p.Path == "-" {
		Reading(env.Stdin, env.Stderr)
		return ReadPaths([]string{"-"}, env.Stdin)
	}
	if dir := chartDir(p.Path); dir != "" {
		return Set{}, fmt.Errorf("%s is a Helm chart, not rendered manifests: use --chart %s", p.Path, dir)
	}
	set, err := ReadPaths([]string{p.Path}, nil)
	if err == nil && len(set.Objects) == 0 && len(set.Problems) == 0 {
		if st, e := os.Stat(p.Path); e == nil && st.IsDir() {
			err = fmt.Errorf("%s holds no manifest files (*.yaml, *.yml, *.json)", p.Path)
		}
	}
	return set, err
}

// chartDir is the chart folder p is or names (its Chart.yaml), or "".
func chartDir(p string) string {
	if filepath.Base(p) == "Chart.yaml" {
		return filepath.Dir(p)
	}
	if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
		return p
	}
	return ""
}

// Reading tells a person at a terminal that r, their keyboard, is being
// read (a command waiting on stdin otherwise looks hung).
func Reading(r io.Reader, w io.Writer) {
	if w != nil && Terminal(r) {
		fmt.Fprintln(w, "meshdoctor: reading standard input (end with Ctrl-D; give a file or pipe to avoid this)")
	}
}

// Terminal reports whether f is a terminal (not merely a character
// device: /dev/null is one too).
func Terminal(f any) bool {
	file, ok := f.(*os.File)
	return ok && file != nil && term.IsTerminal(int(file.Fd()))
}

// labelNamespaces turns the labels into Namespace objects laid over objs:
// the last Namespace of that name in objs with the labels added, or a new
// one.
func labelNamespaces(objs []Object, labels []NamespaceLabel) []Object {
	if len(labels) == 0 {
		return nil
	}
	byNS := map[string]map[string]string{}
	for _, l := range labels {
		if byNS[l.Namespace] == nil {
			byNS[l.Namespace] = map[string]string{}
		}
		byNS[l.Namespace][l.Key] = l.Value
	}
	declared := map[string]Object{}
	for _, o := range objs {
		if o.Kind == "Namespace" && o.APIVersion == "v1" {
			declared[o.Name] = o
		}
	}
	names := make([]string, 0, len(byNS))
	for ns := range byNS {
		names = append(names, ns)
	}
	sort.Strings(names)
	var out []Object
	for _, ns := range names {
		m := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}
		origin := Origin{File: "flag:--ns-label"}
		if d, ok := declared[ns]; ok {
			var dm map[string]any
			if json.Unmarshal(d.JSON, &dm) == nil {
				m = dm
			}
			origin = Origin{File: d.Origin.String() + " + flag:--ns-label"}
		}
		md, _ := m["metadata"].(map[string]any)
		if md == nil {
			md = map[string]any{"name": ns}
			m["metadata"] = md
		}
		l, _ := md["labels"].(map[string]any)
		if l == nil {
			l = map[string]any{}
		}
		for k, v := range byNS[ns] {
			l[k] = v
		}
		md["labels"] = l
		js, _ := json.Marshal(m)
		out = append(out, Object{Origin: origin, APIVersion: "v1", Kind: "Namespace", Name: ns, JSON: js})
	}
	return out
}

// nsValue is -n/--namespace: the open input's namespace, or the default
// namespace and the scope.
type nsValue struct{ in *Inputs }

func (v nsValue) String() string { return v.in.DefaultNamespace }
func (v nsValue) Type() string   { return "string" }
func (v nsValue) Set(x string) error {
	if n, ok := v.in.open.(Namespaced); ok {
		return n.SetNamespace(x)
	}
	if v.in.Scope.Namespace != "" && v.in.Scope.Namespace != x {
		return fmt.Errorf("namespace already given as %s (a chart's namespace goes right after its --chart)", v.in.Scope.Namespace)
	}
	v.in.DefaultNamespace, v.in.Scope.Namespace = x, x
	return nil
}

type labelValue struct{ in *Inputs }

func (v labelValue) Type() string { return "NS:KEY=VALUE" }
func (v labelValue) String() string {
	var s []string
	for _, l := range v.in.Labels {
		s = append(s, l.Namespace+":"+l.Key+"="+l.Value)
	}
	return strings.Join(s, ",")
}
func (v labelValue) Set(x string) error {
	ns, kv, ok := strings.Cut(x, ":")
	k, val, ok2 := strings.Cut(kv, "=")
	if !ok || !ok2 || ns == "" || k == "" {
		return fmt.Errorf("%q: want NS:KEY=VALUE", x)
	}
	v.in.Labels = append(v.in.Labels, NamespaceLabel{ns, k, val})
	return nil
}

type pathsFlag struct{ in *Inputs }

func (v pathsFlag) Type() string   { return "path" }
func (v pathsFlag) String() string { return strings.Join(v.in.PathList(), ",") }
func (v pathsFlag) Set(x string) error {
	for _, p := range strings.Split(x, ",") {
		if p != "" {
			v.in.Add(Paths{p})
		}
	}
	return nil
}
