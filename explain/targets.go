package explain

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	urlRe     = regexp.MustCompile(`\b(?:https?|grpcs?|dns)://[A-Za-z0-9._\-\[\]:]+`)
	clusterRe = regexp.MustCompile(`\b(?:outbound|inbound)\|\d+\|[A-Za-z0-9._\-]*\|[A-Za-z0-9._\-*]*`)
	pyHostRe  = regexp.MustCompile(`host='([A-Za-z0-9._\-]+)', port=(\d+)`)
	hostPort  = regexp.MustCompile(`(?:^|[^A-Za-z0-9._\-/:])((?:\d{1,3}\.){3}\d{1,3}|[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*):(\d{1,5})\b`)
	// source-file suffixes that look like host:port in stack traces
	srcSuffix = regexp.MustCompile(`\.(?:java|kt|scala|go|py|c|cc|cpp|h|js|ts|mjs|rs|rb)$|^\d{4}-\d\d-\d\d`)
)

const maxTargets = 20

// extractTargets picks the hosts, ports, URLs and Envoy cluster names an
// event mentions, for correlation with the mesh model. Paths are dropped
// from URLs; ephemeral ports (≥ 32768) and source positions are skipped.
func extractTargets(text string, into map[string]bool) {
	add := func(t string) {
		if len(into) < maxTargets {
			into[t] = true
		}
	}
	for _, u := range urlRe.FindAllString(text, -1) {
		add(strings.ToLower(strings.TrimRight(u, ".:")))
	}
	for _, c := range clusterRe.FindAllString(text, -1) {
		add(c)
	}
	for _, m := range pyHostRe.FindAllStringSubmatch(text, -1) {
		add(strings.ToLower(m[1]) + ":" + m[2])
	}
	for _, m := range hostPort.FindAllStringSubmatch(text, -1) {
		host, port := m[1], m[2]
		p, err := strconv.Atoi(port)
		if err != nil || p == 0 || p > 65535 || p >= 32768 {
			continue
		}
		if srcSuffix.MatchString(host) || isDigits([]byte(host)) || !strings.ContainsAny(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.") {
			continue
		}
		add(strings.ToLower(host) + ":" + port)
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// placeholders fills {host} {svc} {ns} {port} {cluster} {target} in a next
// step from the first target that names a host; unknown parts stay <...>.
func placeholders(targets []string) *strings.Replacer {
	host, port := "", ""
	for _, t := range targets {
		h, p := splitTarget(t)
		if h != "" && strings.ContainsAny(h, "abcdefghijklmnopqrstuvwxyz") {
			host, port = h, p
			break
		}
	}
	svc, ns, fqdn := "<svc>", "<ns>", "<host>"
	if host != "" {
		parts := strings.Split(host, ".")
		svc = parts[0]
		if len(parts) > 1 {
			ns = parts[1]
		}
		fqdn = host
		if len(parts) <= 2 && ns != "<ns>" {
			fqdn = svc + "." + ns + ".svc.cluster.local"
		}
	}
	target := "<host>:<port>"
	if port == "" {
		port = "<port>"
	} else if host != "" {
		target = host + ":" + port
	}
	// The Service's own selector, read from the cluster: a label guessed
	// from the Service's name (app.kubernetes.io/name=<svc>) often selects
	// nothing — the seed's collector is labelled opentelemetry-collector.
	selector := "$(kubectl get svc -n " + ns + " " + svc + ` -o go-template='{{$c := ""}}{{range $k, $v := .spec.selector}}{{$c}}{{$k}}={{$v}}{{$c = ","}}{{end}}')`
	return strings.NewReplacer("{host}", fqdn, "{svc}", svc, "{ns}", ns, "{port}", port, "{selector}", selector,
		"{cluster}", "outbound|"+port+"||"+fqdn, "{target}", target)
}

// splitTarget returns host and port of a URL, host:port or Envoy cluster.
func splitTarget(t string) (host, port string) {
	if strings.HasPrefix(t, "outbound|") || strings.HasPrefix(t, "inbound|") {
		f := strings.Split(t, "|")
		if len(f) == 4 {
			return f[3], f[1]
		}
		return "", ""
	}
	if i := strings.Index(t, "://"); i >= 0 {
		t = t[i+3:]
	}
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		return t[:i], t[i+1:]
	}
	return t, ""
}
