#!/usr/bin/env bash
# Compile-time cost of LeakedProducer on Guava's sources (about 2,000 files).
#
#   testdata/realworld/overhead.sh            # 5 timed runs of each configuration
#   RUNS=7 testdata/realworld/overhead.sh
#
# Three configurations, in the same run, alternating (the order rotates every round):
#   lp    -Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN
#   none  -Xplugin:ErrorProne -XepDisableAllChecks   (Error Prone with every check disabled)
#   plain no -Xplugin (javac alone, same flags, same processor path)
# Prints the median wall time of each and the median ratios lp/none (target <= 1.01) and
# lp/plain. Raw times go to work/overhead.tsv. Uses work/guava from run.sh (runs it if missing).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$HERE/work}
RUNS=${RUNS:-5}
LIB=${LIB:-guava}
JAVAC_MEM=${JAVAC_MEM:--J-Xms3g -J-Xmx3g}
dir="$WORK/$LIB"

if [[ ! -s "$dir/plain.ok" || ! -s "$WORK/ep/cp.txt" ]]; then
  "$HERE/run.sh" "$LIB" >&2 || true
fi
[[ -s "$dir/plain.ok" ]] || { echo "could not prepare $LIB" >&2; exit 2; }
CHECKER_JAR=${CHECKER_JAR:-$(ls "$HERE"/../../checker/target/leaked-producer-checker-*.jar | grep -v -e sources -e javadoc | head -1)}
PROCESSOR_PATH="$(cat "$WORK/ep/cp.txt"):$CHECKER_JAR"

JOPENS=()
for p in api file main model parser processing tree util; do
  JOPENS+=("-J--add-exports=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED")
done
for p in code comp; do
  JOPENS+=("-J--add-opens=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED")
done
sed "s|^|$dir/sources/|" "$dir/files.txt" >"$dir/files.args"
out=$(mktemp -d "$WORK/overhead-classes.XXXXXX")
trap 'rm -rf "$out"' EXIT

compile() {  # mode -> prints seconds; the log goes to work/<lib>/overhead.<mode>.log
  local mode=$1 plugin=()
  case $mode in
    lp) plugin=('-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN') ;;
    none) plugin=('-Xplugin:ErrorProne -XepDisableAllChecks') ;;
    plain) plugin=() ;;
  esac
  rm -rf "$out"/*
  local start end
  start=$(date +%s.%N)
  javac "${JOPENS[@]}" $JAVAC_MEM -encoding UTF-8 -source 17 -target 17 -Xmaxerrs 100000 -Xmaxwarns 100000 \
    -XDcompilePolicy=simple --should-stop=ifError=FLOW -processorpath "$PROCESSOR_PATH" "${plugin[@]}" \
    -cp "$(cat "$dir/cp.txt")" -d "$out" @"$dir/files.args" >"$dir/overhead.$mode.log" 2>&1 \
    || { echo "javac failed in mode $mode, see $dir/overhead.$mode.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

echo "$LIB: $(wc -l <"$dir/files.txt") files, $RUNS timed runs per configuration, one untimed warm-up" >&2
compile none >/dev/null
printf 'round\tmode\tseconds\n' >"$WORK/overhead.tsv"
orders=("none lp plain" "lp plain none" "plain none lp")
for ((i = 1; i <= RUNS; i++)); do
  for mode in ${orders[$(((i - 1) % 3))]}; do
    s=$(compile "$mode")
    printf '%s\t%s\t%s\n' "$i" "$mode" "$s" >>"$WORK/overhead.tsv"
    printf '  round %d %-5s %6.1f s\n' "$i" "$mode" "$s" >&2
  done
done

python3 - "$WORK/overhead.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
by = {}
for r in rows:
    by.setdefault(r["mode"], {})[int(r["round"])] = float(r["seconds"])
med = {m: statistics.median(v.values()) for m, v in by.items()}
def paired(a, b):
    return statistics.median(by[a][i] / by[b][i] for i in by[a])
for m in ("plain", "none", "lp"):
    print(f"median {m:5s} {med[m]:7.2f} s   runs: " + " ".join(f"{by[m][i]:.1f}" for i in sorted(by[m])))
print(f"ratio lp/none  (median of medians) {med['lp'] / med['none']:.3f}   (median of per-round ratios) {paired('lp', 'none'):.3f}   target <= 1.01")
print(f"ratio lp/plain (median of medians) {med['lp'] / med['plain']:.3f}   (median of per-round ratios) {paired('lp', 'plain'):.3f}")
print(f"ratio none/plain (Error Prone's own cost) {med['none'] / med['plain']:.3f}")
PY
