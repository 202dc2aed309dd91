package analysis_test

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/internal/synth"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

const altNamespaces = `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: pay, labels: {istio-injection: enabled}}
`

const altApps = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: web:1, env: [{name: PAY_URL, value: "http://pay.pay.svc.cluster.local:8080"}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: pay, namespace: pay}
spec:
  selector: {matchLabels: {app: pay}}
  template:
    metadata: {labels: {app: pay}}
    spec: {containers: [{name: app, image: pay:1, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: pay, namespace: pay}
spec: {selector: {app: pay}, ports: [{name: http, port: 8080}]}
`

const altStrict = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`

const altIstioMutual = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}
`

func alts(e verdict.Edge) []string {
	var out []string
	for _, a := range e.Alternatives {
		o := string(a.Outcome)
		if a.MTLS {
			o += " mTLS"
		}
		if a.Category != "" {
			o += " " + a.Category
		}
		out = append(out, o+" if "+strings.Join(a.Assume, " and "))
	}
	return out
}

// Each kind of missing fact gives the edge one alternative per value,
// judged by the whole model with that value laid over the inputs; facts
// the outcome does not hang on are dropped, and an edge whose every
// alternative agrees keeps its verdict.
func TestAlternativesOfEachMissingFact(t *testing.T) {
	forbiddenEverywhere := func(kind string) []source.Unread {
		return []source.Unread{{Kind: kind, Reason: "forbidden"}}
	}
	for _, tc := range []struct {
		rule    string
		yaml    []string
		unread  []source.Unread
		outcome verdict.Outcome
		want    []string
		cause   string
	}{
		{rule: "§2 injection: a namespace not in the inputs (labels unknown)",
			yaml: []string{altApps, altStrict, `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}`},
			outcome: verdict.Unknown,
			want: []string{"ok if namespace pay: no istio-injection label",
				"ok mTLS if namespace pay: istio-injection=enabled"},
			cause: "namespace pay is not in the inputs"},
		{rule: "§2 a namespace not in the inputs, but every value gives the same verdict: decided",
			yaml: []string{altApps, `apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {istio-injection: enabled}}`, `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: default, namespace: istio-system}
