#!/usr/bin/env python3
"""bench_import.py — leadimport against `sqlite3 .import`, on the same files, in one run.

For each size (default 200,000 and 1,000,000 rows):
  1. the file: bench/data/leads-<generator>-<rows>.csv, generated once and kept
     (bench/data/ is ignored by git) with ../shared/bench/gen_leads.py when it
     is there, else tools/gen_sample.py; seed 1, comma, UTF-8, CRLF;
  2. the reference: `sqlite3 DB ".mode csv" ".import FILE leads_ref"` into a
     new database (it only splits and stores the text: the floor);
  3. ours: `leadimport import FILE --db sqlite:DB --quiet --json` into a new
     database;
  4. wall time and peak RSS of each command, measured on that very process
     (os.wait4), after reading the file once so that both find it in the
     page cache.
Then a table with the targets beside the figures: ours/reference <= 3 and
peak RSS <= 64 MiB. The bench reports; it never fails (exit 0), except on
bad arguments.

Usage: python3 bench/bench_import.py [--sizes 200000,1000000] [--bin PATH]
                                     [--runs N] [--data-dir DIR] [--regen]
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATIO_TARGET = 3.0
RSS_TARGET_MIB = 64.0


def shared_generator():
    shared = os.environ.get("LI_SHARED_DIR") or os.path.join(ROOT, "..", "shared")
    path = os.path.join(shared, "bench", "gen_leads.py")
    return path if os.path.isfile(path) else None


def data_file(data_dir, rows, regen):
    """The cached file of `rows` rows, generated if missing; (path, generator)."""
    gen = shared_generator()
    name = "shared" if gen else "sample"
    gen = gen or os.path.join(ROOT, "tools", "gen_sample.py")
    path = os.path.join(data_dir, "leads-%s-%d.csv" % (name, rows))
    if os.path.isfile(path) and os.path.getsize(path) > 0 and not regen:
        return path, name
    os.makedirs(data_dir, exist_ok=True)
    part = path + ".part"
    sys.stderr.write("bench: generating %s (%d rows, %s generator)...\n" % (path, rows, name))
    t = time.perf_counter()
    subprocess.run([sys.executable, gen, "--rows", str(rows), "--seed", "1",
                    "--delimiter", ",", "--encoding", "utf-8", "--out", part,
                    "--expect", path + ".expect.json"], check=True)
    os.replace(part, path)
    sys.stderr.write("bench: generated in %.1f s\n" % (time.perf_counter() - t))
    return path, name


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def measure(cmd, cwd):
    """Runs cmd; returns (exit code, seconds, peak RSS MiB, stdout, stderr)."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    secs = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") \
        else (status >> 8)
    out.seek(0)
    err.seek(0)
    return p.returncode, secs, ru.ru_maxrss / 1024.0, out.read(), err.read()


def bench_one(binary, path, runs):
    best = None
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="li-bench-") as tmp:
            warm(path)
            ref = measure(["sqlite3", os.path.join(tmp, "ref.db"), ".mode csv",
                           ".import '%s' leads_ref" % path.replace("'", "''")], tmp)
            warm(path)
            ours = measure([binary, "import", path, "--db",
                            "sqlite:" + os.path.join(tmp, "ours.db"), "--quiet", "--json"], tmp)
        res = {"ref_code": ref[0], "ref_s": ref[1], "ref_rss": ref[2],
               "ref_err": ref[4].decode("utf-8", "replace").strip()[-300:],
               "code": ours[0], "s": ours[1], "rss": ours[2],
               "err": ours[4].decode("utf-8", "replace").strip()[-300:]}
        try:
            res["summary"] = json.loads(ours[3].decode("utf-8"))
        except ValueError:
            res["summary"] = None
        if best is None or (res["code"] == 0 and res["s"] < best["s"]):
            best = res
    return best


def expected_note(path, s):
    """' (as expected)' or what the generator expected instead."""
    try:
        with open(path + ".expect.json", encoding="utf-8") as f:
            e = json.load(f)
    except (OSError, ValueError):
        return ""
    want = {"rows": e["rows"], "valid": e["valid"], "invalid": e["invalid"],
            "created": e["leads_created_with_skip"], "skipped": e["duplicates"]}
    got = {k: s.get(k) for k in want}
    return " (as expected)" if got == want else " — EXPECTED %s" % want


def verdict(ok):
    return "PASS" if ok else "FAIL"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "200000,1000000"))
    ap.add_argument("--bin", default=os.environ.get("LEADIMPORT_BIN",
                                                    os.path.join(ROOT, "build", "leadimport")))
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "1")),
                    help="runs per size; the fastest successful one is shown")
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))
    ap.add_argument("--regen", action="store_true", help="generate the files again")
    a = ap.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in a.sizes.split(",") if s.strip()]

    if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
        print("bench: no binary at %s (run `make build` first); nothing measured" % a.bin)
        return 0
    if not shutil.which("sqlite3"):
        print("bench: the sqlite3 shell is missing (apt-get install sqlite3); nothing measured")
        return 0

    results = []
    for rows in sizes:
        path, gen = data_file(a.data_dir, rows, a.regen)
        sys.stderr.write("bench: %d rows...\n" % rows)
        results.append((rows, path, gen, bench_one(a.bin, path, max(1, a.runs))))

    print()
    print("leadimport vs sqlite3 .import — same file, same machine, same run")
    print("targets: ours/reference <= %.0f, peak RSS <= %.0f MiB" % (RATIO_TARGET, RSS_TARGET_MIB))
    print()
    head = ("rows", "file MiB", "ref s", "ours s", "ratio", "rows/s", "ref RSS", "ours RSS",
            "ratio<=3", "RSS<=64")
    fmt = "%9s %9s %8s %8s %7s %10s %8s %9s %9s %8s"
    print(fmt % head)
    for rows, path, gen, r in results:
        mib = os.path.getsize(path) / 1048576.0
        if r["code"] != 0 or r["ref_code"] != 0:
            print(fmt % (rows, "%.1f" % mib, "%.2f" % r["ref_s"], "error", "-", "-",
                         "%.1f" % r["ref_rss"], "-", "FAIL", "FAIL"))
            if r["code"] != 0:
                print("    leadimport exited %d: %s" % (r["code"], r["err"]))
            if r["ref_code"] != 0:
                print("    sqlite3 exited %d: %s" % (r["ref_code"], r["ref_err"]))
            continue
        ratio = r["s"] / r["ref_s"] if r["ref_s"] > 0 else float("inf")
        print(fmt % (rows, "%.1f" % mib, "%.2f" % r["ref_s"], "%.2f" % r["s"], "%.2f" % ratio,
                     "%.0f" % (rows / r["s"]), "%.1f" % r["ref_rss"], "%.1f" % r["rss"],
                     verdict(ratio <= RATIO_TARGET), verdict(r["rss"] <= RSS_TARGET_MIB)))
        s = r["summary"] or {}
        print("    %s generator; import: rows %s, valid %s, invalid %s, created %s, skipped %s%s"
              % (gen, s.get("rows"), s.get("valid"), s.get("invalid"), s.get("created"),
                 s.get("skipped"), expected_note(path, s)))
    print()
    print("RSS in MiB (peak resident set of the process). The bench never fails the build.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
