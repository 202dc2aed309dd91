package verdict

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/meshdoctor/meshdoctor/category"
	"github.com/meshdoctor/meshdoctor/edges"
	"github.com/meshdoctor/meshdoctor/internal/order"
	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/mesh"
	"github.com/meshdoctor/meshdoctor/telemetry"
	corev1 "k8s.io/api/core/v1"
)

// otlpPorts are the collector's default OTLP ports; both servers answer
// TLS garbage (gRPC sends SETTINGS, Go net/http replies 400).
var otlpPorts = map[int32]bool{4317: true, 4318: true}

func appBehaviour(c edges.Candidate, proto mesh.Protocol, target int32, rcv *telemetry.Receiver) AppBehaviour {
	if rcv != nil && !rcv.TLS {
		return AppAnswers // a plaintext OTLP receiver: grpc-go sends SETTINGS, net/http answers 400
	}
	if rcv != nil {
		return AppUnknown // a TLS receiver answers a ClientHello with its own handshake
	}
	if proto == mesh.ProtoHTTP || c.Telemetry || otlpPorts[target] {
		return AppAnswers
	}
	return AppUnknown
}

// Evaluate judges a candidate against each workload backing its Service.
func Evaluate(m *mesh.Model, c edges.Candidate) []Edge {
	return EvaluateInto(nil, m, c)
}

// EvaluateInto is Evaluate appending to dst: a caller judging many
// candidates reuses one buffer rather than a slice of 472-byte edges per
// candidate (29 MB of garbage on a 20,000-workload mesh).
func EvaluateInto(dst []Edge, m *mesh.Model, c edges.Candidate) []Edge {
	n := len(dst)
	dst = evaluate(dst, m, c)
	markBeyondPilot(m, c, dst[n:])
	return dst
}

func evaluate(dst []Edge, m *mesh.Model, c edges.Candidate) []Edge {
	domain := m.Inv.Mesh.DomainSuffix
	proto := mesh.PortProtocol(c.Port)
	base := Edge{
		Client: Client{Namespace: c.Client.Namespace, Workload: c.Client.Name, Kind: c.Client.Kind, Proxy: m.Proxy(c.Client).Kind},
		Server: Server{Host: c.Service.Host(domain), Namespace: c.Service.Namespace, Service: c.Service.Name,
			Port: c.Port.Port, Protocol: string(proto)},
		Source:    c.Source(),
		Telemetry: c.Telemetry,
		OTLP:      otlpOf(c),
	}
	backends := append(m.Inv.Backends(c.Service), c.ExtraBackends...)
	if c.Service.External != nil && len(backends) == 0 {
		return append(dst, judgeExternal(m, c, base))
	}
	if notTCP(c.Port) && c.Service.External == nil && len(backends) > 0 {
		return judgeNotTCP(dst, m, c, base, backends)
	}
	if len(backends) == 0 {
		e := base
		e.Server.Proxy = mesh.ProxyUnknown
		e.ClientSends, e.ServerAccepts, e.Outcome = mesh.SendsUnknown, mesh.AcceptsUnknown, Unknown
		e.Cause = fmt.Sprintf("no workload in the inputs is selected by Service %s/%s, so the server side is unknown", c.Service.Namespace, c.Service.Name)
		e.Server.TargetPort = statedTargetPort(c.Port)
		e.DecidedBy = []inventory.Ref{c.Service.Ref()}
		return append(dst, e)
	}
	return judgeRoutes(dst, m, c, base, backends, proto)
}

