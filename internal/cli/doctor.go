package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/meshdoctor/meshdoctor/analysis"
	"github.com/meshdoctor/meshdoctor/doctor"
	"github.com/meshdoctor/meshdoctor/health"
	"github.com/meshdoctor/meshdoctor/report"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/source/cluster"
)

func init() { commands = append(commands, newDoctor) }

func newDoctor() *cobra.Command {
	var in *source.Inputs
	var output string
	var lf logFlags
	var maxPods int
	c := &cobra.Command{
		Use:   "doctor --cluster [-n NS | -A]",
		Short: "The first command of an outage: unhealthy pods, what their logs say, why, and the fix",
		Long: `doctor reads a live cluster (read-only) and reports, top-down:

  PODS    the unhealthy pods in scope: waiting reasons (CrashLoopBackOff, …), not Ready,
          restarts, how each container last ended (exit code, OOMKilled), Warning events
          (probe failures, back-off)
  ERRORS  their logs (current and previous, app containers and istio-proxy, read through
          pods/log with bounds), folded through explain: distinct errors, who wrote each
          line, how many pods show it
  CAUSE   each error mapped onto the live model's edges from those pods, with the objects
          that decide them — or a note that the logs and the model disagree
  FIX     the ranked, verified fix of ` + "`meshdoctor fix`" + ` for those edges, and the command that writes it

What could not be read (RBAC on pods/log, events, a kind) is listed, and never read as healthy.

Exit status: 0 nothing in scope is broken, 1 something is broken or could not be read, 2 usage.`,
		Example: `  meshdoctor doctor --cluster -n staging-webs
  meshdoctor doctor --cluster -A -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" {
				return usageErr(fmt.Errorf("--output must be text or json, not %q", output))
			}
			live, err := openLive(in, cmd)
			if err != nil {
				return err
			}
			opt := lf.options()
			opt.Progress = logProgress(cmd.ErrOrStderr(), source.Terminal(cmd.ErrOrStderr()), "doctor")
			// --cluster-timeout bounds the pod, event and log reads too.
			ctx, cancel := context.WithTimeout(cmd.Context(), live.base.Timeout)
			defer cancel()
			rep, err := doctor.Run(ctx, doctor.Input{Set: live.set, DefaultNamespace: in.Namespace(),
				Namespaces: live.scope, Scope: live.judge, Reader: live.pods, Logs: opt, MaxPods: maxPods, FixCommand: live.command("fix"), VerifyCommand: live.command("verify")})
			if err != nil {
				return usageErr(err)
			}
			return writeLive(cmd, output, rep, func(w io.Writer, st report.Style) error { return report.DoctorText(w, rep, st) }, rep.Problems())
		},
	}
	in = inputs(c)
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	c.Flags().IntVar(&maxPods, "max-pods", 50, "read the logs of at most this many pods")
	lf.register(c)
	return c
}

// logFlags bound the logs doctor and verify read.
type logFlags struct {
	tail, limit int64
	concurrency int
}

func (f *logFlags) register(c *cobra.Command) {
	c.Flags().Int64Var(&f.tail, "tail", 500, "read at most this many lines of each container log")
	c.Flags().Int64Var(&f.limit, "limit-bytes", 256<<10, "read at most this many bytes of each container log")
	c.Flags().IntVar(&f.concurrency, "log-concurrency", 8, "read this many logs at a time")
}

func (f *logFlags) options() health.LogOptions {
	return health.LogOptions{TailLines: f.tail, LimitBytes: f.limit, Concurrency: f.concurrency}
}

// liveCluster is the live state doctor and verify judge, and the reader
// of its pods and logs.
type liveCluster struct {
	base  *cluster.Input
	set   source.Set
	scope []string // namespaces of the pods ("" all)
	judge analysis.Scope
	pods  *cluster.Pods
}

// openLive reads the cluster with the shared input flags; --cluster is
// what doctor and verify are for, so it is required, and nothing is laid
// over it. The scope is -n's namespace, -A, or the context's namespace.
func openLive(in *source.Inputs, cmd *cobra.Command) (*liveCluster, error) {
	base, ok := in.Base.(*cluster.Input)
	switch {
	case !ok:
		return nil, usageErr(errors.New("needs --cluster: it reads the live state (read-only)"))
	case len(in.List) > 0:
		return nil, usageErr(fmt.Errorf("reads the live cluster only, not %s: lay a pending change over it with `meshdoctor analyze --cluster`", in.List[0]))
	}
	lc := &liveCluster{base: base}
	switch {
	case in.Scope.All:
		lc.scope = []string{""}
	case in.Scope.Namespace != "":
		lc.scope = []string{in.Scope.Namespace}
	default:
		ns, err := cluster.ContextNamespace(base.Getter())
		if err != nil {
			return nil, usageErr(fmt.Errorf("cluster: %w", err))
		}
		lc.scope = []string{ns}
	}
	if !in.Scope.All {
		lc.judge = analysis.Namespaces(lc.scope...)
	}
	set, err := read(cmd, in, nil)
	if err != nil {
		return nil, err
	}
	lc.set = set
	if lc.pods, err = cluster.NewPods(base.Getter()); err != nil {
		return nil, usageErr(err)
	}
	return lc, nil
}

// command is the meshdoctor command line that reads the same cluster state.
func (lc *liveCluster) command(sub string) string {
	parts := []string{"meshdoctor", sub, "--cluster"}
	if lc.base.Kubeconfig != "" {
		parts = append(parts, "--kubeconfig", lc.base.Kubeconfig)
	}
	if lc.base.Context != "" {
		parts = append(parts, "--context", lc.base.Context)
	}
	if lc.scope[0] == "" {
		parts = append(parts, "-A")
	} else {
		parts = append(parts, "-n", lc.scope[0])
	}
	return strings.Join(parts, " ")
}

// writeLive writes doctor's or verify's report as -o asks, and exits 1
// when problems.
func writeLive(cmd *cobra.Command, output string, rep any, text func(io.Writer, report.Style) error, problems bool) error {
	out := cmd.OutOrStdout()
	var err error
	if output == "json" {
		err = report.JSON(out, rep)
	} else {
		err = text(out, report.Style{Color: isTTY(out)})
	}
	if err != nil {
		return err
	}
	if problems {
		return problemsFound
	}
	return nil
}

// logProgress shows reading progress on stderr: a live line on a terminal,
// one summary line otherwise.
func logProgress(w io.Writer, tty bool, cmd string) func(done, total int) {
	var mu sync.Mutex
	start := time.Now()
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if tty {
			fmt.Fprintf(w, "\r\033[K%s: reading logs … %d/%d", cmd, done, total)
			if done == total {
				fmt.Fprint(w, "\r\033[K")
			}
			return
		}
		if done == total {
			fmt.Fprintf(w, "%s: read %d container logs in %s\n", cmd, total, time.Since(start).Round(time.Millisecond))
		}
	}
}
