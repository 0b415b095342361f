#!/usr/bin/env bash
# `bpt validate` as a process against the floor program (examples/floor.rs:
# calamine opens each file and reads every sheet, nothing else), by CPU time
# (user + sys of the process, benches/cpu.py), side by side in one run:
#
#   1. one bid (the shipped hmo-mapd-2013 sample): floor, floor --formulas,
#      bpt validate FILE with the template cache (src/template/cache.rs, in
#      a temporary XDG_CACHE_HOME written before the runs) and without it
#      (BPT_NO_CACHE=1: the template resolved from its TOML at every start);
#   2. the batches `cargo bench --bench bench` writes (target/bench/batch-N):
#      floor DIR and bpt validate DIR, with peak RSS.
#
#   benches/processes.sh            # 15 runs per one-bid command, 3 per batch
#   RUNS=31 BATCH_RUNS=5 benches/processes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-15}
BATCH_RUNS=${BATCH_RUNS:-3}
cargo build --release --locked --quiet --bin bpt --example floor
BPT=target/release/bpt
FLOOR=target/release/examples/floor
BID=sample-bids/hmo-mapd-2013.xlsx
XDG_CACHE_HOME=$(mktemp -d)
export XDG_CACHE_HOME
trap 'rm -rf "$XDG_CACHE_HOME"' EXIT
$BPT validate "$BID" >/dev/null || true
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo
echo "## One bid ($BID)"
benches/cpu.py "$RUNS" \
  "floor (calamine: every sheet's values)" -- $FLOOR "$BID" --- \
  "floor --formulas (values and formulas)" -- $FLOOR --formulas "$BID" --- \
  "bpt validate FILE" -- $BPT validate "$BID" --- \
  "bpt validate FILE, no cache" -- env BPT_NO_CACHE=1 $BPT validate "$BID"
for n in 100 1000; do
  dir=target/bench/batch-$n
  [ -d "$dir" ] || { echo "($dir missing: run cargo bench --bench bench first)"; continue; }
  echo
  echo "## Batch of $n bids ($dir)"
  benches/cpu.py "$BATCH_RUNS" \
    "floor DIR" -- $FLOOR "$dir" --- \
    "bpt validate DIR" -- $BPT validate "$dir" --quiet
done
