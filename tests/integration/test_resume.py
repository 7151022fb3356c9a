#!/usr/bin/env python3
"""An import killed with SIGKILL resumes from its checkpoint when the same
command is run again, and ends exactly as an uninterrupted import of the
same file: same counts, every row staged once, the same leads.

The kills land at random moments (seeded, printed) while rows are being
written, as a crash would. The bulk path (key indexes dropped and rebuilt)
is the one a big file takes, so the file is big enough for it.
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

ROWS = li.rows_for(60000, 25000, pg=25000)
KILLS = 4


def setUpModule():
    li.require_binary()


def job_progress(tmp):
    try:
        rows = li.query(tmp, "SELECT status, rows_total FROM import_jobs ORDER BY id DESC LIMIT 1")
    except Exception:  # the database may not exist yet
        return None, 0
    return rows[0] if rows else (None, 0)


class KilledImportResumes(unittest.TestCase):
    EXTRA = []  # options of every run of the import
    HISTORY_PER_LEAD = 1  # 'created', and 'assigned' when leads are assigned

    @classmethod
    def prepare(cls, tmp, db):
        """Runs before the imports, once per database."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-resume-")
        tmp = cls.tmp = cls._tmp.name
        cls.path, cls.expect = li.gen_sample(tmp, "leads.csv", ROWS, seed=11)
        cls.prepare(tmp, "ref.db")
        cls.prepare(tmp, "t.db")
        # The reference: one uninterrupted import into its own database.
        cls.ref = li.run(["import", cls.path, "--db", li.db_url(tmp, "ref.db"), "--json"]
                         + cls.EXTRA, cwd=tmp)
        _, cls.ref_export = li.export(tmp, db="ref.db", out=os.path.join(tmp, "ref.csv"))

        seed = int(os.environ.get("LI_KILL_SEED", "20261129"))
        sys.stderr.write("kill seed %d\n" % seed)
        rnd = random.Random(seed)
        cls.kills = 0
        cls.kill_points = []
        for _ in range(KILLS):
            target = rnd.randint(ROWS // 10, ROWS * 9 // 10)
            proc = subprocess.Popen(
                [li.BIN, "import", cls.path, "--db", li.db_url(tmp), "--quiet"] + cls.EXTRA,
                cwd=tmp,
                env=li.clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + li.TIMEOUT
            killed = False
            while proc.poll() is None and time.time() < deadline:
                status, rows = job_progress(tmp)
                if status in ("importing", "parsing") and rows >= target:
                    proc.send_signal(signal.SIGKILL)
                    killed = True
                    break
                time.sleep(0.005)
            proc.wait()
            if killed:
                cls.kills += 1
                cls.kill_points.append(job_progress(tmp)[1])
        cls.final = li.run(["import", cls.path, "--db", li.db_url(tmp), "--json"] + cls.EXTRA,
                           cwd=tmp)
        _, cls.final_export = li.export(tmp)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_the_process_was_really_killed_mid_import(self):
        self.assertGreaterEqual(self.kills, 1, "no kill landed: the test proves nothing")
        sys.stderr.write("killed %d times, at rows %s\n" % (self.kills, self.kill_points))

    def test_rerun_completes_the_same_job(self):
        self.assertEqual(self.final.code, 0, repr(self.final))
        doc = self.final.json()
        self.assertEqual(doc["status"], "completed")
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs")[0][0], 1)
        if self.kills:
            self.assertTrue(doc["resumed"])

    def test_totals_equal_an_uninterrupted_import(self):
        ref, doc = self.ref.json(), self.final.json()
        for key in ("rows", "valid", "invalid", "created", "skipped"):
            self.assertEqual(doc[key], ref[key], key)
        self.assertEqual(doc["rows"], self.expect["rows"])
        self.assertEqual(doc["created"], self.expect["leads_created_with_skip"])

    def test_every_row_is_staged_exactly_once(self):
        n, distinct, lo, hi = li.query(
            self.tmp, "SELECT count(*), count(DISTINCT row_no), min(row_no), max(row_no)"
                      " FROM import_rows")[0]
        self.assertEqual(n, ROWS)
        self.assertEqual(distinct, ROWS)
        self.assertEqual((lo, hi), (2, ROWS + 1))

    def test_every_valid_row_is_exactly_one_lead_or_one_skip(self):
        leads = li.query(self.tmp, "SELECT count(*) FROM leads")[0][0]
        imported = li.query(self.tmp, li.IMPORTED_ROWS_SQL)[0][0]
        history = li.query(self.tmp, "SELECT count(*) FROM lead_history")[0][0]
        self.assertEqual(leads, self.expect["leads_created_with_skip"])
        self.assertEqual(imported, leads)
        self.assertEqual(history, leads * self.HISTORY_PER_LEAD)
        dup_emails = li.query(self.tmp, "SELECT count(*) FROM (SELECT email FROM leads WHERE"
                                        " email IS NOT NULL GROUP BY email HAVING count(*) > 1) AS d")
        self.assertEqual(dup_emails[0][0], 0)

    def test_exported_leads_equal_an_uninterrupted_import(self):
        self.assertTrue(self.ref_export)
        self.assertEqual(self.final_export, self.ref_export)

    def test_key_indexes_are_back(self):
        names = li.index_names(self.tmp, "leads")
        self.assertTrue({"leads_email", "leads_phone", "leads_external_id"} <= names, names)


class KilledTwoStageImportResumes(KilledImportResumes):
    """The same with a reject limit: every row is staged, then committed."""
    EXTRA = ["--max-invalid", "50%"]


REPS = ["anne@exemple.fr", "luc@exemple.fr", "zoe@exemple.fr"]


class KilledRoundRobinImportResumes(KilledImportResumes):
    """Round-robin assignment survives the kills without skew: the leads,
    in file order, go to each sales rep in turn, exactly as without kills."""
    EXTRA = ["--assign", "round-robin:" + ",".join(REPS)]
    HISTORY_PER_LEAD = 2

    @classmethod
    def prepare(cls, tmp, db):
        for i, email in enumerate(REPS):
            r = li.run(["users", "add", email, "--name", "Commercial %d" % i, "--role",
                        "commercial", "--db", li.db_url(tmp, db)], cwd=tmp)
            assert r.code == 0, repr(r)

    def test_leads_go_to_each_rep_in_turn_in_file_order(self):
        ids = {e: li.query(self.tmp, "SELECT id FROM users WHERE email=?", (e,))[0][0]
               for e in REPS}
        got = [r[0] for r in li.query(self.tmp, "SELECT assigned_to FROM leads"
                                                " ORDER BY import_row")]
        want = [ids[REPS[i % 3]] for i in range(len(got))]
        self.assertEqual(got, want)
        ref = [r[0] for r in li.query(self.tmp, "SELECT assigned_to FROM leads"
                                                " ORDER BY import_row", db="ref.db")]
        self.assertEqual(got, ref)
        counts = sorted(got.count(ids[e]) for e in REPS)
        self.assertLessEqual(counts[-1] - counts[0], 1)
        self.assertEqual(self.final.json()["assigned"], len(got))


if __name__ == "__main__":
    li.main()
