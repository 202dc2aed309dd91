package report

import (
	"bytes"
	"context"
	"testing"

	"github.com/meshdoctor/meshdoctor/doctor"
	"github.com/meshdoctor/meshdoctor/health/healthtest"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verify"
	corev1 "k8s.io/api/core/v1"
)

// TestDoctorGolden: doctor on the seed with two crash-looping pods, as text
// (pods → errors → cause → fix) and JSON; and with pods/log forbidden.
func TestDoctorGolden(t *testing.T) {
	set := readSet(t, "../examples/seed")
	run := func(fc *healthtest.Cluster, set source.Set) *doctor.Report {
		r, err := doctor.Run(context.Background(), doctor.Input{Set: set, DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"},
			Reader: fc, FixCommand: "meshdoctor fix --cluster -n staging-webs", VerifyCommand: "meshdoctor verify --cluster -n staging-webs"})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	broken := run(&healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", true, 0), healthtest.SeedPod("order-core", true, 0)},
		Logs: healthtest.SeedLogs("auth-guard", "order-core")}, set)
	render(t, "doctor-seed.txt", func(b *bytes.Buffer) error { return DoctorText(b, broken, Style{}) })
	render(t, "doctor-seed.json", func(b *bytes.Buffer) error { return JSON(b, broken) })
	k := "staging-webs/auth-guard-7d9f8c6b5-x2k4q/"
	noLogs := run(&healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", false, 0)},
		Logs: map[string]string{k + "app": healthtest.Forbidden, k + "istio-proxy": healthtest.Forbidden}}, readSet(t, "../examples/seed", "../examples/seed-fix"))
	render(t, "doctor-no-logs.txt", func(b *bytes.Buffer) error { return DoctorText(b, noLogs, Style{}) })
}

// TestVerifyGolden: verify's checklist failing before the fix and passing after.
func TestVerifyGolden(t *testing.T) {
	k := "staging-webs/auth-guard-7d9f8c6b5-x2k4q/"
	check := func(fc *healthtest.Cluster, paths ...string) *verify.Report {
		set := readSet(t, paths...)
		r, err := verify.Check(context.Background(), verify.Input{ReadSet: func(context.Context) (source.Set, error) { return set, nil },
			DefaultNamespace: "staging-webs", Namespaces: []string{"staging-webs"}, Reader: fc}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	before := check(&healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", true, 0)}, Logs: healthtest.SeedLogs("auth-guard")}, "../examples/seed")
	render(t, "verify-seed.txt", func(b *bytes.Buffer) error { return VerifyText(b, before, Style{}) })
	after := check(&healthtest.Cluster{Pods: []corev1.Pod{healthtest.SeedPod("auth-guard", false, 6)},
		Logs: map[string]string{k + "app": "Started\n", k + "istio-proxy": "Envoy proxy is ready\n"}}, "../examples/seed", "../examples/seed-fix")
	render(t, "verify-fixed.txt", func(b *bytes.Buffer) error { return VerifyText(b, after, Style{}) })
	render(t, "verify-fixed.json", func(b *bytes.Buffer) error { return JSON(b, after) })
}
