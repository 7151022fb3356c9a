#!/usr/bin/env python3
"""bench_review.py — the two-stage path (review, then commit) against the
one-shot import, in one run, on the same file.

For each of N runs (best kept, each path on its own), in a new folder:
  one-shot   `leadimport import FILE --db A --quiet --json`
  review     `leadimport import FILE --review --db B --json`   (analysis: parse,
             validate, stage, predict the three strategies)
  commit     `leadimport jobs commit N --db B --json`           (leads written)
Prints the wall time and peak RSS of each command (os.wait4 of the process
itself), the two-stage total (review + commit), the ratio two-stage / one-shot
(target <= 1.5, issue 12) and the peak RSS of each path. Checks on the way
that the commit's counts equal the one-shot's and the review's prediction for
skip, and says so. Reports, never fails (exit 0) except on bad arguments.

The file is bench_import.py's: bench/data/leads-<generator>-<rows>.csv
(generated on first use; --data-dir to keep it elsewhere, e.g. /tmp).

Usage: python3 bench/bench_review.py [--rows 1000000] [--runs 3]
                                     [--bin build/leadimport] [--data-dir bench/data]
"""
import argparse
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_import as bi  # noqa: E402

RATIO_TARGET = 1.5
COUNTS = ("rows", "valid", "invalid", "created", "updated", "skipped", "flagged")


def parse_json(raw):
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return None


def one_run(binary, path):
    """(one-shot, review, commit): each (code, seconds, RSS MiB, JSON or None, stderr)."""
    with tempfile.TemporaryDirectory(prefix="li-bench-review-") as tmp:
        res = []
        bi.warm(path)
        code, s, rss, out, err = bi.measure([binary, "import", path, "--db",
                                             "sqlite:" + os.path.join(tmp, "a.db"),
                                             "--quiet", "--json"], tmp)
        res.append((code, s, rss, parse_json(out), err.decode("utf-8", "replace")[-300:]))
        bi.warm(path)
        db = "sqlite:" + os.path.join(tmp, "b.db")
        code, s, rss, out, err = bi.measure([binary, "import", path, "--review", "--db", db,
                                             "--json"], tmp)
        review = parse_json(out)
        res.append((code, s, rss, review, err.decode("utf-8", "replace")[-300:]))
        if code != 0 or not review or "job_id" not in review:
            res.append((None, float("nan"), float("nan"), None, "no review to commit"))
            return res
        code, s, rss, out, err = bi.measure([binary, "jobs", "commit", str(review["job_id"]),
                                             "--db", db, "--json"], tmp)
        res.append((code, s, rss, parse_json(out), err.decode("utf-8", "replace")[-300:]))
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "leadimport"))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))
    ap.add_argument("--regen", action="store_true")
    a = ap.parse_args(argv)
    if a.runs < 1 or a.rows < 1:
        ap.error("--rows and --runs must be at least 1")
    if not os.access(a.bin, os.X_OK):
        ap.error("no leadimport binary at %s" % a.bin)
    path, gen = bi.data_file(a.data_dir, a.rows, a.regen)

    best_one = best_two = None
    problems = []
    for i in range(a.runs):
        one, rev, com = one_run(a.bin, path)
        sys.stderr.write("run %d: one-shot %.2f s, review %.2f s + commit %.2f s\n"
                         % (i + 1, one[1], rev[1], com[1]))
        if one[0] != 0:
            problems.append("one-shot exited %s: %s" % (one[0], one[4]))
        elif best_one is None or one[1] < best_one[1]:
            best_one = one
        if rev[0] != 0 or com[0] != 0:
            problems.append("review exited %s (%s), commit exited %s (%s)"
                            % (rev[0], rev[4], com[0], com[4]))
            continue
        if best_two is None or rev[1] + com[1] < best_two[0][1] + best_two[1][1]:
            best_two = (rev, com)
        # The counts must agree, or the figures compare different work.
        if one[3] and com[3]:
            diff = {k: (one[3].get(k), com[3].get(k)) for k in COUNTS
                    if one[3].get(k) != com[3].get(k)}
            if diff:
                problems.append("commit counts differ from the one-shot's: %s" % diff)
        pred = ((rev[3] or {}).get("predictions") or {}).get("skip") or {}
        if com[3]:
            diff = {k: (pred.get(k), com[3].get(k)) for k in
                    ("created", "updated", "skipped", "flagged") if pred.get(k) != com[3].get(k)}
            if diff:
                problems.append("commit counts differ from the skip prediction: %s" % diff)

    print("file: %s (%d rows, %s generator, %.0f MiB), best of %d"
          % (os.path.relpath(path, ROOT) if path.startswith(ROOT) else os.path.basename(path),
             a.rows, gen, os.path.getsize(path) / 1048576.0, a.runs))
    print("%-22s %8s %9s" % ("", "wall s", "RSS MiB"))
    if best_one:
        print("%-22s %8.2f %9.1f" % ("one-shot import", best_one[1], best_one[2]))
    if best_two:
        rev, com = best_two
        print("%-22s %8.2f %9.1f" % ("import --review", rev[1], rev[2]))
        print("%-22s %8.2f %9.1f" % ("jobs commit", com[1], com[2]))
        print("%-22s %8.2f %9.1f" % ("two-stage total", rev[1] + com[1], max(rev[2], com[2])))
    if best_one and best_two:
        ratio = (best_two[0][1] + best_two[1][1]) / best_one[1]
        print("ratio two-stage / one-shot: %.2f  (target <= %.1f: %s)"
              % (ratio, RATIO_TARGET, bi.verdict(ratio <= RATIO_TARGET)))
        if best_one[3]:
            print("counts: " + ", ".join("%s %s" % (k, best_one[3].get(k)) for k in COUNTS))
    for p in sorted(set(problems)):
        print("PROBLEM: " + p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
