#!/usr/bin/env bash
# bench/run.sh — `make bench`: leadimport against `sqlite3 .import` on files of
# 200,000 and 1,000,000 rows (generated once into bench/data/), wall time and
# peak RSS, with the targets beside. Reports; never fails the build.
# Options are passed on to bench/bench_import.py (--sizes, --runs, --bin, --regen);
# BENCH_SIZES and BENCH_RUNS in the environment do the same.
set -uo pipefail
cd "$(dirname "$0")/.."
python3 bench/bench_import.py "$@" || echo "bench: bench_import.py exited $? (reported, not failed)"
exit 0
