#!/usr/bin/env bash
# Times `meshdoctor explain` against `grep -F -f <its match strings>` on the
# same generated log (default 300 MB). Usage: explain/bench-vs-grep.sh [MB]
set -euo pipefail
mb=${1:-300}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
go build -o "$tmp/meshdoctor" ./cmd/meshdoctor
"$tmp/meshdoctor" explain --literals > "$tmp/literals.txt"
# the same generator as BenchmarkExplain, via a throwaway test binary
go test -c -o "$tmp/explain.test" ./explain/ >/dev/null
MESHDOCTOR_GENLOG="$tmp/big.log" MESHDOCTOR_GENLOG_MB="$mb" "$tmp/explain.test" -test.run '^TestGenLog$' >/dev/null
size=$(stat -c %s "$tmp/big.log")
cat "$tmp/big.log" > /dev/null # warm the page cache for both
# best wall time (seconds) of 3 runs; grep gets -c so that it reads the
# whole file (GNU grep stops at the first match when its stdout is /dev/null,
# so both outputs go through a pipe)
best() {
	local b=999999 t
	for _ in 1 2 3; do
		t=$( { TIMEFORMAT=%R; time "$@" | cat > /dev/null; } 2>&1 | tail -1)
		b=$(echo "$b $t" | awk '{print ($2 < $1) ? $2 : $1}')
	done
	echo "$b"
}
tm=$(best "$tmp/meshdoctor" explain "$tmp/big.log")
tg=$(best grep -c -F -f "$tmp/literals.txt" "$tmp/big.log")
echo "log: $((size / 1000000)) MB, $(wc -l < "$tmp/literals.txt") literals"
echo "meshdoctor explain: ${tm}s  $(echo "$size $tm" | awk '{printf "%.0f", $1/1e6/$2}') MB/s"
echo "grep -c -F -f:      ${tg}s  $(echo "$size $tg" | awk '{printf "%.0f", $1/1e6/$2}') MB/s"
echo "explain/grep throughput ratio: $(echo "$tg $tm" | awk '{printf "%.2f", $1/$2}') (target >= 0.5)"
