#!/usr/bin/env python3
"""bench_targets.py — `make bench`: the speed and memory targets of issue 16, in one run.

On the same files, each command on its own process (os.wait4: wall time,
CPU time, peak RSS), the file read once before each so that every command
finds it in the page cache, each measure the best of --runs rounds (default
3), the rounds interleaved so that a busy moment of the machine does not
fall on one command only:

  references (they validate nothing; the floors we are measured against)
    sqlite3     `sqlite3 DB .mode csv ".import FILE leads_ref"` (1M CSV)
    duckdb      DuckDB `read_csv` of the 1M CSV into a table of a new database
                file, every column as text, 2 threads (bench/duckdb/load.mjs;
                @duckdb/node-api installed by this script with `npm ci` into
                bench/duckdb/node_modules, not needed by `make test`)
    ... + keys  the same two, then an index on each of the file's e-mail,
                phone and external id columns: what our import also builds
                (the keys a CRM searches its leads by); said, no target
    unzip       `unzip -p BOOK xl/worksheets/sheet1.xml`: inflating the 200k
                workbook's sheet, the floor of reading it
  ours
    one pass    `leadimport import FILE --db sqlite:NEW --quiet --json` (1M CSV)
    review      `import --review`, then `jobs commit N` (1M CSV), summed
    csv 200k    the one pass on the 200,000-row CSV
    xlsx 200k   the one pass on the same rows as a workbook whose text cells
                are all in the shared-strings table, as Excel writes them
                (build/xlsx_csv2xlsx --sst)

Then the targets with PASS or FAIL:
  one pass <= 2.0 x sqlite3, one pass < duckdb, review <= 1.5 x one pass,
  xlsx 200k <= 1.5 x csv 200k, peak RSS <= 64 MiB for each of ours.
Counts of our imports are printed beside, and compared with the generator's
expectations when it wrote them (FILE.expect.json).

The files: bench/data/leads-<generator>-<rows>.csv as bench_import.py makes
them (../shared/bench/gen_leads.py when it is there, else tools/gen_sample.py).
Reports; never fails (exit 0) except on bad arguments. A reference that
cannot run here (no sqlite3 shell, no npm, no unzip) is said and skipped.

Usage: python3 bench/bench_targets.py [--runs 3] [--rows 1000000] [--xlsx-rows 200000]
                                      [--build build] [--data-dir bench/data] [--no-duckdb]
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
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_import as bi  # noqa: E402

DUCKDB_DIR = os.path.join(ROOT, "bench", "duckdb")
TARGETS = {
    "one_pass_vs_sqlite3": 2.0,
    "review_vs_one_pass": 1.5,
    "xlsx_vs_csv": 1.5,
    "rss_mib": 64.0,
}


def measure(cmd, cwd, out_path=None):
    """(code, wall s, CPU s, peak RSS MiB, stdout bytes, stderr text) of cmd."""
    out = open(out_path, "wb") if out_path else tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    # What the command before wrote reaches the disk first: each measure
    # starts on a quiet disk instead of paying for the writeback of the one
    # before (a commit ran right after its analysis's 600 MB, the one pass
    # right after DuckDB's). A person reads the review between the two steps.
    os.sync()
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    text = b""
    if not out_path:
        out.seek(0)
        text = out.read()
    out.close()
    err.seek(0)
    etext = err.read().decode("utf-8", "replace").strip()[-400:]
    err.close()
    return code, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0, text, etext


def parse_json(raw):
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return None


def duckdb_ready(no_duckdb):
    """Why DuckDB cannot run here, or None once bench/duckdb/node_modules is there."""
    if no_duckdb:
        return "--no-duckdb"
    if not shutil.which("node"):
        return "node is missing"
    if os.path.isdir(os.path.join(DUCKDB_DIR, "node_modules", "@duckdb", "node-api")):
        return None
    if not shutil.which("npm"):
        return "npm is missing"
    sys.stderr.write("bench: npm ci in bench/duckdb (@duckdb/node-api, once)\n")
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=DUCKDB_DIR,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        return "npm ci failed: " + r.stdout.decode("utf-8", "replace").strip()[-300:]
    return None


def xlsx_book(build, csv):
    """The workbook of csv with its strings shared, made once beside it."""
    path = csv[:-4] + ".sst.xlsx"
    if not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(csv):
        tool = os.path.join(build, "xlsx_csv2xlsx")
        if not os.access(tool, os.X_OK):
            return None
        subprocess.run([tool, "--sst", csv, path], check=True)
    return path


class Best:
    """The best (lowest wall time) successful run of each measure."""

    def __init__(self):
        self.runs = {}
        self.errors = {}

    def add(self, name, code, wall, cpu, rss, summary=None, err=""):
        if code != 0:
            self.errors[name] = "exit %d: %s" % (code, err)
            return
        old = self.runs.get(name)
        if old is None or wall < old["wall"]:
            self.runs[name] = {"wall": wall, "cpu": cpu, "rss": rss, "summary": summary}

    def get(self, name):
        return self.runs.get(name)


def key_columns(csv_path):
    """The file's e-mail, phone and external id header names, or [] if one is not found."""
    import csv
    import unicodedata

    def fold(h):
        h = unicodedata.normalize("NFKD", h).encode("ascii", "ignore").decode().lower()
        return "".join(c for c in h if c.isalnum())

    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    found = []
    for names in (("email", "mail", "courriel"), ("telephone", "phone", "tel", "mobile"),
                  ("idexterne", "externalid", "external", "idext")):
        col = next((h for h in header if fold(h) in names), None)
        if col is None:
            return []
        found.append(col)
    return found


