package explain

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func FuzzExplain(f *testing.F) {
	seeds := []string{
		"",
		"\n\n\r\n",
		"upstream connect error or disconnect/reset before headers. reset reason: connection termination",
		"[otel.javaagent] ERROR x -\nFailed to export metrics.\ntransport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end",
		"{\"msg\":\"x509: certificate signed by unknown authority\",\"error\":{\"message\":\"curl: (56)\"}}",
		"{\"log\":\"{\\\"log\\\":\\\"{\\\"}\"}",
		"\x1b[31mERR\x1b[0m OPENSSL_internal:\x1b[", "\x1b", "\x1b[",
		"Caused by: x\n\tat y\n... 3 more\n",
		"\" 0 UF,URX \" 503 UPE\n\"response_flags\":\"UF",
		"received bogus greeting from client: \"\\x16\\x03",
		"2024-01-02T03:04:05.123456789Z stderr F curl: (52) Empty reply from server",
		"First received frame was not SETTINGS. Hex dump for first 5 bytes: 1603",
		strings.Repeat("curl: (5", 1000),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rep, err := Explain(strings.NewReader(s))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range rep.Diagnoses {
			if d.Count < 1 || d.Line < 1 || d.LastLine < d.Line || d.Summary == "" {
				t.Fatalf("bad diagnosis %+v", d)
			}
		}
	})
}

// genLog writes about size bytes of a Java service's kubectl logs: mostly
// INFO lines, some stack traces, and one mTLS error per ~10 000 lines.
func genLog(w io.Writer, size int64) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	var n int64
	words := strings.Fields("order payment user cache hit miss latency ms db query completed processing batch items handled controller request status")
	for i := 0; n < size; i++ {
		var l string
		switch {
		case i%10007 == 0:
			l = fmt.Sprintf("[otel.javaagent 2025-01-15 10:00:%02d:000 +0000] [OkHttp http://otel-collector.monitoring:4317/...] ERROR io.opentelemetry.exporter.internal.grpc.GrpcExporter - Failed to export spans. Server is UNAVAILABLE. Make sure your collector is running and reachable from this network. Full error message:upstream connect error or disconnect/reset before headers. retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435703:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER:TLS_error_end\n", i%60)
		case i%997 == 0:
			l = "java.lang.IllegalStateException: retry later\n\tat com.example.app.OrderService.place(OrderService.java:42)\n\tat com.example.app.OrderController.post(OrderController.java:17)\n\t... 33 more\n"
		default:
			var sb strings.Builder
			fmt.Fprintf(&sb, "2025-01-15T10:%02d:%02d.%03dZ  INFO 1 --- [nio-8080-exec-%d] c.e.app.OrderController : ", i%60, i%59, i%1000, i%200)
			for k := 0; k < 8+i%12; k++ {
				sb.WriteString(words[(i*7+k*13)%len(words)])
				sb.WriteByte(' ')
			}
			sb.WriteByte('\n')
			l = sb.String()
		}
		m, err := io.WriteString(bw, l)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, bw.Flush()
}

func BenchmarkExplain(b *testing.B) {
	size := int64(64 << 20)
	if testing.Short() {
		size = 8 << 20
	}
	path := filepath.Join(b.TempDir(), "big.log")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	n, err := genLog(f, size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Explain(f)
		f.Close()
		if err != nil || len(rep.Diagnoses) != 1 {
			b.Fatalf("err %v, %d diagnoses", err, len(rep.Diagnoses))
		}
	}
}

// TestGenLog writes the benchmark log to $MESHDOCTOR_GENLOG for
// bench-vs-grep.sh; without the variable it does nothing.
func TestGenLog(t *testing.T) {
	path := os.Getenv("MESHDOCTOR_GENLOG")
	if path == "" {
		t.Skip("set MESHDOCTOR_GENLOG to generate the benchmark log")
	}
	mb := int64(300)
	fmt.Sscan(os.Getenv("MESHDOCTOR_GENLOG_MB"), &mb)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := genLog(f, mb<<20); err != nil {
		t.Fatal(err)
	}
}
