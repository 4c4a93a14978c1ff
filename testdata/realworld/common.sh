# Shared by the timing scripts of this folder (sourced, not run). Needs HERE and WORK set.

# module_flags PREFIX: the ten module flags Error Prone needs on JDK 17 (the list of
# .mvn/jvm.config) into the array MODULE_FLAGS; PREFIX is "-J" for javac, "" for java.
module_flags() {
  MODULE_FLAGS=()
  local p
  for p in api file main model parser processing tree util; do
    MODULE_FLAGS+=("$1--add-exports=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED")
  done
  for p in code comp; do
    MODULE_FLAGS+=("$1--add-opens=jdk.compiler/com.sun.tools.javac.$p=ALL-UNNAMED")
  done
}

# prepare_corpus DIR LIB...: DIR/files.args (every compilable file of the libraries, prepared by
# run.sh, which runs for a library not yet prepared) and DIR/cp.txt (their class paths, merged).
prepare_corpus() {
  local dir=$1 lib
  shift
  mkdir -p "$dir"
  for lib in "$@"; do
    if [[ ! -s "$WORK/$lib/plain.ok" || ! -s "$WORK/ep/cp.txt" ]]; then
      "$HERE/run.sh" "$lib" >&2 || true
    fi
    [[ -s "$WORK/$lib/plain.ok" ]] || { echo "could not prepare $lib" >&2; exit 2; }
  done
  : >"$dir/files.args"
  for lib in "$@"; do
    sed "s|^|$WORK/$lib/sources/|" "$WORK/$lib/files.txt" >>"$dir/files.args"
  done
  for lib in "$@"; do tr ':' '\n' <"$WORK/$lib/cp.txt"; done | grep -v '^$' | awk '!seen[$0]++' \
    | paste -sd: >"$dir/cp.txt"
}

# The checker jar built in this checkout, unless CHECKER_JAR names another.
checker_jar() {
  echo "${CHECKER_JAR:-$(ls "$HERE"/../../checker/target/leaked-producer-checker-*.jar | grep -v -e sources -e javadoc | head -1)}"
}
