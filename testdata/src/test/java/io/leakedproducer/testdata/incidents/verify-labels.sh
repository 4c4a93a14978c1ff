#!/usr/bin/env bash
# Checks the label of every incident reduction in this folder by running it: each file's
# "// LEAK" lines must be exactly the insertions observed parked for good, and a file without
# markers must return with no stuck insertion. Uses the shared corpus's LabelCheck.java, which
# wants package eval.cases, so the files are copied and only their package line is rewritten
# (line numbers stay the same).
#   verify-labels.sh                    every file
#   verify-labels.sh -v Name ...        only the named files, with details
# Env: JDK17_HOME (default /usr/lib/jvm/java-17-openjdk-amd64), LP_CORPUS (folder holding
# LabelCheck.java; default ../shared/corpus next to the project root), EVAL_WORK (scratch,
# default /tmp/incident-labels), JOBS (child JVMs at once, default 1).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../../../../.." && pwd)
corpus=${LP_CORPUS:-$root/../shared/corpus}
jdk17=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
work=${EVAL_WORK:-/tmp/incident-labels}

rm -rf "$work/src" "$work/classes"
mkdir -p "$work/src" "$work/classes" "$work/logs"
for f in "$here"/*.java; do
  sed 's/^package io\.leakedproducer\.testdata\.incidents;$/package eval.cases;/' "$f" \
    > "$work/src/$(basename "$f")"
done
"$jdk17/bin/javac" -nowarn -d "$work/classes" "$corpus/LabelCheck.java" "$work"/src/*.java
exec "$jdk17/bin/java" -cp "$work/classes" eval.LabelCheck --jobs "${JOBS:-1}" \
  --logs "$work/logs" --suite "$work/src" "$jdk17/bin/java" "$work/classes" "$@"
