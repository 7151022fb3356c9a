#!/usr/bin/env python3
"""Workers killed with SIGKILL at random moments, over and over, lose
nothing and double nothing: a queued import run by `leadimport worker`,
killed at least 20 times while it parses and while it commits, restarted
each time, ends exactly as an uninterrupted import of the same file (same
counts, every row staged once, the same exported leads).

Each restarted worker takes the dead worker's item back at once (its owner
is a dead process of this host), not after the 30-second lease: the whole
test would otherwise take minutes, and the restart delays are checked.

The kill points are random (seeded, printed; LI_KILL_SEED to replay) row
counts, each drawn between where the stage stands and its end, so that
every restart makes some progress before the next kill and the stage
never ends before its kills.
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

ROWS = li.rows_for(200000, 30000, pg=60000)
KILLS = 24  # at least 20 kills per import, spread over its stages


def setUpModule():
    li.require_binary()


def progress(tmp):
    """(status, phase, rows staged, last row committed) of the job, or Nones."""
    try:
        rows = li.query(tmp, "SELECT status, phase, rows_total, commit_row FROM import_jobs"
                             " ORDER BY id DESC LIMIT 1")
    except Exception:  # locked for a moment, or not created yet
        return None, None, 0, 0
    return rows[0] if rows else (None, None, 0, 0)


def start_worker(tmp):
    return subprocess.Popen([li.BIN, "worker", "--db", li.db_url(tmp), "--until-idle", "--quiet"],
                            cwd=tmp, env=li.clean_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


class KilledWorkersResume:
    """The checks, shared by the two shapes of an import below."""

    EXTRA = []        # import options
    STAGES = []       # (status of the job in that stage, index of its counter in progress())

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-crash-")
        tmp = cls.tmp = cls._tmp.name
        cls.path, cls.expect = li.gen_sample(tmp, "leads.csv", ROWS, seed=23)
        cls.ref = li.run(["import", cls.path, "--db", li.db_url(tmp, "ref.db"), "--json"]
                         + cls.EXTRA, cwd=tmp)
        assert cls.ref.code == 0, repr(cls.ref)
        _, cls.ref_export = li.export(tmp, db="ref.db", out=os.path.join(tmp, "ref.csv"))

        q = li.run(["import", cls.path, "--db", li.db_url(tmp), "--queue", "--json"] + cls.EXTRA,
                   cwd=tmp)
        assert q.code == 0, repr(q)
        cls.job = q.json()["job_id"]

        seed = int(os.environ.get("LI_KILL_SEED", "20261129"))
        sys.stderr.write("kill seed %d\n" % seed)
        rnd = random.Random(seed)
        cls.kills = []            # (status, counter value when killed)
        cls.restart_delays = []   # seconds from a restart to the first progress
        cls.stderr = []
        deadline = time.time() + li.TIMEOUT
        stages = [(status, counter) for status, counter in cls.STAGES
                  for _ in range(KILLS // len(cls.STAGES))]
        for status, counter in stages:
            # 7.5 % of what is left on average: 12 or 24 kills per stage.
            before = progress(tmp)
            done = before[counter] if before[0] == status and before[counter] else 0
            target = li.kill_point(rnd, done, ROWS, 0.03, 0.12)
            proc = start_worker(tmp)
            t0 = time.time()
            moved = None
            killed = False
            while proc.poll() is None and time.time() < deadline:
                p = progress(tmp)
                if moved is None and p[2:] != before[2:]:
                    moved = time.time() - t0
                if p[0] == status and p[counter] >= target:
                    time.sleep(rnd.random() * 0.01)  # somewhere inside the next batch
                    proc.send_signal(signal.SIGKILL)
                    killed = True
                    break
                time.sleep(0.002)
            _, err = proc.communicate()
            cls.stderr.append(err.decode("utf-8", "replace"))
            if moved is not None:
                cls.restart_delays.append(moved)
            if killed:
                cls.kills.append((status, progress(tmp)[counter]))
        # The last worker runs what is left: the end of the job and its report.
        cls.final_worker = li.run(["worker", "--db", li.db_url(tmp), "--until-idle"], cwd=tmp)
        cls.final = li.run(["jobs", "show", str(cls.job), "--db", li.db_url(tmp), "--json"],
                           cwd=tmp)
        _, cls.final_export = li.export(tmp)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_workers_were_killed_at_least_20_times_in_every_stage(self):
        sys.stderr.write("%d kills: %s\n" % (len(self.kills), self.kills))
        self.assertGreaterEqual(len(self.kills), 20)
        for status, _ in self.STAGES:
            self.assertGreaterEqual(sum(1 for s, _ in self.kills if s == status),
                                    KILLS // len(self.STAGES) - 2, status)

    def test_a_dead_workers_item_is_taken_back_at_once(self):
        # The lease is 30 s: a restart waiting for it would show here.
        self.assertTrue(self.restart_delays)
        sys.stderr.write("restart delays: max %.2f s\n" % max(self.restart_delays))
        self.assertLess(max(self.restart_delays), 10.0)

    def test_no_worker_reported_a_problem(self):
        li.assert_no_crash(self, self.final_worker)
        self.assertEqual(self.final_worker.code, 0, repr(self.final_worker))
        for err in self.stderr:
            for marker in ("AddressSanitizer", "runtime error:", "leadimport :"):
                self.assertNotIn(marker, err)

    def test_the_job_completed_with_the_totals_of_an_uninterrupted_import(self):
        self.assertEqual(self.final.code, 0, repr(self.final))
        doc, ref = self.final.json(), self.ref.json()
        self.assertEqual(doc["status"], "completed", doc)
        for key in ("rows", "valid", "invalid", "created", "skipped", "updated"):
            self.assertEqual(doc[key], ref[key], key)
        self.assertEqual(doc["rows"], self.expect["rows"])
        self.assertEqual(doc["created"], self.expect["leads_created_with_skip"])
        self.assertLessEqual(doc["attempts"], 5)
        states = [(i["kind"], i["state"]) for i in doc["work_items"]]
        self.assertTrue(all(s == "done" for _, s in states), states)
        self.assertIn(("report", "done"), states)

    def test_every_row_is_staged_exactly_once(self):
        n, distinct, lo, hi = li.query(
            self.tmp, "SELECT count(*), count(DISTINCT row_no), min(row_no), max(row_no)"
                      " FROM import_rows")[0]
        self.assertEqual((n, distinct, lo, hi), (ROWS, ROWS, 2, ROWS + 1))

    def test_every_valid_row_is_exactly_one_lead_or_one_skip(self):
        leads = li.query(self.tmp, "SELECT count(*) FROM leads")[0][0]
        imported = li.query(self.tmp, li.IMPORTED_ROWS_SQL)[0][0]
        history = li.query(self.tmp, "SELECT count(*) FROM lead_history")[0][0]
        self.assertEqual(leads, self.expect["leads_created_with_skip"])
        self.assertEqual(imported, leads)
        self.assertEqual(history, leads)

    def test_exported_leads_equal_an_uninterrupted_import(self):
        self.assertTrue(self.ref_export)
        self.assertEqual(self.final_export, self.ref_export)

    def test_the_report_was_written_by_a_worker(self):
        path = li.stored_blob(self.tmp, li.report_key(self.job))
        self.assertIsNotNone(path)
        self.assertEqual(len(li.report_refused_rows(path)), self.ref.json()["invalid"])

    def test_key_indexes_are_back(self):
        names = li.index_names(self.tmp, "leads")
        self.assertTrue({"leads_email", "leads_phone", "leads_external_id"} <= names, names)


class KilledTwoStageWorkers(KilledWorkersResume, unittest.TestCase):
    """Parse (staging only), then commit: kills in both stages."""
    EXTRA = ["--max-invalid", "50%"]
    STAGES = [("parsing", 2), ("importing", 3)]


class KilledOnePassWorkers(KilledWorkersResume, unittest.TestCase):
    """The one-pass item (each batch staged and committed together)."""
    EXTRA = []
    STAGES = [("importing", 2)]


if __name__ == "__main__":
    li.main()
