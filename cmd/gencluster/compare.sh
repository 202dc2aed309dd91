#!/usr/bin/env bash
# Side by side with istioctl on the 20,001-workload mesh of the README's
# "Speed" section: `istioctl analyze --use-kube=false`, `meshdoctor analyze
# -o json` and `meshdoctor analyze --all-pairs -o json` on the same file,
# runs alternating, RUNS rounds (default 3); prints the median wall time,
# CPU time (user+sys) and peak RSS of each, their ratios to istioctl, the
# JSON bytes, and the load average before and after (wall time on a shared
# machine is mostly waiting for a core: read the CPU column too).
# Usage: ISTIOCTL=/path/to/istioctl cmd/gencluster/compare.sh [mesh.yaml]
#   (without a file, the mesh is generated: -namespaces 1000 -workloads 20)
# Extra env: RUNS=5, MESHDOCTOR=/path/to/binary (default: built from here),
#   MD_ENV="GOMEMLIMIT=off" (environment for the meshdoctor runs only).
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${ISTIOCTL:?set ISTIOCTL to an istioctl binary (see the README: Speed)}"
runs=${RUNS:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
md=${MESHDOCTOR:-}
if [ -z "$md" ]; then
	md=$dir/meshdoctor
	go build -o "$md" ./cmd/meshdoctor
fi
f=${1:-}
if [ -z "$f" ]; then
	f=$dir/mesh.yaml
	go run ./cmd/gencluster -namespaces 1000 -workloads 20 >"$f"
fi
read -r -a mdenv <<<"${MD_ENV:-}"

# run NAME CMD...: one timed run, appends "wall cpu rssMiB" to $dir/NAME
run() {
	local name=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$dir/t" "$@" >"$dir/out" 2>/dev/null || true
	# (time writes "Command exited with non-zero status 1" first: analyze exits 1 on failing edges)
	tail -1 "$dir/t" | awk '{printf "%.2f %.2f %.0f\n", $1, $2+$3, $4/1024}' >>"$dir/$name"
	wc -c <"$dir/out" >"$dir/$name.bytes"
}
median() { sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }

echo "mesh: $f ($(wc -c <"$f") bytes, $(grep -c '^kind:' "$f") objects); $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
	run istioctl "$ISTIOCTL" analyze --use-kube=false "$f"
	run json env "${mdenv[@]}" "$md" analyze -o json "$f"
	run pairs env "${mdenv[@]}" "$md" analyze --all-pairs -o json "$f"
done
iw=$(median "$dir/istioctl" 1)
ic=$(median "$dir/istioctl" 2)
im=$(median "$dir/istioctl" 3)
printf '| run | wall s | CPU s | peak MiB | wall vs istioctl | CPU vs istioctl | memory vs istioctl | JSON bytes |\n|---|---|---|---|---|---|---|---|\n'
for r in istioctl json pairs; do
	case $r in istioctl) what="istioctl analyze --use-kube=false" ;; json) what="meshdoctor analyze -o json" ;; pairs) what="meshdoctor analyze --all-pairs -o json" ;; esac
	w=$(median "$dir/$r" 1)
	c=$(median "$dir/$r" 2)
	m=$(median "$dir/$r" 3)
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$what" "$w" "$c" "$m" \
		"$(awk -v a="$iw" -v b="$w" 'BEGIN {printf "%.2f× faster", a/b}')" \
		"$(awk -v a="$ic" -v b="$c" 'BEGIN {printf "%.2f× less", a/b}')" \
		"$(awk -v a="$m" -v b="$im" 'BEGIN {printf "%.2f×", a/b}')" "$([ $r = istioctl ] && echo — || cat "$dir/$r.bytes")"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); each run: $(for r in istioctl json pairs; do printf '%s [%s] ' "$r" "$(tr '\n' ';' <"$dir/$r")"; done)"
