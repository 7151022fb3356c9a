#!/usr/bin/env python3
"""The server killed (SIGKILL) in the middle of an import, then started
again on the same database: the job resumes by itself, and every row is
there exactly once — the leads are byte for byte those of a one-shot CLI
import of the same file. Then a SIGTERM during an import: the server stops
in its grace time, gives the work back, and the next start finishes it.

The kills land while rows are written: once during the analysis (parse),
once during the commit, at points drawn from a printed seed. The session
opened before the first kill is used to the end: sessions live in the
database, not in the process.
"""
import os
import random
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import lihttp as lh  # noqa: E402

ROWS = li.rows_for(30000, 10000)
FINAL = ("completed", "failed", "cancelled", "rejected", "reverted")


def setUpModule():
    lh.require_serve()


def progress(tmp, job):
    try:
        row = li.query(tmp, "SELECT status, parse_row, commit_row FROM import_jobs WHERE id = ?",
                       (job,))
    except Exception:  # locked for an instant
        return None, 0, 0
    return row[0] if row else (None, 0, 0)


class KilledServerResumes(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-http-crash-")
        cls.addClassCleanup(cls._tmp.cleanup)
        tmp = cls.tmp = cls._tmp.name
        cls.path, cls.expect = li.gen_sample(tmp, "leads.csv", ROWS, seed=13, invalid_rate=0.02,
                                             dup_rate=0.01)
        for db in ("t.db", "ref.db"):
            lh.add_user(tmp, db, "admin@exemple.fr", "Alice Admin", "admin")
        cls.ref = lh.cli(tmp, "ref.db", "import", cls.path, "--json").json()
        _, cls.ref_export = li.export(tmp, db="ref.db", out=os.path.join(tmp, "ref.csv"))

        seed = int(os.environ.get("LI_KILL_SEED", "20261202"))
        sys.stderr.write("kill seed %d\n" % seed)
        rnd = random.Random(seed)
        cls.kills = []
        cls.server = lh.Server(tmp, "t.db", workers=1)
        cls.addClassCleanup(cls.server.kill)
        srv = cls.server.start()
        c = cls.client = srv.client()
        c.login("admin@exemple.fr")
        r = c.upload(cls.path)
        assert r.status in (200, 201), repr(r)
        cls.job = lh.job_id_of(r.json())

        # 1. killed during the analysis
        r = c.post("/api/imports/%d/analyse" % cls.job)
        assert r.status in (200, 202), repr(r)
        cls.kill_when(srv, "parsing", 1, rnd.randint(ROWS // 5, ROWS * 4 // 5))
        srv.start()  # the session is in the database: it outlives the process
        cls.ready = c.wait_status(cls.job, ("ready",) + FINAL)

        # 2. killed during the commit
        r = c.post("/api/imports/%d/commit" % cls.job, {"on_duplicate": "skip"})
        assert r.status in (200, 202), repr(r)
        cls.kill_when(srv, "importing", 2, rnd.randint(ROWS // 10, ROWS * 2 // 5))
        srv.start()

        # 3. SIGTERM as soon as the resumed commit moves: a graceful stop
        cls.term = None
        t0 = time.monotonic()
        while time.monotonic() - t0 < li.TIMEOUT:
            st, _, commit_row = progress(tmp, cls.job)
            if st in FINAL:
                break
            if st == "importing" and commit_row > (cls.kills[-1][1] or 0):
                t1 = time.monotonic()
                code, graceful = srv.stop()
                cls.term = (code, graceful, time.monotonic() - t1, progress(tmp, cls.job))
                break
            time.sleep(0.005)
        if cls.term is not None:
            srv.start()
        cls.final = c.wait_status(cls.job, FINAL)
        srv.stop()
        _, cls.final_export = li.export(tmp)

    @classmethod
    def kill_when(cls, srv, status, col, target):
        """SIGKILL once the job is in status with counter col >= target."""
        deadline = time.monotonic() + li.TIMEOUT
        while time.monotonic() < deadline:
            p = progress(cls.tmp, cls.job)
            if p[0] == status and p[col] >= target:
                srv.kill()
                cls.kills.append((status, progress(cls.tmp, cls.job)[col]))
                return
            if p[0] in FINAL or (status == "parsing" and p[0] == "ready"):
                break
            time.sleep(0.003)
        srv.kill()
        cls.kills.append((status, None))  # too late: the test says so

    def test_both_kills_landed_mid_stage(self):
        sys.stderr.write("kills at %s; SIGTERM %s\n" % (self.kills, self.term))
        self.assertEqual(len(self.kills), 2)
        for status, at in self.kills:
            self.assertIsNotNone(at, "the %s kill came too late: %s" % (status, self.kills))
            self.assertLess(at, ROWS + 1)

    def test_the_analysis_resumed_to_ready_with_the_counts_of_the_cli(self):
        self.assertEqual(self.ready["status"], "ready", self.ready)
        for key in ("rows", "valid", "invalid", "warnings"):
            self.assertEqual(self.ready[key], self.ref[key], key)

    def test_the_job_completed_with_the_counts_of_a_one_shot_import(self):
        self.assertEqual(self.final["status"], "completed", self.final)
        for key in ("rows", "valid", "invalid", "warnings", "created", "updated", "skipped",
                    "flagged"):
            self.assertEqual(self.final[key], self.ref[key], key)
        self.assertEqual(self.final["created"], self.expect["leads_created_with_skip"])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs")[0][0], 1)

    def test_every_row_is_there_exactly_once(self):
        n, distinct, lo, hi = li.query(
            self.tmp, "SELECT count(*), count(DISTINCT row_no), min(row_no), max(row_no)"
                      " FROM import_rows WHERE job_id = ?", (self.job,))[0]
        self.assertEqual((n, distinct), (ROWS, ROWS))
        self.assertEqual(lo, 2)
        leads = li.query(self.tmp, "SELECT count(*) FROM leads")[0][0]
        self.assertEqual(leads, self.expect["leads_created_with_skip"])
        dup = li.query(self.tmp, "SELECT count(*) FROM (SELECT email FROM leads WHERE email IS"
                                 " NOT NULL GROUP BY email HAVING count(*) > 1) AS d")[0][0]
        self.assertEqual(dup, 0)

    def test_the_leads_equal_a_one_shot_cli_import(self):
        self.assertTrue(self.ref_export)
        self.assertEqual(self.final_export, self.ref_export)

    def test_sigterm_stops_gracefully_and_gives_the_work_back(self):
        if self.term is None:
            self.skipTest("the commit ended before the SIGTERM could land")
        code, graceful, took, after = self.term
        self.assertTrue(graceful, "SIGTERM was not enough: SIGKILL needed")
        self.assertEqual(code, 0)
        self.assertLess(took, lh.STOP_TIMEOUT)
        self.assertNotIn(after[0], FINAL, "the stop finished the job instead of giving it back")
        self.assertIn("arrêt", self.server.log().lower())


if __name__ == "__main__":
    li.main()
