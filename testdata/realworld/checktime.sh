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
# shellcheck source=common.sh
source "$HERE/common.sh"
read -r -a libs <<<"$LIBS"
prepare_corpus "$dir" "${libs[@]}"
CHECKER_JAR=$(checker_jar)
module_flags ""
out=$(mktemp -d "$WORK/checktime-classes.XXXXXX")
trap 'rm -rf "$out"' EXIT
echo "$LIBS: $(wc -l <"$dir/files.args") files, $ROUNDS rounds after two warm-up rounds" >&2
java "${MODULE_FLAGS[@]}" -Xms3g -Xmx3g -cp "$(cat "$WORK/ep/cp.txt"):$CHECKER_JAR" "$HERE/CheckTime.java" \
  "$ROUNDS" "$out" "$dir/cp.txt" "$dir/files.args"
