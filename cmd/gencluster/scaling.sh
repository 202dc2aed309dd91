#!/usr/bin/env bash
# Prints the scaling table of the README: for meshes of 1,000, 5,000 and
# 20,000 workloads (namespaces of 20 apps, from cmd/gencluster), the median
# of 3 runs of `analyze -o json` and `analyze --all-pairs -o json` — wall
# time, CPU time (user+sys) and peak memory — and, with ISTIOCTL=path,
# `istioctl analyze --use-kube=false` on the same file, runs alternating.
# Usage: cmd/gencluster/scaling.sh [sizes in namespaces, default "50 250 1000"]
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/meshdoctor" ./cmd/meshdoctor
go build -o "$dir/gencluster" ./cmd/gencluster
sizes=${*:-50 250 1000}

# run NAME CMD...: one timed run, appends "wall cpu rssMiB" to $dir/NAME
run() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$dir/t" "$@" >/dev/null 2>&1 || true
	# (time writes "Command exited with non-zero status 1" first: analyze exits 1 on failing pairs)
	tail -1 "$dir/t" | awk '{printf "%.2f %.2f %.0f\n", $1, $2+$3, $4/1024}' >>"$dir/$name"
}
median() { sort -n -k"$2" "$1" | sed -n 2p | awk -v k="$2" '{print $k}'; }

printf '| workloads | objects | pairs | run | wall s | cpu s | peak MiB |\n|---|---|---|---|---|---|---|\n'
for ns in $sizes; do
	f="$dir/mesh-$ns.yaml"
	"$dir/gencluster" -namespaces "$ns" -workloads 20 >"$f"
	objects=$(grep -c '^kind:' "$f")
	rm -f "$dir"/json "$dir"/pairs "$dir"/istioctl
	for i in 1 2 3; do
		[ -n "${ISTIOCTL:-}" ] && run istioctl "$ISTIOCTL" analyze --use-kube=false "$f"
		run json "$dir/meshdoctor" analyze -o json "$f"
		run pairs "$dir/meshdoctor" analyze --all-pairs -o json "$f"
	done
	pairs=$({ "$dir/meshdoctor" analyze --all-pairs -o json "$f" || true; } | grep -m1 '"pairs"' | tr -dc 0-9)
	for r in istioctl json pairs; do
		[ -f "$dir/$r" ] || continue
		case $r in istioctl) what="istioctl analyze --use-kube=false" ;; json) what="analyze -o json" ;; pairs) what="analyze --all-pairs -o json" ;; esac
		printf '| %d | %d | %s | %s | %s | %s | %s |\n' $((ns * 20 + 1)) "$objects" "$pairs" "$what" \
			"$(median "$dir/$r" 1)" "$(median "$dir/$r" 2)" "$(median "$dir/$r" 3)"
	done
done
