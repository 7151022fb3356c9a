#!/usr/bin/env python3
"""bench_strategies.py — the commit stage against a big table, per strategy.

What it measures, in one run:
  1. a base of 1,000,000 leads: bench/data/leads-<generator>-1000000.csv
     (bench_import.py's file) imported once into base.db;
  2. the incoming file of 200,000 rows: 100,000 rows of the base file with
     another city (every 10th row: they match existing leads by e-mail and
     phone) and 100,000 new people (seed 2), shuffled together;
  3. for each strategy (skip, update, create): a copy of base.db, then
     `leadimport import INCOMING --on-duplicate S` on it: wall time, rows/s,
     peak RSS, and the counts (created, updated, skipped);
  4. the reference: `sqlite3 COPY ".import INCOMING t"` into a copy of
     base.db (store only, no lookup).
Reports, never fails (exit 0) except on bad arguments.

Usage: python3 bench/bench_strategies.py [--base-rows 1000000] [--rows 200000]
                                         [--bin build/leadimport] [--data-dir bench/data]
"""
import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_import as bi  # noqa: E402


def peak_rss_run(cmd, cwd):
    """Runs cmd, returns (exit code, stdout, wall s, peak RSS MiB) of that process."""
    t = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    return code, text, wall, ru.ru_maxrss / 1024.0


def incoming_file(data_dir, base_path, rows, base_rows):
    path = os.path.join(data_dir, "incoming-%d-of-%d.csv" % (rows, base_rows))
    if os.path.isfile(path) and os.path.getsize(path) > 0:
        return path
    half = rows // 2
    gen = bi.shared_generator() or os.path.join(ROOT, "tools", "gen_sample.py")
    fresh = os.path.join(data_dir, "fresh-%d.csv" % half)
    if not os.path.isfile(fresh):
        subprocess.run([sys.executable, gen, "--rows", str(half), "--seed", "2", "--delimiter",
                        ",", "--encoding", "utf-8", "--out", fresh], check=True)
    with open(base_path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        city = header.index("Ville") if "Ville" in header else None
        old = []
        for i, rec in enumerate(r):
            if i % 10 == 0 and len(old) < half:
                if city is not None and len(rec) > city:
                    rec[city] = "Ville modifiée %d" % i
                old.append(rec)
    with open(fresh, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        new = list(r)
    allrows = old + new
    random.Random(3).shuffle(allrows)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(allrows)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-rows", type=int, default=1000000)
    ap.add_argument("--rows", type=int, default=200000)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "leadimport"))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))
    ap.add_argument("--make-incoming", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    base_path, _ = bi.data_file(a.data_dir, a.base_rows, False)
    if a.make_incoming:
        incoming_file(a.data_dir, base_path, a.rows, a.base_rows)
        return 0
    # Made by a child process: this one must stay small, or the measured
    # commands would inherit its peak RSS through fork.
    subprocess.run([sys.executable, os.path.abspath(__file__), "--make-incoming",
                    "--base-rows", str(a.base_rows), "--rows", str(a.rows),
                    "--data-dir", a.data_dir], check=True)
    inc = incoming_file(a.data_dir, base_path, a.rows, a.base_rows)
    with tempfile.TemporaryDirectory(prefix="li-bench-strat-") as tmp:
        base_db = os.path.join(tmp, "base.db")
        code, out, wall, rss = peak_rss_run([a.bin, "import", base_path, "--db", "sqlite:" + base_db,
                                             "--quiet", "--json"], tmp)
        base = json.loads(out)
        print("base: %d leads in %.1f s (%.0f MiB)" % (base["created"], wall, rss))
        subprocess.run(["sqlite3", base_db, "PRAGMA wal_checkpoint(TRUNCATE);"], check=False,
                       stdout=subprocess.DEVNULL)
        db = os.path.join(tmp, "ref.db")
        shutil.copy(base_db, db)
        code, _, ref_wall, ref_rss = peak_rss_run(
            ["sqlite3", db, ".mode csv", ".import %s incoming_ref" % inc], tmp)
        print("reference sqlite3 .import of %d rows into the base: %.2f s, %.0f MiB"
              % (a.rows, ref_wall, ref_rss))
        print("%-8s %8s %8s %8s %8s %10s %8s %8s" % ("strategy", "created", "updated", "skipped",
                                                    "wall s", "rows/s", "ratio", "RSS MiB"))
        for strategy in ("skip", "update", "create"):
            db = os.path.join(tmp, "%s.db" % strategy)
            shutil.copy(base_db, db)
            code, out, wall, rss = peak_rss_run(
                [a.bin, "import", inc, "--db", "sqlite:" + db, "--quiet", "--json",
                 "--on-duplicate", strategy], tmp)
            if code != 0:
                print("%-8s exit %d" % (strategy, code))
                continue
            doc = json.loads(out)
            print("%-8s %8d %8d %8d %8.2f %10.0f %8.2f %8.0f" % (
                strategy, doc["created"], doc["updated"], doc["skipped"], wall,
                doc["rows"] / wall, wall / ref_wall, rss))
            os.remove(db)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
