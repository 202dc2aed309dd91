package action

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"text/template"

	sigsyaml "sigs.k8s.io/yaml"
)

// TestKrewManifest renders .krew.yaml as krew-release-bot does and checks
// the plugin manifest: one platform per GoReleaser target, each URL an
// archive .goreleaser.yaml names, and the binary inside it.
func TestKrewManifest(t *testing.T) {
	tmpl, err := os.ReadFile("../.krew.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	funcs := template.FuncMap{"addURIAndSha": func(url, tag string) (string, error) {
		var b bytes.Buffer
		if err := template.Must(template.New("u").Parse(url)).Execute(&b, map[string]string{"TagName": tag}); err != nil {
			return "", err
		}
		urls = append(urls, b.String())
		return fmt.Sprintf("uri: %s\n      sha256: %x", b.String(), sha256.Sum256(b.Bytes())), nil
	}}
	var out bytes.Buffer
	if err := template.Must(template.New("krew").Funcs(funcs).Parse(string(tmpl))).Execute(&out, map[string]string{"TagName": "v1.2.3"}); err != nil {
		t.Fatal(err)
	}
	var plugin struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name string `json:"name"`
		} `json:"metadata"`
		Spec struct {
			Version          string `json:"version"`
			Homepage         string `json:"homepage"`
			ShortDescription string `json:"shortDescription"`
			Description      string `json:"description"`
			Platforms        []struct {
				Selector struct {
					MatchLabels map[string]string `json:"matchLabels"`
				} `json:"selector"`
				URI    string `json:"uri"`
				Sha256 string `json:"sha256"`
				Bin    string `json:"bin"`
			} `json:"platforms"`
		} `json:"spec"`
	}
	if err := sigsyaml.UnmarshalStrict(out.Bytes(), &plugin); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if plugin.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || plugin.Kind != "Plugin" || plugin.Spec.Version != "v1.2.3" || plugin.Metadata.Name != "meshdoctor" || plugin.Spec.ShortDescription == "" {
		t.Errorf("manifest header: %+v", plugin)
	}
	gr, err := os.ReadFile("../.goreleaser.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The archive name GoReleaser writes, for each os/arch it builds.
	if !strings.Contains(string(gr), `name_template: "{{ .ProjectName }}_{{ .Tag }}_{{ .Os }}_{{ .Arch }}"`) {
		t.Fatal(".goreleaser.yaml archive name_template changed: update .krew.yaml and this test")
	}
	seen := map[string]bool{}
	for _, p := range plugin.Spec.Platforms {
		os, arch := p.Selector.MatchLabels["os"], p.Selector.MatchLabels["arch"]
		ext, bin := "tar.gz", "meshdoctor"
		if os == "windows" {
			ext, bin = "zip", "meshdoctor.exe"
		}
		want := fmt.Sprintf("https://github.com/meshdoctor/meshdoctor/releases/download/v1.2.3/meshdoctor_v1.2.3_%s_%s.%s", os, arch, ext)
		if p.URI != want || p.Bin != bin || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(p.Sha256) {
			t.Errorf("%s/%s: uri %s bin %s, want %s and %s", os, arch, p.URI, p.Bin, want, bin)
		}
		seen[os+"/"+arch] = true
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		for _, arch := range []string{"amd64", "arm64"} {
			if !seen[os+"/"+arch] {
				t.Errorf("no krew platform for %s/%s", os, arch)
			}
			if !strings.Contains(string(gr), os) || !strings.Contains(string(gr), arch) {
				t.Errorf(".goreleaser.yaml does not build %s/%s", os, arch)
			}
		}
	}
}

// TestImageDefinition: the image builds the command GoReleaser builds,
// static, with the same version stamp, and leaves the command to the
// caller (kubectl debug … -- meshdoctor probe …).
func TestImageDefinition(t *testing.T) {
	data, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	d := string(data)
	for _, want := range []string{"CGO_ENABLED=0", "./cmd/meshdoctor", "internal/cli.version=${VERSION}", "FROM gcr.io/distroless/static", "USER nonroot"} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if regexp.MustCompile(`(?m)^\s*ENTRYPOINT`).MatchString(d) {
		t.Error("an ENTRYPOINT would turn `kubectl debug … -- meshdoctor probe` into `meshdoctor meshdoctor probe`")
	}
}
