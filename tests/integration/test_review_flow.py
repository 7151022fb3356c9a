"""The review step from the command line: import --review stops at « prêt à
importer » with predictions that the commit then reports, for each strategy
and assignment mode; jobs rows lists the staged rows; an analysis or a commit
killed half way resumes; cleanup cancels a review left too long.
"""
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

import lihelp as li

USERS = [("a@x.fr", "Chloé Garnier"), ("b@x.fr", "Sophie Martin")]


def base_rows():
    """Leads already in the base: the rows of the file below meet them by one key or both."""
    return [li.lead("Jean", "Dupont", "jean.dupont@example.fr", "06 12 34 56 78"),
            li.lead("Marie", "Curie", "marie.curie@example.fr", "", company="Radium"),
            li.lead("Paul", "Martin", "", "06 11 11 11 11", company="Martin SA"),
            li.lead("Anne", "Roux", "anne.roux@example.fr", "06 22 22 22 22", owner="Sophie Martin")]


def file_rows():
    return [
        # the same person, a new company: update changes it, overwrite too
        li.lead("Jean", "Dupont", "JEAN.DUPONT@example.fr", "06 12 34 56 78", company="Neuf SA"),
        # matches by e-mail, brings a phone the lead lacks: update gives the lead that phone
        li.lead("Marie", "Curie", "marie.curie@example.fr", "06 33 33 33 33", company="Radium"),
        # a later row with only that phone: matches the lead the update changed
        li.lead("M.", "Curie", "", "06 33 33 33 33", company="Radium"),
        # matches Paul by phone only (the lead has no e-mail)
        li.lead("Paul", "Martin", "paul.martin@example.fr", "06 11 11 11 11", company="Martin SA"),
        # another e-mail on Anne's phone: two people, no match (the e-mail decides)
        li.lead("Luc", "Roux", "luc.roux@example.fr", "06 22 22 22 22", owner="Chloé Garnier"),
        # new, then its duplicate inside the file
        li.lead("Zoé", "Neuve", "zoe@example.fr", "06 44 44 44 44", owner="Chloé Garnier"),
        li.lead("Zoé", "Neuve", " Zoe@Example.fr ", "", company="Autre"),
        # refused: neither e-mail nor phone
        li.lead("Rien", "Personne", "", ""),
        # new, alone
        li.lead("Alain", "Seul", "alain@example.fr", "06 55 55 55 55", owner="Sophie Martin"),
    ]


