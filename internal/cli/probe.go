package cli

import (
	"errors"
	"fmt"
	"github.com/meshdoctor/meshdoctor/report"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshdoctor/meshdoctor/probe"
)

func init() { commands = append(commands, newProbeCmd) }

type probeFlags struct {
	otlp, caCert, cert, key, output string
	insecure                        bool
	timeout                         time.Duration
}

func newProbeCmd() *cobra.Command {
	var f probeFlags
	cmd := &cobra.Command{
		Use:   "probe [flags] TARGET",
		Short: "Probe a live endpoint: TCP, TLS, HTTP/1.1, h2c, gRPC, or send one OTLP test span",
		Long: `probe connects to TARGET and reports, step by step with timings, what the port speaks
and, for each failure, its category.

TARGET is host:port (probe TLS and plaintext), http://host:port (plaintext only)
or https://host:port (TLS only). With --otlp, one test span is exported with the
OpenTelemetry SDK; a bare host:port is then plaintext unless TLS flags are given.

Exit status: 0 when the endpoint works for what was asked (TCP reachable and a
protocol identified; with --otlp, the span accepted), 1 when not, 2 on usage errors.`,
		Example: `  meshdoctor probe otel-collector.monitoring:4317
  meshdoctor probe --otlp grpc http://otel-collector.monitoring:4317
  meshdoctor probe --otlp http https://otel-collector.monitoring:4318 --cacert ca.pem`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErr(fmt.Errorf("probe takes exactly one TARGET, got %d", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runProbe(cmd, args[0], f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.otlp, "otlp", "", "send one test span over OTLP: grpc or http")
	fl.StringVar(&f.caCert, "cacert", "", "PEM CA bundle to trust for TLS")
	fl.StringVar(&f.cert, "cert", "", "PEM client certificate to present (with --key)")
	fl.StringVar(&f.key, "key", "", "PEM client private key (with --cert)")
	fl.BoolVar(&f.insecure, "insecure-skip-verify", false, "do not verify the server certificate")
	fl.DurationVar(&f.timeout, "timeout", probe.DefaultTimeout, "deadline for each network step")
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func probeOptions(target string, f probeFlags) (probe.Options, error) {
	switch {
	case f.otlp != "" && f.otlp != "grpc" && f.otlp != "http":
		return probe.Options{}, fmt.Errorf("--otlp must be grpc or http, not %q", f.otlp)
	case f.output != "text" && f.output != "json":
		return probe.Options{}, fmt.Errorf("-o must be text or json, not %q", f.output)
	case f.timeout <= 0:
		return probe.Options{}, errors.New("--timeout must be positive")
	}
	t, err := probe.ParseTarget(target)
	if err != nil {
		return probe.Options{}, err
	}
	pool, cert, err := probe.LoadCredentials(f.caCert, f.cert, f.key)
	if err != nil {
		return probe.Options{}, err
	}
	return probe.Options{Target: t, OTLP: f.otlp, RootCAs: pool, ClientCert: cert,
		InsecureSkipVerify: f.insecure, Timeout: f.timeout}, nil
}

func runProbe(cmd *cobra.Command, target string, f probeFlags) error {
	opts, err := probeOptions(target, f)
	if err != nil {
		return usageErr(err)
	}
	rep := probe.Run(cmd.Context(), opts)
	out := cmd.OutOrStdout()
	if f.output == "json" {
		err = report.JSON(out, rep)
	} else {
		err = report.ProbeText(out, rep)
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return problemsFound
	}
	return nil
}
