package health

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/explain"
	"github.com/meshdoctor/meshdoctor/source/cluster"
)

// LogReader reads one container's log (cluster.Pods in a real run).
type LogReader interface {
	Log(ctx context.Context, r cluster.LogRequest) ([]byte, error)
}

// LogOptions bound what is read: a crash-looping fleet must not pull
// gigabytes through the API server.
type LogOptions struct {
	TailLines  int64 // per container log; 0 means 500
	LimitBytes int64 // per container log; 0 means 256 KiB
	// Previous also reads the last terminated instance of containers that restarted.
	Previous bool
	// Since is the lower bound of current logs (zero: none).
	Since time.Time
	// Concurrency bounds parallel reads; 0 means 8.
	Concurrency int
	// Progress, when set, is called after each log read (done of total).
	Progress func(done, total int)
}

// Diagnosis is one explain diagnosis, folded over every log that shows it.
type Diagnosis struct {
	explain.Diagnosis
	// Pods show it ("ns/name"); Logs are the logs it was read from
	// ("ns/pod/container", "… (previous)").
	Pods []string `json:"pods"`
	Logs []string `json:"logs"`
	// Excerpt is the first event's text around its most telling match (the
	// TLS library's reason, say), which a shortened Sample may cut off.
	Excerpt string `json:"excerpt"`
}

// Logs is what the logs of some pods say.
type Logs struct {
	Read      []string    `json:"read"` // logs read, "ns/pod/container[ (previous)]"
	Lines     int         `json:"lines"`
	Diagnoses []Diagnosis `json:"diagnoses"`
	// Unread are logs that could not be read, with why (RBAC): nothing may be
	// concluded from their silence.
	Unread []string `json:"unread"`
}

type logJob struct {
	pod *Pod
	req cluster.LogRequest
}

// ReadLogs reads the current log of every container of pods (app containers
// and istio-proxy) — and with Previous the last instance of those that
// restarted — and folds them through explain.
func ReadLogs(ctx context.Context, r LogReader, pods []Pod, opt LogOptions) Logs {
	if opt.TailLines <= 0 {
		opt.TailLines = 500
	}
	if opt.LimitBytes <= 0 {
		opt.LimitBytes = 256 << 10
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 8
	}
	var jobs []logJob
	for i := range pods {
		p := &pods[i]
		for _, c := range p.Containers {
			req := cluster.LogRequest{Namespace: p.Namespace, Pod: p.Name, Container: c.Name,
				TailLines: opt.TailLines, LimitBytes: opt.LimitBytes, Since: opt.Since}
			jobs = append(jobs, logJob{p, req})
			if opt.Previous && (c.RestartCount > 0 || c.Last != nil) {
				req.Previous, req.Since = true, time.Time{}
				jobs = append(jobs, logJob{p, req})
			}
		}
	}
	type result struct {
		rep    *explain.Report
		body   []byte
		unread string
		absent bool
	}
	results := make([]result, len(jobs))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	sem := make(chan struct{}, opt.Concurrency)
	for i := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			res := &results[i]
			body, err := r.Log(ctx, jobs[i].req)
			var re *cluster.ReadError
			switch {
			case err != nil && errors.As(err, &re) && re.Absent():
				res.absent = true
			case err != nil:
				res.unread = err.Error()
			default:
				// explain reads a stream and never fails on a byte slice.
				res.rep, _ = explain.Explain(bytes.NewReader(body))
				res.body = body
			}
			mu.Lock()
			done++
			if opt.Progress != nil {
				opt.Progress(done, len(jobs))
			}
			mu.Unlock()
		}()
	}
	wg.Wait()

	out := Logs{Read: []string{}, Diagnoses: []Diagnosis{}, Unread: []string{}}
	byKey := map[string]*Diagnosis{}
	var order []string
	for i, res := range results {
		j := jobs[i]
		name := logName(j.req)
		switch {
		case res.absent:
			continue
		case res.unread != "":
			out.Unread = append(out.Unread, res.unread)
			continue
		}
		out.Read = append(out.Read, name)
		out.Lines += res.rep.Lines
		for _, d := range res.rep.Diagnoses {
			k := string(d.Category) + "|" + string(d.Emitter) + "|" + strings.Join(d.Signatures, "+")
			m := byKey[k]
			if m == nil {
				m = &Diagnosis{Diagnosis: d, Excerpt: excerpt(res.body, d)}
				byKey[k] = m
				order = append(order, k)
			} else {
				m.Count += d.Count
				for _, t := range d.Targets {
					if !slices.Contains(m.Targets, t) {
						m.Targets = append(m.Targets, t)
					}
				}
			}
			if !slices.Contains(m.Pods, j.pod.Key()) {
				m.Pods = append(m.Pods, j.pod.Key())
			}
			m.Logs = append(m.Logs, name)
		}
	}
	for _, k := range order {
		d := byKey[k]
		sort.Strings(d.Targets)
		out.Diagnoses = append(out.Diagnoses, *d)
	}
	// Most severe first, then the most widespread.
	sort.SliceStable(out.Diagnoses, func(i, j int) bool {
		a, b := &out.Diagnoses[i], &out.Diagnoses[j]
		if sa, sb := slices.Index(category.All, a.Category), slices.Index(category.All, b.Category); sa != sb {
			return sa < sb
		}
		if len(a.Pods) != len(b.Pods) {
			return len(a.Pods) > len(b.Pods)
		}
		return a.Count > b.Count
	})
	return out
}

// logName is "ns/pod/container", with " (previous)" for the last instance.
func logName(r cluster.LogRequest) string {
	s := fmt.Sprintf("%s/%s/%s", r.Namespace, r.Pod, r.Container)
	if r.Previous {
		s += " (previous)"
	}
	return s
}

var signatures = func() map[string]explain.Signature {
	m := map[string]explain.Signature{}
	for _, s := range explain.Catalogue() {
		m[s.ID] = s
	}
	return m
}()

// excerpt cuts the line where d's first event starts around the match of
// its deepest signature (the TLS reason over the wrapper that carries it).
func excerpt(body []byte, d explain.Diagnosis) string {
	lines := bytes.Split(body, []byte("\n"))
	if d.Line < 1 || d.Line > len(lines) {
		return ""
	}
	line := string(lines[d.Line-1])
	best, at, lit := -1, -1, ""
	for _, id := range d.Signatures {
		s := signatures[id]
		for _, m := range s.Match {
			if i := strings.Index(line, m); i >= 0 && int(s.Layer) > best {
				best, at, lit = int(s.Layer), i, m
			}
		}
	}
	if at < 0 {
		return ""
	}
	from, to := max(0, at-80), min(len(line), at+len(lit)+40)
	for from > 0 && !utf8.RuneStart(line[from]) {
		from--
	}
	for to < len(line) && !utf8.RuneStart(line[to]) {
		to++
	}
	out := strings.TrimSpace(line[from:to])
	if from > 0 {
		out = "…" + out
	}
	if to < len(line) {
		out += "…"
	}
	return out
}