def one_round(a, files, best, duck_why):
    big, small, book = files
    keys = key_columns(big)
    with tempfile.TemporaryDirectory(prefix="li-bench-targets-") as tmp:
        if shutil.which("sqlite3"):
            imp = ".import '%s' leads_ref" % big.replace("'", "''")
            bi.warm(big)
            code, wall, cpu, rss, _, err = measure(
                ["sqlite3", os.path.join(tmp, "ref.db"), ".mode csv", imp], tmp)
            best.add("sqlite3", code, wall, cpu, rss, err=err)
            if keys:
                bi.warm(big)
                code, wall, cpu, rss, _, err = measure(
                    ["sqlite3", os.path.join(tmp, "ref_keys.db"), ".mode csv", imp] +
                    ['CREATE INDEX leads_ref_key%d ON leads_ref("%s")' % (i, k.replace('"', '""'))
                     for i, k in enumerate(keys)], tmp)
                best.add("sqlite3_keys", code, wall, cpu, rss, err=err)
        if duck_why is None:
            for name, extra in (("duckdb", []),
                                ("duckdb_keys", sum((["--index", k] for k in keys), []))):
                if name == "duckdb_keys" and not keys:
                    continue
                bi.warm(big)
                code, wall, cpu, rss, _, err = measure(
                    ["node", os.path.join(DUCKDB_DIR, "load.mjs"), big,
                     os.path.join(tmp, name + ".duckdb"), "2"] + extra, tmp)
                best.add(name, code, wall, cpu, rss, err=err)
        bi.warm(big)
        code, wall, cpu, rss, out, err = measure(
            [a.bin, "import", big, "--db", "sqlite:" + os.path.join(tmp, "one.db"),
             "--quiet", "--json"], tmp)
        best.add("one_pass", code, wall, cpu, rss, parse_json(out), err)

        bi.warm(big)
        db = "sqlite:" + os.path.join(tmp, "review.db")
        code, wall, cpu, rss, out, err = measure(
            [a.bin, "import", big, "--review", "--db", db, "--json"], tmp)
        review = parse_json(out) or {}
        if code == 0 and "job_id" in review:
            c2, w2, cpu2, rss2, out2, err2 = measure(
                [a.bin, "jobs", "commit", str(review["job_id"]), "--db", db, "--json"], tmp)
            best.add("review", c2, wall + w2, cpu + cpu2, max(rss, rss2), parse_json(out2), err2)
            best.add("review_analysis", code, wall, cpu, rss)
            best.add("review_commit", c2, w2, cpu2, rss2)
        else:
            best.add("review", code or 1, wall, cpu, rss, err=err or "no job to commit")

        bi.warm(small)
        code, wall, cpu, rss, out, err = measure(
            [a.bin, "import", small, "--db", "sqlite:" + os.path.join(tmp, "small.db"),
             "--quiet", "--json"], tmp)
        best.add("csv_small", code, wall, cpu, rss, parse_json(out), err)
        if book:
            bi.warm(book)
            code, wall, cpu, rss, out, err = measure(
                [a.bin, "import", book, "--db", "sqlite:" + os.path.join(tmp, "book.db"),
                 "--quiet", "--json"], tmp)
            best.add("xlsx_small", code, wall, cpu, rss, parse_json(out), err)
            if shutil.which("unzip"):
                bi.warm(book)
                code, wall, cpu, rss, _, err = measure(
                    ["unzip", "-p", book, "xl/worksheets/sheet1.xml"], tmp, os.devnull)
                best.add("unzip", code, wall, cpu, rss, err=err)


def verdict(ok):
    return "PASS" if ok else "FAIL"


def counts(s):
    if not s:
        return ""
    return "rows %s, valid %s, invalid %s, created %s, skipped %s" % (
        s.get("rows"), s.get("valid"), s.get("invalid"), s.get("created"), s.get("skipped"))


