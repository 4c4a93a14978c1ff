#!/usr/bin/env bash
# Runs LeakedProducer (and nothing else) over real libraries' source jars from Maven Central.
#
#   testdata/realworld/run.sh                 # every library in libraries.tsv
#   testdata/realworld/run.sh guava caffeine  # only these ids
#   TAG=unknown EP_OPTS=-XepOpt:LeakedProducer:UnknownQueuesBounded=true testdata/realworld/run.sh
#                                             # extra check flags; results go to *.unknown.* files
#   LIBRARIES=other.tsv testdata/realworld/run.sh  # another list in the same format (releases.sh uses it)
#
# A list row is: id, groupId:artifactId:version, extra compile deps (comma-separated g:a:v to add
# and !g:a to leave out of the library's dependencies, or -), and optionally the
# source paths to analyse (comma-separated prefixes inside the source jar, or -). With that fourth
# column only the matching files are compiled, and the library's own binary jar stays on the class
# path to stand for the rest: a large module is then analysed at the one class that matters.
#
# The check always runs strict (-XepOpt:LeakedProducer:Strict=true): an internal analysis error is
# a crash of the run, never a silent "no finding".
#
# Everything is downloaded and generated under testdata/realworld/work/ (git-ignored).
# Per library: work/<id>/{sources,cp.txt,files.txt,excluded.txt,ep.log,findings.txt}; summary in
# work/results.tsv. Exit status 1 if Error Prone crashed on any library.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${WORK:-$HERE/work}
EP_VERSION=${EP_VERSION:-2.42.0}
DEP_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
JAVAC_MEM=${JAVAC_MEM:--J-Xmx3g}
MAX_ROUNDS=${MAX_ROUNDS:-8}
EP_OPTS=${EP_OPTS:-}
LIBRARIES=${LIBRARIES:-$HERE/libraries.tsv}
# MVN_REPO=<dir>: a Maven repository of one's own (as for the corpus scripts).
if [[ -n "${MVN_REPO:-}" ]]; then export MAVEN_OPTS="${MAVEN_OPTS:-} -Dmaven.repo.local=$MVN_REPO"; fi
TAG=${TAG:-}
SFX=${TAG:+.$TAG}
mkdir -p "$WORK"
trap 'rc=$?; ((rc == 0 || rc == 1)) || log "failed (exit $rc); Maven output is in $WORK/mvn.log"' EXIT

# The ten module flags Error Prone needs on JDK 17 (same list as .mvn/jvm.config).
# shellcheck source=common.sh
source "$HERE/common.sh"
module_flags -J
JOPENS=("${MODULE_FLAGS[@]}")

log() { printf '[realworld] %s\n' "$*" >&2; }

