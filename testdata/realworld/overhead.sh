#!/usr/bin/env bash
# Compile-time cost of LeakedProducer on real sources: by default Guava's whole source jar (606
# files) plus kafka-clients' (about 1,700 files), compiled together in one javac run (> 2,000 files).
#
#   testdata/realworld/overhead.sh                 # 5 timed runs of each configuration
#   RUNS=7 LIBS=guava testdata/realworld/overhead.sh
#
# Three configurations, in the same run, alternating (the order rotates every round):
#   lp    -Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN
#   none  -Xplugin:ErrorProne -XepDisableAllChecks   (Error Prone with every check disabled)
#   plain no -Xplugin (javac alone, same flags, same processor path)
#   one   -Xplugin:ErrorProne -XepDisableAllChecks -Xep:$ONE_CHECK:WARN (default DeadException: one
#         cheap built-in check, so Error Prone walks every tree as it does for lp; only with
#         MODES="none lp plain one")
# Prints the median wall time (and CPU time, user+sys of javac, which is steadier on a shared
# machine) of each, and the median ratios lp/none (target <= 1.01) and lp/plain. Raw times go
# to work/overhead.tsv. Uses work/<lib> from run.sh (runs it if missing).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$HERE/work}
RUNS=${RUNS:-5}
LIBS=${LIBS:-guava kafka-clients}
MODES=${MODES:-none lp plain}
ONE_CHECK=${ONE_CHECK:-DeadException}
JAVAC_MEM=${JAVAC_MEM:--J-Xms3g -J-Xmx3g}
dir="$WORK/overhead"
# shellcheck source=common.sh
source "$HERE/common.sh"
read -r -a libs <<<"$LIBS"
prepare_corpus "$dir" "${libs[@]}"
PROCESSOR_PATH="$(cat "$WORK/ep/cp.txt"):$(checker_jar)"
module_flags -J
JOPENS=("${MODULE_FLAGS[@]}")
out=$(mktemp -d "$WORK/overhead-classes.XXXXXX")
trap 'rm -rf "$out"' EXIT

compile() {  # mode -> prints "wall cpu" seconds; the log goes to work/overhead/<mode>.log
  local mode=$1 plugin=()
  case $mode in
    lp) plugin=('-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN') ;;
    none) plugin=('-Xplugin:ErrorProne -XepDisableAllChecks') ;;
    plain) plugin=() ;;
    one) plugin=("-Xplugin:ErrorProne -XepDisableAllChecks -Xep:$ONE_CHECK:WARN") ;;
  esac
  rm -rf "$out"/*
  /usr/bin/time -f '%e %U %S' -o "$dir/time.$mode" javac "${JOPENS[@]}" $JAVAC_MEM -encoding UTF-8 -source 17 -target 17 -Xmaxerrs 100000 -Xmaxwarns 100000 \
    -XDcompilePolicy=simple --should-stop=ifError=FLOW -processorpath "$PROCESSOR_PATH" "${plugin[@]}" \
    -cp "$(cat "$dir/cp.txt")" -d "$out" @"$dir/files.args" >"$dir/$mode.log" 2>&1 \
    || { echo "javac failed in mode $mode, see $dir/$mode.log" >&2; exit 1; }
  local wall user sys
  read -r wall user sys <"$dir/time.$mode"
  echo "$wall $(echo "$user + $sys" | bc)"
}

echo "$LIBS: $(wc -l <"$dir/files.args") files, $RUNS timed runs per configuration, one untimed warm-up" >&2
compile none >/dev/null
printf 'round\tmode\tseconds\tcpu_seconds\n' >"$WORK/overhead.tsv"
read -r -a modes <<<"$MODES"
for ((i = 1; i <= RUNS; i++)); do
  # rotate the order every round so that no configuration always runs first
  k=$(((i - 1) % ${#modes[@]}))
  for mode in "${modes[@]:k}" "${modes[@]:0:k}"; do
    read -r wall cpu < <(compile "$mode")
    printf '%s\t%s\t%s\t%s\n' "$i" "$mode" "$wall" "$cpu" >>"$WORK/overhead.tsv"
    printf '  round %d %-5s wall %6.1f s  cpu %6.1f s\n' "$i" "$mode" "$wall" "$cpu" >&2
  done
done

python3 - "$WORK/overhead.tsv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
for col, label in (("seconds", "wall"), ("cpu_seconds", "cpu")):
    by = {}
    for r in rows:
        by.setdefault(r["mode"], {})[int(r["round"])] = float(r[col])
    med = {m: statistics.median(v.values()) for m, v in by.items()}
    def paired(a, b):
        return statistics.median(by[a][i] / by[b][i] for i in by[a])
    print(f"== {label} time")
    for m in [m for m in ("plain", "none", "one", "lp") if m in by]:
        print(f"median {m:5s} {med[m]:7.2f} s   runs: " + " ".join(f"{by[m][i]:.1f}" for i in sorted(by[m])))
    print(f"ratio lp/none  (median of medians) {med['lp'] / med['none']:.3f}   (median of per-round ratios) {paired('lp', 'none'):.3f}   target <= 1.01")
    if "plain" in by:
        print(f"ratio lp/plain (median of medians) {med['lp'] / med['plain']:.3f}   (median of per-round ratios) {paired('lp', 'plain'):.3f}")
        print(f"ratio none/plain (Error Prone's own cost) {med['none'] / med['plain']:.3f}")
    if "one" in by:
        print(f"ratio one/none (Error Prone walking the trees for one cheap built-in check) {med['one'] / med['none']:.3f}   (per round) {paired('one', 'none'):.3f}")
        print(f"ratio lp/one  (the check against that cheap check) {med['lp'] / med['one']:.3f}   (per round) {paired('lp', 'one'):.3f}")
PY