spec: {host: "*.local", trafficPolicy: {tls: {mode: DISABLE}}}`},
			outcome: verdict.OK, cause: "ok whatever is missing (namespace pay is not in the inputs"},
		{rule: "§2 two namespaces missing: every combination, and the one the outcome does not hang on dropped",
			yaml: []string{altApps, altIstioMutual}, outcome: verdict.Unknown,
			want: []string{"ok if namespace pay: no istio-injection label and namespace shop: no istio-injection label",
				"fail tls-to-plaintext if namespace pay: no istio-injection label and namespace shop: istio-injection=enabled",
				"ok if namespace pay: istio-injection=enabled and namespace shop: no istio-injection label",
				"ok mTLS if namespace pay: istio-injection=enabled and namespace shop: istio-injection=enabled"}},
		{rule: "§4 PeerAuthentications unreadable (RBAC): STRICT, PERMISSIVE or DISABLE at the server",
			yaml: []string{altNamespaces, altApps, altIstioMutual}, unread: forbiddenEverywhere("PeerAuthentication"),
			outcome: verdict.Unknown,
			want: []string{"ok mTLS if the unread PeerAuthentications of pay make it STRICT",
				"ok mTLS if the unread PeerAuthentications of pay make it PERMISSIVE",
				"fail tls-to-plaintext if the unread PeerAuthentications of pay make it DISABLE"},
			cause: "undecided: PeerAuthentications in pay could not be read (forbidden)"},
		{rule: "§4 PeerAuthentications unreadable, server without sidecar: they cannot matter",
			yaml:   []string{strings.Replace(altNamespaces, "{name: pay, labels: {istio-injection: enabled}}", "{name: pay}", 1), altApps, altIstioMutual},
			unread: forbiddenEverywhere("PeerAuthentication"), outcome: verdict.Fail},
		{rule: "§3 DestinationRules unreadable (RBAC): none, ISTIO_MUTUAL or DISABLE in the client's namespace",
			yaml: []string{altNamespaces, altApps, altStrict}, unread: forbiddenEverywhere("DestinationRule"),
			outcome: verdict.Unknown,
			want: []string{"ok mTLS if no unread DestinationRule of shop applies",
				"ok mTLS if an unread DestinationRule of shop sets tls ISTIO_MUTUAL",
				"fail plaintext-to-tls if an unread DestinationRule of shop sets tls DISABLE"},
			cause: "DestinationRules in shop could not be read (forbidden)"},
		{rule: "§3.4 Sidecars unreadable in the client's namespace: open ended, undecided without alternatives",
			yaml: []string{altNamespaces, altApps, altStrict}, unread: []source.Unread{{Kind: "Sidecar", Namespace: "shop", Reason: "forbidden"}},
			outcome: verdict.Unknown, cause: "Sidecars in shop could not be read (forbidden)"},
		{rule: "§2.8 VirtualServices unreadable anywhere: one may be exported to the client, undecided",
			yaml: []string{altNamespaces, altApps, altStrict}, unread: []source.Unread{{Kind: "VirtualService", Namespace: "other", Reason: "forbidden"}},
			outcome: verdict.Unknown, cause: "VirtualServices in other could not be read (forbidden)"},
		{rule: "§3.3 auto mTLS: the mesh config unreadable (RBAC on the root namespace's ConfigMaps)",
			yaml: []string{altNamespaces, altApps, altStrict}, unread: []source.Unread{{Kind: "ConfigMap", Namespace: "istio-system", Reason: "forbidden"}},
			outcome: verdict.Unknown,
			want: []string{"ok mTLS if the unread mesh config leaves auto mTLS on (Istio's default)",
				"fail plaintext-to-tls if the unread mesh config sets enableAutoMtls: false"},
			cause: "the mesh config (ConfigMap istio in istio-system) could not be read (forbidden)"},
		{rule: "§3.3 the mesh config unreadable, but a DestinationRule sets tls: auto mTLS cannot matter",
			yaml:   []string{altNamespaces, altApps, altStrict, altIstioMutual},
			unread: []source.Unread{{Kind: "ConfigMap", Namespace: "istio-system", Reason: "forbidden"}}, outcome: verdict.OK},
		{rule: "Sidecars unreadable only where the client is not: nothing is missing",
			yaml:    []string{altNamespaces, altApps, altStrict},
			unread:  []source.Unread{{Kind: "Sidecar", Namespace: "other", Reason: "forbidden"}},
			outcome: verdict.OK},
		{rule: "read in the namespaces that matter: nothing is missing",
			yaml:    []string{altNamespaces, altApps, altStrict},
			unread:  []source.Unread{{Kind: "PeerAuthentication", Except: []string{"pay", "istio-system"}, Reason: "forbidden"}},
			outcome: verdict.OK},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var set source.Set
			for i, y := range tc.yaml {
				set.Add(source.Parse(fmt.Sprintf("in%d.yaml", i), []byte(y)))
			}
			set.Unread = tc.unread
			r := analysis.Run(inventory.Build(set, "default"), analysis.Options{})
			if len(r.Edges) != 1 {
				t.Fatalf("edges: %v", edgeNames(r))
			}
			e := r.Edges[0]
			if e.Outcome != tc.outcome || !slices.Equal(alts(e), tc.want) || !strings.Contains(e.Cause, tc.cause) {
				t.Errorf("%s (%s)\nalternatives:\n  %s\nwant %s:\n  %s", e.Outcome, e.Cause, strings.Join(alts(e), "\n  "), tc.outcome, strings.Join(tc.want, "\n  "))
			}
			if e.Outcome == verdict.Unknown && e.MTLS {
				t.Error("an undecided edge claims mutual TLS")
			}
			mayFail := slices.ContainsFunc(e.Alternatives, func(a verdict.Alternative) bool { return a.Outcome == verdict.Fail })
			if (r.Summary.UnknownMayFail == 1) != mayFail {
				t.Errorf("summary: %+v", r.Summary)
			}
		})
	}
}

// The seed without its Namespace objects: every OTLP edge unknown, with
// the seed's WRONG_VERSION_NUMBER failure and the working mTLS among its
// alternatives.
func TestSeedWithoutNamespaces(t *testing.T) {
	set := readSeed(t, "../examples/seed/apps.yaml", "../examples/seed/istio-security.yaml", "../examples/seed/otel-collector.yaml")
	r := analysis.Run(inventory.Build(set, "default"), analysis.Options{})
	otlp := 0
	for _, e := range r.Edges {
		if e.Server.Port != 4317 {
			continue
		}
		otlp++
		wrongVersion := slices.ContainsFunc(e.Alternatives, func(a verdict.Alternative) bool {
			return a.Outcome == verdict.Fail && strings.Contains(a.Symptom, "WRONG_VERSION_NUMBER") &&
				slices.Equal(a.Assume, []string{"namespace monitoring: no istio-injection label", "namespace staging-webs: istio-injection=enabled"})
		})
		mtls := slices.ContainsFunc(e.Alternatives, func(a verdict.Alternative) bool { return a.Outcome == verdict.OK && a.MTLS })
		if e.Outcome != verdict.Unknown || !wrongVersion || !mtls {
			t.Errorf("%s → 4317: %s\n  %s", e.Client.Workload, e.Outcome, strings.Join(alts(e), "\n  "))
		}
	}
	if otlp != 4 || r.Summary.UnknownMayFail != 4 || r.Summary.Unknown != 6 {
		t.Errorf("%d OTLP edges, summary %+v", otlp, r.Summary)
	}
}

// TestAlternativesHoldOneModelsOutcomes: the alternatives judge the inputs
// again under each assumption set; what they keep of each is the asked
// edges' outcomes. Holding every set's edges whole took 733 MB of heap for
// this mesh's 20,402 listed pairs (--all-pairs, no Namespace objects) and
// ran out of memory at 181,202. The heap is sampled while Run works (a
// sample can only miss the peak, never invent one).
func TestAlternativesHoldOneModelsOutcomes(t *testing.T) {
	inv := inventory.Build(source.Parse("nons.yaml", synth.WithoutKind(synth.Cluster(synth.Shape{Namespaces: 5, WorkloadsPerNS: 20}), "Namespace")), "default")
	if p := analysis.Pairs(inv); p > analysis.MaxPairs {
		t.Fatalf("want pairs listed edge by edge, got %d pairs", p)
	}
	runtime.GC()
	done, peak := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var top uint64
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			top = max(top, s[0].Value.Uint64())
			select {
			case <-done:
				peak <- top
				return
			case <-tick.C:
			}
		}
	}()
	r := analysis.Run(inv, analysis.Options{AllPairs: true})
	close(done)
	mb := <-peak >> 20
	withAlternatives := 0
	for _, e := range r.Edges {
		if len(e.Alternatives) > 0 {
			withAlternatives++
		}
	}
	if withAlternatives == 0 {
		t.Fatal("want edges with alternatives (every namespace's labels are missing)")
	}
	if mb > 300 {
		t.Fatalf("heap reached %d MB judging %d listed pairs under alternatives: the assumption sets' edges are held", mb, len(r.Edges))
	}
}
