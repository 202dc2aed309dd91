package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/meshdoctor/meshdoctor/source"
)

// The ApplicationSet fields read (applicationset/ in ArgoCD); a generator
// or field not listed is refused.
type applicationSet struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		GoTemplate        bool              `json:"goTemplate"`
		GoTemplateOptions []string          `json:"goTemplateOptions"`
		Generators        []json.RawMessage `json:"generators"`
		Template          json.RawMessage   `json:"template"`
		TemplatePatch     string            `json:"templatePatch"`
	} `json:"spec"`
}

type generator struct {
	List *struct {
		Elements     []map[string]any `json:"elements"`
		ElementsYaml string           `json:"elementsYaml"`
		Template     json.RawMessage  `json:"template"`
	} `json:"list"`
	Git *struct {
		RepoURL         string            `json:"repoURL"`
		Revision        string            `json:"revision"`
		Directories     []gitDirectory    `json:"directories"`
		Files           json.RawMessage   `json:"files"`
		PathParamPrefix string            `json:"pathParamPrefix"`
		Values          map[string]string `json:"values"`
		Template        json.RawMessage   `json:"template"`
		RequeueAfter    *int64            `json:"requeueAfterSeconds"`
	} `json:"git"`
	Selector json.RawMessage `json:"selector"`
}

type gitDirectory struct {
	Path    string `json:"path"`
	Exclude bool   `json:"exclude"`
}

// renderApplicationSet generates the set's Applications as the
// ApplicationSet controller does, then renders each of them.
func renderApplicationSet(obj source.Object, o Options) (source.Set, error) {
	var as applicationSet
	if err := json.Unmarshal(obj.JSON, &as); err != nil {
		return source.Set{}, err
	}
	if as.Spec.TemplatePatch != "" {
		return source.Set{}, unsupported("spec.templatePatch")
	}
	var params []map[string]any
	for i, raw := range as.Spec.Generators {
		var g generator
		if err := decodeStrict(raw, &g, fmt.Sprintf("generators[%d]", i)); err != nil {
			return source.Set{}, err
		}
		p, err := generate(g, as.Spec.GoTemplate, as.Spec.GoTemplateOptions, o)
		if err != nil {
			return source.Set{}, fmt.Errorf("generators[%d]: %w", i, err)
		}
		params = append(params, p...)
	}
	var tmpl any
	if err := json.Unmarshal(as.Spec.Template, &tmpl); err != nil {
		return source.Set{}, fmt.Errorf("spec.template: %w", err)
	}
	var out source.Set
	names := map[string]bool{}
	for _, p := range params {
		rendered, err := renderTemplate(tmpl, p, as.Spec.GoTemplate, as.Spec.GoTemplateOptions)
		if err != nil {
			return out, err
		}
		js, err := json.Marshal(rendered)
		if err != nil {
			return out, err
		}
		var app application
		_ = json.Unmarshal(js, &app)
		if names[app.Metadata.Name] {
			// The controller refuses a set whose Applications share a name.
			return out, fmt.Errorf("generated Applications share the name %q", app.Metadata.Name)
		}
		names[app.Metadata.Name] = true
		set, err := renderApplication(js, obj.Origin, o)
		if err != nil {
			return out, fmt.Errorf("Application %s: %w", app.Metadata.Name, err)
		}
		out.Add(set)
	}
	return out, nil
}

func generate(g generator, goTemplate bool, opts []string, o Options) ([]map[string]any, error) {
	if len(g.Selector) > 0 {
		return nil, unsupported("generator selector")
	}
	switch {
	case g.List != nil:
		if g.List.ElementsYaml != "" || len(g.List.Template) > 0 {
			return nil, unsupported("list generator elementsYaml or template")
		}
		var out []map[string]any
		for _, el := range g.List.Elements {
			out = append(out, listParams(el, goTemplate))
		}
		return out, nil
	case g.Git != nil:
		if len(g.Git.Files) > 0 || len(g.Git.Template) > 0 {
			return nil, unsupported("git files generator or generator template")
		}
		root, err := o.checkout(g.Git.RepoURL)
		if err != nil {
			return nil, err
		}
		dirs, err := gitDirectories(root)
		if err != nil {
			return nil, err
		}
		var out []map[string]any
		for _, d := range filterDirectories(g.Git.Directories, dirs) {
			p := directoryParams(d, g.Git.PathParamPrefix, goTemplate)
			for k, v := range g.Git.Values {
				r, err := replace(v, p, goTemplate, opts)
				if err != nil {
					return nil, err
				}
				if goTemplate {
					vals, _ := p["values"].(map[string]any)
					if vals == nil {
						vals = map[string]any{}
						p["values"] = vals
					}
					vals[k] = r
				} else {
					p["values."+k] = r
				}
			}
			out = append(out, p)
		}
		return out, nil
	}
	return nil, unsupported("generator (only list and git directories are rendered)")
}

