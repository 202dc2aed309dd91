package edges

import (
	"testing"

	"github.com/meshdoctor/meshdoctor/inventory"
	"github.com/meshdoctor/meshdoctor/source"
	"github.com/meshdoctor/meshdoctor/telemetry"
)

// Candidates are keyed by the names of client and Service, as when the key
// was a formatted string of them: a ServiceEntry host named like a Service
// of its namespace is that Service's key; a workload given twice is one.
func TestIdentities(t *testing.T) {
	const in = `apiVersion: v1
kind: Service
metadata: {name: foo, namespace: x}
spec: {ports: [{port: 80}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: short, namespace: x}
spec: {hosts: [foo], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: other, namespace: x}
spec: {hosts: [bar.example.com], ports: [{number: 80, name: http, protocol: HTTP}], resolution: DNS}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: x}
spec: {template: {spec: {containers: [{name: a, image: a}]}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: x}
spec: {template: {spec: {containers: [{name: b, image: b}]}}}
`
	inv := inventory.Build(source.Parse("c.yaml", []byte(in)), "default")
	if len(inv.Services) != 1 || len(inv.ServiceEntryHosts) != 2 || len(inv.Workloads) != 1 {
		t.Fatalf("inventory: %d Services, %d ServiceEntry hosts, %d workloads; want 1, 2, 1", len(inv.Services), len(inv.ServiceEntryHosts), len(inv.Workloads))
	}
	id := newIdentities(inv, telemetry.Build(inv))
	svc, short, other := inv.Services[0], inv.ServiceEntryHosts[0], inv.ServiceEntryHosts[1]
	if short.Name != "foo" || other.Name != "bar.example.com" {
		t.Fatalf("ServiceEntry hosts %s, %s", short.Name, other.Name)
	}
	w := inv.Workloads[0]
	if id.keyOf(w, short, 80) != id.keyOf(w, svc, 80) {
		t.Errorf("ServiceEntry host x/foo and Service x/foo have different keys")
	}
	if id.keyOf(w, other, 80) == id.keyOf(w, svc, 80) || id.keyOf(w, svc, 80) == id.keyOf(w, svc, 81) {
		t.Errorf("different Services or ports share a key")
	}
	// The inventory keeps one object of a name; one that held two (sorted,
	// so adjacent) would still give them one key.
	twin := &inventory.Workload{Meta: w.Meta}
	inv.Workloads = append(inv.Workloads, twin)
	id = newIdentities(inv, telemetry.Build(inv))
	if id.keyOf(twin, svc, 80) != id.keyOf(w, svc, 80) {
		t.Errorf("a repeated workload has its own key")
	}
}
