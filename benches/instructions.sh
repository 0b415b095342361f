#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind: the load of a shared
# machine does not change them) of one-shot processes on one bid, side by
# side: the floor (examples/floor.rs), `bpt validate` without the template
# cache (BPT_NO_CACHE=1: the template resolved from its TOML and the form
# compiled, as at the first start), and `bpt validate` with it (the
# template and form read from the cache the run before wrote, in a
# temporary XDG_CACHE_HOME).
#
#   benches/instructions.sh [BID]      # profiles stay in target/callgrind/
set -euo pipefail
cd "$(dirname "$0")/.."
BID=${1:-sample-bids/hmo-mapd-2013.xlsx}
cargo build --release --locked --quiet --bin bpt --example floor
out=target/callgrind
mkdir -p "$out"
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
count() { # NAME CMD...
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$out/$name.out" "$@" >/dev/null 2>"$out/$name.log" || true
  grep -o 'Collected : [0-9]*' "$out/$name.log" | awk '{print $3}'
}
XDG_CACHE_HOME=$cache target/release/bpt validate "$BID" >/dev/null || true
floor=$(count floor target/release/examples/floor "$BID")
cold=$(BPT_NO_CACHE=1 count validate-no-cache target/release/bpt validate "$BID")
warm=$(XDG_CACHE_HOME=$cache count validate-cached target/release/bpt validate "$BID")
echo "| process ($BID) | instructions | ratio to floor |"
echo "|---|---:|---:|"
for row in "floor (calamine: every sheet's values):$floor" \
           "bpt validate, no cache (BPT_NO_CACHE=1):$cold" \
           "bpt validate, template cached:$warm"; do
  n=${row##*:}
  awk -v l="${row%:*}" -v n="$n" -v f="$floor" \
    'BEGIN { printf "| %s | %.1f M | %.2f |\n", l, n / 1e6, n / f }'
done
echo
echo "profiles: $out/*.out (callgrind_annotate --inclusive=yes FILE)"
