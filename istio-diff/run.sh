#!/usr/bin/env bash
# Differential run: Istio's pilot (istio.io/istio, pinned in go.mod) against
# `meshdoctor analyze --all-pairs -o json` on random meshes. Outside CI.
#   istio-diff/run.sh [MESHES] [FIRST_SEED]       e.g. run.sh 2000 1
# Env: REPRO=dir  write one shrunk reproducer per disagreement signature
#      ARGS=...    extra test flags, e.g. "-repro-max 10 -show"
set -euo pipefail
cd "$(dirname "$0")"
meshes=${1:-2000}
seed=${2:-1}
bin=$(mktemp -d)/meshdoctor
t0=$(date +%s)
(cd .. && go build -o "$bin" ./cmd/meshdoctor)
t1=$(date +%s)
go test -c -o "$(dirname "$bin")/istio-diff.test" .
t2=$(date +%s)
echo "build: meshdoctor $((t1-t0))s, Istio harness $((t2-t1))s"
args=(-test.run 'TestDifferential|TestRepros' -test.timeout 6h -meshes "$meshes" -seed "$seed" -meshdoctor "$bin")
[ -n "${REPRO:-}" ] && args+=(-repro "$REPRO")
# shellcheck disable=SC2206
args+=(${ARGS:-})
ISTIO_DIFF_REPROS=1 "$(dirname "$bin")/istio-diff.test" "${args[@]}" 2>&1 | grep --line-buffered -v '^\s*$' | grep --line-buffered -v -E '^(=== RUN|--- PASS|=== PAUSE|=== CONT)|^\s+--- PASS' || true
echo "total: $(( $(date +%s) - t0 ))s"
