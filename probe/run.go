package probe

import (
	"context"
	"net"
	"slices"
	"time"

	"github.com/meshdoctor/meshdoctor/category"
)

// runner carries one probe's options and the report being built.
type runner struct {
	ctx  context.Context
	opts Options
	rep  Report
}

// Run probes opts.Target and returns what it saw; every step is bounded by
// opts.Timeout, so Run always returns.
func Run(ctx context.Context, opts Options) Report {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	r := &runner{ctx: ctx, opts: opts, rep: Report{
		Target: opts.Target.Raw, Address: opts.Target.Address, Mode: mode(opts), Steps: []Step{},
	}}
	if r.tcp() {
		r.probe()
	}
	r.finish()
	return r.rep
}

func mode(o Options) string {
	switch {
	case o.OTLP != "":
		return "otlp-" + o.OTLP
	case o.Target.Scheme == "https":
		return "tls"
	case o.Target.Scheme == "http":
		return "plaintext"
	}
	return "all"
}

func (r *runner) probe() {
	switch r.rep.Mode {
	case "otlp-grpc", "otlp-http":
		if !r.export() {
			r.diagnose()
		}
	case "tls":
		r.tlsSteps()
		if !r.has(ProtoTLS) && r.anyClosed() {
			r.plaintextSteps() // the evidence needed to call it tls-to-plaintext
		}
	case "plaintext":
		r.plaintextSteps()
		if !r.speaksPlaintext() && r.anyClosed() {
			r.tlsSteps() // the evidence needed to call it plaintext-to-tls
		}
	default:
		r.tlsSteps()
		r.plaintextSteps()
	}
}

// diagnose probes the port directly after a failed export so the category
// rests on what the port speaks rather than on the exporter's error text.
func (r *runner) diagnose() {
	last := r.rep.Steps[len(r.rep.Steps)-1]
	if last.Category == category.ConnectionRefused || last.Category == category.Timeout {
		return
	}
	r.tlsSteps()
	r.plaintextSteps()
}

// do runs one bounded step and records it.
func (r *runner) do(name string, f func(ctx context.Context, s *Step) error) Step {
	ctx, cancel := context.WithTimeout(r.ctx, r.opts.Timeout)
	defer cancel()
	s := Step{Name: name}
	start := time.Now()
	err := f(ctx, &s)
	s.Duration = time.Since(start)
	s.OK = err == nil
	if err != nil {
		s.Category = Classify(err)
		s.closed = ClosedEarly(err)
		s.Detail = joinDetail(s.Detail, err.Error())
	}
	r.rep.Steps = append(r.rep.Steps, s)
	return s
}

func joinDetail(a, b string) string {
	if a == "" {
		return b
	}
	return a + ": " + b
}

// dial opens a TCP connection whose deadline is the step's deadline.
func (r *runner) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", r.opts.Target.Address)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.SetDeadline(dl)
	}
	return c, nil
}

func (r *runner) tcp() bool {
	s := r.do("tcp", func(ctx context.Context, s *Step) error {
		c, err := r.dial(ctx)
		if err != nil {
			return err
		}
		s.Detail = "connected " + c.LocalAddr().String() + " → " + c.RemoteAddr().String()
		return c.Close()
	})
	return s.OK
}

func (r *runner) has(proto string) bool { return slices.Contains(r.rep.Protocols, proto) }

func (r *runner) speaksPlaintext() bool {
	return r.has(ProtoHTTP1) || r.has(ProtoH2C) || r.has(ProtoGRPC)
}

func (r *runner) anyClosed() bool {
	return slices.ContainsFunc(r.rep.Steps, func(s Step) bool { return s.closed })
}

// finish recategorises hang-ups from evidence, adds findings and decides OK.
func (r *runner) finish() {
	for i := range r.rep.Steps {
		r.recategorise(&r.rep.Steps[i])
	}
	r.rep.Findings = findings(&r.rep)
	r.rep.OK = r.ok()
}

// recategorise explains a hang-up by what other steps proved about the port.
func (r *runner) recategorise(s *Step) {
	if s.OK || !s.closed || (s.Category != "" && s.Category != category.Other) {
		return
	}
	switch {
	case s.plaintext && r.has(ProtoTLS):
		s.Category, s.Detail = category.PlaintextToTLS, s.Detail+" (this port speaks TLS)"
	case s.overTLS && !r.has(ProtoTLS) && r.speaksPlaintext():
		s.Category, s.Detail = category.TLSToPlaintext, s.Detail+" (this port answers plaintext)"
	case s.overTLS && s.certUnsent && stepWith(&r.rep, category.ClientCertificateRequired):
		s.Category = category.ClientCertificateRequired
		s.Detail += " (the server requested a client certificate, none was sent, and a direct handshake was rejected for it)"
	}
}

func (r *runner) ok() bool {
	if len(r.rep.Steps) == 0 || !r.rep.Steps[0].OK {
		return false
	}
	switch r.rep.Mode {
	case "otlp-grpc", "otlp-http":
		return r.rep.Export != nil && r.rep.Export.Error == ""
	case "tls":
		return r.has(ProtoTLS)
	case "plaintext":
		return r.speaksPlaintext()
	}
	return len(r.rep.Protocols) > 0
}
