package report

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/diff"
	"github.com/meshdoctor/meshdoctor/explain"
	"github.com/meshdoctor/meshdoctor/fix"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/lab"
	"github.com/meshdoctor/meshdoctor/probe"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// render runs f twice (the output must not vary) and compares it with the
// golden file.
func render(t *testing.T, name string, f func(*bytes.Buffer) error) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		var a, b bytes.Buffer
		if err := f(&a); err != nil {
			t.Fatal(err)
		}
		if err := f(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Fatal("two renders of the same result differ")
		}
		golden(t, name, a.Bytes())
	})
}

func readSet(t *testing.T, paths ...string) source.Set {
	t.Helper()
	set, err := source.ReadPaths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestAnalyzeTextGolden: the text report of the seed, colour off and on.
func TestAnalyzeTextGolden(t *testing.T) {
	r := seedResult(t)
	render(t, "seed.txt", func(b *bytes.Buffer) error { return Text(b, r, Style{}) })
	render(t, "seed-color.txt", func(b *bytes.Buffer) error { return Text(b, r, Style{Color: true}) })
	fixed := seedResult(t, "../examples/seed", "../examples/seed-fix")
	render(t, "seed-fixed.txt", func(b *bytes.Buffer) error { return Text(b, fixed, Style{}) })
}

func TestExplainGolden(t *testing.T) {
	f, err := os.Open("../explain/testdata/seed-wrapped.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rep, err := explain.Explain(f)
	if err != nil {
		t.Fatal(err)
	}
	explain.Correlate(rep, seedResult(t).Edges)
	render(t, "explain-seed.txt", func(b *bytes.Buffer) error { return ExplainText(b, rep) })
	render(t, "explain-seed.json", func(b *bytes.Buffer) error { return ExplainJSON(b, rep) })
	empty := &explain.Report{Lines: 1}
	render(t, "explain-empty.txt", func(b *bytes.Buffer) error { return ExplainText(b, empty) })
	render(t, "explain-empty.json", func(b *bytes.Buffer) error { return ExplainJSON(b, empty) })
}

func TestFixGolden(t *testing.T) {
	set := readSet(t, "../examples/seed")
	render(t, "fix-seed.txt", func(b *bytes.Buffer) error { return FixText(b, fix.PlanAll(set, "default", fix.Filter{}), "") })
	none := fix.PlanAll(set, "default", fix.Filter{Strategy: "restore-outbound-capture"})
	render(t, "fix-seed-strategy.txt", func(b *bytes.Buffer) error { return FixText(b, none, "restore-outbound-capture") })
	render(t, "fix-none.txt", func(b *bytes.Buffer) error { return FixText(b, nil, "") })
}

func TestHelmFiles(t *testing.T) {
	set := readSet(t, "../examples/seed")
	o := fix.TopChanges(set, "default", fix.Filter{Strategy: "dr-disable+pa-permissive", NewObjectsOnly: true})
	dir := t.TempDir()
	var log bytes.Buffer
	if err := HelmFiles(dir, o.Changes, false, &log); err != nil {
		t.Fatal(err)
	}
	if err := HelmFiles(dir, o.Changes, false, &log); err != nil {
		t.Errorf("rewriting the same content: %v", err)
	}
	p := dir + "/" + fix.HelmFileName(o.Changes[0])
	os.WriteFile(p, []byte("mine"), 0o644)
	if err := HelmFiles(dir, o.Changes, false, &log); err == nil {
		t.Error("a template with other content was overwritten without --force")
	}
	if err := HelmFiles(dir, o.Changes, true, &log); err != nil {
		t.Errorf("--force: %v", err)
	}
}

func TestDiffGolden(t *testing.T) {
	before, after := readSet(t, "../examples/seed"), readSet(t, "../examples/seed", "../examples/seed-fix")
	bi, ai := inventory.Build(before, "default"), inventory.Build(after, "default")
	r := diff.Compare(analysis.Run(bi, analysis.Options{}), analysis.Run(ai, analysis.Options{}), analysis.Ports(bi), analysis.Ports(ai))
	render(t, "diff-seed-fix.txt", func(b *bytes.Buffer) error { return DiffText(b, r) })
	render(t, "diff-seed-fix.md", func(b *bytes.Buffer) error { return DiffMarkdown(b, r) })
	render(t, "diff-none.txt", func(b *bytes.Buffer) error { return DiffText(b, diff.Report{}) })
}

// TestLabGolden renders a recorded exchange (lab.Run's real sockets are
// tested in lab/); the prediction is the model's own.
func TestLabGolden(t *testing.T) {
	c, _ := lab.ParseClient("sidecar:istio-mtls")
	s, _ := lab.ParseServer("none")
	cfg := lab.Config{Client: c, Server: s, OTLP: "grpc", Protocol: "http"}
	p := lab.Predict(cfg)
	res := []lab.Result{{
		Client: c.String(), Server: s.String(), OTLP: "grpc", Protocol: "http",
		Edge:      "staging-webs/auth-guard → otel-collector.monitoring:4317 (Deployment otel-collector)",
		Predicted: lab.Prediction{Outcome: p.Outcome, MTLS: p.MTLS, Category: string(p.Category), Symptom: p.Symptom, Cause: p.Cause},
		Real: lab.Observation{Outcome: verdict.Fail, Category: "tls-to-plaintext", SpansReceived: 0, Duration: "12ms",
			Error: "rpc error: code = Unavailable desc = upstream connect error or disconnect/reset before headers",
			Wire:  []string{"client app → client sidecar: plaintext h2c", "client sidecar → server: TLS ClientHello (istio mTLS)", "server app: answered the ClientHello with HTTP/2 SETTINGS"}},
		Agree: true, Notes: []string{"categories agree"},
	}, {
		Client: "none:plaintext", Server: "sidecar:strict", OTLP: "http", Protocol: "http",
		Predicted: lab.Prediction{Outcome: verdict.Fail, Cause: "plaintext to STRICT"},
		Real:      lab.Observation{Outcome: verdict.OK, SpansReceived: 1, Duration: "3ms", MTLS: true},
	}}
	render(t, "lab.txt", func(b *bytes.Buffer) error { return LabText(b, res) })
	render(t, "lab.json", func(b *bytes.Buffer) error { return LabJSON(b, res) })
}

func TestProbeGolden(t *testing.T) {
	rep := probe.Report{
		Target: "otel-collector.monitoring:4317", Address: "10.96.12.40:4317", Mode: "auto", OK: false,
		Protocols: []string{"h2c", "grpc"},
		Steps: []probe.Step{
			{Name: "tcp", OK: true, Duration: 412 * time.Microsecond, Detail: "connected"},
			{Name: "tls", OK: false, Duration: 1234567 * time.Nanosecond, Detail: "tls: first record does not look like a TLS handshake", Category: "tls-to-plaintext"},
			{Name: "http1", OK: false, Duration: 2 * time.Millisecond, Detail: "no HTTP/1.1 answer"},
			{Name: "grpc", OK: true, Duration: 3 * time.Millisecond, Detail: "grpc-status 12 (unimplemented): a gRPC server"},
		},
		TLS: &probe.TLSInfo{Version: "TLS 1.3", ALPN: "istio-peer-exchange", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientCertRequested: true,
			Chain: []probe.CertInfo{{Subject: "", Issuer: "O=cluster.local", URIs: []string{"spiffe://cluster.local/ns/monitoring/sa/otel-collector"}}}},
		Export:   &probe.ExportInfo{Protocol: "grpc", Endpoint: "http://otel-collector.monitoring:4317", GRPCCode: "Unavailable"},
		Findings: []string{"the port speaks plaintext gRPC: a sidecar originating istio mTLS to it fails with WRONG_VERSION_NUMBER"},
	}
	render(t, "probe.txt", func(b *bytes.Buffer) error { return ProbeText(b, rep) })
	render(t, "probe-nothing.txt", func(b *bytes.Buffer) error {
		return ProbeText(b, probe.Report{Target: "x:1", Address: "127.0.0.1:1", Mode: "tcp", Steps: []probe.Step{{Name: "tcp", Detail: "connection refused", Category: "connection-refused"}}})
	})
}
