package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/meshdoctor/meshdoctor/health"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// podsReady: every pod in scope Running and Ready. No pod at all, or pods
// that could not be listed, is never a pass.
func podsReady(pods []health.Pod, unread []string) Item {
	it := Item{Name: "pods-ready", Evidence: []string{}}
	ready := 0
	for _, p := range pods {
		if p.Healthy {
			ready++
			continue
		}
		it.Evidence = append(it.Evidence, p.Key()+": "+strings.Join(p.Problems, "; "))
	}
	it.Evidence = append(it.Evidence, unread...)
	switch {
	case ready < len(pods):
		it.State, it.Summary = Fail, fmt.Sprintf("%d of %s not ready", len(pods)-ready, plural(len(pods), "pod", "pods"))
	case len(unread) > 0:
		it.State, it.Summary = Unknown, "not every pod could be read"
	case len(pods) == 0:
		it.State, it.Summary = Unknown, "no pod in scope: nothing shows the workloads running"
	default:
		it.State, it.Summary = Pass, fmt.Sprintf("%s Running and Ready", plural(len(pods), "pod", "pods"))
	}
	return it
}

// sidecarsReady: each pod's istio-proxy, classic or native, ready.
func sidecarsReady(pods []health.Pod) Item {
	it := Item{Name: "sidecars-ready", State: Pass, Evidence: []string{}}
	n, native := 0, 0
	for _, p := range pods {
		c := p.Proxy()
		if c == nil {
			continue
		}
		n++
		if c.Native {
			native++
		}
		if !c.Ready {
			it.State = Fail
			it.Evidence = append(it.Evidence, fmt.Sprintf("%s: istio-proxy not ready (%s)", p.Key(), orState(c)))
		}
	}
	kind := ""
	if native > 0 {
		kind = fmt.Sprintf(" (%d native)", native)
	}
	if it.State == Fail {
		it.Summary = fmt.Sprintf("%d of %s not ready%s", len(it.Evidence), plural(n, "sidecar", "sidecars"), kind)
	} else {
		it.Summary = fmt.Sprintf("%s ready%s", plural(n, "sidecar", "sidecars"), kind)
	}
	return it
}

func orState(c *health.Container) string {
	if c.Reason != "" {
		return c.Reason
	}
	return c.State
}

// restartsSteady: no restart count rose between the round's two reads, or
// since the previous round.
func restartsSteady(before, after []health.Pod, prev *Report, out map[string]int32) Item {
	it := Item{Name: "restarts-steady", State: Pass, Evidence: []string{}}
	was := map[string]int32{}
	for _, p := range before {
		was[p.Key()] = p.Restarts()
	}
	if prev != nil {
		for k, n := range prev.Restarts {
			if cur, ok := was[k]; ok && n < cur {
				was[k] = n
			}
		}
	}
	total := int32(0)
	for _, p := range after {
		n := p.Restarts()
		out[p.Key()] = n
		total += n
		if w, ok := was[p.Key()]; ok && n > w {
			it.State = Fail
			it.Evidence = append(it.Evidence, fmt.Sprintf("%s: restarts rose from %d to %d", p.Key(), w, n))
		}
	}
	what := "between two reads"
	if prev != nil {
		what = "since the previous round"
	}
	if it.State == Fail {
		it.Summary = fmt.Sprintf("%s restarting %s", plural(len(it.Evidence), "pod", "pods"), what)
	} else {
		it.Summary = fmt.Sprintf("no restart %s (%d restarts in total, from before)", what, total)
	}
	return it
}

// logsClean: no TLS or export error, through explain, in the current logs.
func logsClean(logs health.Logs, since time.Time) Item {
	it := Item{Name: "logs-clean", Evidence: []string{}}
	for _, d := range logs.Diagnoses {
		text := d.Excerpt // the telling part, which the sample's start may not reach
		if text == "" {
			text = firstLine(d.Sample)
		}
		it.Evidence = append(it.Evidence, fmt.Sprintf("%s (%s, written by %s) in %s: %s", d.Category, d.Signature, d.Emitter,
			strings.Join(d.Logs, ", "), text))
	}
	it.Evidence = append(it.Evidence, logs.Unread...)
	window := "in the current logs"
	if !since.IsZero() {
		window += " since " + since.UTC().Format(time.RFC3339)
	}
	switch {
	case len(logs.Diagnoses) > 0:
		it.State = Fail
		it.Summary = fmt.Sprintf("%s %s", plural(len(logs.Diagnoses), "error", "distinct errors"), window)
	case len(logs.Unread) > 0:
		it.State = Unknown
		it.Summary = fmt.Sprintf("%s could not be read: their silence proves nothing", plural(len(logs.Unread), "log", "logs"))
	case len(logs.Read) == 0:
		it.State = Unknown
		it.Summary = "no log was read"
	default:
		it.State = Pass
		it.Summary = fmt.Sprintf("no TLS or export error %s (%s, %d lines)", window, plural(len(logs.Read), "log", "logs"), logs.Lines)
	}
	return it
}

