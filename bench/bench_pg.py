#!/usr/bin/env python3
"""bench_pg.py — leadimport on PostgreSQL against psql's `\\copy`, in one run.

On a PostgreSQL server (--url of a database leadimport may create databases
beside, or by default a throw-away cluster of scripts/pg-test-cluster.sh,
started and removed by this script; that cluster runs with fsync off, for
the reference as for us):
  1. end to end: the file of bench_import.py (default 1,000,000 rows) by
     `leadimport import FILE --db postgresql://... --quiet --json` into a new
     database, against `\\copy leads_ref FROM FILE (FORMAT csv, HEADER)` of
     the same file into a plain table of text columns of another new
     database (the floor: PostgreSQL storing the text); wall time of each,
     peak RSS of leadimport (os.wait4 of the process itself). Targets
     (issue 15): ratio <= 2.5, peak RSS <= 64 MiB;
  2. workers: two files (--worker-rows each, seeds 1 and 2) queued, run by
     one `leadimport worker --until-idle`, then (new database) by two
     workers started at once; throughput two / one (target >= 1.6), beside
     the server's own gain from two writers: psql's \\copy of both files
     into one table one after the other, then both at once;
  3. the review path on the file of 1: `import --review` (analysis), then
     `jobs commit N`; wall time and peak RSS of each, total against the
     one-shot import of 1.
Reports; never fails (exit 0) except on bad arguments.

Usage: python3 bench/bench_pg.py [--rows 1000000] [--worker-rows 300000]
                                 [--url postgresql://user@host/postgres]
                                 [--bin build/leadimport] [--data-dir bench/data]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import bench_import as bi  # noqa: E402

CLUSTER = os.path.join(ROOT, "scripts", "pg-test-cluster.sh")
RATIO_TARGET = 2.5
RSS_TARGET_MIB = 64.0
WORKERS_TARGET = 1.6


class Server:
    """Databases on one server: url_of(name) is the URL of database name."""

    def __init__(self, admin_url):
        self.admin_url = admin_url
        self.made = []

    def url_of(self, name):
        base, _, query = self.admin_url.partition("?")
        base = base.rsplit("/", 1)[0]
        return "%s/%s%s" % (base, name, "?" + query if query else "")

    def psql(self, url, sql):
        cp = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                             "-d", url, "-c", sql], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
        if cp.returncode != 0:
            raise RuntimeError("psql: %s: %s" % (sql, cp.stderr.decode("utf-8", "replace")))
        return cp.stdout.decode("utf-8").strip()

    def new_db(self, name):
        name = "li_bench_%d_%s" % (os.getpid(), name)
        self.psql(self.admin_url, "DROP DATABASE IF EXISTS %s" % name)
        self.psql(self.admin_url, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0" % name)
        self.made.append(name)
        return self.url_of(name)

    def drop_all(self):
        for name in self.made:
            try:
                self.psql(self.admin_url, "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
            except RuntimeError as e:
                sys.stderr.write("bench: %s\n" % e)


def timed(cmd, cwd):
    code, secs, rss, out, err = bi.measure(cmd, cwd)
    return {"code": code, "s": secs, "rss": rss, "out": out,
            "err": err.decode("utf-8", "replace").strip()[-400:]}


def summary(run):
    try:
        return json.loads(run["out"].decode("utf-8"))
    except ValueError:
        return {}


def bench_copy(srv, path, tmp):
    url = srv.new_db("ref")
    with open(path, encoding="utf-8-sig", newline="") as f:
        ncols = len(next(__import__("csv").reader(f)))
    srv.psql(url, "CREATE TABLE leads_ref (%s)" % ", ".join("c%d text" % i for i in range(ncols)))
    bi.warm(path)
    return timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
                  "\\copy leads_ref FROM '%s' WITH (FORMAT csv, HEADER true)"
                  % path.replace("'", "''")], tmp)


def bench_import(binary, srv, path, tmp):
    url = srv.new_db("ours")
    bi.warm(path)
    return timed([binary, "import", path, "--db", url, "--quiet", "--json"], tmp)


def bench_copy_pair(srv, paths, together, tmp):
    """The server's own scaling: psql's \\copy of both files into one plain
    table, one after the other or both at once; wall seconds."""
    url = srv.new_db("pair%d" % together)
    with open(paths[0], encoding="utf-8-sig", newline="") as f:
        ncols = len(next(__import__("csv").reader(f)))
    srv.psql(url, "CREATE TABLE leads_ref (%s)" % ", ".join("c%d text" % i for i in range(ncols)))
    cmds = [["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c",
             "\\copy leads_ref FROM '%s' WITH (FORMAT csv, HEADER true)" % p.replace("'", "''")]
            for p in paths]
    for p in paths:
        bi.warm(p)
    t0 = time.perf_counter()
    if together:
        procs = [subprocess.Popen(c, cwd=tmp, stdout=subprocess.DEVNULL) for c in cmds]
        codes = [p.wait() for p in procs]
    else:
        codes = [subprocess.run(c, cwd=tmp, stdout=subprocess.DEVNULL).returncode for c in cmds]
    return {"code": max(codes), "s": time.perf_counter() - t0}


def bench_workers(binary, srv, paths, nworkers, tmp):
    url = srv.new_db("w%d" % nworkers)
    for p in paths:
        r = timed([binary, "import", p, "--queue", "--json", "--db", url], tmp)
        if r["code"] != 0:
            return {"code": r["code"], "err": r["err"]}
        bi.warm(p)
    t0 = time.perf_counter()
    procs = [subprocess.Popen([binary, "worker", "--until-idle", "--quiet", "--db", url],
                              cwd=tmp, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE) for _ in range(nworkers)]
    rss, code, err = 0.0, 0, ""
    for p in procs:
        _, status, ru = os.wait4(p.pid, 0)
        rss = max(rss, ru.ru_maxrss / 1024.0)
        c = os.waitstatus_to_exitcode(status)
        if c != 0:
            code, err = c, p.stderr.read().decode("utf-8", "replace")[-400:]
        p.stderr.close()
    secs = time.perf_counter() - t0
    rows = srv.psql(url, "SELECT coalesce(sum(rows_total), 0) || ' ' || count(*) FILTER"
                         " (WHERE status = 'completed') FROM import_jobs").split()
    return {"code": code, "s": secs, "rss": rss, "err": err, "rows": int(rows[0]),
            "completed": int(rows[1])}


def bench_review(binary, srv, path, tmp):
    url = srv.new_db("review")
    bi.warm(path)
    rev = timed([binary, "import", path, "--review", "--db", url, "--json"], tmp)
    if rev["code"] != 0:
        return rev, None
    job = summary(rev).get("job_id")
    com = timed([binary, "jobs", "commit", str(job), "--db", url, "--json"], tmp)
    return rev, com


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=int(os.environ.get("BENCH_PG_ROWS", "1000000")))
    ap.add_argument("--worker-rows", type=int, default=300000)
    ap.add_argument("--url", default=os.environ.get("BENCH_PG_URL"),
                    help="a database of a server where this may create databases")
    ap.add_argument("--bin", default=os.environ.get("LEADIMPORT_BIN",
                                                    os.path.join(ROOT, "build", "leadimport")))
    ap.add_argument("--data-dir", default=os.path.join(ROOT, "bench", "data"))
    ap.add_argument("--skip", default="", help="comma list of parts to skip: copy,workers,review")
    a = ap.parse_args(argv)
    skip = set(s for s in a.skip.split(",") if s)
    if not (os.path.isfile(a.bin) and os.access(a.bin, os.X_OK)):
        print("bench: no binary at %s (run `make build` first); nothing measured" % a.bin)
        return 0

    tmp = tempfile.mkdtemp(prefix="li-bench-pg-")
    state = os.path.join(tmp, "cluster.state")
    own_cluster = not a.url
    srv = None
    try:
        if own_cluster:
            subprocess.run(["bash", CLUSTER, "start", state], check=True)
            a.url = subprocess.run(["bash", CLUSTER, "url", state, "postgres"], check=True,
                                   stdout=subprocess.PIPE).stdout.decode().strip()
        srv = Server(a.url)
        path, gen = bi.data_file(a.data_dir, a.rows, False)
        mib = os.path.getsize(path) / 1048576.0
        print("\nleadimport on PostgreSQL (%s) — %s, %d rows, %.1f MiB, %s generator"
              % (srv.psql(a.url, "SHOW server_version"), os.path.basename(path), a.rows, mib, gen))
        if own_cluster:
            print("throw-away cluster (scripts/pg-test-cluster.sh): fsync off, for both")
        # The server's settings that move the figures most, so that a figure
        # copied elsewhere says what it was measured on.
        print("server: " + ", ".join(
            "%s=%s" % (name, srv.psql(a.url, "SHOW " + name))
            for name in ("fsync", "synchronous_commit", "shared_buffers", "wal_level")))

        ours = None
        if "copy" not in skip:
            ref = bench_copy(srv, path, tmp)
            ours = bench_import(a.bin, srv, path, tmp)
            print("\n1. end to end against \\copy (targets: ratio <= %.1f, RSS <= %.0f MiB)"
                  % (RATIO_TARGET, RSS_TARGET_MIB))
            if ref["code"] != 0 or ours["code"] != 0:
                print("   error: \\copy %d %s / leadimport %d %s"
                      % (ref["code"], ref["err"], ours["code"], ours["err"]))
            else:
                ratio = ours["s"] / ref["s"]
                s = summary(ours)
                print("   \\copy      %8.2f s" % ref["s"])
                print("   leadimport %8.2f s  %8.0f rows/s  peak RSS %.1f MiB"
                      % (ours["s"], a.rows / ours["s"], ours["rss"]))
                print("   ratio %.2f %s, RSS %s" % (ratio, bi.verdict(ratio <= RATIO_TARGET),
                                                    bi.verdict(ours["rss"] <= RSS_TARGET_MIB)))
                print("   import: rows %s, valid %s, invalid %s, created %s, skipped %s%s"
                      % (s.get("rows"), s.get("valid"), s.get("invalid"), s.get("created"),
                         s.get("skipped"), bi.expected_note(path, s)))

        if "workers" not in skip:
            files = []
            for seed in (1, 2):
                p = os.path.join(a.data_dir, "leads-pg-workers-%d-%d.csv" % (a.worker_rows, seed))
                if not os.path.isfile(p):
                    subprocess.run([sys.executable, os.path.join(ROOT, "tools", "gen_sample.py"),
                                    "--rows", str(a.worker_rows), "--seed", str(seed),
                                    "--out", p], check=True)
                files.append(p)
            one = bench_workers(a.bin, srv, files, 1, tmp)
            two = bench_workers(a.bin, srv, files, 2, tmp)
            print("\n2. two files of %d rows: one worker, then two (target: x%.1f)"
                  % (a.worker_rows, WORKERS_TARGET))
            for n, r in ((1, one), (2, two)):
                if r["code"] != 0:
                    print("   %d worker(s): error %d %s" % (n, r["code"], r["err"]))
                else:
                    print("   %d worker(s) %8.2f s  %8.0f rows/s  %d/2 completed  peak RSS %.1f MiB"
                          % (n, r["s"], r["rows"] / r["s"], r["completed"], r["rss"]))
            if one["code"] == 0 and two["code"] == 0:
                speed = one["s"] / two["s"]
                print("   two workers: x%.2f %s" % (speed, bi.verdict(speed >= WORKERS_TARGET)))
            # What the server itself gains from two writers at once on this
            # machine: the ceiling of the line above.
            seq = bench_copy_pair(srv, files, 0, tmp)
            par = bench_copy_pair(srv, files, 1, tmp)
            if seq["code"] == 0 and par["code"] == 0:
                print("   the server alone, \\copy of both files: %.2f s one after the other,"
                      " %.2f s at once: x%.2f" % (seq["s"], par["s"], seq["s"] / par["s"]))

        if "review" not in skip:
            rev, com = bench_review(a.bin, srv, path, tmp)
            print("\n3. review path on the file of 1: analysis, then commit")
            if rev["code"] != 0 or not com or com["code"] != 0:
                print("   error: %s %s" % (rev["err"], com and com["err"]))
            else:
                total = rev["s"] + com["s"]
                print("   analysis  %8.2f s  peak RSS %.1f MiB" % (rev["s"], rev["rss"]))
                print("   commit    %8.2f s  peak RSS %.1f MiB" % (com["s"], com["rss"]))
                line = "   total     %8.2f s" % total
                if ours and ours["code"] == 0:
                    line += "  (one-shot import %.2f s: x%.2f)" % (ours["s"], total / ours["s"])
                print(line)
                s = summary(com)
                print("   commit: created %s, skipped %s, updated %s"
                      % (s.get("created"), s.get("skipped"), s.get("updated")))
        print("\nRSS in MiB (peak resident set of the process). The bench never fails the build.")
    finally:
        if srv:
            srv.drop_all()
        if own_cluster:
            subprocess.run(["bash", CLUSTER, "stop", state])
        subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
