#!/usr/bin/env bash
# Runs fuzz targets of the fuzz build (make fuzz; ctest's fuzz/<target> in
# build-fuzz, which make test runs) for a given time each, one after the
# other:
#
#   scripts/fuzz.sh BUILD_DIR TARGET|all SECONDS [libFuzzer options...]
#
# Seeds are made from the repository's fixtures (tools/fuzz_seeds.py) into
# BUILD_DIR/fuzz/seeds/TARGET; what libFuzzer finds is kept in
# BUILD_DIR/fuzz/corpus/TARGET (it grows from run to run) and the crash
# inputs of tests/fuzz/regress/TARGET are replayed first. A crash, a leak,
# a sanitizer report or a timeout fails the run and leaves the input in
# BUILD_DIR/fuzz/crashes/TARGET/ (how it becomes a regression test:
# docs/architecture.md, « Fuzzing »). With FUZZ_FRESH=1 (ctest, make test)
# the corpus starts empty each time, so that a run lasts what it is given
# however long the kept corpus has grown.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ $# -lt 3 ]; then
  echo "usage : scripts/fuzz.sh DOSSIER_DE_BUILD CIBLE|all SECONDES [options libFuzzer...]" >&2
  exit 2
fi
build="$(cd "$1" && pwd)" || exit 2
what="$2"
seconds="$3"
shift 3
targets=(csv xlsx xmlscan mapping fields date opts wire)
[ "$what" = all ] || targets=("$what")

# The largest input libFuzzer makes, per target: big enough for several
# records, limits and a workbook's parts, small enough to run fast.
max_len() {
  case "$1" in
    csv) echo 16384 ;;
    xlsx) echo 65536 ;;
    xmlscan) echo 16384 ;;
    mapping) echo 8192 ;;
    opts) echo 4096 ;;
    wire) echo 8192 ;;
    *) echo 512 ;;
  esac
}

status=0
for t in "${targets[@]}"; do
  bin="$build/tests/fuzz/fuzz_$t"
  if [ ! -x "$bin" ]; then
    echo "fuzz: $bin introuvable (make fuzz-build, ou cmake -DLI_FUZZ=ON)" >&2
    exit 2
  fi
  seeds="$build/fuzz/seeds/$t"
  corpus="$build/fuzz/corpus/$t"
  if [ "${FUZZ_FRESH:-0}" = 1 ]; then
    corpus="$build/fuzz/fresh/$t"
    rm -rf "$corpus"
  fi
  crashes="$build/fuzz/crashes/$t"
  mkdir -p "$corpus" "$crashes"
  python3 "$root/tools/fuzz_seeds.py" --out "$build/fuzz/seeds" "$t" || exit 2
  dict=()
  [ -f "$root/tests/fuzz/dict/$t.dict" ] && dict=(-dict="$root/tests/fuzz/dict/$t.dict")
  regress=()
  [ -d "$root/tests/fuzz/regress/$t" ] && regress=("$root/tests/fuzz/regress/$t")
  echo "fuzz: $t pendant $seconds s"
  # ASan's leak check stays on; a slow input (25 s) is a bug like a crash.
  TMPDIR="${TMPDIR:-/tmp}" "$bin" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -max_len="$(max_len "$t")" -print_final_stats=1 -artifact_prefix="$crashes/" \
    "${dict[@]}" "$@" "$corpus" "$seeds" "${regress[@]}" 2>&1 |
    grep -v -E '^(#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|[[:space:]]+NEW_FUNC)'
  rc=${PIPESTATUS[0]}
  if [ "$rc" -ne 0 ]; then
    echo "fuzz: $t a échoué (code $rc) ; entrée gardée dans $crashes/" >&2
    echo "fuzz: rejouez-la avec $bin <fichier>, corrigez, puis copiez-la dans tests/fuzz/regress/$t/" >&2
    status=1
  fi
done
exit $status
