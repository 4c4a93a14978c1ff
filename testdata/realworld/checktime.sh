#!/usr/bin/env bash
# The check's own compile-time cost, measured in one JVM (see CheckTime.java): thread CPU time of
# compiles with and without LeakedProducer over the same files as overhead.sh, and Error Prone's
# timer for the time spent inside the check's matchers.
#   testdata/realworld/checktime.sh            # 5 rounds over guava + kafka-clients (2,306 files)
#   ROUNDS=9 LIBS=guava testdata/realworld/checktime.sh
# Needs work/ from run.sh and the checker jar (mvn -DskipTests -pl checker -am package).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$HERE/work}
ROUNDS=${ROUNDS:-5}
LIBS=${LIBS:-guava kafka-clients}
dir="$WORK/checktime"
mkdir -p "$dir"
for lib in $LIBS; do
  if [[ ! -s "$WORK/$lib/plain.ok" || ! -s "$WORK/ep/cp.txt" ]]; then
    "$HERE/run.sh" "$lib" >&2 || true
  fi
  [[ -s "$WORK/$lib/plain.ok" ]] || { echo "could not prepare $lib" >&2; exit 2; }
done
: >"$dir/files.args"
for lib in $LIBS; do
  sed "s|^|$WORK/$lib/sources/|" "$WORK/$lib/files.txt" >>"$dir/files.args"
done
for lib in $LIBS; do tr ':' '\n' <"$WORK/$lib/cp.txt"; done | grep -v '^$' | awk '!seen[$0]++' | paste -sd: >"$dir/cp.txt"
CHECKER_JAR=${CHECKER_JAR:-$(ls "$HERE"/../../checker/target/leaked-producer-checker-*.jar | grep -v -e sources -e javadoc | head -1)}
J=()
for p in api file main model parser processing tree util; do
  J+=("--add-exports=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED")
done
for p in code comp; do
  J+=("--add-opens=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED")
done
out=$(mktemp -d "$WORK/checktime-classes.XXXXXX")
trap 'rm -rf "$out"' EXIT
echo "$LIBS: $(wc -l <"$dir/files.args") files, $ROUNDS rounds after two warm-up rounds" >&2
java "${J[@]}" -Xms3g -Xmx3g -cp "$(cat "$WORK/ep/cp.txt"):$CHECKER_JAR" "$HERE/CheckTime.java" \
  "$ROUNDS" "$out" "$dir/cp.txt" "$dir/files.args"
