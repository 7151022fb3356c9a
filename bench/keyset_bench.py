#!/usr/bin/env python3
"""keyset_bench.py — what the duplicate key set costs per lead already in the table.

Before an import the committer loads the match keys (e-mail, phone) of every
existing lead into its in-memory key set (src/pipeline/keyset.c). This bench
measures that cost as the rest of an import sees it:
  1. a database with N existing leads for each N of --sizes (default 0, 1M,
     5M): the schema made by leadimport itself (a one-row import), then N
     leads with a unique e-mail and phone each inserted by SQL (minutes by
     import, seconds so), kept in bench/data/keyset-N.db for later runs;
  2. the same small file (--rows, default 2,000 leads of which a tenth
     duplicate existing ones) imported into a copy of each database, in its
     own process: wall time and peak RSS (os.wait4);
  3. bytes per existing lead = (peak RSS with N leads - peak RSS with none) / N,
     which includes SQLite's page cache (16 MiB, filled by the scan of any big
     table), and the marginal bytes per lead between two sizes, which is the
     key set's own, against the target of 12; and the duplicates found, which
     must be the rows whose e-mail is an existing lead's (dedup stays exact).
Usage: python3 bench/keyset_bench.py [--build build] [--sizes 0,1000000,5000000]
                                     [--bin other/leadimport]
"""
import argparse
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 12.0
HEADER = ["Prénom", "Nom", "Email", "Téléphone"]


def email(i):
    return "lead%d@exemple.fr" % i


def phone(i):
    return "+336%08d" % i


def make_db(lead, path, n, tmp):
    one = os.path.join(tmp, "one.csv")
    with open(one, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerow(["Zoé", "Graine", "graine@exemple.fr", "06 11 22 33 44"])
    subprocess.run([lead, "import", one, "--db", "sqlite:" + path, "--quiet"], check=True)
    con = sqlite3.connect(path)
    con.execute("DELETE FROM lead_history")
    con.execute("DELETE FROM leads")
    if n:
        # the same shape as the leads an import writes: normalised e-mail, E.164 phone
        con.execute("""
            WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ?)
            INSERT INTO leads (id, first_name, last_name, email, phone, phone_type, country,
                               status, created_at, updated_at)
            SELECT i, 'Prénom', 'Nom ' || i, 'lead' || i || '@exemple.fr',
                   printf('+336%08d', i), 'mobile', 'FR', 'new',
                   '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM c""", (n,))
    con.commit()
    con.execute("VACUUM")
    con.close()


def small_file(path, rows, existing):
    """rows leads; every tenth has the e-mail of an existing lead (when there are)."""
    dups = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for r in range(rows):
            if existing and r % 10 == 0:
                i = 1 + (r * 7919) % existing
                w.writerow(["Jean", "Dup %d" % r, email(i), ""])
                dups += 1
            else:
                w.writerow(["Jean", "New %d" % r, "new%d@nouveau.fr" % r,
                            "06%08d" % (10000000 + r)])
    return dups


def measure(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.stderr.write("keyset_bench: exit %d: %s\n" % (code, err.decode()[-500:]))
    return time.monotonic() - t0, ru.ru_maxrss / 1024.0, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--bin", help="the leadimport to measure (default BUILD/leadimport)")
    ap.add_argument("--sizes", default="0,1000000,5000000")
    ap.add_argument("--rows", type=int, default=2000)
    a = ap.parse_args(argv)
    lead = a.bin or os.path.join(a.build, "leadimport")
    data = os.path.join(ROOT, "bench", "data")
    os.makedirs(data, exist_ok=True)
    sizes = [int(x) for x in a.sizes.split(",")]
    if 0 not in sizes:
        sizes = [0] + sizes
    base = None
    prev = None
    with tempfile.TemporaryDirectory(prefix="li-keyset-") as tmp:
        for n in sizes:
            db = os.path.join(data, "keyset-%d.db" % n)
            if not os.path.exists(db):
                t0 = time.monotonic()
                make_db(lead, db, n, tmp)
                print("made %s in %.1f s" % (os.path.basename(db), time.monotonic() - t0),
                      flush=True)
            work = os.path.join(tmp, "w.db")
            shutil.copyfile(db, work)
            f = os.path.join(tmp, "small.csv")
            dups = small_file(f, a.rows, n)
            t, rss, out = measure([lead, "import", f, "--db", "sqlite:" + work, "--json",
                                   "--force"])
            try:
                res = json.loads(out)
            except ValueError:
                res = {}
            found = res.get("duplicates", res.get("skipped"))
            line = "%9d leads  import of %d rows %6.2f s  peak RSS %6.1f MiB" % (n, a.rows, t, rss)
            if base is None:
                base = rss
            elif n:
                per = (rss - base) * 1048576.0 / n
                line += "  %5.1f bytes/lead" % per
                if prev:
                    # SQLite's page cache (16 MiB) fills once whatever the table's
                    # size: the marginal cost between two sizes is the key set's
                    marg = (rss - prev[1]) * 1048576.0 / (n - prev[0])
                    line += " (%5.1f marginal, %s)" % (marg,
                                                       "ok" if marg <= TARGET else "OVER 12")
                prev = (n, rss)
            line += "  duplicates %s of %d %s" % (found, dups, "ok" if found == dups else "WRONG")
            print(line, flush=True)
            os.unlink(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
