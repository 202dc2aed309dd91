// Package mesh restates Istio's rules for mutual TLS as pure functions over
// an inventory: which workloads get a proxy (injection, ambient), what its
// iptables capture takes, how PeerAuthentications compose, which
// DestinationRule and VirtualService route a client's traffic and to which
// cluster, what the client's proxy sends and what the server's accepts.
//
// Each rule lives in one function whose comment names the section of the
// rule book that states it (§0–9: the semantics spec beside the repository,
// ../shared/spec/istio-mtls-semantics.md; §10–11: docs/semantics.md) and the
// Istio source it mirrors (istio/istio paths and function names), so any rule
// can be checked against its source. Where the inputs cannot decide, the
// functions say so (Tri Undecided, ProxyUnknown, SendsUnknown) rather than
// guess.
//
// Model holds the indices an Istio PushContext would build from the inputs
// (PeerAuthentication, DestinationRule) and the per-workload decisions;
// ClientInputOf and ServerInputOf gather what ClientSends and ServerAccepts
// decide from, for one client → Service port → backend hop.
package mesh