// edgesOK: the live model predicts every edge from the clients in scope ok.
func edgesOK(edges []verdict.Edge, problems []source.Problem) Item {
	it := Item{Name: "edges-ok", State: Pass, Evidence: []string{}}
	failing, unknown := 0, 0
	for _, e := range edges {
		name := fmt.Sprintf("%s/%s → %s:%d", e.Client.Namespace, e.Client.Workload, e.Server.Host, e.Server.Port)
		switch e.Outcome {
		case verdict.Fail:
			failing++
			it.Evidence = append(it.Evidence, fmt.Sprintf("fail %s: %s", name, e.Cause))
		case verdict.Unknown:
			unknown++
			it.Evidence = append(it.Evidence, fmt.Sprintf("unknown %s: %s", name, e.Cause))
		}
	}
	switch {
	case failing > 0:
		it.State, it.Summary = Fail, fmt.Sprintf("%d of %s predicted to fail", failing, plural(len(edges), "edge", "edges"))
	case unknown > 0:
		it.State, it.Summary = Unknown, fmt.Sprintf("%d of %s undecided by the live state", unknown, plural(len(edges), "edge", "edges"))
	case len(edges) == 0:
		it.Summary = "no edge from the workloads in scope"
	default:
		it.Summary = fmt.Sprintf("%s predicted ok", plural(len(edges), "edge", "edges"))
	}
	if it.State != Fail && len(problems) > 0 && len(edges) > 0 {
		for _, p := range problems {
			it.Evidence = append(it.Evidence, p.Error())
		}
		if it.State == Pass {
			it.State, it.Summary = Unknown, it.Summary+", but part of the live state could not be read"
		}
	}
	return it
}

// fixPresent: every fix object is live with at least what the file gives;
// it also returns when the newest of them was created.
func fixPresent(ctx context.Context, r Reader, objs []source.Object) (Item, time.Time) {
	it := Item{Name: "fix-present", State: Pass, Evidence: []string{}}
	var newest time.Time
	for _, o := range objs {
		ref := fmt.Sprintf("%s %s/%s (%s)", o.Kind, o.Namespace, o.Name, o.Origin)
		live, err := r.Object(ctx, o.APIVersion, o.Kind, o.Namespace, o.Name)
		if err != nil {
			it.State = Fail
			it.Evidence = append(it.Evidence, ref+": "+err.Error())
			continue
		}
		var want map[string]any
		if err := json.Unmarshal(o.JSON, &want); err != nil {
			it.State = Fail
			it.Evidence = append(it.Evidence, ref+": "+err.Error())
			continue
		}
		if diff := contains(normal(live), want, ""); diff != "" {
			it.State = Fail
			it.Evidence = append(it.Evidence, ref+": live object differs at "+diff)
			continue
		}
		if ts, _ := nested(live, "metadata", "creationTimestamp").(string); ts != "" {
			if t, err := time.Parse(time.RFC3339, ts); err == nil && t.After(newest) {
				newest = t
			}
		}
		it.Evidence = append(it.Evidence, ref+": live as given")
	}
	if it.State == Fail {
		it.Summary = "a fix object is missing or differs from its file"
	} else {
		it.Summary = fmt.Sprintf("%s live as given", plural(len(objs), "fix object", "fix objects"))
	}
	return it, newest
}

// contains reports where live lacks something of want ("" when it lacks
// nothing). metadata is compared by name, namespace, labels and annotations
// only: the server owns the rest.
func contains(live any, want any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		l, ok := live.(map[string]any)
		if !ok {
			return orRoot(at)
		}
		for k, v := range w {
			if at == "" && (k == "status") {
				continue
			}
			if at == ".metadata" && k != "name" && k != "namespace" && k != "labels" && k != "annotations" {
				continue
			}
			if d := contains(l[k], v, at+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		l, ok := live.([]any)
		if !ok || len(l) != len(w) {
			return orRoot(at)
		}
		for i := range w {
			if d := contains(l[i], w[i], fmt.Sprintf("%s[%d]", at, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(live, want) {
		return orRoot(at)
	}
	return ""
}

func orRoot(at string) string {
	if at == "" {
		return "the object"
	}
	return at
}

// normal round-trips through JSON so numbers compare as the file's do.
func normal(v map[string]any) any {
	b, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func nested(m map[string]any, keys ...string) any {
	var cur any = m
	for _, k := range keys {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
