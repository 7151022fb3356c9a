#!/usr/bin/env python3
"""Many processes on one database (issue 15): every import is done exactly
once, whoever runs it, and a lost connection or a restarted server loses
nothing and doubles nothing.

- 4 `leadimport worker` processes started at once on 8 queued imports:
  each import completes once, every row is staged once, the leads are
  those of the 8 files imported one by one.
- two workers commit two imports that share a third of their contacts at
  the same time (PostgreSQL runs committers side by side, each batch
  rechecked against the other's leads): each contact is one lead, as many
  as when the files are imported one after the other, no id given twice.
- two `leadimport serve` processes on one database share its queue: both
  run imports, none twice.
- a small file into a big base looks its keys up, except on a table
  PostgreSQL never analysed, whose look-ups would scan it whole: then every
  lead is read once, and the outcome is the same.
- PostgreSQL only: the worker's connections killed by pg_terminate_backend
  in the middle of an import, and the PostgreSQL server restarted in the
  middle of one: the worker reconnects, resumes from its checkpoint, and
  every row ends exactly once (the same export as an uninterrupted import).

Runs against PostgreSQL only (LI_TEST_DB=postgresql, lihelp.py): on SQLite,
one machine, the queue is covered by test_jobs.py (two workers) and
test_crash.py, and the CI budget has no room for a second copy. The
restart is made on a cluster of the test's own, so that the other tests
of the shared cluster run beside this one.
"""
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp  # noqa: E402

FILES = 8
ROWS = li.rows_for(3000, 1000)       # per queued file
BIG = li.rows_for(30000, 10000)      # the import cut off in the middle
SIDE_ROWS = li.rows_for(20000, 8000)  # per file of two committed side by side
CLUSTER = os.path.join(li.SOURCE_DIR, "scripts", "pg-test-cluster.sh")


def setUpModule():
    li.require_binary()
    if not li.PG:
        li.skip_visibly("PostgreSQL seulement (LI_TEST_DB=postgresql) : plusieurs processus"
                        " sur une base partagée")


def db(tmp, name="t.db"):
    return ["--db", li.db_url(tmp, name)]


def queue_files(tc, tmp, n, rows, name="t.db"):
    """Queues n generated files (distinct seeds); returns [(job id, expect)]."""
    jobs = []
    for i in range(n):
        path, expect = li.gen_sample(tmp, "f%d.csv" % i, rows, seed=100 + i)
        r = li.run(["import", path, "--queue", "--json"] + db(tmp, name), cwd=tmp)
        tc.assertEqual(r.code, 0, repr(r))
        jobs.append((r.json()["job_id"], expect))
    return jobs


def show(tc, tmp, job, name="t.db"):
    r = li.run(["jobs", "show", str(job), "--json"] + db(tmp, name), cwd=tmp)
    tc.assertEqual(r.code, 0, repr(r))
    return r.json()


def rows_once(tc, tmp, name="t.db"):
    """Every staged row once: (job, row_no) distinct, row numbers dense."""
    bad = li.query(tmp, "SELECT job_id, count(*), count(DISTINCT row_no), min(row_no),"
                        " max(row_no) FROM import_rows GROUP BY job_id"
                        " HAVING count(*) <> count(DISTINCT row_no)"
                        " OR max(row_no) - min(row_no) + 1 <> count(*)", db=name)
    tc.assertEqual(bad, [])


def reference_export(tmp, paths, name="ref.db"):
    """The export of paths imported one by one, in order, by one process."""
    for p in paths:
        r = li.run(["import", p, "--json"] + db(tmp, name), cwd=tmp)
        assert r.code == 0, repr(r)
    _, data = li.export(tmp, db=name, out=os.path.join(tmp, name + ".csv"))
    return data


