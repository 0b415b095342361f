#!/usr/bin/env bash
# The tools a user would otherwise script, on the bid `cargo bench --bench
# bench` writes (target/bench/one-bid.xlsx): LibreOffice headless
# recalculating on load (soffice --convert-to xlsx) and Python openpyxl +
# formulas (PyPI), each against `bpt validate` on the same file, in one run.
#
#   benches/compare.sh            # 5 runs of each, medians and ratios
#   RUNS=10 benches/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
cargo build --release --quiet
BPT=target/release/bpt
mkdir -p target/bench
BID=target/bench/one-bid.xlsx
if [ ! -f "$BID" ]; then
  $BPT sample hmo-mapd-2013 -o target/bench --force >/dev/null
  mv target/bench/hmo-mapd-2013.xlsx "$BID"
fi

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # command… → median seconds over $RUNS runs
  for _ in $(seq "$RUNS"); do
    s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
    echo "$e - $s" | bc -l
  done | median
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
t_bpt=$(timeit $BPT validate "$BID")
printf 'bpt validate (read + recalc + rules):       %8.3f s\n' "$t_bpt"

if command -v soffice >/dev/null; then
  PROFILE=$(mktemp -d)
  mkdir -p "$PROFILE/user"
  cat > "$PROFILE/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
  OUT=$(mktemp -d)
  # First start initialises the profile; not timed.
  soffice --headless --norestore "-env:UserInstallation=file://$PROFILE" --convert-to xlsx --outdir "$OUT" "$BID" >/dev/null 2>&1 || true
  t_lo=$(timeit soffice --headless --norestore "-env:UserInstallation=file://$PROFILE" --convert-to xlsx --outdir "$OUT" "$BID")
  printf 'LibreOffice recalculation (convert-to):    %8.3f s   ratio %6.1fx\n' "$t_lo" "$(echo "$t_lo / $t_bpt" | bc -l)"
  rm -rf "$PROFILE" "$OUT"
else
  echo "LibreOffice: soffice not found (apt-get install libreoffice-calc-nogui)"
fi

VENV=target/bench/venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet openpyxl formulas
fi
cat > target/bench/formulas_recalc.py <<'PY'
import sys, formulas
xl = formulas.ExcelModel().loads(sys.argv[1]).finish()
xl.calculate()
PY
cat > target/bench/openpyxl_read.py <<'PY'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
n = sum(1 for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None)
PY
t_opx=$(timeit "$VENV/bin/python" target/bench/openpyxl_read.py "$BID")
printf 'Python openpyxl read (cached values):      %8.3f s   ratio %6.1fx\n' "$t_opx" "$(echo "$t_opx / $t_bpt" | bc -l)"
t_py=$(RUNS=$(( RUNS < 3 ? RUNS : 3 )) timeit "$VENV/bin/python" target/bench/formulas_recalc.py "$BID")
printf 'Python formulas load + recalculate:        %8.3f s   ratio %6.1fx\n' "$t_py" "$(echo "$t_py / $t_bpt" | bc -l)"
