#!/usr/bin/env bash
# The pull-request check behind action.yml, runnable anywhere:
#
#   action/diff.sh BASE_REF PATH...
#
# judges PATH... at HEAD for code scanning (SARIF, meshdoctor analyze) and
# compares them with BASE_REF (meshdoctor diff --base-ref), writing the
# Markdown delta to the job summary. Exits as diff does: 0 no edge breaks
# and mTLS is not weakened, 1 it breaks or weakens, 2 the inputs could not
# be read. Outputs go to $MESHDOCTOR_OUT (default $RUNNER_TEMP, else a new
# temporary folder); on GitHub, sarif= and exit= go to $GITHUB_OUTPUT.
set -uo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 BASE_REF PATH..." >&2
  exit 2
fi
base=$1
shift
out=${MESHDOCTOR_OUT:-${RUNNER_TEMP:-$(mktemp -d)}}
mkdir -p "$out"
sarif=$out/meshdoctor.sarif
delta=$out/meshdoctor-diff.md
summary=${GITHUB_STEP_SUMMARY:-$out/summary.md}
extra=()
if [ -n "${MESHDOCTOR_ARGS:-}" ]; then
  read -r -a extra <<<"$MESHDOCTOR_ARGS"
fi

# Findings of the new state, for code scanning. analyze exits 1 when edges
# already fail: that is reported, not gated on; only 2 (unreadable) stops.
meshdoctor analyze -o sarif ${extra[@]+"${extra[@]}"} "$@" >"$sarif"
code=$?
if [ "$code" -ge 2 ]; then
  echo "::error::meshdoctor analyze could not read $*" >&2
  echo "exit=2" >>"${GITHUB_OUTPUT:-/dev/null}"
  exit 2
fi

# The gate: what the change does to each edge.
meshdoctor diff --base-ref "$base" -o markdown ${extra[@]+"${extra[@]}"} "$@" >"$delta"
code=$?
{
  echo "## meshdoctor: mTLS changes against $base"
  echo
  cat "$delta"
} >>"$summary"
case $code in
0) echo "meshdoctor: no edge breaks and mTLS is not weakened against $base" ;;
1) echo "::error::meshdoctor: this change breaks an edge or weakens mTLS (see the job summary)" >&2 ;;
*) echo "::error::meshdoctor diff could not compare against $base" >&2 ;;
esac
{
  echo "sarif=$sarif"
  echo "exit=$code"
} >>"${GITHUB_OUTPUT:-/dev/null}"
exit "$code"
