#!/usr/bin/env python3
"""The review step (issue 12): `import FICHIER --review` stops at « prêt à
importer » with its counts and what each duplicate strategy would do;
`jobs rows` pages through the staged rows; `jobs commit` imports them with
options chosen then.

What a user relies on, checked here:
  * for each duplicate strategy (skip, update, create), each assignment mode
    (none, single, round-robin, column) and the external-id match key, on a
    file with in-file duplicates, partial key matches, invalid and warning
    rows, against a database already holding leads: the predictions of the
    review equal the counts of the commit, and of a one-shot `import` of the
    same file with the same options; the leads a commit leaves (export) are
    byte for byte those of the one-shot import into a copy of the same
    database (nothing legitimately differs: the export holds no job number
    and no date);
  * nothing is written to leads before the commit; the JSON contract names;
  * `jobs rows`: 20 rows a page, page/pages/total, the status filters,
    spreadsheet row numbers (a quoted line break does not shift them),
    French errors, raw values, French text; errors for a bad page, status,
    unknown job; a commit of a job not in review is refused in French;
  * a file already imported is refused for review (unless --force); a
    one-shot import of a file in review applies its options or refuses; a
    workbook is reviewed on the sheet chosen;
  * cancel, retry, delete, revert and report on a job in « déposé », in
    review and after its commit; `cleanup` cancels reviews older than 7 days
    (--review-older-than; their staged rows and file removed) and leaves
    recent ones;
  * SIGKILL during the analysis and during the commit (random points,
    several rounds, in the foreground and in queued workers): the job
    resumes, every row ends up exactly once and the predictions still equal
    the counts; a cancel or a Ctrl+C in either stage, then a retry or a
    re-run, ends as the one-shot import.
The mapping changed while « déposé » has no command of its own: it is
tested through the library (tests/unit/test_review_stages.c).
"""
import csv
import glob
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

STRATEGIES = ("skip", "update", "create")
COUNTS = ("created", "updated", "skipped", "flagged")
REVIEW_KEYS = ("job_id", "rows", "valid", "invalid", "warnings", "predictions")

USERS = [("anne.commerciale@exemple.fr", "Anne Commerciale"),
         ("luc.commercial@exemple.fr", "Luc Commercial")]
ASSIGN_MODES = {
    "none": "none",
    "single": "single:" + USERS[0][0],
    "round-robin": "round-robin:%s,%s" % (USERS[0][0], USERS[1][0]),
    "column": "column:Commercial",
}

# What the database holds before the file is imported.
BASE = [
    li.lead("Anne", "Roux", "anne.roux@exemple.fr", "06 11 11 11 11", "Roux SA",
            city="Lyon", external_id="EXT-1"),
    li.lead("Luc", "Blanc", "luc.blanc@exemple.fr", "06 22 22 22 22", "",
            city="", external_id="EXT-2", notes=""),
    li.lead("Zoé", "Petit", "zoe.petit@exemple.fr", "", "Petit & Fils", city="Paris",
            job_title=""),
    li.lead("Paul", "Vert", "paul.vert@exemple.fr", "06 44 44 44 44", "Vert SARL"),
]

# The file reviewed: r2, r3... as a spreadsheet numbers them.
INCOMING = [
    # r2: e-mail of base lead Anne (other case, spaces), another phone
    li.lead("Anne", "Roux", " ANNE.ROUX@exemple.fr ", "07 99 99 99 91", "", city="Marseille",
            job_title="", owner="Anne Commerciale"),
    # r3: phone of base lead Luc written otherwise, no e-mail (the first key
    # both sides have decides: here the phone)
    li.lead("Lucien", "Blanc", "", "0622222222", "Blanc Conseil",
            city="Nantes", owner="luc.commercial@exemple.fr"),
    # r4: external id of base lead Luc, another e-mail (a duplicate only when
    # the external id is the first key)
    li.lead("Zoé", "Petit", "zoe2@exemple.fr", "", "Petit & Fils", external_id="EXT-2"),
    # r5: new; r6: its in-file duplicate by e-mail
    li.lead("Marc", "Noir", "marc.noir@exemple.fr", "06 33 33 33 31", "Noir & Cie",
            city="Brest", owner="Anne Commerciale"),
    li.lead("Marc", "Noir", "marc.noir@exemple.fr", "", "", city="Rennes", notes="relance"),
    # r7: new; r8: its in-file duplicate by phone (no e-mail)
    li.lead("Julie", "Gris", "julie.gris@exemple.fr", "06 55 55 55 51", "Gris SAS"),
    li.lead("Julia", "Gris", "", "+33 6 55 55 55 51", "Gris SAS", city="Lille"),
    # r9: invalid, neither e-mail nor phone
    li.lead("Sans", "Contact", "", "", "Nulle Part"),
    # r10: invalid, an e-mail that is not one and no phone
    li.lead("Mauvais", "Courriel", "pas-un-email", "", "Courriel SA"),
    # r11: warning, a valid e-mail beside a phone that is not one
    li.lead("Alice", "Bleu", "alice.bleu@exemple.fr", "06 12", "Bleu SARL"),
    # r12: invalid, neither last name nor company
    li.lead("Sans", "", "sans.nom@exemple.fr", "06 66 66 66 61", ""),
    # r13: a note on two lines (one record, two physical lines)
    li.lead("Nina", "Rose", "nina.rose@exemple.fr", "06 77 77 77 71", "Rose & Co",
            notes="Rappeler lundi\nstand B12", owner="Luc Commercial"),
    # r14: e-mail of base lead Paul and phone of base lead Anne (two leads match)
    li.lead("Paul", "Vert", "paul.vert@exemple.fr", "06 11 11 11 11", "Vert SARL",
            city="Toulouse", notes="vu au salon"),
    # r15: warning, phone fine, e-mail broken
    li.lead("Hugo", "Brun", "hugo.brun@exemple", "06 88 88 88 81", "Brun SA"),
    # r16: names a commercial unknown to the directory
    li.lead("Léa", "Marron", "lea.marron@exemple.fr", "06 99 99 99 91", "Marron SAS",
            owner="Personne Inconnue"),
    # r17: phone of base lead Luc, another e-mail: not a duplicate (e-mails differ)
    li.lead("Lucas", "Blanc", "lucas@exemple.fr", "06 22 22 22 22", "Blanc Conseil"),
]
FILLER = 29  # plain new rows after the cases, so that `jobs rows` has 3 pages
for _i in range(FILLER):
    INCOMING.append(li.lead("Prénom%d" % _i, "Nom%d" % _i, "p%d@remplissage.fr" % _i,
                            "06 40 %02d %02d %02d" % (_i, _i + 10, _i + 20), "Société %d" % _i,
                            owner=(USERS[_i % 2][1] if _i % 3 else "")))
ROWS = len(INCOMING)                 # 45
LAST_ROW = ROWS + 1                  # the spreadsheet number of the last row
INVALID_ROWS = [9, 10, 12]
WARNING_ROWS = [11, 15]
IN_FILE_DUPLICATES = [6, 8]