class ReviewFlow(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="li-review-")
        self.file = li.write_csv(os.path.join(self.tmp, "f.csv"), file_rows())
        self.base = li.write_csv(os.path.join(self.tmp, "base.csv"), base_rows())

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def db(self, name):
        """A database with the users and the base leads: made once by the
        CLI, then copied (the strategy matrix makes 48 of them; on
        PostgreSQL four commands each took half a second)."""
        if not getattr(self, "seeded", False):
            url = li.db_url(self.tmp, "seed.db")
            for email, who in USERS:
                r = li.run(["users", "add", email, "--name", who, "--role", "commercial",
                            "--db", url])
                self.assertEqual(r.code, 0, repr(r))
            r = li.run(["import", self.base, "--db", url, "--quiet", "--assign",
                        "column:Commercial"], cwd=self.tmp)
            self.assertEqual(r.code, 0, repr(r))
            self.seeded = True
        li.clone_db(self.tmp, "seed.db", self.tmp, name)
        return li.db_url(self.tmp, name)

    def leads(self, name):
        return li.query(self.tmp, "SELECT first_name, last_name, email, phone, company,"
                        " assigned_to, duplicate_of IS NOT NULL FROM leads ORDER BY id", db=name)

    def test_predictions_equal_the_commit_and_the_one_shot_import(self):
        keys = ("created", "updated", "skipped", "flagged")
        for strategy in ("skip", "update", "create"):
            # Under ASan, the two modes that look users up (test_review.py runs
            # all four there too): the matrix is 24 reviews, commits and imports.
            for assign in (("single:a@x.fr", "column:Commercial") if li.SANITIZE else
                           ("none", "single:a@x.fr", "round-robin:a@x.fr,b@x.fr",
                            "column:Commercial")):
                for extra in ([], ["--overwrite", "--reassign"]):
                    opts = ["--on-duplicate", strategy, "--assign", assign] + extra
                    with self.subTest(strategy=strategy, assign=assign, extra=extra):
                        tag = "%s-%s-%d" % (strategy, assign.split(":")[0], len(extra))
                        rev_db, one_db = "r-%s.db" % tag, "o-%s.db" % tag
                        url = self.db(rev_db)
                        r = li.run(["import", self.file, "--db", url, "--review", "--json"] + opts,
                                   cwd=self.tmp)
                        self.assertEqual(r.code, 0, repr(r))
                        review = r.json()
                        self.assertEqual(review["state"], "ready")
                        self.assertEqual((review["rows"], review["valid"], review["invalid"]),
                                         (9, 8, 1))
                        # nothing written to leads by the analysis
                        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads",
                                                  db=rev_db), [(4,)])
                        c = li.run(["jobs", "commit", str(review["job_id"]), "--db", url,
                                    "--json"] + opts, cwd=self.tmp)
                        self.assertEqual(c.code, 0, repr(c))
                        done = c.json()
                        self.assertEqual({k: done[k] for k in keys},
                                         review["predictions"][strategy])
                        o = li.run(["import", self.file, "--db", self.db(one_db), "--json"] + opts,
                                   cwd=self.tmp)
                        self.assertEqual(o.code, 0, repr(o))
                        one = o.json()
                        self.assertEqual({k: one[k] for k in keys}, {k: done[k] for k in keys})
                        self.assertEqual(one["assigned"], done["assigned"])
                        self.assertEqual(self.leads(rev_db), self.leads(one_db))
                        self.assertEqual(sorted(done.keys()), sorted(one.keys()))

    def test_the_update_prediction_follows_a_lead_changed_by_an_earlier_row(self):
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        p = r.json()["predictions"]
        # skip: Jean, Marie, Paul and Zoé's twin are skipped; the phone-only Curie row is new
        self.assertEqual(p["skip"], {"created": 4, "updated": 0, "skipped": 4, "flagged": 0})
        # update: Marie gets the phone, so the phone-only row now matches her
        self.assertEqual(p["update"]["created"], 3)
        # create: Marie's row makes a second Marie with the new phone, which the
        # phone-only row then meets: five flagged
        self.assertEqual(p["create"], {"created": 8, "updated": 0, "skipped": 0, "flagged": 5})

    def test_the_three_rehearsals_read_the_leads_once(self):
        # The second and third simulations start from the first one's key
        # set, taken back to the table's leads (the update rehearsal gave
        # Marie a phone, the create one added leads: all undone), instead of
        # reading every lead again; their predictions are still right.
        url = self.db("t.db")
        # (a base this small is read whole unless the look-ups are forced)
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp,
                   env={"LEADIMPORT_TRACE": "1", "LEADIMPORT_KEY_LOOKUP": ""})
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(r.err.count("key set of the previous simulation taken again"), 2, r.err)
        p = r.json()["predictions"]
        self.assertEqual(p["skip"], {"created": 4, "updated": 0, "skipped": 4, "flagged": 0})
        self.assertEqual(p["update"]["created"], 3)
        self.assertEqual(p["create"], {"created": 8, "updated": 0, "skipped": 0, "flagged": 5})

    def test_predictions_follow_leads_changed_since_the_analysis(self):
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        job = str(r.json()["job_id"])
        self.assertEqual(r.json()["predictions"]["skip"]["created"], 4)
        # Alain arrives by another import meanwhile: the review predicts it as a duplicate now
        other = li.write_csv(os.path.join(self.tmp, "other.csv"),
                             [li.lead("Alain", "Seul", "alain@example.fr", "06 55 55 55 55")])
        self.assertEqual(li.run(["import", other, "--db", url, "--quiet"], cwd=self.tmp).code, 0)
        again = li.run(["jobs", "review", job, "--db", url, "--json"]).json()
        self.assertEqual(again["predictions"]["skip"],
                         {"created": 3, "updated": 0, "skipped": 5, "flagged": 0})
        done = li.run(["jobs", "commit", job, "--db", url, "--json"], cwd=self.tmp).json()
        self.assertEqual({k: done[k] for k in ("created", "updated", "skipped", "flagged")},
                         again["predictions"]["skip"])

    def test_rows_pages_filters_and_raw_values(self):
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        job = str(r.json()["job_id"])
        rows = li.run(["jobs", "rows", job, "--db", url, "--json"]).json()
        self.assertEqual((rows["page"], rows["pages"], rows["total"]), (1, 1, 9))
        self.assertEqual([x["row"] for x in rows["rows"]], list(range(2, 11)))
        bad = li.run(["jobs", "rows", job, "--db", url, "--status", "invalid", "--json"]).json()
        self.assertEqual([x["row"] for x in bad["rows"]], [9])
        self.assertEqual(bad["rows"][0]["status"], "invalid")
        self.assertTrue(bad["rows"][0]["errors"][0])
        dup = li.run(["jobs", "rows", job, "--db", url, "--status", "duplicate", "--json"]).json()
        twin = [x for x in dup["rows"] if x["row"] == 8][0]
        self.assertEqual(twin["duplicate_of_row"], 7)
        # the cell as the file has it, spaces and case kept
        self.assertEqual(twin["values"]["Email"], " Zoe@Example.fr ")
        text = li.run(["jobs", "rows", job, "--db", url, "--status", "duplicate"])
        self.assertEqual(text.code, 0, repr(text))
        self.assertIn("doublon de la ligne 7 du fichier", text.out)
        for wrong in (["--status", "refused"], ["--page", "0"], ["--page", "deux"]):
            w = li.run(["jobs", "rows", job, "--db", url] + wrong)
            self.assertEqual(w.code, 2, repr(w))

    def test_commit_refused_unless_ready_and_mapping_fixed_after_analysis(self):
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        job = str(r.json()["job_id"])
        self.assertEqual(li.run(["jobs", "commit", job, "--db", url], cwd=self.tmp).code, 0)
        again = li.run(["jobs", "commit", job, "--db", url], cwd=self.tmp)
        self.assertEqual(again.code, 3, repr(again))
        self.assertIn(job, again.err)
        one = li.run(["jobs", "commit", "1", "--db", url], cwd=self.tmp)  # the base, no review
        self.assertEqual(one.code, 3, repr(one))
        self.assertEqual(li.run(["jobs", "commit", "99", "--db", url]).code, 2)

    def test_duration_is_the_import_not_the_wait_for_the_admin(self):
        """« Durée » (jobs show, the JSON's duration_s, the page) times a
        reviewed import from its « Importer », not from its analysis: an
        admin who commits a day later did not wait a day for the import."""
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        job = r.json()["job_id"]
        ready = li.run(["jobs", "show", str(job), "--db", url, "--json"]).json()
        self.assertIsNone(ready["duration_s"], ready)  # it waits: no time to say
        li.query(self.tmp, "UPDATE import_jobs SET started_at='2020-01-01T00:00:00.000Z'"
                           " WHERE id=?", (job,))
        self.assertEqual(li.run(["jobs", "commit", str(job), "--db", url], cwd=self.tmp).code, 0)
        shown = li.run(["jobs", "show", str(job), "--db", url, "--json"]).json()
        self.assertEqual(shown["status"], "completed")
        self.assertIsNotNone(shown["duration_s"])
        self.assertLess(shown["duration_s"], 600, shown)  # not since 2020
        listed = [j for j in li.run(["jobs", "list", "--db", url, "--json"]).json()
                  if j["job_id"] == job]
        self.assertEqual(listed[0]["duration_s"], shown["duration_s"])
        text = li.run(["jobs", "show", str(job), "--db", url])
        line = [l for l in text.out.splitlines() if l.strip().startswith("durée")]
        self.assertEqual(len(line), 1, text.out)
        self.assertNotIn("2020", line[0])
        secs = float(line[0].split(":", 1)[1].split()[0].replace(",", "."))
        self.assertAlmostEqual(secs, shown["duration_s"], delta=0.11)
        # the one-shot import of the base: from its start to its end
        base = li.run(["jobs", "show", "1", "--db", url, "--json"]).json()
        self.assertIsNotNone(base["duration_s"])
        self.assertLess(base["duration_s"], 600)

    def test_a_cancelled_review_keeps_a_note_every_front_end_can_show(self):
        """The reason a cancelled import keeps is read by the page and the
        API as well as the CLI: it names no command."""
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        job = r.json()["job_id"]
        self.assertEqual(li.run(["jobs", "cancel", str(job), "--db", url]).code, 0)
        shown = li.run(["jobs", "show", str(job), "--db", url, "--json"]).json()
        self.assertEqual(shown["status"], "cancelled")
        self.assertIn("annulé", shown["error"])
        self.assertNotIn("leadimport", shown["error"])
        self.assertNotIn("--", shown["error"])

    def test_cleanup_cancels_a_review_left_too_long(self):
        url = self.db("t.db")
        r = li.run(["import", self.file, "--db", url, "--review", "--json"], cwd=self.tmp)
        job = r.json()["job_id"]
        li.query(self.tmp, "UPDATE import_jobs SET created_at='2020-01-01T00:00:00.000Z'"
                           " WHERE id=?", (job,))
        c = li.run(["cleanup", "--older-than", "3650d", "--db", url, "--json"])
        self.assertEqual(c.code, 0, repr(c))
        self.assertEqual(c.json()["reviews_cancelled"], 1)
        self.assertEqual(li.query(self.tmp, "SELECT status FROM import_jobs WHERE id=?", (job,)),
                         [("cancelled",)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_rows WHERE job_id=?",
                                  (job,)), [(0,)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads"), [(4,)])


class SmallFileBigBase(unittest.TestCase):
    """A file much smaller than the base (a weekly import into a big CRM):
    the analysis gives every valid row to the rehearsals instead of reading
    every lead to find which rows meet one. The predictions are still the
    one-shot imports' counts, for each strategy, and the commit's."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="li-review-small-")
        base, _ = li.gen_sample(self.tmp, "base.csv", 4000, seed=3)
        new, _ = li.gen_sample(self.tmp, "new.csv", 200, seed=4)
        with open(base, encoding="utf-8", newline="") as f:
            base_lines = f.read().split("\r\n")
        with open(new, encoding="utf-8", newline="") as f:
            new_lines = f.read().split("\r\n")
        # 90 rows of the base, 60 new ones, and one of them again
        lines = [base_lines[0]] + base_lines[1:91] + new_lines[1:61] + [new_lines[5]]
        self.file = os.path.join(self.tmp, "small.csv")
        with open(self.file, "w", encoding="utf-8", newline="") as f:
            f.write("\r\n".join(lines) + "\r\n")
        r = li.run(["import", base, "--db", li.db_url(self.tmp, "base.db"), "--quiet",
                    "--no-remember"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def run_on(self, name, *args, env=None):
        li.clone_db(self.tmp, "base.db", self.tmp, name)
        r = li.run(list(args) + ["--db", li.db_url(self.tmp, name), "--json", "--no-remember"],
                   cwd=self.tmp, env=env)
        self.assertEqual(r.code, 0, repr(r))
        return r

    def test_predictions_without_the_sketch_equal_the_one_shot_imports(self):
        natural = {"LEADIMPORT_TRACE": "1", "LEADIMPORT_KEY_LOOKUP": ""}
        r = self.run_on("review.db", "import", self.file, "--review", env=natural)
        self.assertIn("every valid row goes to the rehearsals", r.err)
        review = r.json()
        keys = ("created", "updated", "skipped", "flagged")
        for s in ("skip", "update", "create"):
            # the keys looked up in the table instead of every lead read (what
            # a file under a 32nd of a big base does; forced on this small one)
            o = self.run_on("one-%s.db" % s, "import", self.file, "--on-duplicate", s,
                            env={"LEADIMPORT_TRACE": "1", "LEADIMPORT_KEY_LOOKUP": "1"})
            self.assertIn("the rows' keys looked up in the table", o.err)
            one = o.json()
            self.assertEqual(review["predictions"][s], {k: one[k] for k in keys}, s)
        # the rows of the base meet their leads; the repeated new row meets its twin
        self.assertGreaterEqual(review["predictions"]["skip"]["skipped"], 80)
        self.assertGreaterEqual(review["predictions"]["skip"]["created"], 55)
        # the same imports with every lead read: the same counts and leads
        for s in ("skip", "update", "create"):
            whole = self.run_on("whole-%s.db" % s, "import", self.file, "--on-duplicate", s,
                                env={"LEADIMPORT_KEY_LOOKUP": "0"})
            self.assertEqual(review["predictions"][s], {k: whole.json()[k] for k in keys}, s)
            self.assertEqual(li.export(self.tmp, "whole-%s.db" % s)[1],
                             li.export(self.tmp, "one-%s.db" % s)[1], s)
        c = li.run(["jobs", "commit", str(review["job_id"]), "--on-duplicate", "update",
                    "--json", "--db", li.db_url(self.tmp, "review.db")], cwd=self.tmp)
        self.assertEqual(c.code, 0, repr(c))
        self.assertEqual({k: c.json()[k] for k in keys}, review["predictions"]["update"])


class KilledReview(unittest.TestCase):
    """SIGKILL during the analysis and during the commit: each row ends up once."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="li-review-kill-")
        cls.file, _ = li.gen_sample(cls.tmp, "big.csv", li.rows_for(60000, 6000, pg=20000), seed=5,
                                    dup_rate=0.02, invalid_rate=0.02)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def kill_when(self, args, sql, db):
        """Starts leadimport args, SIGKILLs it once sql (on db) returns a true value."""
        p = subprocess.Popen([li.BIN] + args, cwd=self.tmp, env=li.clean_env(),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        try:
            while time.time() < deadline and p.poll() is None:
                try:
                    rows = li.query(self.tmp, sql, db=db)
                    v = rows[0] if rows else None
                    if v and v[0]:
                        break
                except (sqlite3.Error, RuntimeError):  # locked, or not created yet
                    pass
                time.sleep(0.02)
        finally:
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
            p.wait()
        return p.returncode

    def test_killed_analysis_then_commit_resume(self):
        db = "k.db"
        url = li.db_url(self.tmp, db)
        args = ["import", self.file, "--db", url, "--review", "--json"]
        rc = self.kill_when(args, "SELECT rows_total > 0 FROM import_jobs WHERE status='parsing'", db)
        self.assertEqual(rc, -signal.SIGKILL, "the analysis ended before it could be killed")
        r = li.run(args, cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        review = r.json()
        self.assertEqual(review["state"], "ready")
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs", db=db), [(1,)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads", db=db), [(0,)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_rows", db=db),
                         [(review["rows"],)])
        # the same analysis without a kill
        clean = li.run(["import", self.file, "--db", li.db_url(self.tmp, "c.db"), "--review",
                        "--json"], cwd=self.tmp).json()
        for k in ("rows", "valid", "invalid", "warnings", "predictions"):
            self.assertEqual(review[k], clean[k], k)

        job = str(review["job_id"])
        cargs = ["jobs", "commit", job, "--db", url, "--json"]
        rc = self.kill_when(cargs, "SELECT commit_row > 0 FROM import_jobs WHERE status='importing'",
                            db)
        self.assertEqual(rc, -signal.SIGKILL, "the commit ended before it could be killed")
        c = li.run(cargs, cwd=self.tmp)
        self.assertEqual(c.code, 0, repr(c))
        done = c.json()
        self.assertEqual({k: done[k] for k in ("created", "updated", "skipped", "flagged")},
                         review["predictions"]["skip"])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads", db=db),
                         [(done["created"],)])
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads GROUP BY import_row"
                                  " HAVING count(*) > 1", db=db), [])


if __name__ == "__main__":
    li.main()