func judgeBackend(m *mesh.Model, c edges.Candidate, e Edge, b *inventory.Workload, proto mesh.Protocol, route mesh.Route, otherHost bool) Edge {
	e.Server.Workload, e.Server.WorkloadKind, e.Server.Subset = b.Name, b.Kind, route.Subset
	serverProxy := m.Proxy(b)
	e.Server.Proxy = serverProxy.Kind
	sp, _ := clusterPort(c, route)
	if route.Port != 0 && m.ClusterFor(c.Client.Namespace, c.Client.Template.Labels, m.Proxy(c.Client).Kind, c.Service, uint32(sp.Port), route.Subset).OriginalDst {
		// An ORIGINAL_DST cluster connects to the address and port the client
		// dialled, whatever port the route's cluster names (§10.3): the
		// dialled port's targetPort is where the traffic lands.
		sp = c.Port
	}
	tp, err := inventory.TargetPort(sp, b.Template)
	if err != nil {
		e.ClientSends, e.ServerAccepts, e.Outcome = mesh.SendsUnknown, mesh.AcceptsUnknown, Unknown
		e.Cause = fmt.Sprintf("Service %s/%s port %d: %v in %s %s", c.Service.Namespace, c.Service.Name, c.Port.Port, err, b.Kind, b.Key())
		e.DecidedBy = []inventory.Ref{c.Service.Ref(), b.Ref()}
		return e
	}
	e.Server.TargetPort = tp
	hop := mesh.Hop{Client: c.Client, Service: c.Service, Port: c.Port, Backend: b, TargetPort: tp, AppTLS: c.AppTLS, Subset: route.Subset, ClusterPort: route.Port, OtherHost: otherHost}
	clientProxy := m.Proxy(c.Client)
	cin := m.ClientInputOf(hop)
	cd := mesh.ClientSends(cin)
	sa := mesh.ServerAccepts(m.ServerInputOf(hop))
	col, rcv := c.OTLP.Receiver(b, tp)
	j := Judge(cd, clientProxy.Kind, sa, proto, appBehaviour(c, proto, tp, rcv))
	e.Alternatives = visibilityAlternatives(cin, func(cd mesh.ClientDecision) Judgement {
		return gatewayWords(Judge(cd, clientProxy.Kind, sa, proto, appBehaviour(c, proto, tp, rcv)), clientProxy.Kind)
	})
	if rcv != nil {
		j = receiverTLS(j, cd, c.AppTLS, rcv)
		j, e.Alternatives = receiverReach(j, c, b, rcv)
		e.OTLP = withReceiver(e.OTLP, col, rcv)
	}
	j = gatewayWords(j, clientProxy.Kind)
	e.ClientSends, e.ServerAccepts = cd.Sends, sa.Accepts
	e.Outcome, e.MTLS, e.Encrypted, e.Symptom, e.Category, e.Cause = j.Outcome, j.MTLS, j.Encrypted, j.Symptom, j.Category, j.Cause
	e.byCreation = j.ByCreation && j.Outcome == Unknown
	e.byPilotOrder = j.PilotOrder && j.Outcome == Unknown
	e.ClientReason, e.ServerReason = cd.Reason, sa.Reason
	if clientProxy.Kind == mesh.ProxyUnknown {
		e.ClientReason = clientProxy.Reason
	}
	if serverProxy.Kind == mesh.ProxyUnknown {
		e.ServerReason = serverProxy.Reason
	}
	e.DecidedBy = decidedBy(cd, sa, clientProxy, serverProxy)
	if route.From != nil {
		e.DecidedBy = append(e.DecidedBy, route.From.Ref())
	}
	if route.Gateway != nil {
		e.DecidedBy = append(e.DecidedBy, route.Gateway.Ref())
	}
	return e
}

// decidedBy lists the policy objects first (they are what a user changes),
// then the injection inputs of both sides; without duplicates.
func decidedBy(cd mesh.ClientDecision, sa mesh.Acceptance, cp, sp mesh.ProxyDecision) []inventory.Ref {
	out := make([]inventory.Ref, 0, len(cd.DecidedBy)+len(sa.DecidedBy)+len(cp.DecidedBy)+len(sp.DecidedBy))
	return appendNewRefs(out, cd.DecidedBy, sa.DecidedBy, cp.DecidedBy, sp.DecidedBy)
}

// appendNewRefs appends to out each ref of lists that out does not hold yet.
func appendNewRefs(out []inventory.Ref, lists ...[]inventory.Ref) []inventory.Ref {
	for _, refs := range lists {
		for _, r := range refs {
			if !slices.Contains(out, r) { // a handful: a scan, not a map per edge
				out = append(out, r)
			}
		}
	}
	return out
}

// Sort orders edges: failing first, then unknown, then ok; within each by
// client and server, so output is deterministic (equal edges keep their
// order). It sorts positions and then moves each edge once: 60,000 edges
// sort in about a million comparisons, which allocated two key slices and
// two formatted ports each, and a stable sort of the 472-byte edges moves
// them O(n log² n) times.
func Sort(es []Edge) {
	order.SortStable(es, compareEdges)
}