class FourWorkersEightImports(unittest.TestCase):
    def test_each_import_is_done_exactly_once(self):
        td = tempfile.TemporaryDirectory(prefix="li-conc-")
        self.addCleanup(td.cleanup)
        tmp = td.name
        jobs = queue_files(self, tmp, FILES, ROWS)
        procs = [subprocess.Popen([li.BIN, "worker", "--until-idle", "--quiet"] + db(tmp),
                                  cwd=tmp, env=li.clean_env(), stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for _ in range(4)]
        errs = []
        for p in procs:
            _, err = p.communicate(timeout=li.TIMEOUT)
            errs.append(err.decode("utf-8", "replace"))
            self.assertEqual(p.returncode, 0, errs[-1])
        owners = set()
        for job, expect in jobs:
            doc = show(self, tmp, job)
            self.assertEqual(doc["status"], "completed", doc)
            self.assertEqual(doc["rows"], expect["rows"])
            self.assertEqual(doc["attempts"], 1, doc)
            self.assertTrue(all(i["state"] == "done" for i in doc["work_items"]), doc)
            owners.add(doc["worker"].split(":")[1] if doc.get("worker") else None)
        rows_once(self, tmp)
        n_rows = li.query(tmp, "SELECT count(*) FROM import_rows")[0][0]
        self.assertEqual(n_rows, sum(e["rows"] for _, e in jobs))
        # As many leads as the 8 files imported one after the other (the
        # files share a few contacts: which file creates one depends on the
        # order, not whether it is created), each created once.
        created = sum(show(self, tmp, j)["created"] for j, _ in jobs)
        leads = li.query(tmp, "SELECT count(*) FROM leads")[0][0]
        self.assertEqual(leads, created)
        reference_export(tmp, [os.path.join(tmp, "f%d.csv" % i) for i in range(FILES)])
        self.assertEqual(leads, li.query(tmp, "SELECT count(*) FROM leads", db="ref.db")[0][0])
        self.assertEqual(li.query(tmp, "SELECT email FROM leads WHERE email IS NOT NULL"
                                       " GROUP BY email HAVING count(*) > 1"), [])
        sys.stderr.write("workers that ran jobs: %d\n" % len(owners - {None}))
        self.assertGreaterEqual(len(owners - {None}), 2, owners)


class TwoCommittersSharedContacts(unittest.TestCase):
    """Two imports that share half their contacts, committed at the same
    time by two workers (PostgreSQL runs committers side by side): each
    contact is one lead, as when the files are imported one after the other."""

    def test_shared_contacts_are_created_once(self):
        self.shared_contacts(lookup=False)

    def test_shared_contacts_are_created_once_with_their_keys_looked_up(self):
        # What a small file into a big base does (forced here): each batch's
        # keys looked up in the table, the others' leads from the journal.
        self.shared_contacts(lookup=True)

    def shared_contacts(self, lookup):
        td = tempfile.TemporaryDirectory(prefix="li-side-")
        self.addCleanup(td.cleanup)
        tmp = td.name
        src, _ = li.gen_sample(tmp, "all.csv", SIDE_ROWS * 3 // 2, seed=7)
        with open(src, encoding="utf-8", newline="") as f:
            records = list(csv.reader(f))
        header, body = records[0], records[1:]
        third = len(body) // 3
        # a: the first two thirds; b: the last two thirds (the middle third in both)
        parts = {"a.csv": body[:2 * third], "b.csv": body[third:]}
        jobs = []
        for name, part in sorted(parts.items()):
            li.write_csv(os.path.join(tmp, name), part, header=header)
            r = li.run(["import", name, "--queue", "--json"] + db(tmp), cwd=tmp)
            self.assertEqual(r.code, 0, repr(r))
            jobs.append(r.json()["job_id"])
        env = li.clean_env()
        env["LEADIMPORT_TRACE"] = "1"
        env["LEADIMPORT_KEY_LOOKUP"] = "1" if lookup else "0"
        procs = [subprocess.Popen([li.BIN, "worker", "--until-idle", "--quiet"] + db(tmp),
                                  cwd=tmp, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE) for _ in range(2)]
        errs = ""
        for p in procs:
            _, err = p.communicate(timeout=li.TIMEOUT)
            errs += err.decode("utf-8", "replace")
            self.assertEqual(p.returncode, 0, err)
        docs = [show(self, tmp, j) for j in jobs]
        for doc in docs:
            self.assertEqual(doc["status"], "completed", doc)
            self.assertEqual(doc["attempts"], 1, doc)
        # They did commit at the same time (else this tests nothing).
        self.assertNotEqual(docs[0]["worker"], docs[1]["worker"], docs)
        self.assertLess(docs[0]["started_at"], docs[1]["finished_at"], docs)
        self.assertLess(docs[1]["started_at"], docs[0]["finished_at"], docs)
        rows_once(self, tmp)
        for key in ("email", "phone"):
            self.assertEqual(li.query(tmp, "SELECT %s FROM leads WHERE %s IS NOT NULL"
                                           " GROUP BY %s HAVING count(*) > 1"
                                      % (key, key, key), db="t.db"), [], key)
        leads = li.query(tmp, "SELECT count(*) FROM leads")[0][0]
        self.assertEqual(leads, sum(d["created"] for d in docs))
        reference_export(tmp, [os.path.join(tmp, "a.csv"), os.path.join(tmp, "b.csv")])
        self.assertEqual(leads, li.query(tmp, "SELECT count(*) FROM leads", db="ref.db")[0][0])
        # No lead id twice, and none from the history of another lead.
        self.assertEqual(li.query(tmp, "SELECT count(*) FROM lead_history h WHERE"
                                       " action='created' AND NOT EXISTS (SELECT 1 FROM leads l"
                                       " WHERE l.id=h.lead_id AND l.import_job_id=h.job_id)"),
                         [(0,)])
        self.assertEqual(errs.count("the rows' keys looked up in the table") == 2, lookup, errs)
        sys.stderr.write("batches decided again: %d\n" % errs.count("decided again"))


class SmallFileIntoABaseNeverAnalysed(unittest.TestCase):
    """A small file into a big base looks its keys up; on a table PostgreSQL
    never analysed (no statistics: "= ANY" of a batch is planned as a scan
    of the whole table) the look-ups give way to the whole read at once,
    and the outcome is the same."""

    def test_look_ups_wait_for_the_statistics(self):
        td = tempfile.TemporaryDirectory(prefix="li-noanalyse-")
        self.addCleanup(td.cleanup)
        tmp = td.name
        r = li.run(["migrate"] + db(tmp), cwd=tmp)
        self.assertEqual(r.code, 0, repr(r))
        # 120,000 leads (past the 8 MiB under which a scan costs little),
        # autovacuum kept away so that the table stays without statistics.
        li.query(tmp, "ALTER TABLE leads SET (autovacuum_enabled = false)")
        li.query(tmp, "INSERT INTO leads (id, first_name, last_name, email, phone, created_at,"
                      " updated_at) SELECT g, 'Prénom', 'Nom', 'base' || g || '@exemple.fr',"
                      " '+3361' || lpad(g::text, 7, '0'), '2026-01-01T00:00:00.000Z',"
                      " '2026-01-01T00:00:00.000Z' FROM generate_series(1, 120000) g")
        self.assertEqual(li.query(tmp, "SELECT reltuples < 0 FROM pg_class"
                                       " WHERE oid = 'leads'::regclass"), [(True,)])
        rows = [li.lead("Base", "N%d" % i, "base%d@exemple.fr" % (i * 37), "") for i in range(1, 41)]
        rows += [li.lead("Neuf", "N%d" % i, "neuf%d@exemple.fr" % i, "") for i in range(20)]
        env = {"LEADIMPORT_TRACE": "1", "LEADIMPORT_KEY_LOOKUP": ""}
        counts = []
        for n, analyse in enumerate((False, True)):
            if analyse:
                li.query(tmp, "ANALYZE leads")
            path = li.write_csv(os.path.join(tmp, "petit%d.csv" % n), rows)
            r = li.run(["import", path, "--json", "--force", "--no-remember"] + db(tmp),
                       cwd=tmp, env=env)
            self.assertEqual(r.code, 0, repr(r))
            self.assertIn("the rows' keys looked up in the table", r.err)
            self.assertEqual("read whole (look-ups given up after 0 leads)" in r.err,
                             not analyse, r.err)
            counts.append({k: r.json()[k] for k in ("created", "skipped")})
        self.assertEqual(counts[0], {"created": 20, "skipped": 40})
        self.assertEqual(counts[1], {"created": 0, "skipped": 60})


class TwoServersOneQueue(unittest.TestCase):
    def test_two_servers_share_the_queue(self):
        td = tempfile.TemporaryDirectory(prefix="li-conc-serve-")
        self.addCleanup(td.cleanup)
        tmp = td.name
        li.run(["migrate"] + db(tmp), cwd=tmp)
        servers = [lihttp.Server(tmp, "t.db", workers=1, name="serve%d" % i) for i in (1, 2)]
        for s in servers:
            s.start()
            self.addCleanup(s.stop)
        jobs = queue_files(self, tmp, FILES, ROWS)
        deadline = time.time() + li.TIMEOUT
        docs = []
        while time.time() < deadline:
            docs = [show(self, tmp, j) for j, _ in jobs]
            if all(d["status"] in ("completed", "failed") for d in docs):
                break
            time.sleep(0.2)
        pids = {s.proc.pid for s in servers}
        ran = set()
        for (job, expect), doc in zip(jobs, docs):
            self.assertEqual(doc["status"], "completed", doc)
            self.assertEqual(doc["rows"], expect["rows"])
            self.assertEqual(doc["attempts"], 1, doc)
            ran.add(int(doc["worker"].split(":")[1]))
        self.assertEqual(ran, pids, "both servers run imports")
        rows_once(self, tmp)
        for s in servers:
            code, graceful = s.stop()
            self.assertTrue(graceful)
            self.assertEqual(s.sanitizer_reports(), [])


class CutMidImport:
    """An import cut in the middle (cut() below), then finished by the same
    worker: it ends as an uninterrupted import."""

    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-conc-cut-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.path, self.expect = li.gen_sample(self.tmp, "big.csv", BIG, seed=41)
        self.ref = reference_export(self.tmp, [self.path])
        r = li.run(["import", self.path, "--queue", "--json"] + db(self.tmp), cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.job = r.json()["job_id"]

    def run_cut(self, cut):
        """Starts a worker, calls cut() once the import is a third done,
        and checks the import ends as an uninterrupted one.

        The worker is frozen (SIGSTOP) while its progress is read and while
        the cut is made, then let go: however slow a query is on a busy
        machine, the cut falls in the middle of the import (polling a
        running worker once let a whole import pass between two reads, and
        the cut then met a worker that had already let its connection go)."""
        proc = subprocess.Popen([li.BIN, "worker", "--until-idle"] + db(self.tmp),
                                cwd=self.tmp, env=li.clean_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        deadline = time.time() + li.TIMEOUT
        done = 0
        cut_made = False
        while not cut_made and proc.poll() is None and time.time() < deadline:
            os.kill(proc.pid, signal.SIGSTOP)
            try:
                try:
                    done = li.query(self.tmp, "SELECT rows_total FROM import_jobs WHERE id = ?",
                                    (self.job,))[0][0]
                except RuntimeError:
                    done = 0
                if done >= BIG // 3:
                    self.assertLess(done, BIG, "the import ended before the cut")
                    cut()
                    cut_made = True
            finally:
                os.kill(proc.pid, signal.SIGCONT)
            time.sleep(0.02)
        self.assertTrue(cut_made, "the import ended before the cut")
        _, err = proc.communicate(timeout=li.TIMEOUT)
        err = err.decode("utf-8", "replace")
        sys.stderr.write("cut at %d rows; worker said: %s\n" % (done, err[-600:]))
        self.assertEqual(proc.returncode, 0, err)
        doc = show(self, self.tmp, self.job)
        self.assertEqual(doc["status"], "completed", doc)
        self.assertEqual(doc["rows"], self.expect["rows"])
        self.assertEqual(doc["created"], self.expect["leads_created_with_skip"])
        n, distinct = li.query(self.tmp, "SELECT count(*), count(DISTINCT row_no)"
                                         " FROM import_rows")[0]
        self.assertEqual((n, distinct), (BIG, BIG))
        leads = li.query(self.tmp, "SELECT count(*) FROM leads")[0][0]
        self.assertEqual(leads, self.expect["leads_created_with_skip"])
        self.assertEqual(li.query(self.tmp, li.IMPORTED_ROWS_SQL)[0][0], leads)
        _, got = li.export(self.tmp)
        self.assertEqual(got, self.ref)



class ConnectionLostMidImport(CutMidImport, unittest.TestCase):
    """The worker's connections end in the middle of an import."""

    def test_pg_terminate_backend_of_the_worker(self):
        dbname = li.db_url(self.tmp).split("/")[3].split("?")[0]

        def cut():
            killed = li.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                             " WHERE datname = '%s' AND pid <> pg_backend_pid()" % dbname)
            self.assertGreaterEqual(int(killed.strip()), 1)
        self.run_cut(cut)


class ServerRestartedMidImport(CutMidImport, unittest.TestCase):
    """The PostgreSQL server restarted in the middle of an import. On a
    cluster of its own (pg-test-cluster.sh, about 1.5 s to make): the
    shared test cluster stays up for the tests that run beside this one."""

    @classmethod
    def setUpClass(cls):
        # Beside the shared cluster's state (STATE.extra-*): its stop, which
        # CTest runs even after a test killed by its timeout, stops this one.
        shared_state = os.environ.get("LI_PG_STATE")
        # Without a shared state (run by hand), the state goes in a folder of its own.
        cls._cluster = None if shared_state else tempfile.TemporaryDirectory(prefix="li-conc-own-")
        cls.state = (shared_state + ".extra-restart-%d" % os.getpid() if shared_state
                     else os.path.join(cls._cluster.name, "state"))
        subprocess.run(["bash", CLUSTER, "start", cls.state], check=True, timeout=120,
                       stdout=subprocess.DEVNULL)
        with open(cls.state) as f:
            own = f.read().strip()
        cls.shared_dir, li.PG_DIR = li.PG_DIR, own

    @classmethod
    def tearDownClass(cls):
        li.PG_DIR = cls.shared_dir
        subprocess.run(["bash", CLUSTER, "stop", cls.state], timeout=120)
        if cls._cluster:
            cls._cluster.cleanup()

    def test_postgresql_restarted(self):
        def cut():
            subprocess.run(["bash", CLUSTER, "restart", self.state], check=True, timeout=120)
        self.run_cut(cut)


if __name__ == "__main__":
    li.main()