# A throwaway pom depending on the given g:a:v list; prints its directory.
throwaway_pom() {
  local dir=$1; shift
  mkdir -p "$dir"
  {
    echo '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>'
    echo '<groupId>io.leakedproducer.realworld</groupId><artifactId>throwaway</artifactId><version>0</version>'
    echo '<packaging>pom</packaging><dependencies>'
    local gav g a v first=1 ex eg ea
    for gav in "$@"; do
      IFS=: read -r g a v <<<"$gav"
      echo "<dependency><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version>"
      # EXCLUDES (comma-separated g:a) are left out of the first dependency's tree.
      if ((first)) && [[ -n "${EXCLUDES:-}" ]]; then
        echo '<exclusions>'
        for ex in ${EXCLUDES//,/ }; do
          IFS=: read -r eg ea <<<"$ex"
          echo "<exclusion><groupId>$eg</groupId><artifactId>$ea</artifactId></exclusion>"
        done
        echo '</exclusions>'
      fi
      echo '</dependency>'
      first=0
    done
    echo '</dependencies></project>'
  } >"$dir/pom.xml"
}

# --- 1. the checker jar and the Error Prone processor path -------------------------------
CHECKER_JAR=${CHECKER_JAR:-}
if [[ -z "$CHECKER_JAR" ]]; then
  log "building the checker jar (mvn -DskipTests -pl checker -am package)"
  (cd "$ROOT" && mvn -B -q -Dstyle.color=never -DskipTests -pl checker -am package) >>"$WORK/mvn.log" 2>&1
  CHECKER_JAR=$(ls "$ROOT"/checker/target/leaked-producer-checker-*.jar | grep -v -e sources -e javadoc | head -1)
fi
if [[ ! -s "$WORK/ep/cp.txt" || "$(cat "$WORK/ep/version" 2>/dev/null)" != "$EP_VERSION" ]]; then
  log "resolving error_prone_core $EP_VERSION"
  throwaway_pom "$WORK/ep" "com.google.errorprone:error_prone_core:$EP_VERSION"
  mvn -B -q -Dstyle.color=never -f "$WORK/ep/pom.xml" "$DEP_PLUGIN:build-classpath" -Dmdep.outputFile="$WORK/ep/cp.txt" >>"$WORK/mvn.log" 2>&1
  echo "$EP_VERSION" >"$WORK/ep/version"
fi
PROCESSOR_PATH="$(cat "$WORK/ep/cp.txt"):$CHECKER_JAR"
export PROCESSOR_PATH CHECKER_JAR

# --- 2. per library ----------------------------------------------------------------------
prepare_library() {  # id gav extras only -> sources, cp.txt, files.txt (compiles cleanly with plain javac)
  local id=$1 gav=$2 extras=$3 only=${4:--} dir="$WORK/$1"
  local g a v; IFS=: read -r g a v <<<"$gav"
  mkdir -p "$dir"
  if [[ ! -d "$dir/sources" ]]; then
    log "$id: downloading $gav sources and pom"
    # Run outside any project (no pom.xml in $dir), so that Maven uses its standalone pom.
    (cd "$dir" && mvn -B -q -Dstyle.color=never "$DEP_PLUGIN:copy" -Dartifact="$g:$a:$v:jar:sources" \
       -DoutputDirectory="$dir" && mvn -B -q -Dstyle.color=never "$DEP_PLUGIN:copy" -Dartifact="$g:$a:$v:pom" \
       -DoutputDirectory="$dir") >>"$WORK/mvn.log" 2>&1 || { log "$id: download failed (see $WORK/mvn.log)"; return 1; }
    rm -rf "$dir/sources.tmp"; mkdir -p "$dir/sources.tmp"
    (cd "$dir/sources.tmp" && jar xf "$dir/$a-$v-sources.jar") || return 1
    mv "$dir/sources.tmp" "$dir/sources"
  fi
  if [[ ! -f "$dir/cp.txt" ]]; then
    # The library's own pom, built as a project: its classpath then includes its optional,
    # provided and runtime-scoped dependencies (Gradle-made poms put compile needs in runtime
    # scope), which a dependent project would not see. Every scope is taken; test-only jars on
    # the class path do not change what the library's sources mean.
    log "$id: resolving the compile classpath from the library's own pom"
    mkdir -p "$dir/libpom"
    cp "$dir/$a-$v.pom" "$dir/libpom/pom.xml"
    local cp=""
    if mvn -B -q -Dstyle.color=never -f "$dir/libpom/pom.xml" "$DEP_PLUGIN:build-classpath" \
         -Dmdep.outputFile="$dir/cp.lib.txt" >"$dir/libpom.log" 2>&1; then
      cp=$(cat "$dir/cp.lib.txt")
    else
      log "$id: the library's pom does not resolve as a project (see libpom.log); using a dependent pom"
    fi
    # Extras: g:a:v adds a dependency; !g:a leaves g:a out of the library's dependency tree (an
    # artifact that the registry does not serve, which would fail the whole resolution).
    local deps=("$gav") excludes="" extra
    if [[ "$extras" != "-" ]]; then
      IFS=, read -r -a more <<<"$extras"
      for extra in "${more[@]}"; do
        if [[ "$extra" == !* ]]; then excludes+="${excludes:+,}${extra#!}"; else deps+=("$extra"); fi
      done
    fi
    EXCLUDES="$excludes" throwaway_pom "$dir/dependent" "${deps[@]}"
    mvn -B -q -Dstyle.color=never -f "$dir/dependent/pom.xml" "$DEP_PLUGIN:build-classpath" -DincludeScope=runtime \
      -Dmdep.outputFile="$dir/cp.dep.txt" >>"$WORK/mvn.log" 2>&1 || { log "$id: classpath failed"; return 1; }
    # Drop the library's own binary jar: the sources are compiled instead. When only some files
    # are compiled, the jar stays and provides the classes of the others.
    local own="/$a-$v.jar\$"
    if [[ "$only" != "-" ]]; then own='^$'; fi
    { tr ':' '\n' <<<"$cp"; tr ':' '\n' <"$dir/cp.dep.txt"; } | { grep -v -e '^$' -e "$own" || true; } \
      | awk '!seen[$0]++' | paste -sd: >"$dir/cp.txt"
  fi
  if [[ ! -s "$dir/files.txt" || ! -s "$dir/plain.ok" ]]; then
    rm -f "$dir/plain.ok"
    (cd "$dir/sources" && find . -name '*.java' ! -path './META-INF/*' ! -name module-info.java | sed 's|^\./||' | sort) \
      >"$dir/all-files.txt"
    if [[ "$only" != "-" ]]; then
      awk -v pre="$only" 'BEGIN { n = split(pre, p, ",") } { for (i = 1; i <= n; i++) if (index($0, p[i]) == 1) { print; next } }' \
        "$dir/all-files.txt" >"$dir/files.txt"
      [[ -s "$dir/files.txt" ]] || { log "$id: no source file under $only"; return 1; }
    else
      cp "$dir/all-files.txt" "$dir/files.txt"
    fi
    : >"$dir/excluded.txt"
    local round
    for ((round = 1; round <= MAX_ROUNDS; round++)); do
      rm -rf "$dir/classes.plain"; mkdir -p "$dir/classes.plain"
      sed "s|^|$dir/sources/|" "$dir/files.txt" >"$dir/files.args"
      if (cd "$dir/sources" && javac -J-Xmx2g -proc:none -encoding UTF-8 -source 17 -target 17 -Xlint:none \
            -Xmaxerrs 100000 -Xmaxwarns 100000 --should-stop=ifError=FLOW -cp "$(cat "$dir/cp.txt")" \
            -d "$dir/classes.plain" @"$dir/files.args") >"$dir/plain.round$round.log" 2>&1; then
        log "$id: plain javac clean after $((round - 1)) exclusion round(s)"
        echo "$round" >"$dir/plain.ok"
        break
      fi
      local bad
      bad=$(grep -oE "^$dir/sources/[^:]+\.java:[0-9]+: error:" "$dir/plain.round$round.log" \
              | sed -E "s|^$dir/sources/||; s|:[0-9]+: error:$||" | sort -u || true)
      if [[ -z "$bad" ]]; then
        log "$id: plain javac failed without file errors; see $dir/plain.round$round.log"; return 1
      fi
      log "$id: round $round excludes $(wc -l <<<"$bad") file(s) that do not compile"
      echo "$bad" >>"$dir/excluded.txt"
      grep -vxF -f <(echo "$bad") "$dir/files.txt" >"$dir/files.next" || true
      mv "$dir/files.next" "$dir/files.txt"
    done
    rm -rf "$dir/classes.plain"
    [[ -s "$dir/plain.ok" ]] || { log "$id: still does not compile after $MAX_ROUNDS rounds"; return 1; }
  fi
}

run_errorprone() {  # id -> ep.log, findings.txt; prints "files findings crashes seconds rc"
  local id=$1 dir="$WORK/$1"
  rm -rf "$dir/classes.ep"; mkdir -p "$dir/classes.ep"
  sed "s|^|$dir/sources/|" "$dir/files.txt" >"$dir/files.args"
  local start end rc=0
  start=$(date +%s.%N)
  # Neither -proc:none nor -Xlint:none here: each one silently hides every Error Prone warning
  # (measured; the canary below catches it). The processor path holds no annotation processor.
  javac "${JOPENS[@]}" $JAVAC_MEM -encoding UTF-8 -source 17 -target 17 \
    -Xmaxerrs 100000 -Xmaxwarns 100000 -XDcompilePolicy=simple --should-stop=ifError=FLOW \
    -processorpath "$PROCESSOR_PATH" \
    "-Xplugin:ErrorProne -XepDisableAllChecks -Xep:LeakedProducer:WARN -XepOpt:LeakedProducer:Strict=true${EP_OPTS:+ $EP_OPTS}" \
    -cp "$(cat "$dir/cp.txt")" -d "$dir/classes.ep" @"$dir/files.args" >"$dir/ep$SFX.log" 2>&1 || rc=$?
  end=$(date +%s.%N)
  rm -rf "$dir/classes.ep"
  grep -F '[LeakedProducer]' "$dir/ep$SFX.log" | sed "s|^$dir/sources/||" >"$dir/findings$SFX.txt" || true
  local crashes
  crashes=$(grep -cF 'An unhandled exception was thrown by the Error Prone static analysis plugin' "$dir/ep$SFX.log" || true)
  printf '%s %s %s %.1f %s\n' "$(wc -l <"$dir/files.txt")" "$(wc -l <"$dir/findings$SFX.txt")" "$crashes" \
    "$(echo "$end - $start" | bc)" "$rc"
}

# --- 3. canary: the plugin must load and report on a known leak, or every zero below means nothing
mkdir -p "$WORK/canary/sources/canary"
cp "$HERE/canary/Canary.java" "$WORK/canary/sources/canary/"
echo canary/Canary.java >"$WORK/canary/files.txt"
: >"$WORK/canary/cp.txt"
read -r _ canary_findings canary_crashes _ _ < <(run_errorprone canary)
if [[ "$canary_findings" != 1 || "$canary_crashes" != 0 ]]; then
  log "canary: expected 1 finding and no crash, got $canary_findings finding(s), $canary_crashes crash(es); see $WORK/canary/ep$SFX.log"
  exit 2
fi
log "canary: the check is loaded and reports ($(cut -c1-120 "$WORK/canary/findings$SFX.txt")...)"

ids=("$@")
RESULTS="$WORK/results$SFX.tsv"
printf 'id\tartifact\tfiles_in_jar\tfiles_compiled\tfindings\tcrashes\tseconds\tjavac_rc\n' >"$RESULTS.new"
crashed=0
while IFS=$'\t' read -r id gav extras only; do
  [[ -z "$id" || "$id" == \#* ]] && continue
  if ((${#ids[@]})) && [[ ! " ${ids[*]} " == *" $id "* ]]; then continue; fi
  if ! prepare_library "$id" "$gav" "$extras" "${only:--}"; then
    printf '%s\t%s\t-\t-\t-\t-\t-\tprepare-failed\n' "$id" "$gav" >>"$RESULTS.new"; continue
  fi
  log "$id: compiling $(wc -l <"$WORK/$id/files.txt") files with -Xep:LeakedProducer:WARN only"
  read -r files findings crashes secs rc < <(run_errorprone "$id")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$gav" "$(wc -l <"$WORK/$id/all-files.txt")" "$files" \
    "$findings" "$crashes" "$secs" "$rc" >>"$RESULTS.new"
  log "$id: files=$files findings=$findings crashes=$crashes time=${secs}s javac_rc=$rc"
  sed 's/^/    /' "$WORK/$id/findings$SFX.txt" >&2
  ((crashes > 0)) && crashed=1
done < <(grep -v '^#' "$LIBRARIES")
mv "$RESULTS.new" "$RESULTS"
column -t -s $'\t' "$RESULTS"
exit $crashed
