package cli

import (
	"errors"
	"fmt"
	"github.com/meshdoctor/meshdoctor/report"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/lab"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

func init() { commands = append(commands, newLabCmd) }

type labFlags struct {
	client, server, fromEdge, otlp, protocol, output string
	timeout                                          time.Duration
}

func newLabCmd() *cobra.Command {
	var f labFlags
	var in *source.Inputs
	cmd := &cobra.Command{
		Use:   "lab (--client C --server S | --from-edge NS/WORKLOAD=HOST:PORT PATH...)",
		Short: "Check the model against a real exchange on loopback: emulated sidecars, real OTLP apps",
		Long: `lab stands up, on 127.0.0.1, a client side and a server side that behave the way the
model says an edge's two ends behave — emulated Istio sidecars (an in-memory mesh CA
issuing SPIFFE certificates; inbound STRICT/PERMISSIVE/DISABLE, outbound istio mTLS,
plaintext, DR SIMPLE or MUTUAL) around a real OTLP exporter and a real OTLP receiver —
exports one span, and prints what really happened next to the model's prediction.

Clients: ` + strings.Join(lab.ClientSpecs, ", ") + `
Servers: ` + strings.Join(lab.ServerSpecs, ", ") + `

With --from-edge the two ends come from analyzing the manifests in PATH (as analyze
does): the edge's clientSends and serverAccepts.

Exit status: 0 when reality matches the model's prediction (or the model says unknown
and why), 1 when they disagree, 2 on usage errors. The lab checks the model, not the edge.`,
		Example: `  meshdoctor lab --client sidecar:istio-mtls --server none
  meshdoctor lab --client sidecar:istio-mtls --server sidecar:strict --otlp http
  meshdoctor lab --from-edge staging-webs/auth-guard=otel-collector.monitoring:4317 examples/seed/`,
		RunE: func(cmd *cobra.Command, args []string) error { return runLab(cmd, args, f, in) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.client, "client", "", "client behaviour, e.g. sidecar:istio-mtls or none:plaintext")
	fl.StringVar(&f.server, "server", "", "server behaviour: none, sidecar:strict, sidecar:permissive or sidecar:disable")
	fl.StringVar(&f.fromEdge, "from-edge", "", "take both ends from the analyzed edge NS/WORKLOAD=HOST:PORT of the manifests in PATH")
	fl.StringVar(&f.otlp, "otlp", "", "exporter transport: grpc or http (default grpc; with --from-edge, http for port 4318)")
	fl.StringVar(&f.protocol, "protocol", "", "how the Service port is declared: http, tcp or auto (default http; with --from-edge, the edge's)")
	fl.DurationVar(&f.timeout, "timeout", lab.DefaultTimeout, "deadline for the exchange and each network step")
	fl.StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	in = inputs(cmd)
	return cmd
}

func runLab(cmd *cobra.Command, args []string, f labFlags, in *source.Inputs) error {
	cfgs, names, err := labConfigs(cmd, args, f, in)
	if err != nil {
		return usageErr(err)
	}
	results := make([]lab.Result, 0, len(cfgs))
	for i, cfg := range cfgs {
		res, err := lab.Run(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		res.Edge = names[i]
		results = append(results, res)
	}
	out := cmd.OutOrStdout()
	if f.output == "json" {
		err = report.LabJSON(out, results)
	} else {
		err = report.LabText(out, results)
	}
	if err != nil {
		return err
	}
	for _, r := range results {
		if !r.Agree {
			return problemsFound
		}
	}
	return nil
}

// labConfigs validates the flags and builds one exchange per edge.
func labConfigs(cmd *cobra.Command, args []string, f labFlags, in *source.Inputs) ([]lab.Config, []string, error) {
	switch {
	case f.output != "text" && f.output != "json":
		return nil, nil, fmt.Errorf("-o must be text or json, not %q", f.output)
	case f.timeout <= 0:
		return nil, nil, errors.New("--timeout must be positive")
	case f.otlp != "" && f.otlp != "grpc" && f.otlp != "http":
		return nil, nil, fmt.Errorf("--otlp must be grpc or http, not %q", f.otlp)
	case f.protocol != "" && f.protocol != "http" && f.protocol != "tcp" && f.protocol != "auto":
		return nil, nil, fmt.Errorf("--protocol must be http, tcp or auto, not %q", f.protocol)
	}
	if f.fromEdge == "" {
		if f.client == "" || f.server == "" {
			return nil, nil, errors.New("give --client and --server, or --from-edge with manifests")
		}
		if len(args) > 0 || in.Given() {
			return nil, nil, errors.New("inputs (manifests, --chart, --cluster, …) are read only with --from-edge")
		}
		c, err := lab.ParseClient(f.client)
		if err != nil {
			return nil, nil, err
		}
		s, err := lab.ParseServer(f.server)
		if err != nil {
			return nil, nil, err
		}
		return []lab.Config{{Client: c, Server: s, OTLP: f.otlp, Protocol: mesh.Protocol(f.protocol), Timeout: f.timeout}}, []string{""}, nil
	}
	if f.client != "" || f.server != "" {
		return nil, nil, errors.New("--from-edge takes both ends from the manifests; drop --client and --server")
	}
	ref, err := verdict.ParseEdgeID(f.fromEdge)
	if err != nil {
		return nil, nil, err
	}
	inv, err := load(cmd, in, args)
	if err != nil {
		return nil, nil, err
	}
	res := analysis.Run(inv, analysis.Options{})
	var cfgs []lab.Config
	var names, seen []string
	for _, e := range res.Edges {
		seen = append(seen, e.ID().String())
		if !ref.Matches(e) {
			continue
		}
		cfg, err := lab.FromEdge(e, f.otlp)
		if err != nil {
			return nil, nil, err
		}
		cfg.Timeout = f.timeout
		if f.protocol != "" {
			cfg.Protocol = mesh.Protocol(f.protocol)
		}
		cfgs = append(cfgs, cfg)
		names = append(names, lab.EdgeName(e))
	}
	if len(cfgs) == 0 {
		if len(seen) == 0 {
			seen = []string{"none"}
		}
		return nil, nil, fmt.Errorf("no analyzed edge matches %s; edges: %s", ref, strings.Join(seen, ", "))
	}
	return cfgs, names, nil
}