// listParams: with fasttemplate each value is a string (other values as
// JSON), "values" flattened to values.KEY (generators/list.go).
func listParams(el map[string]any, goTemplate bool) map[string]any {
	if goTemplate {
		return el
	}
	p := map[string]any{}
	for k, v := range el {
		if k == "values" {
			if m, ok := v.(map[string]any); ok {
				for vk, vv := range m {
					p["values."+vk] = stringOf(vv)
				}
				continue
			}
		}
		p[k] = stringOf(v)
	}
	return p
}

func stringOf(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// gitDirectories lists the checkout's folders, skipping hidden ones, as
// the repo-server's GetGitDirectories does.
func gitDirectories(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if rel, _ := filepath.Rel(root, p); rel != "." {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out, err
}

// filterDirectories is GitGenerator.filterApps: path.Match per entry, and
// any matching exclude entry wins.
func filterDirectories(req []gitDirectory, all []string) []string {
	var out []string
	for _, d := range all {
		in, ex := false, false
		for _, r := range req {
			if ok, err := path.Match(r.Path, d); err == nil && ok {
				if r.Exclude {
					ex = true
				} else {
					in = true
				}
			}
		}
		if in && !ex {
			out = append(out, d)
		}
	}
	return out
}

// directoryParams is GitGenerator.generateParamsFromApps.
func directoryParams(d, prefix string, goTemplate bool) map[string]any {
	p := map[string]any{}
	if goTemplate {
		pp := map[string]any{
			"path": d, "basename": path.Base(d), "basenameNormalized": sanitizeName(path.Base(d)),
			"segments": strings.Split(d, "/"),
		}
		if prefix != "" {
			p[prefix] = map[string]any{"path": pp}
		} else {
			p["path"] = pp
		}
		return p
	}
	name := "path"
	if prefix != "" {
		name = prefix + ".path"
	}
	p[name] = d
	p[name+".basename"] = path.Base(d)
	p[name+".basenameNormalized"] = sanitizeName(path.Base(d))
	for i, s := range strings.Split(d, "/") {
		if s != "" {
			p[name+"["+strconv.Itoa(i)+"]"] = s
		}
	}
	return p
}

var invalidDNS = regexp.MustCompile("[^-a-z0-9.]")

// sanitizeName is applicationset/utils SanitizeName.
func sanitizeName(n string) string {
	n = invalidDNS.ReplaceAllString(strings.ToLower(n), "-")
	if len(n) > 253 {
		n = n[:253]
	}
	return strings.Trim(n, "-.")
}

// renderTemplate replaces parameters in every string of the template,
// as Render.RenderTemplateParams walks the Application.
func renderTemplate(v any, p map[string]any, goTemplate bool, opts []string) (any, error) {
	switch x := v.(type) {
	case string:
		return replace(x, p, goTemplate, opts)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			r, err := renderTemplate(e, p, goTemplate, opts)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case map[string]any:
		out := make(map[string]any, len(x))
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			r, err := renderTemplate(x[k], p, goTemplate, opts)
			if err != nil {
				return nil, err
			}
			out[k] = r
		}
		return out, nil
	}
	return v, nil
}

var templated = regexp.MustCompile(".*{{.*}}.*")

var funcs = func() template.FuncMap {
	f := sprig.GenericFuncMap()
	// ArgoCD removes these (applicationset/utils/utils.go init) and adds
	// normalize; the YAML helpers are not provided here.
	delete(f, "env")
	delete(f, "expandenv")
	delete(f, "getHostByName")
	f["normalize"] = sanitizeName
	return f
}()

// replace is Render.Replace: Go templates with sprig, or fasttemplate's
// {{ key }} where an unknown key stays as written.
func replace(s string, p map[string]any, goTemplate bool, opts []string) (string, error) {
	if goTemplate {
		t := template.New("").Funcs(funcs)
		for _, o := range opts {
			t = t.Option(o)
		}
		t, err := t.Parse(s)
		if err != nil {
			return "", fmt.Errorf("failed to parse template %s: %w", s, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, p); err != nil {
			return "", fmt.Errorf("failed to execute go template %s: %w", s, err)
		}
		return b.String(), nil
	}
	if !templated.MatchString(s) {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.Index(s[i+2:], "}}")
		if j < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		tag := s[i+2 : i+2+j]
		if r, ok := p[strings.TrimSpace(tag)].(string); ok && strings.TrimSpace(tag) != "" {
			b.WriteString(r)
		} else {
			b.WriteString("{{" + tag + "}}")
		}
		s = s[i+2+j+2:]
	}
	return b.String(), nil
}
