package probe

import (
	"context"
	"fmt"
	"sync/atomic"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"
)

// answerSeen notes whether the server sent headers or trailers, which tells
// a server-sent grpc-status apart from one the client made up locally.
type answerSeen struct{ seen *atomic.Bool }

func (a answerSeen) TagRPC(ctx context.Context, _ *stats.RPCTagInfo) context.Context { return ctx }
func (a answerSeen) TagConn(ctx context.Context, _ *stats.ConnTagInfo) context.Context {
	return ctx
}
func (a answerSeen) HandleConn(context.Context, stats.ConnStats) {}
func (a answerSeen) HandleRPC(_ context.Context, s stats.RPCStats) {
	switch s.(type) {
	case *stats.InHeader, *stats.InTrailer:
		a.seen.Store(true)
	}
}

// grpcStep calls OTLP TraceService/Export with an empty request over h2c:
// harmless for a collector, and its grpc-status says whether OTLP is served.
func (r *runner) grpcStep() {
	var answered atomic.Bool
	var code codes.Code
	s := r.do("grpc", func(ctx context.Context, s *Step) error {
		s.plaintext = true
		conn, err := grpc.NewClient("passthrough:///"+r.opts.Target.Address,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithStatsHandler(answerSeen{&answered}))
		if err != nil {
			return err
		}
		defer conn.Close()
		_, err = coltracepb.NewTraceServiceClient(conn).Export(ctx, &coltracepb.ExportTraceServiceRequest{})
		st := status.Convert(err)
		code = st.Code()
		return grpcOutcome(s, st, answered.Load())
	})
	if s.OK || answered.Load() {
		r.rep.addProtocol(ProtoGRPC)
	}
	if s.OK && code == codes.OK {
		r.rep.addProtocol(ProtoOTLP)
	}
}

func grpcOutcome(s *Step, st *status.Status, answered bool) error {
	switch {
	case st.Code() == codes.OK:
		s.Detail = "OTLP TraceService/Export answered grpc-status 0 OK"
		return nil
	case st.Code() == codes.Unimplemented && answered:
		s.Detail = "speaks gRPC but serves no OTLP TraceService (grpc-status 12 Unimplemented)"
		return nil
	case answered:
		s.Detail = fmt.Sprintf("server answered grpc-status %d %s", st.Code(), st.Code())
	}
	return fmt.Errorf("%s: %s", st.Code(), st.Message())
}
