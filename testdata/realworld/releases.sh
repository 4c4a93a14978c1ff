#!/usr/bin/env bash
# Runs LeakedProducer (strict) on the real releases before and after the fix of an incident, as
# listed in releases.tsv, and prints per incident whether the buggy release is flagged at the
# blocking insertion and the fixed release is silent there (issue 10, point 6).
#
#   testdata/realworld/releases.sh                          # every row of releases.tsv
#   testdata/realworld/releases.sh TrinoResultSet ...       # only these incident ids
#   DEBUG=1 testdata/realworld/releases.sh                  # also print the check's debug lines
#                                                           # (why each insertion was dropped)
#
# It reuses run.sh (download, class path, plain-javac file list, the canary, the strict Error
# Prone compile) on a generated list with one library per release: work/<id>@<version>/.
# The verdicts go to work/releases.tsv (work/ is git-ignored; no third-party source is committed).
# Exit status 1 if a buggy release is not flagged, a fixed one is flagged, or a run crashed.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
WORK=${WORK:-$HERE/work}
TAG=${TAG:-}
SFX=${TAG:+.$TAG}
mkdir -p "$WORK"
log() { printf '[releases] %s\n' "$*" >&2; }

wanted=("$@")
rows=()
while IFS= read -r row; do
  [[ -z "$row" || "$row" == \#* ]] && continue
  id=${row%%$'\t'*}
  if ((${#wanted[@]})) && [[ ! " ${wanted[*]} " == *" $id "* ]]; then continue; fi
  rows+=("$row")
done <"$HERE/releases.tsv"
((${#rows[@]})) || { log "no row of releases.tsv selected"; exit 2; }

# One library per release, in run.sh's format.
LIST="$WORK/releases.libraries$SFX.tsv"
: >"$LIST"
for row in "${rows[@]}"; do
  IFS=$'\t' read -r id ga buggy fixed file insertion extras only <<<"$row"
  for v in "$buggy" "$fixed"; do
    [[ "$v" == "-" ]] && continue
    printf '%s@%s\t%s:%s\t%s\t%s\n' "$id" "$v" "$ga" "$v" "$extras" "$only" >>"$LIST"
  done
done

if [[ -n "${DEBUG:-}" ]]; then export JAVAC_MEM="${JAVAC_MEM:--J-Xmx3g} -J-Dleakedproducer.debug=true"; fi
run_rc=0
LIBRARIES="$LIST" TAG="$TAG" WORK="$WORK" "$HERE/run.sh" || run_rc=$?
((run_rc <= 1)) || { log "run.sh failed (exit $run_rc)"; exit "$run_rc"; }

# Lines of the insertion in one release's copy of the file (comma-separated), or "absent".
insertion_lines() {  # dir file regex
  local src="$1/sources/$2"
  [[ -f "$src" ]] || { echo absent; return; }
  local lines
  lines=$(grep -nE -- "$3" "$src" | cut -d: -f1 | paste -sd, || true)
  echo "${lines:-absent}"
}

# Findings of one release at the given lines: "flagged:<lines>", "silent", or "not-run".
verdict_at() {  # dir file lines
  local findings="$1/findings$SFX.txt"
  [[ -f "$findings" && -f "$1/ep$SFX.log" ]] || { echo not-run; return; }
  local hit="" l
  for l in ${3//,/ }; do
    [[ "$l" == absent ]] && continue
    if grep -q "^$2:$l: " "$findings"; then hit+="${hit:+,}$l"; fi
  done
  if [[ -n "$hit" ]]; then echo "flagged:$hit"; else echo silent; fi
}

other_findings() {  # dir file -> findings of the release elsewhere (count) and in the file (lines)
  local findings="$1/findings$SFX.txt"
  [[ -f "$findings" ]] || { echo "-"; return; }
  local in_file elsewhere
  in_file=$(grep "^$2:" "$findings" | cut -d: -f2 | paste -sd, || true)
  elsewhere=$(grep -vc "^$2:" "$findings" || true)
  echo "file:${in_file:-none} module:$elsewhere"
}

OUT="$WORK/releases$SFX.tsv"
printf 'id\tartifact\tbuggy\tinsertion_lines\tbuggy_verdict\tbuggy_findings\tfixed\tinsertion_lines\tfixed_verdict\tfixed_findings\tresult\n' >"$OUT"
failed=0
for row in "${rows[@]}"; do
  IFS=$'\t' read -r id ga buggy fixed file insertion extras only <<<"$row"
  bdir="$WORK/$id@$buggy"
  blines=$(insertion_lines "$bdir" "$file" "$insertion")
  bverdict=$(verdict_at "$bdir" "$file" "$blines")
  bother=$(other_findings "$bdir" "$file")
  flines="-" fverdict="-" fother="-"
  if [[ "$fixed" != "-" ]]; then
    fdir="$WORK/$id@$fixed"
    flines=$(insertion_lines "$fdir" "$file" "$insertion")
    fverdict=$(verdict_at "$fdir" "$file" "$flines")
    fother=$(other_findings "$fdir" "$file")
  fi
  result=PASS
  [[ "$bverdict" == flagged:* ]] || result=FAIL
  [[ "$fixed" == "-" || "$fverdict" == silent ]] || result=FAIL
  [[ "$fixed" == "-" && "$result" == PASS ]] && result=PASS-buggy-only
  [[ "$result" == FAIL ]] && failed=1
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$ga" "$buggy" "$blines" "$bverdict" "$bother" \
    "$fixed" "$flines" "$fverdict" "$fother" "$result" >>"$OUT"
  if [[ -n "${DEBUG:-}" ]]; then
    for v in "$buggy" "$fixed"; do
      [[ "$v" == "-" ]] && continue
      log "$id@$v: debug lines for $file"
      grep -F "LeakedProducer debug" "$WORK/$id@$v/ep$SFX.log" | grep -F "$file" | sed 's/^/    /' >&2 || true
    done
  fi
done
column -t -s $'\t' "$OUT"
((run_rc == 0)) || { log "a library crashed the check (see run.sh output)"; exit 1; }
exit $failed
