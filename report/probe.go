package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meshdoctor/meshdoctor/probe"
)

// ProbeText writes a probe's steps, TLS details and export result for people.
func ProbeText(w io.Writer, rep probe.Report) error {
	fmt.Fprintf(w, "probe %s (%s, mode %s)\n", rep.Target, rep.Address, rep.Mode)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range rep.Steps {
		res, detail := "ok", s.Detail
		switch {
		case !s.OK && s.Category == "":
			res = "no" // an answer, not a breakage: the port does not speak this
		case !s.OK:
			res, detail = "FAIL", "["+string(s.Category)+"] "+detail
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Name, res, roundDur(s.Duration), detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	probeTLS(w, rep.TLS)
	probeExport(w, rep.Export)
	for _, f := range rep.Findings {
		fmt.Fprintln(w, "note:", f)
	}
	verdict := "FAIL"
	if rep.OK {
		verdict = "ok"
	}
	_, err := fmt.Fprintf(w, "result: %s (speaks: %s)\n", verdict, orNone(rep.Protocols))
	return err
}

func probeTLS(w io.Writer, t *probe.TLSInfo) {
	if t == nil {
		return
	}
	fmt.Fprintf(w, "tls: %s, ALPN %q, %s, client cert requested: %t, sent: %t\n",
		t.Version, t.ALPN, t.CipherSuite, t.ClientCertRequested, t.ClientCertSent)
	for i, c := range t.Chain {
		fmt.Fprintf(w, "  cert[%d] subject %q issuer %q\n", i, c.Subject, c.Issuer)
		sans := append(append(append([]string{}, c.DNSNames...), c.IPs...), c.URIs...)
		if len(sans) > 0 {
			fmt.Fprintf(w, "          SANs %s\n", strings.Join(sans, ", "))
		}
	}
}

func probeExport(w io.Writer, e *probe.ExportInfo) {
	if e == nil {
		return
	}
	fmt.Fprintf(w, "otlp/%s %s", e.Protocol, e.Endpoint)
	if e.GRPCCode != "" {
		fmt.Fprintf(w, " grpc-status %s", e.GRPCCode)
	}
	if e.HTTPStatus != 0 {
		fmt.Fprintf(w, " http-status %d", e.HTTPStatus)
	}
	fmt.Fprintln(w)
}

func roundDur(d time.Duration) string {
	return d.Round(10 * time.Microsecond).String()
}

func orNone(ps []string) string {
	if len(ps) == 0 {
		return "nothing identified"
	}
	return strings.Join(ps, ", ")
}