// compareEdges is Sort's order, field by field.
func compareEdges(a, b *Edge) int {
	if c := cmp.Compare(outcomeRank(a.Outcome), outcomeRank(b.Outcome)); c != 0 {
		return c
	}
	for _, k := range [...][2]string{{a.Client.Namespace, b.Client.Namespace}, {a.Client.Workload, b.Client.Workload},
		{a.Client.Kind, b.Client.Kind}, {a.Server.Namespace, b.Server.Namespace}, {a.Server.Service, b.Server.Service}} {
		if c := strings.Compare(k[0], k[1]); c != 0 {
			return c
		}
	}
	if c := comparePorts(a.Server.Port, b.Server.Port); c != 0 {
		return c
	}
	return strings.Compare(a.Server.Workload, b.Server.Workload)
}

// outcomeRank: fail, unknown, ok; anything else ranks with fail, as the
// map the order was first written with gave it (its zero value).
func outcomeRank(o Outcome) int {
	switch o {
	case Unknown:
		return 1
	case OK:
		return 2
	}
	return 0
}

// comparePorts orders ports as their "%05d" forms do: by number within
// 0–99999, by the formatted text outside it (a negative port in bad input).
func comparePorts(a, b int32) int {
	if a >= 0 && b >= 0 && a <= 99999 && b <= 99999 {
		return cmp.Compare(a, b)
	}
	return strings.Compare(fmt.Sprintf("%05d", a), fmt.Sprintf("%05d", b))
}

// Symptoms at a collector's OTLP receiver, in its clients' words.
const (
	SymptomReceiverLocalhost = "connection refused (through a client sidecar: " + envoyReset + "reset reason: remote connection failure, transport failure reason: delayed connect error: 111)"
	SymptomGRPCToHTTP        = "grpc-go \"error reading server preface: http2: frame too large\" / gRPC UNAVAILABLE: the OTLP/HTTP server answers HTTP/1.1"
	SymptomHTTPToGRPC        = "the gRPC server answers an HTTP/1.1 POST with an HTTP/2 frame: OkHttp \"unexpected end of stream\", Go \"malformed HTTP response\""
	SymptomReceiverCert      = envoyReset + "retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end (client sidecar: 503 / gRPC UNAVAILABLE)"
	SymptomTLSToPlainOTLP    = "TLS handshake failure: the plaintext receiver answers the ClientHello with HTTP/2 SETTINGS (gRPC) or an HTTP/1.1 400 (HTTP): WRONG_VERSION_NUMBER (BoringSSL), \"first record does not look like a TLS handshake\" (Go), \"Unsupported or unrecognized SSL message\" (Java)"
	SymptomPlainToTLSOTLP    = "the TLS receiver rejects plaintext: HTTP/1 clients get \"400 Bad Request: Client sent an HTTP request to an HTTPS server\"; gRPC clients see UNAVAILABLE \"connection closed before server preface received\""
)

// receiverTLS folds the receiver's own TLS into the judgement: a receiver
// with a tls block terminates TLS itself (so app-originated TLS passed
// through the mesh works, and plaintext fails), and istio mTLS reaching
// it fails certificate verification in the client sidecar, not with
// WRONG_VERSION_NUMBER (spec §4.4: the symptom follows the server app).
func receiverTLS(j Judgement, cd mesh.ClientDecision, appTLS bool, r *telemetry.Receiver) Judgement {
	on := fmt.Sprintf("the collector's receiver %s", r)
	switch {
	case r.TLS && j.PassedThrough && (cd.Sends == mesh.SendsTLS || cd.Sends == mesh.SendsMTLS) && appTLS:
		return Judgement{Outcome: OK, Encrypted: true, Cause: "the app's TLS is passed through to " + on + ", which terminates it (tls block in its config)"}
	case r.TLS && j.Outcome == Fail && j.Category == category.TLSToPlaintext && (cd.Sends == mesh.SendsIstioMTLS || cd.Sends == mesh.SendsHBONE):
		j.Symptom = SymptomReceiverCert
		j.Category = category.UntrustedCertificate
		j.Cause += "; " + on + " answers with its own certificate, which the client sidecar cannot verify as an Istio identity"
	case r.TLS && j.Outcome == OK && !appTLS:
		return fail(SymptomPlainToTLSOTLP, category.PlaintextToTLS, "the app sends plaintext (http:// or insecure) but "+on+" requires TLS; "+j.Cause)
	case !r.TLS && appTLS && (j.Outcome == Unknown || j.Outcome == OK):
		return fail(SymptomTLSToPlainOTLP, category.TLSToPlaintext, "the app originates TLS (https://) but "+on+" has no tls block")
	}
	return j
}

