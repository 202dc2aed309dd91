package lab

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// cell is one point of the model-vs-reality matrix.
type cell struct {
	client, server, otlp string
	proto                mesh.Protocol
}

func (c cell) name() string {
	return fmt.Sprintf("%s→%s/%s@%s", c.client, c.server, c.otlp, c.proto)
}

func (c cell) run(t *testing.T) Result {
	t.Helper()
	cl, err := ParseClient(c.client)
	if err != nil {
		t.Fatal(err)
	}
	sv, err := ParseServer(c.server)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Config{Client: cl, Server: sv, OTLP: c.otlp, Protocol: c.proto})
	if err != nil {
		t.Fatalf("lab setup: %v", err)
	}
	return res
}

// matrixCells: every client × every server for gRPC and OTLP/HTTP on an
// HTTP-declared port, plus gRPC on tcp- and auto-declared ports where the
// port's protocol changes the rule (non-istio TLS into PERMISSIVE or DISABLE).
func matrixCells() []cell {
	clients := []string{"none:plaintext", "none:tls", "sidecar:istio-mtls", "sidecar:plaintext", "sidecar:tls", "sidecar:mtls"}
	var out []cell
	for _, cl := range clients {
		for _, sv := range ServerSpecs {
			out = append(out, cell{cl, sv, "grpc", mesh.ProtoHTTP}, cell{cl, sv, "http", mesh.ProtoHTTP})
			if sv == "sidecar:permissive" || sv == "sidecar:disable" {
				out = append(out, cell{cl, sv, "grpc", mesh.ProtoTCP}, cell{cl, sv, "grpc", mesh.ProtoAuto})
			}
		}
	}
	return out
}

// TestModelMatchesReality runs each cell for real and holds the model to it.
func TestModelMatchesReality(t *testing.T) {
	var mu sync.Mutex
	rows := map[string]string{}
	t.Cleanup(func() { // after the parallel subtests: one table to read
		keys := make([]string, 0, len(rows))
		for k := range rows {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%-52s %s\n", k, rows[k])
		}
		t.Logf("cell → predicted | real\n%s", b.String())
	})
	for _, c := range matrixCells() {
		t.Run(c.name(), func(t *testing.T) {
			t.Parallel()
			res := c.run(t)
			mu.Lock()
			rows[c.name()] = fmt.Sprintf("%s [%s] | %s [%s] mtls=%t %v", res.Predicted.Outcome, res.Predicted.Category, res.Real.Outcome, res.Real.Category, res.Real.MTLS, res.Notes)
			mu.Unlock()
			p, r := res.Predicted, res.Real
			t.Logf("predicted %s [%s] %s | real %s [%s] %s | notes %v", p.Outcome, p.Category, p.Symptom, r.Outcome, r.Category, r.Error, res.Notes)
			if p.Outcome == verdict.Unknown {
				if p.Cause == "" {
					t.Errorf("model says unknown without a reason")
				}
				return
			}
			if !res.Agree {
				t.Errorf("model %s, reality %s (%s)\nwire:\n  %s", p.Outcome, r.Outcome, r.Error, strings.Join(r.Wire, "\n  "))
			}
		})
	}
}

// TestSeedFailure is the seed's log reproduced: the client sidecar
// originates istio mTLS to a collector without a sidecar; gRPC's SETTINGS
// frame reaches the TLS stack and the app gets Envoy's 503 as UNAVAILABLE.
func TestSeedFailure(t *testing.T) {
	res := cell{"sidecar:istio-mtls", "none", "grpc", mesh.ProtoHTTP}.run(t)
	r := res.Real
	if r.Outcome != verdict.Fail || !res.Agree {
		t.Fatalf("outcome %s, agree %t", r.Outcome, res.Agree)
	}
	for _, want := range []string{"WRONG_VERSION_NUMBER", "code = Unavailable", "upstream connect error or disconnect/reset before headers", "TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end"} {
		if !strings.Contains(r.Error, want) {
			t.Errorf("client error %q lacks %q", r.Error, want)
		}
	}
	if r.GRPCCode != "Unavailable" || r.Category != "tls-to-plaintext" || r.SpansReceived != 0 {
		t.Errorf("grpc %s, category %s, spans %d", r.GRPCCode, r.Category, r.SpansReceived)
	}
}

// TestSeedFixed is the seed after its fix (DR DISABLE: the sidecar sends
// plaintext), over both OTLP transports: the span arrives.
func TestSeedFixed(t *testing.T) {
	for _, otlp := range []string{"grpc", "http"} {
		res := cell{"sidecar:plaintext", "none", otlp, mesh.ProtoHTTP}.run(t)
		if res.Real.Outcome != verdict.OK || res.Real.SpansReceived != 1 || !res.Agree || res.Real.Error != "" {
			t.Errorf("%s: %+v", otlp, res.Real)
		}
	}
}

// TestMTLSTerminated: the istio mTLS path really is mutual TLS, and the
// OTLP/HTTP 503 carries Envoy's body to the exporter's error.
func TestMTLSTerminated(t *testing.T) {
	res := cell{"sidecar:istio-mtls", "sidecar:strict", "http", mesh.ProtoHTTP}.run(t)
	if !res.Real.MTLS || res.Real.Outcome != verdict.OK || !res.Predicted.MTLS {
		t.Errorf("real %+v predicted %+v", res.Real, res.Predicted)
	}
	res = cell{"sidecar:plaintext", "sidecar:strict", "http", mesh.ProtoHTTP}.run(t)
	if res.Real.HTTPStatus != 503 || !strings.Contains(res.Real.Error, "reset reason: connection termination") {
		t.Errorf("plaintext to STRICT over HTTP: %+v", res.Real)
	}
}

func TestParse(t *testing.T) {
	for _, bad := range []string{"sidecar:hbone", "none:istio-mtls", "ambient:plaintext", "sidecar"} {
		if _, err := ParseClient(bad); err == nil {
			t.Errorf("client %q accepted", bad)
		}
	}
	if c, err := ParseClient("none"); err != nil || c.Sends != mesh.SendsPlaintext {
		t.Errorf("none → %v, %v", c, err)
	}
	for _, bad := range []string{"sidecar", "sidecar:unset", "ambient:strict"} {
		if _, err := ParseServer(bad); err == nil {
			t.Errorf("server %q accepted", bad)
		}
	}
}