def write_xlsx(path, sheets):
    """A minimal workbook: sheets is [(name, rows of str)], cells as inline strings."""
    from xml.sax.saxutils import escape

    def col(i):
        name = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        return name
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxml'
                   'formats.org/package/2006/content-types"><Default Extension="rels" ContentType='
                   '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension'
                   '="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                   'sheet.main+xml"/>' + "".join(
                       '<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/'
                       'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' % (i + 1)
                       for i in range(len(sheets))) + "</Types>")
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
                   + rel + '/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   '<?xml version="1.0" encoding="UTF-8"?><workbook %s xmlns:r="%s"><sheets>%s'
                   '</sheets></workbook>' % (ns, rel, "".join(
                       '<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (escape(n), i + 1, i + 1)
                       for i, (n, _) in enumerate(sheets))))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                   'openxmlformats.org/package/2006/relationships">' + "".join(
                       '<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>'
                       % (i + 1, rel, i + 1) for i in range(len(sheets))) + "</Relationships>")
        for i, (_, rows) in enumerate(sheets):
            xml = "".join(
                '<row r="%d">%s</row>' % (r + 1, "".join(
                    '<c r="%s%d" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                    % (col(c), r + 1, escape(v)) for c, v in enumerate(cells) if v))
                for r, cells in enumerate(rows))
            z.writestr("xl/worksheets/sheet%d.xml" % (i + 1),
                       '<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s'
                       '</sheetData></worksheet>' % (ns, xml))
    return path


def setUpModule():
    li.require_binary()


# --- helpers -----------------------------------------------------------------

class Base(unittest.TestCase):
    """A temporary folder holding, once per class, a database with users and
    leads (base.db); each test copies it."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-review-")
        tmp = cls.tmp = cls._tmp.name
        url = li.db_url(tmp, "base.db")
        for email, name in USERS:
            r = li.run(["users", "add", email, "--name", name, "--role", "commercial",
                        "--db", url], cwd=tmp)
            assert r.code == 0, repr(r)
        li.write_csv(os.path.join(tmp, "base.csv"), BASE)
        r = li.run(["import", "base.csv", "--db", url, "--no-remember"], cwd=tmp)
        assert r.code == 0, repr(r)
        cls.file = li.write_csv(os.path.join(tmp, "in.csv"), INCOMING)
        _, cls.base_export = li.export(tmp, db="base.db", out=os.path.join(tmp, "base.out"))
        assert cls.base_export.count(b"\n") == len(BASE) + 1, cls.base_export
        cls.n = 0

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def copy_db(self):
        """A fresh copy of base.db (with its file store); returns its name."""
        type(self).n += 1
        name = "c%d.db" % type(self).n
        for suffix in ("", "-wal", "-shm"):
            src = os.path.join(self.tmp, "base.db" + suffix)
            if os.path.exists(src):
                shutil.copyfile(src, os.path.join(self.tmp, name + suffix))
        if os.path.isdir(os.path.join(self.tmp, "base.db.files")):
            shutil.copytree(os.path.join(self.tmp, "base.db.files"),
                            os.path.join(self.tmp, name + ".files"))
        return name

    def cli(self, db, *args, code=0):
        r = li.run(list(args) + ["--db", li.db_url(self.tmp, db)], cwd=self.tmp)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, repr(r))
        return r

    def review(self, db, *opts, code=0):
        r = self.cli(db, "import", self.file, "--review", "--json", "--no-remember", *opts,
                     code=code)
        return r.json() if code == 0 else r

    def one_shot(self, db, *opts):
        return self.cli(db, "import", self.file, "--json", "--no-remember", *opts).json()

    def commit(self, db, job, *opts, code=0):
        r = self.cli(db, "jobs", "commit", str(job), "--json", *opts, code=code)
        return r.json() if code == 0 else r

    def show(self, db, job):
        return self.cli(db, "jobs", "show", str(job), "--json").json()

    def export(self, db):
        r, data = li.export(self.tmp, db=db, out=os.path.join(self.tmp, db + ".out"))
        self.assertEqual(r.code, 0, repr(r))
        return data

    def q(self, db, sql, params=()):
        return li.query(self.tmp, sql, params, db=db)

    def rows(self, db, job, *opts, code=0):
        r = self.cli(db, "jobs", "rows", str(job), "--json", *opts, code=code)
        return r.json() if code == 0 else r

    def all_rows(self, db, job, status=None):
        """Every staged row, page after page."""
        opts = ["--status", status] if status else []
        first = self.rows(db, job, *opts)
        got = list(first["rows"])
        for page in range(2, first["pages"] + 1):
            got += self.rows(db, job, *opts, "--page", str(page))["rows"]
        self.assertEqual(len(got), first["total"])
        return got

    # The words a user types after --status and --on-duplicate, quoted in
    # hints and in the error that lists them: option values, not English text.
    OPTION_VALUES = re.compile(r"--status [a-z|]+|\((invalid, warning, duplicate, valid ou all)\)"
                               r"|^ *(skip|update|create) \(", re.MULTILINE)

    def assert_french(self, text):
        self.assertTrue(text.strip(), "nothing said")
        text = self.OPTION_VALUES.sub("", text)
        english = re.search(r"(?<![\w-])(error|failed|invalid|not found|unknown|job|"
                            r"ready|uploaded|completed|cancelled|committed|imported|skipped|updated|"
                            r"created|flagged|page \d+ of)"
                            r"(?![\w-])", text, re.IGNORECASE)
        self.assertIsNone(english, "English in %r" % text)


# --- predictions = commit = one-shot -----------------------------------------

class PredictionsEqualCommit(Base):
    """Each strategy × assignment mode: review, commit, compare with the
    one-shot import into a copy of the same database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The counts a one-shot import gives with each strategy (default keys).
        cls.one_shot_counts = {}
        for s in STRATEGIES:
            self = cls("run")
            db = self.copy_db()
            cls.one_shot_counts[s] = self.one_shot(db, "--on-duplicate", s)

    def check(self, strategy, assign=None, match=None, extra=()):
        """The choices (match keys, assignment, --overwrite, --reassign) are
        given to the review, which predicts with them, and to the commit."""
        choices = list(extra)
        if assign is not None:
            choices += ["--assign", assign]
        if match:
            choices += ["--match", match]
        opts = ["--on-duplicate", strategy] + choices
        ref_db, db = self.copy_db(), self.copy_db()
        ref = self.one_shot(ref_db, *opts)
        ref_export = self.export(ref_db)

        review = self.review(db, *choices)
        for key in REVIEW_KEYS:
            self.assertIn(key, review)
        self.assertEqual(set(review["predictions"]), set(STRATEGIES))
        for s in STRATEGIES:
            self.assertEqual(set(review["predictions"][s]) & set(COUNTS), set(COUNTS), s)
        for key in ("rows", "valid", "invalid"):
            self.assertEqual(review[key], ref[key], key)
        if assign and assign.startswith("column:"):
            # An unknown commercial in the column is a warning of the commit:
            # the review did not know the assignment would read that column.
            self.assertLessEqual(review["warnings"], ref["warnings"])
        else:
            self.assertEqual(review["warnings"], ref["warnings"])
        self.assertEqual(self.show(db, review["job_id"])["status"], "ready")
        # Nothing is written to leads before the commit.
        self.assertEqual(self.export(db), self.base_export)
        self.assertEqual(self.q(db, "SELECT count(*) FROM lead_history")[0][0],
                         self.q("base.db", "SELECT count(*) FROM lead_history")[0][0])

        done = self.commit(db, review["job_id"], *opts)
        predicted = review["predictions"][strategy]
        for key in COUNTS:
            self.assertEqual(done[key], predicted[key], "%s: commit vs prediction" % key)
        for key in ("rows", "valid", "invalid", "warnings") + COUNTS + ("assigned",):
            self.assertEqual(done[key], ref[key], "%s: commit vs one-shot" % key)
        self.assertEqual(done["status"], "completed")
        self.assertEqual(done["job_id"], review["job_id"])
        # `jobs commit --json` is the result object of `import --json`.
        self.assertEqual(set(done), set(ref))
        self.assertEqual(self.export(db), ref_export)
        return review, done

    def test_predictions_of_every_strategy_equal_the_one_shot_counts(self):
        db = self.copy_db()
        review = self.review(db)
        for s in STRATEGIES:
            for key in COUNTS:
                self.assertEqual(review["predictions"][s][key], self.one_shot_counts[s][key],
                                 "%s/%s" % (s, key))

    def test_the_file_exercises_every_count(self):
        # Guards the fixture: each count is non-zero with some strategy, the
        # strategies differ, and the in-file duplicates are seen.
        c = self.one_shot_counts
        self.assertGreater(c["skip"]["skipped"], 0)
        self.assertGreater(c["update"]["updated"], 0)
        self.assertGreater(c["create"]["flagged"], 0)
        self.assertEqual(c["create"]["created"], ROWS - len(INVALID_ROWS))
        self.assertEqual(c["skip"]["created"] + c["skip"]["skipped"],
                         ROWS - len(INVALID_ROWS))
        self.assertEqual((c["skip"]["invalid"], c["skip"]["warnings"]),
                         (len(INVALID_ROWS), len(WARNING_ROWS)))

    def test_skip_with_each_assignment(self):
        for mode, assign in ASSIGN_MODES.items():
            with self.subTest(assign=mode):
                self.check("skip", assign)

    def test_update_with_each_assignment(self):
        for mode, assign in ASSIGN_MODES.items():
            with self.subTest(assign=mode):
                self.check("update", assign)

    def test_create_with_each_assignment(self):
        for mode, assign in ASSIGN_MODES.items():
            with self.subTest(assign=mode):
                self.check("create", assign)

    def test_update_overwrite_reassign(self):
        _, done = self.check("update", ASSIGN_MODES["round-robin"],
                             extra=["--overwrite", "--reassign"])
        self.assertGreater(done["assigned"], done["created"])  # updated leads reassigned too

    def test_external_id_match_key_with_each_strategy(self):
        for s in STRATEGIES:
            with self.subTest(strategy=s):
                review, _ = self.check(s, match="external_id,email,phone")
                if s == "skip":  # r4 (EXT-2 only) is one more duplicate than by default
                    self.assertEqual(review["predictions"]["skip"]["skipped"],
                                     self.one_shot_counts["skip"]["skipped"] + 1)

    def test_assignment_chosen_only_at_commit(self):
        # The issue: the commit takes the assignment « chosen now », all four
        # modes; the review was made without any.
        for mode, assign in ASSIGN_MODES.items():
            with self.subTest(assign=mode):
                ref_db, db = self.copy_db(), self.copy_db()
                ref = self.one_shot(ref_db, "--assign", assign)
                review = self.review(db)
                done = self.commit(db, review["job_id"], "--assign", assign)
                for key in COUNTS + ("assigned",):
                    self.assertEqual(done[key], ref[key], key)
                for key in COUNTS:
                    self.assertEqual(done[key], review["predictions"]["skip"][key], key)
                self.assertEqual(self.export(db), self.export(ref_db))

    def test_commit_without_options_is_the_default_import(self):
        ref_db, db = self.copy_db(), self.copy_db()
        ref = self.one_shot(ref_db)
        review = self.review(db)
        done = self.commit(db, review["job_id"])
        for key in COUNTS:
            self.assertEqual(done[key], review["predictions"]["skip"][key], key)
            self.assertEqual(done[key], ref[key], key)
        self.assertEqual(self.export(db), self.export(ref_db))

    def test_predictions_follow_the_leads_changed_since_the_analysis(self):
        # Another import creates some of the file's people after its review:
        # the review shown again predicts against the leads as they are now.
        db = self.copy_db()
        before = self.review(db)
        other = li.write_csv(os.path.join(self.tmp, "part.csv"), INCOMING[17:37])
        self.cli(db, "import", other, "--no-remember", "--quiet")
        now = self.cli(db, "jobs", "review", str(before["job_id"]), "--json").json()
        self.assertEqual(now["predictions"]["skip"]["created"],
                         before["predictions"]["skip"]["created"] - 20)
        done = self.commit(db, before["job_id"], "--on-duplicate", "update")
        for key in COUNTS:
            self.assertEqual(done[key], now["predictions"]["update"][key], key)

    def test_a_second_commit_is_refused_in_french(self):
        db = self.copy_db()
        review = self.review(db)
        self.commit(db, review["job_id"])
        before = self.export(db)
        r = self.commit(db, review["job_id"], code=None)
        self.assertIn(r.code, (2, 3), repr(r))
        self.assert_french(r.err)
        self.assertEqual(self.export(db), before)

    def test_the_review_text_is_french(self):
        db = self.copy_db()
        r = self.cli(db, "import", self.file, "--review", "--no-remember")
        self.assert_french(r.out + r.err)
        self.assertIn(str(ROWS), r.out)
        self.assertIn("jobs commit", r.out + r.err)  # says how to go on
        self.assertEqual(self.export(db), self.base_export)


# --- a file already imported, states, mapping ---------------------------------

class ReviewRules(Base):

    def test_a_file_already_imported_is_refused_unless_forced(self):
        db = self.copy_db()
        self.one_shot(db)
        files = os.path.join(self.tmp, db + ".files")
        before = sorted(os.listdir(files)) if os.path.isdir(files) else []
        r = self.review(db, code=3)
        self.assert_french(r.err)
        # Copied while it was hashed, the refused file is not kept.
        after = sorted(os.listdir(files)) if os.path.isdir(files) else []
        self.assertEqual(after, before)
        forced = self.review(db, "--force")
        # Every valid row now matches a lead: skip creates nothing.
        self.assertEqual(forced["predictions"]["skip"]["created"], 0)
        done = self.commit(db, forced["job_id"])
        self.assertEqual(done["created"], 0)

    def test_a_reviewed_then_committed_file_is_refused_next_time(self):
        db = self.copy_db()
        review = self.review(db)
        self.commit(db, review["job_id"])
        r = self.cli(db, "import", self.file, "--no-remember", code=3)
        self.assert_french(r.err)

    def test_a_one_shot_import_of_a_file_in_review_honours_its_options_or_refuses(self):
        # The file waits in review (default choices); the user runs the
        # one-shot import with other options: they are applied, or the import
        # is refused and says how to commit the review; never ignored.
        opts = ["--on-duplicate", "create", "--match", "phone"]
        db, ref_db = self.copy_db(), self.copy_db()
        ref = self.one_shot(ref_db, *opts)
        job = self.review(db)["job_id"]
        r = self.cli(db, "import", self.file, "--json", "--no-remember", *opts, code=None)
        if r.code == 0:
            got = r.json()
            for key in COUNTS:
                self.assertEqual(got[key], ref[key], key)
            self.assertEqual(self.export(db), self.export(ref_db))
        else:
            self.assertEqual(r.code, 3, repr(r))
            self.assert_french(r.err)
            self.assertIn("jobs commit %d" % job, r.err)
            self.assertEqual(self.export(db), self.base_export)

    def test_a_commit_of_a_job_that_is_not_in_review_is_refused(self):
        db = self.copy_db()
        job = self.one_shot(db)["job_id"]
        before = self.export(db)
        for opts in ([], ["--on-duplicate", "create"]):
            r = self.commit(db, job, *opts, code=None)
            self.assertIn(r.code, (2, 3), repr(r))
            self.assert_french(r.err)
            self.assertIn(str(job), r.err)
        self.assertEqual(self.export(db), before)
        r = self.commit(db, 999, code=2)
        self.assertIn("introuvable", r.err)

    def test_a_commit_of_a_queued_review_is_refused_until_analysed(self):
        db = self.copy_db()
        r = self.cli(db, "import", self.file, "--review", "--queue", "--json", "--no-remember")
        job = r.json()["job_id"]
        self.assertNotEqual(self.show(db, job)["status"], "ready")
        r = self.commit(db, job, code=None)
        self.assertIn(r.code, (2, 3), repr(r))
        self.assert_french(r.err)
        self.assertEqual(self.export(db), self.base_export)
        self.cli(db, "worker", "--until-idle", "--quiet")
        self.assertEqual(self.show(db, job)["status"], "ready")
        self.assertEqual(self.export(db), self.base_export)  # the worker commits nothing
        self.commit(db, job)

    def test_invalid_commit_options_are_refused_in_french(self):
        db = self.copy_db()
        job = self.review(db)["job_id"]
        for opts in (["--on-duplicate", "merge"], ["--match", "nom"],
                     ["--assign", "single:personne@nulle.part"], ["--assign", "bizarre"]):
            with self.subTest(opts=opts):
                r = self.commit(db, job, *opts, code=None)
                self.assertIn(r.code, (2, 3), repr(r))
                self.assert_french(r.err)
        self.assertEqual(self.show(db, job)["status"], "ready")
        self.commit(db, job)  # still committable

    def test_a_workbook_reviewed_on_the_sheet_chosen(self):
        # The leads are on the second sheet; the first is a cover page.
        book = write_xlsx(os.path.join(self.tmp, "classeur.xlsx"),
                          [("Sommaire", [["Salon de Lyon 2026"], ["Voir l'onglet Leads"]]),
                           ("Leads", [li.HEADER] + INCOMING)])
        db, ref_db = self.copy_db(), self.copy_db()
        ref = self.cli(ref_db, "import", book, "--sheet", "Leads", "--json", "--no-remember",
                       "--on-duplicate", "update").json()
        review = self.cli(db, "import", book, "--review", "--sheet", "Leads", "--json",
                          "--no-remember").json()
        for key in ("rows", "valid", "invalid", "warnings"):
            self.assertEqual(review[key], ref[key], key)
        rows = {r["row"]: r for r in self.all_rows(db, review["job_id"], "invalid")}
        self.assertEqual(sorted(rows), INVALID_ROWS)
        self.assertIn("pas-un-email", rows[10]["values"].values())
        done = self.commit(db, review["job_id"], "--on-duplicate", "update")
        for key in COUNTS:
            self.assertEqual(done[key], review["predictions"]["update"][key], key)
            self.assertEqual(done[key], ref[key], key)
        self.assertEqual(self.export(db), self.export(ref_db))

    def test_a_mapping_given_at_review_is_the_commits(self):
        # --map decides what is staged: the city column read as notes.
        db, ref_db = self.copy_db(), self.copy_db()
        ref = self.one_shot(ref_db, "--map", "notes=Ville", "--map", "city=Notes")
        review = self.review(db, "--map", "notes=Ville", "--map", "city=Notes")
        done = self.commit(db, review["job_id"])
        self.assertEqual(done["created"], ref["created"])
        self.assertEqual(self.export(db), self.export(ref_db))
        notes = li.export_column(self.export(db), "Notes")
        self.assertIn("Brest", notes)


# --- jobs rows ----------------------------------------------------------------

class JobsRows(Base):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        self = cls("run")
        cls.db = self.copy_db()
        cls.rev = self.review(cls.db)
        cls.job = cls.rev["job_id"]

    def test_twenty_rows_a_page_with_page_pages_total(self):
        first = self.rows(self.db, self.job)
        self.assertTrue(set(first) >= {"rows", "page", "pages", "total"}, first)
        self.assertEqual((first["page"], first["pages"], first["total"]), (1, 3, ROWS))
        self.assertEqual(len(first["rows"]), 20)
        self.assertEqual([r["row"] for r in first["rows"]], list(range(2, 22)))
        second = self.rows(self.db, self.job, "--page", "2")
        self.assertEqual(second["page"], 2)
        self.assertEqual([r["row"] for r in second["rows"]], list(range(22, 42)))
        last = self.rows(self.db, self.job, "--page", "3")
        self.assertEqual([r["row"] for r in last["rows"]], list(range(42, LAST_ROW + 1)))
        for r in first["rows"]:
            self.assertTrue(set(r) >= {"row", "status", "errors", "values"}, r)
            self.assertIsInstance(r["errors"], list)
            self.assertIsInstance(r["values"], dict)

    def test_status_filters(self):
        by = {s: self.all_rows(self.db, self.job, s)
              for s in ("invalid", "warning", "duplicate", "valid")}
        self.assertEqual([r["row"] for r in by["invalid"]], INVALID_ROWS)
        self.assertEqual([r["row"] for r in by["warning"]], WARNING_ROWS)
        self.assertEqual(len(by["invalid"]), self.rev["invalid"])
        self.assertEqual(len(by["warning"]), self.rev["warnings"])
        self.assertEqual(len(by["valid"]), self.rev["valid"])
        valid = {r["row"] for r in by["valid"]}
        self.assertFalse(valid & set(INVALID_ROWS))
        self.assertTrue(valid >= set(range(2, LAST_ROW + 1)) - set(INVALID_ROWS)
                        - set(WARNING_ROWS))
        dups = {r["row"] for r in by["duplicate"]}
        # In-file duplicates at least; any other is a row matching a lead.
        self.assertTrue(dups >= set(IN_FILE_DUPLICATES), dups)
        self.assertTrue(dups <= {2, 3, 4, 6, 8, 14}, dups)
        self.assertEqual({r["status"] for r in by["invalid"]}, {"invalid"})
        self.assertEqual(self.rows(self.db, self.job, "--status", "invalid")["pages"], 1)

    def test_errors_are_french_and_values_raw(self):
        rows = {r["row"]: r for r in self.all_rows(self.db, self.job)}
        for n in INVALID_ROWS + WARNING_ROWS:
            self.assertTrue(rows[n]["errors"], n)
            for e in rows[n]["errors"]:
                self.assert_french(e)
        self.assertEqual(rows[5]["errors"], [])
        # Values are as the file has them, before normalisation.
        self.assertIn(" ANNE.ROUX@exemple.fr ", rows[2]["values"].values())
        self.assertIn("0622222222", rows[3]["values"].values())
        self.assertIn("06 12", rows[11]["values"].values())
        self.assertIn("Rappeler lundi\nstand B12", rows[13]["values"].values())
        for n, cells in ((5, INCOMING[3]), (14, INCOMING[12])):
            for cell in cells:
                if cell:
                    self.assertIn(cell, rows[n]["values"].values(), (n, cell))
        self.assertTrue(any("pas-un-email" in e or "e-mail" in e.lower()
                            for e in rows[10]["errors"]), rows[10])

    def test_text_output_is_french(self):
        r = self.cli(self.db, "jobs", "rows", str(self.job), "--status", "invalid")
        self.assert_french(r.out)
        for n in INVALID_ROWS:
            self.assertRegex(r.out, r"(?<!\d)%d(?!\d)" % n)
        self.assertIn("pas-un-email", r.out)
        r = self.cli(self.db, "jobs", "rows", str(self.job), "--page", "2")
        self.assert_french(r.out)
        self.assertIn("Prénom23", r.out)   # row 41 is on page 2
        self.assertNotIn("Prénom24", r.out)  # row 42 is not

    def test_rows_of_a_committed_job_are_said_in_french(self):
        db = self.copy_db()
        job = self.review(db)["job_id"]
        self.commit(db, job, "--on-duplicate", "update")
        for status in (None, "duplicate", "invalid", "warning", "valid"):
            with self.subTest(status=status):
                opts = ["--status", status] if status else []
                r = self.cli(db, "jobs", "rows", str(job), *opts)
                self.assert_french(r.out)
                self.assertIn("Ligne", r.out)

    def test_jobs_review_shows_the_review_again(self):
        r = self.cli(self.db, "jobs", "review", str(self.job), "--json")
        doc = r.json()
        for key in REVIEW_KEYS:
            self.assertEqual(doc[key], self.rev[key], key)
        r = self.cli(self.db, "jobs", "review", str(self.job))
        self.assert_french(r.out)
        self.assertIn("prêt à importer", r.out)

    def test_jobs_list_filters_reviews_by_their_french_state(self):
        for word in ("prêt à importer", "pret", "ready"):
            with self.subTest(word=word):
                r = self.cli(self.db, "jobs", "list", "--status", word, "--json")
                ids = [j["job_id"] for j in r.json()]
                self.assertIn(self.job, ids)
        r = self.cli(self.db, "jobs", "list")
        self.assert_french(r.out)
        self.assertIn("prêt à importer", r.out)

    def test_a_bad_page_or_status_is_refused_in_french(self):
        for opts in (["--page", "0"], ["--page", "-1"], ["--page", "deux"],
                     ["--status", "refused"], ["--status", ""], ["--page"]):
            with self.subTest(opts=opts):
                r = self.cli(self.db, "jobs", "rows", str(self.job), *opts, code=2)
                self.assert_french(r.err)

    def test_a_page_past_the_last_says_so(self):
        r = self.cli(self.db, "jobs", "rows", str(self.job), "--page", "4", "--json",
                     code=None)
        if r.code == 0:  # an empty page that still tells the total
            doc = r.json()
            self.assertEqual((doc["rows"], doc["pages"], doc["total"]), ([], 3, ROWS))
        else:
            self.assertEqual(r.code, 2, repr(r))
            self.assert_french(r.err)

    def test_unknown_job(self):
        for args in (["jobs", "rows", "999"], ["jobs", "rows", "abc"], ["jobs", "rows"]):
            with self.subTest(args=args):
                r = self.cli(self.db, *args, code=2)
                self.assert_french(r.err)


# --- cancel, retry, delete, revert, report in each state -----------------------

class StatesOfAReview(Base):

    def report_rows(self, db, job):
        out = os.path.join(self.tmp, "%s-%d.report.csv" % (db, job))
        self.cli(db, "report", str(job), "-o", out)
        return li.report_statuses(out)

    def stored_files(self, db):
        return sorted(os.path.basename(p)
                      for p in glob.glob(os.path.join(self.tmp, db + ".files", "*"))
                      if os.path.isfile(p))

    def test_report_of_a_review_lists_the_rows_the_import_report_would(self):
        # Before the commit, the report lists the rows to look at as the
        # one-shot import's report does: refused, warned, duplicates.
        db, ref_db = self.copy_db(), self.copy_db()
        ref_report = os.path.join(self.tmp, "ref.erreurs.csv")
        self.one_shot(ref_db, "--report", ref_report)
        job = self.review(db)["job_id"]
        statuses = self.report_rows(db, job)
        self.assertEqual([n for n, _ in statuses], li.report_row_numbers(ref_report))
        self.assertTrue(set(n for n, _ in statuses) >= set(INVALID_ROWS + WARNING_ROWS
                                                           + IN_FILE_DUPLICATES))
        self.assertEqual(sorted(n for n, s in statuses if s == "refusée"), INVALID_ROWS)
        for _, s in statuses:
            self.assert_french(s)
        self.assertEqual(self.export(db), self.base_export)

    def test_cancel_then_commit_refused_then_retry_brings_the_review_back(self):
        db = self.copy_db()
        review = self.review(db)
        job = review["job_id"]
        r = self.cli(db, "jobs", "cancel", str(job))
        self.assertIn("annulé", r.out)
        self.assertEqual(self.show(db, job)["status"], "cancelled")
        r = self.commit(db, job, code=None)
        self.assertIn(r.code, (2, 3), repr(r))
        self.assert_french(r.err)
        r = self.cli(db, "jobs", "cancel", str(job), code=3)
        self.assert_french(r.err)
        self.cli(db, "jobs", "retry", str(job))
        self.cli(db, "worker", "--until-idle", "--quiet")
        # A retry never commits what nobody confirmed: the job is in review again.
        self.assertEqual(self.show(db, job)["status"], "ready")
        self.assertEqual(self.export(db), self.base_export)
        done = self.commit(db, job, "--on-duplicate", "update")
        for key in COUNTS:
            self.assertEqual(done[key], review["predictions"]["update"][key], key)

    def test_revert_of_a_review_changes_no_lead(self):
        db = self.copy_db()
        job = self.review(db)["job_id"]
        r = self.cli(db, "jobs", "revert", str(job), code=None)
        self.assertIn(r.code, (0, 3), repr(r))
        if r.code:
            self.assert_french(r.err)
        self.assertEqual(self.export(db), self.base_export)

    def test_delete_of_a_review_removes_its_rows_and_file(self):
        db = self.copy_db()
        job = self.review(db)["job_id"]
        sha = li.sha256_file(self.file)
        self.assertIn(sha, self.stored_files(db))
        r = self.cli(db, "jobs", "delete", str(job), code=None)
        if r.code == 3:  # a review must be cancelled first, as a queued job
            self.assertIn("jobs cancel", r.err)
            self.cli(db, "jobs", "cancel", str(job))
            self.cli(db, "jobs", "delete", str(job))
        else:
            self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(self.q(db, "SELECT count(*) FROM import_rows WHERE job_id=?",
                                (job,))[0][0], 0)
        self.assertEqual(self.q(db, "SELECT count(*) FROM import_jobs WHERE id=?",
                                (job,))[0][0], 0)
        self.assertNotIn(sha, self.stored_files(db))
        self.assertEqual(self.export(db), self.base_export)
        self.review(db)  # the file may be reviewed again: it was never imported

    def test_rows_say_so_when_the_stored_file_is_gone(self):
        db = self.copy_db()
        job = self.review(db)["job_id"]
        os.remove(os.path.join(self.tmp, db + ".files", li.sha256_file(self.file)))
        doc = self.rows(db, job)
        self.assertEqual(doc["total"], ROWS)
        self.assertIn("note", doc)
        self.assert_french(doc["note"])
        r = self.cli(db, "jobs", "rows", str(job))
        self.assert_french(r.err)
        self.assertIn(doc["note"], r.err)
        # A refused row keeps its values: they were staged with it.
        bad = self.rows(db, job, "--status", "invalid")["rows"]
        self.assertIn("pas-un-email", {v for r in bad for v in r["values"].values()})

    def test_after_commit_cancel_and_retry_are_refused_revert_and_report_work(self):
        db = self.copy_db()
        review = self.review(db)
        job = review["job_id"]
        self.commit(db, job, "--on-duplicate", "update")
        after = self.export(db)
        for verb in ("cancel", "retry"):
            r = self.cli(db, "jobs", verb, str(job), code=3)
            self.assert_french(r.err)
        statuses = self.report_rows(db, job)
        self.assertEqual(sorted(n for n, s in statuses if s == "refusée"), INVALID_ROWS)
        self.assertEqual(self.export(db), after)
        self.cli(db, "jobs", "revert", str(job))
        self.assertEqual(self.show(db, job)["status"], "reverted")
        self.assertEqual(self.export(db), self.base_export)
        self.cli(db, "jobs", "delete", str(job))
        self.assertEqual(self.export(db), self.base_export)

    def test_uploaded_state_can_be_cancelled_deleted_and_reported(self):
        # « déposé »: created from the file, not analysed yet. The CLI's way
        # there is a queued review that no worker has taken.
        db = self.copy_db()
        r = self.cli(db, "import", self.file, "--review", "--queue", "--json", "--no-remember")
        job = r.json()["job_id"]
        self.assertIn(self.show(db, job)["status"], ("uploaded", "queued"))
        # Its report is empty (nothing analysed), said in French; nothing to revert.
        out = os.path.join(self.tmp, "up.csv")
        r = self.cli(db, "report", str(job), "-o", out)
        self.assert_french(r.out + r.err)
        self.assertEqual(li.report_statuses(out), [])
        r = self.cli(db, "jobs", "revert", str(job), code=3)
        self.assert_french(r.err)
        self.cli(db, "jobs", "cancel", str(job))
        self.assertEqual(self.show(db, job)["status"], "cancelled")
        self.cli(db, "worker", "--until-idle", "--quiet")
        self.assertEqual(self.q(db, "SELECT count(*) FROM import_rows WHERE job_id=?",
                                (job,))[0][0], 0)
        self.cli(db, "jobs", "retry", str(job))
        self.cli(db, "worker", "--until-idle", "--quiet")
        self.assertEqual(self.show(db, job)["status"], "ready")
        self.cli(db, "jobs", "cancel", str(job))
        self.cli(db, "jobs", "delete", str(job))
        self.assertEqual(self.export(db), self.base_export)

    def age(self, db, job, days):
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                              time.gmtime(time.time() - days * 86400))
        con = sqlite3.connect(li.db_path(self.tmp, db))
        with con:
            cols = [r[1] for r in con.execute("PRAGMA table_info(import_jobs)")]
            for col in ("created_at", "started_at", "finished_at", "heartbeat_at",
                        "updated_at", "ready_at"):
                if col in cols:
                    con.execute("UPDATE import_jobs SET %s=? WHERE id=? AND %s IS NOT NULL"
                                % (col, col), (stamp, job))
        con.close()

    def test_cleanup_cancels_reviews_older_than_seven_days(self):
        db = self.copy_db()
        old = self.review(db)["job_id"]
        other = li.write_csv(os.path.join(self.tmp, "other.csv"), INCOMING[:20])
        r = self.cli(db, "import", other, "--review", "--json", "--no-remember")
        recent = r.json()["job_id"]
        self.age(db, old, 8)
        self.age(db, recent, 6)
        sha_old = li.sha256_file(self.file)
        sha_recent = li.sha256_file(other)
        r = self.cli(db, "cleanup", "--older-than", "90d", "--dry-run", "--json")
        self.assertEqual(r.json().get("reviews_cancelled"), 1)
        self.assertEqual(self.show(db, old)["status"], "ready")  # a dry run changes nothing
        self.cli(db, "cleanup", "--older-than", "90d")
        self.assertEqual(self.show(db, old)["status"], "cancelled")
        self.assertEqual(self.q(db, "SELECT count(*) FROM import_rows WHERE job_id=?",
                                (old,))[0][0], 0)
        self.assertNotIn(sha_old, self.stored_files(db))
        # The recent review is untouched and still commits as predicted.
        self.assertEqual(self.show(db, recent)["status"], "ready")
        self.assertIn(sha_recent, self.stored_files(db))
        self.assertEqual(self.q(db, "SELECT count(*) FROM import_rows WHERE job_id=?",
                                (recent,))[0][0], 20)
        self.assertEqual(self.export(db), self.base_export)
        self.commit(db, recent)

    def test_cleanup_of_reviews_has_a_configurable_age(self):
        help_text = self.cli("base.db", "cleanup", "--help").out
        m = re.search(r"(--review[\w-]*)", help_text)
        if not m:
            self.fail("cleanup --help names no option for the age of reviews: %r" % help_text)
        option = m.group(1)
        db = self.copy_db()
        job = self.review(db)["job_id"]
        self.age(db, job, 2)
        self.cli(db, "cleanup", "--older-than", "90d")
        self.assertEqual(self.show(db, job)["status"], "ready")
        self.cli(db, "cleanup", "--older-than", "90d", option, "1d")
        self.assertEqual(self.show(db, job)["status"], "cancelled")


# --- SIGKILL during the analysis and the commit --------------------------------

KILL_ROWS = li.rows_for(30000, 8000)
KILLS_PER_STAGE = 3 if li.SANITIZE else 5  # ASan: each kill re-runs a slow stage


def progress(tmp, db):
    try:
        rows = li.query(tmp, "SELECT status, rows_total, commit_row FROM import_jobs"
                             " ORDER BY id DESC LIMIT 1", db=db)
    except Exception:  # locked for a moment, or not created yet
        return None, 0, 0
    return rows[0] if rows else (None, 0, 0)


class KilledReviewResumes(unittest.TestCase):
    """`import --review` killed while it analyses, re-run; `jobs commit`
    killed while it commits, re-run: the same leads as an uninterrupted
    one-shot import, every row staged once, predictions = counts."""

    STRATEGY = "update"
    CHOICES = ["--assign", "round-robin:" + ",".join(e for e, _ in USERS)]
    OPTS = ["--on-duplicate", "update"] + CHOICES
    QUEUE = False  # True: both stages queued, run by workers that are killed

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-review-kill-")
        tmp = cls.tmp = cls._tmp.name
        cls.path, cls.expect = li.gen_sample(tmp, "leads.csv", KILL_ROWS, seed=31,
                                             dup_rate=0.1, invalid_rate=0.05)
        # Both databases start with users and some of the file's leads.
        with open(cls.path, encoding="utf-8", newline="") as f:
            records = list(csv.reader(f))
        head = li.write_csv(os.path.join(tmp, "head.csv"), records[1:3000:3],
                            header=records[0])
        for db in ("ref.db", "t.db"):
            for email, name in USERS:
                r = li.run(["users", "add", email, "--name", name, "--role", "commercial",
                            "--db", li.db_url(tmp, db)], cwd=tmp)
                assert r.code == 0, repr(r)
            r = li.run(["import", head, "--db", li.db_url(tmp, db), "--no-remember"], cwd=tmp)
            assert r.code == 0, repr(r)
        cls.leads_before = li.query(tmp, "SELECT count(*) FROM leads")[0][0]
        cls.ref = li.run(["import", cls.path, "--db", li.db_url(tmp, "ref.db"), "--json",
                          "--no-remember"] + cls.OPTS, cwd=tmp)
        assert cls.ref.code == 0, repr(cls.ref)
        _, cls.ref_export = li.export(tmp, db="ref.db", out=os.path.join(tmp, "ref.csv"))

        seed = int(os.environ.get("LI_KILL_SEED", "20261202"))
        sys.stderr.write("kill seed %d\n" % seed)
        rnd = random.Random(seed)
        cls.kills = []
        review_cmd = ["import", cls.path, "--review", "--json", "--no-remember",
                      "--db", li.db_url(tmp)] + cls.CHOICES
        worker_cmd = ["worker", "--until-idle", "--quiet", "--db", li.db_url(tmp)]
        if cls.QUEUE:
            q = li.run(review_cmd + ["--queue"], cwd=tmp)
            assert q.code == 0, repr(q)
        # Stage 1: the analysis, killed at increasing row counts.
        for _ in range(KILLS_PER_STAGE):
            killed = cls.kill_at(worker_cmd if cls.QUEUE else review_cmd, "parsing", 1, rnd)
            if killed is not None:
                cls.kills.append(("parsing", killed))
        if cls.QUEUE:
            cls.final_workers = [li.run(worker_cmd, cwd=tmp)]
        # The same command again: it resumes, or shows the review of the ready job.
        cls.review = li.run(review_cmd, cwd=tmp)
        assert cls.review.code == 0, repr(cls.review)
        cls.job = cls.review.json()["job_id"]
        cls.jobs_after_review = [r[0] for r in li.query(tmp, "SELECT id FROM import_jobs"
                                                              " ORDER BY id")]
        cls.leads_after_review = li.query(tmp, "SELECT count(*) FROM leads")[0][0]
        # Stage 2: the commit, killed the same way.
        commit_cmd = ["jobs", "commit", str(cls.job), "--json", "--db", li.db_url(tmp)] + cls.OPTS
        if cls.QUEUE:
            q = li.run(commit_cmd + ["--queue"], cwd=tmp)
            assert q.code == 0, repr(q)
        for _ in range(KILLS_PER_STAGE):
            killed = cls.kill_at(worker_cmd if cls.QUEUE else commit_cmd, "importing", 2, rnd)
            if killed is not None:
                cls.kills.append(("importing", killed))
        if cls.QUEUE:
            cls.final_workers.append(li.run(worker_cmd, cwd=tmp))
            cls.done = li.run(["jobs", "show", str(cls.job), "--json", "--db", li.db_url(tmp)],
                              cwd=tmp)
        else:
            cls.done = li.run(commit_cmd, cwd=tmp)
        _, cls.final_export = li.export(tmp)

    @classmethod
    def kill_at(cls, args, status, counter, rnd):
        """Runs args and kills it once the stage's counter passed a point
        drawn by li.kill_point, with at least a third of the rest still to
        go (5 kills per stage)."""
        before = progress(cls.tmp, "t.db")
        done = before[counter] if before[0] == status else 0
        target = li.kill_point(rnd, done, KILL_ROWS, 0.05, 0.65)
        proc = subprocess.Popen([li.BIN] + args, cwd=cls.tmp, env=li.clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + li.TIMEOUT
        while proc.poll() is None and time.time() < deadline:
            p = progress(cls.tmp, "t.db")
            if p[0] == status and p[counter] >= target:
                time.sleep(rnd.random() * 0.01)
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return progress(cls.tmp, "t.db")[counter]
            time.sleep(0.002)
        proc.wait()
        return None

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_kills_landed_in_both_stages(self):
        sys.stderr.write("%d kills: %s\n" % (len(self.kills), self.kills))
        for status in ("parsing", "importing"):
            self.assertGreaterEqual(sum(1 for s, _ in self.kills if s == status),
                                    KILLS_PER_STAGE - 2, (status, self.kills))

    def test_the_rerun_resumed_the_same_job(self):
        self.assertEqual(self.jobs_after_review[-1], self.job)
        self.assertEqual(len(self.jobs_after_review), 2)  # the seed import and this one
        self.assertEqual(self.leads_after_review, self.leads_before)  # none before the commit

    def test_the_commit_ends_with_the_predicted_and_one_shot_counts(self):
        li.assert_no_crash(self, self.done)
        self.assertEqual(self.done.code, 0, repr(self.done))
        done, ref, review = self.done.json(), self.ref.json(), self.review.json()
        self.assertEqual(done["status"], "completed")
        for key in ("rows", "valid", "invalid", "warnings"):
            self.assertEqual(review[key], ref[key], key)
        for key in COUNTS:
            self.assertEqual(review["predictions"][self.STRATEGY][key], done[key], key)
        for key in COUNTS + ("rows", "valid", "invalid", "assigned"):
            self.assertEqual(done[key], ref[key], key)
        if self.QUEUE:
            self.assertLessEqual(done["attempts"], 5)

    def test_workers_ended_well(self):
        for r in getattr(self, "final_workers", []):
            li.assert_no_crash(self, r)
            self.assertEqual(r.code, 0, repr(r))

    def test_every_row_is_staged_exactly_once(self):
        n, distinct, lo, hi = li.query(
            self.tmp, "SELECT count(*), count(DISTINCT row_no), min(row_no), max(row_no)"
                      " FROM import_rows WHERE job_id=?", (self.job,))[0]
        self.assertEqual((n, distinct, lo, hi), (KILL_ROWS, KILL_ROWS, 2, KILL_ROWS + 1))

    def test_the_leads_are_those_of_an_uninterrupted_import(self):
        self.assertTrue(self.ref_export)
        self.assertEqual(self.final_export, self.ref_export)
        sql = ("SELECT count(*) FROM (SELECT email FROM leads WHERE email IS NOT NULL"
               " GROUP BY email HAVING count(*) > 1) AS d")
        dup = li.query(self.tmp, sql)[0][0]
        self.assertEqual(dup, li.query(self.tmp, sql, db="ref.db")[0][0])
        if self.STRATEGY != "create":  # create makes flagged duplicates on purpose
            self.assertEqual(dup, 0)


class KilledQueuedReviewResumes(KilledReviewResumes):
    """The same through the queue: `import --review --queue`, then `jobs
    commit --queue`, each run by workers killed at random points."""
    QUEUE = True
    STRATEGY = "create"
    OPTS = ["--on-duplicate", "create"] + KilledReviewResumes.CHOICES


class CancelledMidway(unittest.TestCase):
    """A queued review cancelled while a worker analyses it, and while a
    worker commits it: each time the job stops « annulé », a retry goes on
    from its checkpoint, and the end is the one-shot import's."""

    ROWS = li.rows_for(30000, 8000)

    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-review-cancel-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.path, _ = li.gen_sample(self.tmp, "leads.csv", self.ROWS, seed=37, dup_rate=0.1)

    def cli(self, *args, db="t.db", code=0):
        r = li.run(list(args) + ["--db", li.db_url(self.tmp, db)], cwd=self.tmp)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, repr(r))
        return r

    def status(self, job):
        return self.cli("jobs", "show", str(job), "--json").json()

    def cancel_when(self, job, status, counter):
        """Starts a worker, cancels the job once its counter passed a tenth
        of the rows in that status; returns the job as it ended.

        The worker is paused (SIGSTOP) while `jobs cancel` starts: on a quiet
        machine the rest of a stage took less than the cancel's own start,
        and the job was « prêt » when it came (exit 3, seen in CI). The worker
        goes on 0.3 s later (the cancel may be waiting for the write lock the
        paused worker holds) and stops at its next batch."""
        proc = subprocess.Popen([li.BIN, "worker", "--until-idle", "--quiet", "--db",
                                 li.db_url(self.tmp)], cwd=self.tmp, env=li.clean_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + li.TIMEOUT
        cancel = None
        while proc.poll() is None and time.time() < deadline:
            p = progress(self.tmp, "t.db")
            if p[0] == status and p[counter] >= self.ROWS // 10:
                proc.send_signal(signal.SIGSTOP)
                try:
                    cancel = subprocess.Popen(
                        [li.BIN, "jobs", "cancel", str(job), "--db", li.db_url(self.tmp)],
                        cwd=self.tmp, env=li.clean_env(), stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
                    time.sleep(0.3)
                finally:
                    proc.send_signal(signal.SIGCONT)
                break
            time.sleep(0.002)
        self.assertIsNotNone(cancel, "the worker ended before the cancel")
        out, cerr = cancel.communicate(timeout=li.TIMEOUT)
        _, err = proc.communicate(timeout=li.TIMEOUT)
        out, cerr = out.decode("utf-8", "replace"), cerr.decode("utf-8", "replace")
        self.assertEqual(cancel.returncode, 0, cerr)
        self.assertIn("annulé", out)
        self.assertEqual(proc.returncode, 0, err)
        return self.status(job)

    def interrupt_when(self, args, status, counter):
        """Runs leadimport args, sends SIGINT once the job's counter passed a
        tenth of the rows in that status; returns (exit code, stderr)."""
        proc = subprocess.Popen([li.BIN] + args + ["--db", li.db_url(self.tmp)], cwd=self.tmp,
                                env=li.clean_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        deadline = time.time() + li.TIMEOUT
        sent = False
        while proc.poll() is None and time.time() < deadline:
            p = progress(self.tmp, "t.db")
            if p[0] == status and p[counter] >= self.ROWS // 10:
                proc.send_signal(signal.SIGINT)
                sent = True
                break
            time.sleep(0.002)
        _, err = proc.communicate(timeout=li.TIMEOUT)
        self.assertTrue(sent, "the command ended before the interruption")
        return proc.returncode, err.decode("utf-8", "replace")

    def test_ctrl_c_during_analysis_and_commit_says_how_far_it_got_and_resumes(self):
        code, err = self.interrupt_when(["import", self.path, "--review"], "parsing", 1)
        self.assertEqual(code, 6, err)
        self.assertIn("Relancez la même commande", err)
        review = self.cli("import", self.path, "--review", "--json").json()
        self.assertEqual(review["rows"], self.ROWS)
        job = review["job_id"]
        code, err = self.interrupt_when(["jobs", "commit", str(job)], "importing", 2)
        self.assertEqual(code, 6, err)
        # The message counts what is in the leads now, not the rows analysed.
        committed = li.query(self.tmp, "SELECT commit_row FROM import_jobs WHERE id=?",
                             (job,))[0][0]
        said = [int(n) for n in re.findall(r"(\d+) premières lignes", err.replace("\u202f", ""))]
        self.assertTrue(said, err)
        self.assertLess(said[0], self.ROWS, err)
        self.assertLessEqual(said[0], committed, err)
        done = self.cli("jobs", "commit", str(job), "--json").json()
        self.assertTrue(done["resumed"])
        for key in COUNTS:
            self.assertEqual(done[key], review["predictions"]["skip"][key], key)

    def test_cancel_during_analysis_and_commit_then_retry(self):
        opts = ["--on-duplicate", "create"]
        ref = self.cli("import", self.path, "--json", *opts, db="ref.db").json()
        _, ref_export = li.export(self.tmp, db="ref.db", out=os.path.join(self.tmp, "ref.csv"))
        job = self.cli("import", self.path, "--review", "--queue", "--json").json()["job_id"]

        doc = self.cancel_when(job, "parsing", 1)
        # (The cancel may land while the rows are read or while the
        # predictions are computed: both are the analysis.)
        self.assertEqual(doc["status"], "cancelled")
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads")[0][0], 0)
        self.cli("jobs", "retry", str(job))
        self.cli("worker", "--until-idle", "--quiet")
        self.assertEqual(self.status(job)["status"], "ready")
        review = self.cli("jobs", "review", str(job), "--json").json()
        self.assertEqual(review["rows"], self.ROWS)

        self.cli("jobs", "commit", str(job), "--queue", *opts)
        doc = self.cancel_when(job, "importing", 2)
        self.assertEqual(doc["status"], "cancelled")
        leads = li.query(self.tmp, "SELECT count(*) FROM leads")[0][0]
        self.assertEqual(leads, doc["created"])  # what was committed stays, and is said
        self.assertLess(leads, ref["created"])
        self.cli("jobs", "retry", str(job))
        self.cli("worker", "--until-idle", "--quiet")
        doc = self.status(job)
        self.assertEqual(doc["status"], "completed")
        for key in COUNTS:
            self.assertEqual(doc[key], review["predictions"]["create"][key], key)
            self.assertEqual(doc[key], ref[key], key)
        _, export = li.export(self.tmp)
        self.assertEqual(export, ref_export)


# --- a big rehearsal: the key indexes dropped inside it -----------------------

class BigRehearsal(unittest.TestCase):
    """A file whose 20,000 and more valid rows all meet leads already in the
    base: the rehearsals of a review drop the key indexes inside their
    transaction (SQLite), which their rollback restores. The predictions of
    each strategy are still the one-shot imports' counts, and the base keeps
    its indexes, whole, after the analysis and after the commit."""

    ROWS = 24000
    KEY_INDEXES = ("leads_email", "leads_external_id", "leads_phone")

    @classmethod
    def setUpClass(cls):
        if li.PG:
            raise unittest.SkipTest("SQLite's key indexes (PostgreSQL never drops them)")
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-review-big-")
        cls.tmp = cls._tmp.name
        cls.file, _ = li.gen_sample(cls.tmp, "in.csv", cls.ROWS, seed=7)
        # the same rows as another file (another hash): they all meet the base
        with open(cls.file, "rb") as f:
            data = f.read()
        cls.base = os.path.join(cls.tmp, "base.csv")
        with open(cls.base, "wb") as f:
            f.write(data + b"\r\n")
        r = li.run(["import", cls.base, "--db", li.db_url(cls.tmp, "base.db"), "--quiet",
                    "--no-remember"], cwd=cls.tmp)
        assert r.code == 0, repr(r)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def run_on(self, name, *args):
        li.clone_db(self.tmp, "base.db", self.tmp, name)
        r = li.run(list(args) + ["--db", li.db_url(self.tmp, name), "--json", "--no-remember"],
                   cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        return r.json()

    def assert_indexes_whole(self, name):
        got = li.query(self.tmp, "SELECT name FROM sqlite_master WHERE type='index' AND"
                       " name IN (%s) ORDER BY name" % ",".join("?" * len(self.KEY_INDEXES)),
                       self.KEY_INDEXES, db=name)
        self.assertEqual(tuple(n for (n,) in got), self.KEY_INDEXES)
        self.assertEqual(li.query(self.tmp, "PRAGMA integrity_check", db=name), [("ok",)])

    def test_predictions_through_dropped_indexes_equal_the_one_shot_imports(self):
        review = self.run_on("review.db", "import", self.file, "--review")
        self.assertGreaterEqual(review["valid"], 20000)  # the size that drops them
        self.assert_indexes_whole("review.db")
        for s in STRATEGIES:
            ref = self.run_on("one-%s.db" % s, "import", self.file, "--on-duplicate", s)
            for key in COUNTS:
                self.assertEqual(review["predictions"][s][key], ref[key], "%s/%s" % (s, key))
        # every valid row meets its lead: the predictions are not trivially equal
        self.assertEqual(review["predictions"]["skip"]["skipped"], review["valid"])
        self.assertEqual(review["predictions"]["create"]["flagged"], review["valid"])
        r = li.run(["jobs", "commit", str(review["job_id"]), "--on-duplicate", "create",
                    "--json", "--db", li.db_url(self.tmp, "review.db")], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        for key in COUNTS:
            self.assertEqual(r.json()[key], review["predictions"]["create"][key], key)
        self.assert_indexes_whole("review.db")
        # the indexes are those of every lead, the commit's included
        n = li.query(self.tmp, "SELECT count(*) FROM leads INDEXED BY leads_email"
                     " WHERE email IS NOT NULL", db="review.db")[0][0]
        self.assertEqual(n, li.query(self.tmp, "SELECT count(email) FROM leads",
                                     db="review.db")[0][0])

if __name__ == "__main__":
    li.main()