// receiverReach folds what the collector's receiver itself refuses into a
// working mesh path: a receiver bound to localhost is not reachable from
// other pods (a sidecar forwards inbound traffic to the pod IP), and an
// exporter speaking the other OTLP protocol is not understood. An export
// whose protocol the inputs do not tell (an SDK that builds its exporter in
// code) is never judged on a guess: the mesh layer's verdict stands, the
// edge is unknown, and the alternatives say what grpc and OTLP/HTTP would
// each give.
func receiverReach(j Judgement, c edges.Candidate, b *inventory.Workload, r *telemetry.Receiver) (Judgement, []Alternative) {
	if j.Outcome != OK {
		return j, nil
	}
	on := fmt.Sprintf("the collector's receiver %s", r)
	if r.Bind == "localhost" && c.Client != b {
		return fail(SymptomReceiverLocalhost, category.ConnectionRefused, on+" listens on localhost only: other pods cannot reach it; "+r.Because), nil
	}
	// Each export is judged on its own protocol; signals sent the wrong way fail
	// even when others on the same port work.
	var bad, good, undecided []string
	for _, l := range c.OTLP.Links {
		for _, x := range l.Exports {
			switch {
			case r.Protocol == "":
				good = append(good, string(x.Signal))
			case x.Protocol == telemetry.Unknown || x.Protocol == "":
				undecided = appendNew(undecided, string(x.Signal))
			case (x.Protocol == telemetry.GRPC) == (r.Protocol == telemetry.GRPC):
				good = append(good, string(x.Signal))
			default:
				bad = append(bad, string(x.Signal)+" over "+string(x.Protocol))
			}
		}
	}
	mismatch := SymptomGRPCToHTTP
	if r.Protocol == telemetry.GRPC {
		mismatch = SymptomHTTPToGRPC
	}
	if len(bad) > 0 {
		cause := "the exporter sends " + strings.Join(bad, ", ") + " but " + on + " speaks the other OTLP protocol"
		if len(good) > 0 {
			cause += " (" + strings.Join(good, ", ") + " arrive)"
		}
		return fail(mismatch, category.Other, cause), nil
	}
	if len(undecided) == 0 {
		return j, nil
	}
	sigs := strings.Join(undecided, ",")
	u := Judgement{Outcome: Unknown, MTLS: false, Encrypted: j.Encrypted,
		Cause: fmt.Sprintf("the mesh path works (%s), but the OTLP protocol of %s is undetermined: no OTEL_EXPORTER_OTLP_PROTOCOL and no known SDK default (the exporter is built in code); %s", j.Cause, sigs, on)}
	return u, protocolAlternatives(sigs, r, mismatch, j.MTLS)
}