def report(a, files, best, duck_why):
    big, small, book = files
    print()
    print("issue 16 targets — same files, same machine, same run, best of %d" % a.runs)
    print("files: %s (%.0f MiB), %s (%.0f MiB)%s" % (
        os.path.basename(big), os.path.getsize(big) / 1048576.0,
        os.path.basename(small), os.path.getsize(small) / 1048576.0,
        ", %s (%.0f MiB)" % (os.path.basename(book), os.path.getsize(book) / 1048576.0)
        if book else ", no workbook (build/xlsx_csv2xlsx missing)"))
    print()
    fmt = "%-28s %8s %8s %9s"
    print(fmt % ("", "wall s", "CPU s", "peak MiB"))
    names = [("sqlite3", "sqlite3 .import (1M)"), ("sqlite3_keys", "  + the 3 key indexes"),
             ("duckdb", "DuckDB read_csv (1M, 2 thr.)"), ("duckdb_keys", "  + the 3 key indexes"),
             ("one_pass", "leadimport one pass (1M)"), ("review_analysis", "  review: analysis"),
             ("review_commit", "  review: commit"), ("review", "leadimport review (1M)"),
             ("csv_small", "leadimport CSV (200k)"), ("xlsx_small", "leadimport XLSX (200k)"),
             ("unzip", "unzip -p sheet (200k)")]
    for key, label in names:
        r = best.get(key)
        if r:
            print(fmt % (label, "%.2f" % r["wall"], "%.2f" % r["cpu"], "%.1f" % r["rss"]))
        elif key in best.errors:
            print(fmt % (label, "error", "-", "-") + "  " + best.errors[key])
        elif key == "duckdb" and duck_why:
            print(fmt % (label, "-", "-", "-") + "  not run: " + duck_why)
    print()

    def ratio(x, y):
        rx, ry = best.get(x), best.get(y)
        if not rx or not ry or ry["wall"] <= 0:
            return None
        return rx["wall"] / ry["wall"]

    lines = []
    r = ratio("one_pass", "sqlite3")
    lines.append(("one pass / sqlite3 .import", r, "<= %.1f" % TARGETS["one_pass_vs_sqlite3"],
                  r is not None and r <= TARGETS["one_pass_vs_sqlite3"]))
    r = ratio("one_pass", "duckdb")
    lines.append(("one pass / DuckDB read_csv", r, "< 1.0", r is not None and r < 1.0))
    r = ratio("one_pass", "sqlite3_keys")
    lines.append(("one pass / sqlite3 + keys", r, "(said)", None))
    r = ratio("one_pass", "duckdb_keys")
    lines.append(("one pass / DuckDB + keys", r, "(said)", None))
    r = ratio("review", "one_pass")
    lines.append(("review / one pass", r, "<= %.1f" % TARGETS["review_vs_one_pass"],
                  r is not None and r <= TARGETS["review_vs_one_pass"]))
    r = ratio("xlsx_small", "csv_small")
    lines.append(("XLSX / CSV (200k)", r, "<= %.1f" % TARGETS["xlsx_vs_csv"],
                  r is not None and r <= TARGETS["xlsx_vs_csv"]))
    r = ratio("xlsx_small", "unzip")
    lines.append(("XLSX / unzip -p (the floor)", r, "(said)", None))
    fmt2 = "%-30s %7s %8s  %s"
    print(fmt2 % ("ratio of wall times", "ratio", "target", ""))
    for label, r, target, ok in lines:
        print(fmt2 % (label, "-" if r is None else "%.2f" % r, target,
                      "" if ok is None else ("no figure" if r is None else verdict(ok))))
    worst = max((best.get(k)["rss"] for k in ("one_pass", "review", "csv_small", "xlsx_small")
                 if best.get(k)), default=None)
    print(fmt2 % ("peak RSS of ours, MiB (max)", "-" if worst is None else "%.1f" % worst,
                  "<= %.0f" % TARGETS["rss_mib"],
                  "no figure" if worst is None else verdict(worst <= TARGETS["rss_mib"])))
    print()
    for key, path in (("one_pass", big), ("review", big), ("csv_small", small),
                      ("xlsx_small", small)):
        r = best.get(key)
        if r and r["summary"]:
            print("%-10s %s%s" % (key, counts(r["summary"]), bi.expected_note(path, r["summary"])))
    print()
    print("The bench never fails the build; figures of a shared machine move between runs:")
    print("compare the ratios of one run.")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--xlsx-rows", type=int, default=200000)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bin", default=None, help="leadimport binary (default BUILD/leadimport)")
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))
    ap.add_argument("--no-duckdb", action="store_true")
    a = ap.parse_args(argv)
    if a.runs < 1 or a.rows < 1 or a.xlsx_rows < 1:
        ap.error("--runs, --rows and --xlsx-rows must be at least 1")
    a.bin = a.bin or os.path.join(a.build, "leadimport")
    if not os.access(a.bin, os.X_OK):
        print("bench: no binary at %s (run `make build` first); nothing measured" % a.bin)
        return 0
    big, _ = bi.data_file(a.data_dir, a.rows, False)
    small, _ = bi.data_file(a.data_dir, a.xlsx_rows, False)
    book = xlsx_book(a.build, small)
    duck_why = duckdb_ready(a.no_duckdb)
    if not shutil.which("sqlite3"):
        sys.stderr.write("bench: the sqlite3 shell is missing (apt-get install sqlite3)\n")
    best = Best()
    for i in range(a.runs):
        sys.stderr.write("bench: round %d of %d...\n" % (i + 1, a.runs))
        one_round(a, (big, small, book), best, duck_why)
    report(a, (big, small, book), best, duck_why)
    return 0


if __name__ == "__main__":
    sys.exit(main())
