#!/usr/bin/env bash
# One JFR-profiled compile with only LeakedProducer enabled (the corpus overhead.sh prepared:
# work/overhead/{files.args,cp.txt}), then the share of CPU samples spent in the check.
#
#   testdata/realworld/profile.sh
#
# Prints: total execution samples, samples with any io.leakedproducer frame on the stack (the
# check's inclusive cost), and the top frames (self and inclusive) inside io.leakedproducer.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$HERE/work}
dir="$WORK/overhead"
[[ -s "$dir/files.args" ]] || { echo "run overhead.sh first (it prepares $dir)" >&2; exit 2; }
# shellcheck source=common.sh
source "$HERE/common.sh"
PROCESSOR_PATH="$(cat "$WORK/ep/cp.txt"):$(checker_jar)"
module_flags -J
JOPENS=("${MODULE_FLAGS[@]}")
out=$(mktemp -d "$WORK/profile-classes.XXXXXX")
trap 'rm -rf "$out"' EXIT
rec="$dir/lp.jfr"
rm -f "$rec"
javac "${JOPENS[@]}" -J-Xms3g -J-Xmx3g -J-XX:+FlightRecorder \
  "-J-XX:StartFlightRecording=filename=$rec,settings=profile,dumponexit=true" \
  -encoding UTF-8 -source 17 -target 17 -Xmaxerrs 100000 -Xmaxwarns 100000 \
  -XDcompilePolicy=simple --should-stop=ifError=FLOW -processorpath "$PROCESSOR_PATH" \
  '-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN' \
  -cp "$(cat "$dir/cp.txt")" -d "$out" @"$dir/files.args" >"$dir/profile.log" 2>&1
jfr print --events jdk.ExecutionSample --stack-depth 200 "$rec" >"$dir/lp.samples.txt"
python3 - "$dir/lp.samples.txt" <<'PY'
import collections, re, sys
samples, cur = [], None
for line in open(sys.argv[1]):
    if line.startswith("jdk.ExecutionSample"):
        cur = []
        samples.append(cur)
    elif cur is not None:
        m = re.match(r"\s+([\w$.<>]+)\(", line)
        if m and "line:" in line:
            cur.append(m.group(1))
total = len(samples)
ours = [s for s in samples if any(f.startswith("io.leakedproducer.") for f in s)]
errorprone = [s for s in samples if any(f.startswith("com.google.errorprone.") for f in s)]
print(f"execution samples: {total}")
print(f"  with an Error Prone frame:      {len(errorprone)} ({100.0 * len(errorprone) / max(total, 1):.2f} %)")
print(f"  with an io.leakedproducer frame: {len(ours)} ({100.0 * len(ours) / max(total, 1):.2f} %)")
self_top = collections.Counter()
incl = collections.Counter()
for s in ours:
    top = next(f for f in s if f.startswith("io.leakedproducer."))  # innermost frame of ours
    self_top[top] += 1
    for f in set(f for f in s if f.startswith("io.leakedproducer.")):
        incl[f] += 1
print("innermost io.leakedproducer frame (samples):")
for f, n in self_top.most_common(12):
    print(f"  {n:6d}  {f}")
print("inclusive io.leakedproducer frames (samples):")
for f, n in incl.most_common(12):
    print(f"  {n:6d}  {f}")
PY