// protocolAlternatives is the edge under each OTLP protocol the exporter
// may use: the one the receiver speaks works, the other fails.
// The working one keeps the mesh path's mutual TLS: only the bytes inside
// it are in question.
func protocolAlternatives(sigs string, r *telemetry.Receiver, mismatch string, mtls bool) []Alternative {
	works := Alternative{Outcome: OK, MTLS: mtls}
	breaks := Alternative{Outcome: Fail, Category: string(category.Other), Symptom: mismatch}
	grpc := []string{"the exporter of " + sigs + " speaks grpc (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)"}
	http := []string{"the exporter of " + sigs + " speaks http/protobuf (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)"}
	if r.Protocol == telemetry.GRPC {
		works.Assume, breaks.Assume = grpc, http
	} else {
		works.Assume, breaks.Assume = http, grpc
	}
	return []Alternative{works, breaks}
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func otlpOf(c edges.Candidate) *OTLP {
	if c.OTLP == nil {
		return nil
	}
	return &OTLP{Signals: c.OTLP.Signals(), Protocols: c.OTLP.Protocols(), Senders: c.OTLP.Senders(), Endpoints: c.OTLP.Endpoints()}
}

func withReceiver(o *OTLP, c *telemetry.Collector, r *telemetry.Receiver) *OTLP {
	if o == nil {
		return nil
	}
	cp := *o
	if c != nil {
		cp.Collector = c.String()
	}
	cp.Receiver, cp.ReceiverTLS = r.String(), r.TLS
	return &cp
}

// judgeExternal judges an edge to a host outside the cluster: what the mesh
// does to the client's traffic is decided; the external server is not.
func judgeExternal(m *mesh.Model, c edges.Candidate, e Edge) Edge {
	x := c.Service.External
	e.Server.Proxy = "external"
	e.ServerAccepts = "external (outside the mesh)"
	hop := mesh.Hop{Client: c.Client, Service: c.Service, Port: c.Port, AppTLS: c.AppTLS}
	clientProxy := m.Proxy(c.Client)
	cin := m.ClientInputOf(hop)
	cd := mesh.ClientSends(cin)
	e.ClientSends, e.ClientReason = cd.Sends, cd.Reason
	e.Alternatives = visibilityAlternatives(cin, func(cd mesh.ClientDecision) Judgement { return externalJudgement(cd, x.Host) })
	var refs []inventory.Ref
	if x.Entry != nil {
		refs = append(refs, x.Entry.Ref())
		e.ServerReason = "registered by ServiceEntry " + x.Entry.Key()
	} else {
		e.ServerReason = "registered by no ServiceEntry"
	}
	j := externalJudgement(cd, x.Host)
	e.Outcome, e.Category, e.Symptom, e.Cause, e.Encrypted = j.Outcome, j.Category, j.Symptom, j.Cause, j.Encrypted
	e.byCreation = j.ByCreation
	e.DecidedBy = decidedBy(cd, mesh.Acceptance{DecidedBy: refs}, clientProxy, mesh.ProxyDecision{})
	return e
}

// externalJudgement judges what the client sends to a host outside the mesh.
func externalJudgement(cd mesh.ClientDecision, host string) Judgement {
	switch cd.Sends {
	case mesh.SendsBlackHole:
		if cd.Symptom != "" { // taken by another host's listener: a ServiceEntry would not help
			return fail(cd.Symptom, category.NoRoute, "the client's proxy does not deliver it to the external host: "+cd.Reason)
		}
		return fail(SymptomBlackHole, category.NoRoute, "the client's proxy has no route to the external host: "+cd.Reason+"; add a ServiceEntry for "+host)
	case mesh.SendsIstioMTLS:
		return fail(envoyReset+"retried and the latest reset reason: remote connection failure, transport failure reason: TLS_error:|268435581:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED:TLS_error_end",
			category.UntrustedCertificate, "the client sidecar sends istio mTLS ("+cd.Reason+") to a host outside the mesh, whose certificate is not a mesh identity")
	case mesh.SendsUnknown:
		return Judgement{Outcome: Unknown, Cause: "cannot decide what the client sends: " + cd.Reason, ByCreation: cd.ByCreation, PilotOrder: cd.PilotOrder}
	}
	return Judgement{Outcome: OK, Encrypted: cd.Sends == mesh.SendsTLS || cd.Sends == mesh.SendsMTLS,
		Cause: "the mesh hands the traffic to the external host as " + string(cd.Sends) + "; whether that host accepts it is outside the model"}
}

// visibilityAlternatives judges an edge whose client listener is undecided
// (mesh.Visibility.Undecided, §10.8) under each visibility it may have.
func visibilityAlternatives(in mesh.ClientInput, judge func(mesh.ClientDecision) Judgement) []Alternative {
	if !in.Visibility.Undecided || in.Outbound != mesh.Yes {
		return nil
	}
	var out []Alternative
	for _, va := range in.Visibility.Alternatives {
		alt := in
		alt.Visibility = va.Visibility
		j := judge(mesh.ClientSends(alt))
		out = append(out, Alternative{Assume: []string{va.Assume}, Outcome: j.Outcome, MTLS: j.MTLS, Category: string(j.Category), Symptom: j.Symptom})
		if j.Outcome != Unknown {
			out[len(out)-1].Sends = mesh.ClientSends(alt).Sends
		}
	}
	return out
}

// statedTargetPort is the target port a Service port states without pods to
// resolve it: a number as written, the port itself when unset (Kubernetes
// defaults targetPort to port), 0 for a name only a pod can resolve.
func statedTargetPort(p corev1.ServicePort) int32 {
	switch {
	case p.TargetPort.IntValue() > 0:
		return int32(p.TargetPort.IntValue())
	case p.TargetPort.String() == "0" || p.TargetPort.String() == "":
		return p.Port
	}
	return 0
}
