package explain

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/verdict"
)

// Correlate maps each diagnosis onto the edges of a mesh model: by the
// hosts and ports the log names, or — when the log names none, as an OTel
// exporter's "Failed to export" line does not — by the failing edges whose
// predicted category matches (telemetry edges first for exporter lines).
func Correlate(r *Report, edges []verdict.Edge) {
	for i := range r.Diagnoses {
		d := &r.Diagnoses[i]
		matched := byTargets(d.Targets, edges)
		byHost := len(matched) > 0
		how := "the hosts and ports in the log"
		if !byHost {
			matched = byCategory(d, edges)
			how = "the predicted failure category (the log names no host the manifests know)"
		}
		d.Edges = matched
		d.Correlation = correlation(d, matched, how)
		confirm(d, matched, byHost)
	}
}

// confirm puts the cause the manifests show first and fills the next-step
// commands' placeholders with the failing edge's names.
func confirm(d *Diagnosis, edges []verdict.Edge, byHost bool) {
	for _, e := range edges {
		if e.Outcome != verdict.Fail || !agrees(d, e) {
			continue
		}
		// Matched by category alone, the edge is a candidate, not the line's
		// own edge: the log names no host the manifests know.
		lead := "confirmed by the manifests: "
		if !byHost {
			lead = fmt.Sprintf("possibly, by failure category only (the log names no host the manifests know), %s → %s:%d: ", e.Client.Namespace+"/"+e.Client.Workload, e.Server.Host, e.Server.Port)
		}
		d.Causes = append([]string{lead + e.Cause}, d.Causes...)
		r := strings.NewReplacer("<ns>", e.Server.Namespace, "<svc>", e.Server.Service, "<host>", e.Server.Host,
			"<port>", strconv.Itoa(int(e.Server.Port)), "<client-ns>", e.Client.Namespace)
		for i, n := range d.Next {
			d.Next[i] = r.Replace(n)
		}
		return
	}
}

func byTargets(targets []string, edges []verdict.Edge) []verdict.Edge {
	var out []verdict.Edge
	for _, e := range edges {
		for _, t := range targets {
			if targetMatches(t, e) {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// targetMatches reads "scheme://host:port", "host:port" and Envoy's
// "outbound|port||host" and compares with the edge's service host and port.
func targetMatches(t string, e verdict.Edge) bool {
	var host, port string
	if strings.HasPrefix(t, "outbound|") {
		parts := strings.Split(t, "|")
		if len(parts) == 4 {
			port, host = parts[1], parts[3]
		}
	} else {
		if i := strings.Index(t, "://"); i >= 0 {
			t = t[i+3:]
		}
		host, port, _ = strings.Cut(t, ":")
	}
	if host == "" || !strings.HasPrefix(e.Server.Host+".", host+".") {
		return false
	}
	p, err := strconv.Atoi(port)
	return err != nil || int32(p) == e.Server.Port || int32(p) == e.Server.TargetPort
}

func byCategory(d *Diagnosis, edges []verdict.Edge) []verdict.Edge {
	exporter := false
	for _, s := range d.Signatures {
		if strings.Contains(s, "otel") || strings.Contains(s, "export") {
			exporter = true
		}
	}
	var all, telemetry []verdict.Edge
	for _, e := range edges {
		if e.Outcome != verdict.Fail || e.Category != d.Category {
			continue
		}
		all = append(all, e)
		if e.Telemetry {
			telemetry = append(telemetry, e)
		}
	}
	if exporter && len(telemetry) > 0 {
		return telemetry
	}
	return all
}

func correlation(d *Diagnosis, edges []verdict.Edge, how string) string {
	if len(edges) == 0 {
		return "No edge of the manifests matches this failure: the log may come from another cluster, or the manifests lack the client or the server."
	}
	var failing, ok []verdict.Edge
	for _, e := range edges {
		if e.Outcome == verdict.Fail {
			failing = append(failing, e)
		} else {
			ok = append(ok, e)
		}
	}
	if len(failing) == 0 {
		return fmt.Sprintf("Matched by %s, the manifests predict these %d edge(s) WORK: the cause is outside the configuration — stale endpoints, a different cluster or revision, or a startup race before the sidecar was ready.", how, len(ok))
	}
	e := failing[0]
	var refs []string
	for _, r := range e.DecidedBy {
		if r.Kind == "DestinationRule" || r.Kind == "PeerAuthentication" || r.Kind == "Sidecar" || r.Kind == "Namespace" {
			refs = append(refs, r.String())
		}
	}
	agree := "the same direction as the log"
	if !agrees(d, e) {
		// Which side wrote the line is already decided (the emitter); a
		// different category means the log's own evidence does not fit the
		// failure these manifests predict, so what produced the line is most
		// likely not these manifests.
		agree = fmt.Sprintf("but as %s, while the log's own evidence (%s) means %s: the configuration that wrote this line is most likely not these manifests — an object deployed but not in them, another revision, or a change not yet synced; compare them with the cluster (meshdoctor analyze --cluster, or diff against the live objects)",
			e.Category, d.Signature, d.Category)
	}
	return fmt.Sprintf("Matched by %s, the manifests predict this failure on %d edge(s), %s. %s → %s:%d: %s. Decided by: %s.",
		how, len(failing), agree, e.Client.Namespace+"/"+e.Client.Workload, e.Server.Host, e.Server.Port, e.Cause, strings.Join(refs, "; "))
}

// agrees reports whether an edge's predicted failure is what the log's own
// evidence says (a log whose category is only "other" fits any edge).
func agrees(d *Diagnosis, e verdict.Edge) bool {
	return e.Category == d.Category || d.Category == category.Other
}
