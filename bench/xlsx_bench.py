#!/usr/bin/env python3
"""xlsx_bench.py — the XLSX reader's speed and memory, against openpyxl, in one run.

For each size (default 200,000 and 1,000,000 rows):
  1. the CSV: bench/data/leads-shared-<rows>.csv (made by bench_import.py with
     ../shared/bench/gen_leads.py), generated here if absent (gen_leads.py, else
     tools/gen_sample.py; seed 1);
  2. two XLSX of it, kept beside it: libxlsxwriter in constant-memory mode
     (inline strings) and the same cells in a shared-string table (as Excel
     writes them; every lead string is unique, the worst case for memory),
     both by build/xlsx_csv2xlsx;
  3. measured, each on its own process (os.wait4: wall time, CPU time, peak RSS):
       parse   build/xlsx_read_bench FILE      (li_reader rows only)
       import  leadimport import FILE --db sqlite:NEW --quiet   (end to end)
       openpyxl  /usr/bin/python3, load_workbook(read_only=True), every row's
                 values (the reference);
     and the CSV's import, for comparison.
Then a table with the targets beside: parse >= 10x faster than openpyxl (in
CPU time, which a busy machine does not skew like wall time),
peak RSS <= 64 MiB, shared strings included (they spill to a temporary file
past 16 MiB). Reports;
never fails (exit 0), except on bad arguments.

Usage: python3 bench/xlsx_bench.py [--sizes 200000,1000000] [--build build]
                                   [--no-openpyxl] [--regen]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEEDUP_TARGET = 10.0
RSS_TARGET_MIB = 64.0
OPENPYXL = """
import sys
from openpyxl import load_workbook
wb = load_workbook(sys.argv[1], read_only=True)
n = 0
for row in wb.worksheets[0].iter_rows(values_only=True):
    n += 1
print(n)
"""


def measure(cmd, cwd=None):
    """(wall seconds, CPU seconds, peak RSS MiB) of cmd."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write("xlsx_bench: %s exited %d: %s\n" % (" ".join(cmd), code, err[-500:]))
    return time.monotonic() - t0, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def csv_file(rows, regen):
    data = os.path.join(ROOT, "bench", "data")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(data, "leads-shared-%d.csv" % rows)
    if os.path.exists(path) and not regen:
        return path
    shared = os.environ.get("LI_SHARED_DIR") or os.path.join(ROOT, "..", "shared")
    gen = os.path.join(shared, "bench", "gen_leads.py")
    if not os.path.isfile(gen):
        gen = os.path.join(ROOT, "tools", "gen_sample.py")
        path = os.path.join(data, "leads-sample-%d.csv" % rows)
    subprocess.run([sys.executable, gen, "--rows", str(rows), "--seed", "1", "--out", path],
                   check=True)
    return path


def xlsx_file(build, csv, sst, regen):
    path = csv[:-4] + (".sst.xlsx" if sst else ".xlsx")
    if not os.path.exists(path) or regen or os.path.getmtime(path) < os.path.getmtime(csv):
        cmd = [os.path.join(build, "xlsx_csv2xlsx")] + (["--sst"] if sst else []) + [csv, path]
        subprocess.run(cmd, check=True)
    return path


def mib(path):
    return os.path.getsize(path) / 1048576.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="200000,1000000")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--no-openpyxl", action="store_true")
    ap.add_argument("--regen", action="store_true")
    a = ap.parse_args(argv)
    lead = os.path.join(a.build, "leadimport")
    parse = os.path.join(a.build, "xlsx_read_bench")
    for exe in (lead, parse, os.path.join(a.build, "xlsx_csv2xlsx")):
        if not os.access(exe, os.X_OK):
            ap.error("%s missing: build first (cmake --build %s)" % (exe, a.build))
    lines = []
    with tempfile.TemporaryDirectory(prefix="li-xlsx-bench-") as tmp:
        for rows in [int(x) for x in a.sizes.split(",")]:
            csv = csv_file(rows, a.regen)
            t, cpu, rss = measure([lead, "import", csv, "--db",
                                   "sqlite:" + os.path.join(tmp, "c.db"), "--quiet", "--force"])
            lines.append("%9d  csv         %7.1f MiB  import %6.2f s (cpu %6.2f) %6.1f MiB" %
                         (rows, mib(csv), t, cpu, rss))
            print(lines[-1], flush=True)
            for sst in (False, True):
                x = xlsx_file(a.build, csv, sst, a.regen)
                kind = "xlsx-sst" if sst else "xlsx-inline"
                pt, pcpu, prss = measure([parse, x])
                db = os.path.join(tmp, "%s-%d.db" % (kind, rows))
                it, icpu, irss = measure([lead, "import", x, "--db", "sqlite:" + db, "--quiet",
                                          "--force"])
                line = ("%9d  %-11s %7.1f MiB  parse %6.2f s (cpu %6.2f) %6.1f MiB  "
                        "import %6.2f s (cpu %6.2f) %6.1f MiB"
                        % (rows, kind, mib(x), pt, pcpu, prss, it, icpu, irss))
                if not a.no_openpyxl:
                    ot, ocpu, orss = measure(["/usr/bin/python3", "-c", OPENPYXL, x])
                    speed = ocpu / pcpu if pcpu > 0 else 0  # CPU time: fair on a busy machine
                    line += "  openpyxl %7.2f s (cpu %7.2f) %6.1f MiB  x%.1f cpu %s" % (
                        ot, ocpu, orss, speed, "ok" if speed >= SPEEDUP_TARGET else "BELOW TARGET")
                budget = RSS_TARGET_MIB  # shared strings spill past 16 MiB (xlsx_sst.c)
                line += "  rss %s" % ("ok" if max(prss, irss) <= budget else "OVER TARGET")
                lines.append(line)
                print(lines[-1], flush=True)
    print("\ntargets: parse >= %.0fx openpyxl read-only; peak RSS <= %.0f MiB, shared-string "
          "table included" % (SPEEDUP_TARGET, RSS_TARGET_MIB))
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
