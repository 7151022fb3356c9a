#!/usr/bin/env python3
"""xlsx_max_bench.py — a workbook of Excel's maximum, 1,048,576 rows, within 64 MiB.

Excel writes every text cell through the shared-string table: a sheet of
1,048,576 rows of unique leads holds millions of shared strings. This bench
  1. generates bench/data/leads-shared-1048575.csv (1,048,575 leads plus the
     header: 1,048,576 rows; ../shared/bench/gen_leads.py, else
     tools/gen_sample.py; seed 1), kept for later runs;
  2. converts it to a workbook with a shared-string table (build/xlsx_csv2xlsx
     --sst, every string unique as Excel would store them), kept beside it;
  3. measures, each in its own process (os.wait4: wall, CPU, peak RSS):
       parse   build/xlsx_read_bench FILE          (rows only)
       import  leadimport import FILE --db sqlite:NEW --quiet
     and the inflated size of the sharedStrings part, for scale;
then prints rows per second and whether peak RSS is within 64 MiB.
Too slow for the tests (minutes); the spill path itself is tested with a small
threshold (tests/unit/test_xlsx.c, tests/integration/test_xlsx_spill.py).

Usage: python3 bench/xlsx_max_bench.py [--build build] [--rows 1048575] [--regen]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RSS_TARGET_MIB = 64.0


def measure(cmd, env=None):
    """(wall seconds, CPU seconds, peak RSS MiB, exit code) of cmd."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write("xlsx_max_bench: %s exited %d: %s\n" % (" ".join(cmd), code, err[-500:]))
    return time.monotonic() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, code


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--rows", type=int, default=1048575)
    ap.add_argument("--regen", action="store_true")
    a = ap.parse_args(argv)
    lead = os.path.join(a.build, "leadimport")
    parse = os.path.join(a.build, "xlsx_read_bench")
    conv = os.path.join(a.build, "xlsx_csv2xlsx")
    for exe in (lead, parse, conv):
        if not os.access(exe, os.X_OK):
            ap.error("%s missing: build first (cmake --build %s)" % (exe, a.build))
    data = os.path.join(ROOT, "bench", "data")
    os.makedirs(data, exist_ok=True)
    csv = os.path.join(data, "leads-shared-%d.csv" % a.rows)
    if a.regen or not os.path.exists(csv):
        shared = os.environ.get("LI_SHARED_DIR") or os.path.join(ROOT, "..", "shared")
        gen = os.path.join(shared, "bench", "gen_leads.py")
        if not os.path.isfile(gen):
            gen = os.path.join(ROOT, "tools", "gen_sample.py")
        subprocess.run([sys.executable, gen, "--rows", str(a.rows), "--seed", "1", "--out", csv],
                       check=True)
    book = csv[:-4] + ".sst.xlsx"
    if a.regen or not os.path.exists(book) or os.path.getmtime(book) < os.path.getmtime(csv):
        subprocess.run([conv, "--sst", csv, book], check=True)
    with zipfile.ZipFile(book) as z:
        sizes = {i.filename: i.file_size for i in z.infolist()}
    sst = sizes.get("xl/sharedStrings.xml", 0)
    sheet = max(v for k, v in sizes.items() if k.startswith("xl/worksheets/"))
    print("workbook %s: %.1f MiB, sheet %.1f MiB and sharedStrings %.1f MiB inflated"
          % (os.path.basename(book), os.path.getsize(book) / 1048576.0, sheet / 1048576.0,
             sst / 1048576.0), flush=True)
    ok = True
    with tempfile.TemporaryDirectory(prefix="li-xlsx-max-") as tmp:
        runs = [("parse", [parse, book]),
                ("import", [lead, "import", book, "--db", "sqlite:" + os.path.join(tmp, "m.db"),
                            "--quiet", "--force"])]
        for name, cmd in runs:
            t, cpu, rss, code = measure(cmd)
            within = code == 0 and rss <= RSS_TARGET_MIB
            ok = ok and within
            print("%-6s %8.2f s (cpu %7.2f)  %8.0f rows/s  peak RSS %6.1f MiB  %s"
                  % (name, t, cpu, a.rows / t if t > 0 else 0, rss,
                     "ok" if within else ("FAILED" if code else "OVER 64 MiB")), flush=True)
    print("target: peak RSS <= %.0f MiB for a sheet of Excel's maximum: %s"
          % (RSS_TARGET_MIB, "met" if ok else "NOT MET"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
