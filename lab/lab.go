package lab

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/probe"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Prediction is the model's verdict for the lab's (sends, accepts, protocol).
type Prediction struct {
	Outcome  verdict.Outcome `json:"outcome"`
	MTLS     bool            `json:"mtls"`
	Category string          `json:"category,omitempty"`
	Symptom  string          `json:"symptom,omitempty"`
	Cause    string          `json:"cause"`
}

// Observation is what really happened.
type Observation struct {
	Outcome verdict.Outcome `json:"outcome"`
	// MTLS is true when the server sidecar terminated istio mTLS.
	MTLS bool `json:"mtls"`
	// Error is the exporter's error text, as the client app saw it.
	Error      string `json:"error,omitempty"`
	Category   string `json:"category,omitempty"`
	GRPCCode   string `json:"grpcCode,omitempty"`
	HTTPStatus int    `json:"httpStatus,omitempty"`
	// SpansReceived counts spans the server app got.
	SpansReceived int64 `json:"spansReceived"`
	// Wire is what each emulated hop did, in order.
	Wire     []string `json:"wire"`
	Duration string   `json:"duration"`
}

// Result sets reality next to the prediction.
type Result struct {
	Client    string      `json:"client"`
	Server    string      `json:"server"`
	OTLP      string      `json:"otlp"`
	Protocol  string      `json:"protocol"`
	Edge      string      `json:"edge,omitempty"`
	Predicted Prediction  `json:"predicted"`
	Real      Observation `json:"real"`
	// Agree: same outcome, or the model said unknown and gave its reason.
	Agree bool `json:"agree"`
	// Notes name differences that do not decide Agree (category, mTLS).
	Notes []string `json:"notes,omitempty"`
}

// Predict asks the model. The lab's server apps are OTLP receivers, which
// answer stray TLS bytes (gRPC's SETTINGS, net/http's 400): AppAnswers, as
// verdict.Evaluate assumes for telemetry edges.
func Predict(cfg Config) verdict.Judgement {
	reason := cfg.ClientReason
	if reason == "" {
		reason = "lab client " + cfg.Client.String()
	}
	acc := cfg.Server.Accepts()
	if cfg.ServerReason != "" {
		acc.Reason = cfg.ServerReason
	}
	cd := mesh.ClientDecision{Sends: cfg.Client.Sends, Reason: reason}
	return verdict.Judge(cd, cfg.Client.Proxy, acc, cfg.Protocol, verdict.AppAnswers)
}

// Run performs one exchange; the error is for a lab that could not be set
// up (bad config, no loopback), never for the exchange failing.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.defaults(); err != nil {
		return Result{}, err
	}
	j := Predict(cfg)
	res := Result{Client: cfg.Client.String(), Server: cfg.Server.String(), OTLP: cfg.OTLP, Protocol: string(cfg.Protocol),
		Predicted: Prediction{Outcome: j.Outcome, MTLS: j.MTLS, Category: string(j.Category), Symptom: j.Symptom, Cause: j.Cause}}
	obs, err := exchange(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	res.Real = obs
	res.compare()
	return res, nil
}

func (r *Result) compare() {
	p, o := r.Predicted, r.Real
	if p.Outcome == verdict.Unknown {
		r.Agree = p.Cause != ""
		r.Notes = append(r.Notes, fmt.Sprintf("the model abstains (%s); reality: %s", p.Cause, o.Outcome))
		return
	}
	r.Agree = p.Outcome == o.Outcome
	if p.Outcome == verdict.Fail && o.Outcome == verdict.Fail && p.Category != o.Category {
		r.Notes = append(r.Notes, fmt.Sprintf("category differs: model %s, reality %s", p.Category, o.Category))
	}
	if p.Outcome == verdict.OK && o.Outcome == verdict.OK && p.MTLS != o.MTLS {
		r.Notes = append(r.Notes, fmt.Sprintf("mTLS differs: model %t, reality %t", p.MTLS, o.MTLS))
	}
}

// exchange builds the two sides, exports one span and tears everything down.
func exchange(ctx context.Context, cfg Config) (Observation, error) {
	start := time.Now()
	e := newEnv(cfg.Timeout)
	defer e.close()
	id, err := newIdentities(cfg)
	if err != nil {
		return Observation{}, err
	}
	rcv, addr, err := startReceiver(e, cfg.OTLP)
	if err != nil {
		return Observation{}, err
	}
	e.logf("server app", "OTLP/%s receiver on %s", cfg.OTLP, addr)
	var ss *serverSidecar
	if cfg.Server.Proxy != mesh.ProxyNone {
		if ss, addr, err = startServerSidecar(e, cfg.Server.Mode, cfg.Protocol, addr, id.server, id.mesh.Pool); err != nil {
			return Observation{}, err
		}
	}
	var cs *clientSidecar
	var appTLS *tls.Config
	if cfg.Client.Proxy == mesh.ProxyNone {
		appTLS = id.originate(cfg.Client.Sends, cfg.OTLP == "grpc")
	} else if cs, addr, err = startClientSidecar(e, cfg.Client.Sends, addr, id.upstreamTLS(cfg.Client.Sends)); err != nil {
		return Observation{}, err
	}
	e.logf("client app", "OTLP/%s exporter → %s (%s)", cfg.OTLP, addr, appTransport(cs, appTLS))
	er := export(ctx, cfg.OTLP, addr, appTLS, cfg.Timeout)
	e.close() // every hop has finished writing its events
	obs := Observation{GRPCCode: er.grpcCode, HTTPStatus: er.httpStatus, SpansReceived: rcv.spans.Load(), Wire: e.wire()}
	obs.Duration = time.Since(start).Round(100 * time.Microsecond).String()
	if ss != nil {
		obs.MTLS = ss.terminated.Load() > 0
	}
	obs.Outcome = verdict.OK
	if er.err != nil || obs.SpansReceived == 0 {
		obs.Outcome = verdict.Fail
	}
	if er.err != nil {
		obs.Error = er.err.Error()
		obs.Category = string(realCategory(er.err, cs, cfg.Client))
	}
	return obs, nil
}

// realCategory: the client sidecar knows what failed upstream (its app only
// sees Envoy's text); without one, the exporter's own error is classified,
// and a peer that hung up on plaintext counts as a TLS-only listener.
func realCategory(err error, cs *clientSidecar, c Client) category.Category {
	if cs != nil {
		if f := cs.lastFailure(); f != nil {
			return f.category()
		}
	}
	cat := probe.Classify(err)
	if cat == category.Other && c.Sends == mesh.SendsPlaintext && probe.ClosedEarly(err) {
		return category.PlaintextToTLS
	}
	return cat
}

func appTransport(cs *clientSidecar, appTLS *tls.Config) string {
	switch {
	case cs != nil:
		return "plaintext to its sidecar, as iptables redirects it"
	case appTLS != nil && len(appTLS.Certificates) > 0:
		return "its own TLS with a non-mesh client certificate"
	case appTLS != nil:
		return "its own TLS"
	}
	return "plaintext, no proxy"
}
