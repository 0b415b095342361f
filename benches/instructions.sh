#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind: the load of a shared
# machine does not change them), side by side in one run:
#
#   1. one-shot processes on one bid: the floor (examples/floor.rs),
#      `bpt validate` without the template cache (BPT_NO_CACHE=1: the
#      template resolved from its TOML and the form compiled, as at the
#      first start), and `bpt validate` with it (the template and form read
#      from the cache the run before wrote, in a temporary XDG_CACHE_HOME);
#   2. the same bid in process: what `bpt validate` spends on the bid
#      itself (the whole validation less reading the template and form
#      back) against what the floor spends reading it (its `read`), from
#      the profiles of 1;
#   3. a batch: floor DIR and `bpt validate DIR --quiet` (cached) over a
#      folder of copies of the 14 shipped samples (distinct files).
#
#   benches/instructions.sh [BID]      # profiles stay in target/callgrind/
set -euo pipefail
cd "$(dirname "$0")/.."
BID=${1:-sample-bids/hmo-mapd-2013.xlsx}
cargo build --release --locked --quiet --bin bpt --example floor
out=target/callgrind
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cache=$tmp/cache
batch=$tmp/batch
mkdir -p "$cache" "$batch"
cp sample-bids/*.xlsx "$batch/"
count() { # NAME CMD...
  local name=$1; shift
  valgrind --tool=callgrind --callgrind-out-file="$out/$name.out" "$@" >/dev/null 2>"$out/$name.log" || true
  grep -o 'Collected : [0-9]*' "$out/$name.log" | awk '{print $3}'
}
# Inclusive instructions of the functions matching a pattern in a profile
# (the largest: a function called from two places is listed once).
incl() { # NAME PATTERN
  callgrind_annotate --inclusive=yes "$out/$1.out" 2>/dev/null |
    grep -E "$2" | head -1 | awk '{gsub(",", "", $1); print $1}'
}
XDG_CACHE_HOME=$cache target/release/bpt validate "$BID" >/dev/null || true
floor=$(count floor target/release/examples/floor "$BID")
cold=$(BPT_NO_CACHE=1 count validate-no-cache target/release/bpt validate "$BID")
warm=$(XDG_CACHE_HOME=$cache count validate-cached target/release/bpt validate "$BID")
row() { # LABEL N BASE
  awk -v l="$1" -v n="$2" -v f="$3" 'BEGIN { printf "| %s | %.1f M | %.2f |\n", l, n / 1e6, n / f }'
}
echo "| one-shot process ($BID) | instructions | ratio to floor |"
echo "|---|---:|---:|"
row "floor (calamine: every sheet's values)" "$floor" "$floor"
row "bpt validate, no cache (BPT_NO_CACHE=1)" "$cold" "$floor"
row "bpt validate, template cached" "$warm" "$floor"
echo
floor_read=$(incl floor 'floor::main \[')
whole=$(incl validate-cached 'pipeline::validate_file \[')
template=$(incl validate-cached 'template::builtin_cached \[')
form=$(incl validate-cached 'bpt::form::cached \[')
bid=$((whole - template - form))
echo "| in process (same bid) | instructions | ratio to floor |"
echo "|---|---:|---:|"
row "floor: opening and reading the workbook (its main)" "$floor_read" "$floor_read"
row "bpt: the bid's validation (less the template and form read back)" "$bid" "$floor_read"
echo
n=$(ls "$batch" | wc -l)
bfloor=$(count batch-floor target/release/examples/floor "$batch")
bbpt=$(XDG_CACHE_HOME=$cache count batch-validate target/release/bpt validate "$batch" --quiet)
echo "| batch of $n bids (the shipped samples) | instructions | ratio to floor |"
echo "|---|---:|---:|"
row "floor DIR" "$bfloor" "$bfloor"
row "bpt validate DIR --quiet, template cached" "$bbpt" "$bfloor"
echo
echo "profiles: $out/*.out (callgrind_annotate --inclusive=yes FILE)"
