package analysis

import (
	"os"
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
)

// FuzzAnalyze: any bytes through the whole pipeline never panic.
func FuzzAnalyze(f *testing.F) {
	for _, p := range []string{"../examples/seed/apps.yaml", "../examples/seed/istio-security.yaml",
		"../examples/seed/otel-collector.yaml", "../examples/seed-fix/peerauthentication.yaml", "testdata/fixtures/foo-bar-legacy.yaml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: x}\nspec: {portLevelMtls: {\"0\": {mode: 7}}}\n"))
	f.Add([]byte("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: x}\nspec: {host: '*', trafficPolicy: {portLevelSettings: [{}]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		Run(inventory.Build(source.Parse("fuzz.yaml", data), "default"), Options{AllPairs: true})
	})
}
