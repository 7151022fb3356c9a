#!/usr/bin/env python3
"""Numbers, durations, states and databases given on the command line are
read strictly, and a file with a header only is not a finished import.

- Every number is digits only: "nan", "inf", "-5", "1e3", "0x10", "+3",
  " 5" are usage errors (exit 2, « Valeur invalide »), never read as
  something else (`--max-invalid nan%` once gave « mémoire insuffisante »).
- `cleanup --older-than` takes an integer and a unit (90d, 12h, 30m, 45s);
  0d asks for --yes; nothing is deleted by a refused command.
- `jobs list --status` knows the states (code or French label) and refuses
  the others.
- A read command never creates a database (db_missing, exit 2); migrate,
  import, users add and mappings save do.
- A file with a header and no data row: file_no_data, exit 4, no job.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

BAD_NUMBERS = ["nan", "inf", "-5", "1e3", "0x10", "+3", " 5", "5 ", "", "1.5", "abc",
               "99999999999999999999999"]


def setUpModule():
    li.require_binary()


class StrictArgsTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-args-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)
        self.csv = li.write_csv(os.path.join(self.tmp, "leads.csv"),
                                [li.lead(), li.lead(first="Luc", last="Martin",
                                                    email="luc.martin@example.fr",
                                                    phone="06 98 76 54 32")])

    def cli(self, *args, code=None):
        r = li.run(list(args), cwd=self.tmp)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, repr(r))
        return r

    def usage(self, *args, word="Valeur invalide"):
        r = self.cli(*args, code=2)
        self.assertIn(word, r.err)
        self.assertNotIn("mémoire", r.err.lower())
        return r

    def jobs_count(self):
        return li.query(self.tmp, "SELECT count(*) FROM import_jobs")[0][0]

    # -- numbers -----------------------------------------------------------------
    def test_max_invalid_refuses_anything_but_a_count_or_a_percentage(self):
        # Spaces are allowed here ("2,5 %" is how a French user writes it).
        spaced = [" 5", "5 "]
        for v in [b for b in BAD_NUMBERS if b not in spaced] + \
                ["nan%", "inf%", "-1%", "101%", "1e2%", "%", "5%%", "2.5", "- 5", "n a n %"]:
            with self.subTest(value=v):
                self.usage("import", self.csv, "--db", self.db, "--max-invalid", v)
        self.assertFalse(os.path.exists(li.db_path(self.tmp)))  # checked before opening
        for v in ("0", "10", "2,5%", "2.5 %", "100%"):
            with self.subTest(value=v):
                r = self.cli("import", self.csv, "--db", self.db, "--max-invalid", v, "--force")
                self.assertEqual(r.code, 0, repr(r))

    def test_sizes_ids_and_counts_are_digits_only(self):
        self.cli("import", self.csv, "--db", self.db, code=0)
        for v in BAD_NUMBERS + ["0", "-1M", "5X"]:
            with self.subTest(max_size=v):
                self.usage("import", self.csv, "--db", self.db, "--max-size", v)
        for verb in ("show", "cancel", "retry", "delete", "revert"):
            for v in ["-1", "0", "+1", "0x1", "1e0", "1.0", " 1", "99999999999999999999"]:
                with self.subTest(verb=verb, id=v):
                    self.usage("jobs", verb, v, "--db", self.db)
        for v in ["-1", "0", "+1", "1e0"]:
            with self.subTest(report=v):
                self.usage("report", v, "--db", self.db)
        for v in BAD_NUMBERS + ["0", "65"]:
            with self.subTest(concurrency=v):
                self.usage("worker", "--concurrency", v, "--db", self.db)
        for v in ["nan", "inf", "-1", "0", "1e1", "3601"]:
            with self.subTest(retry_delay=v):
                self.usage("worker", "--retry-delay", v, "--db", self.db)
        self.assertEqual(self.jobs_count(), 1)  # job 1 untouched by all of it
        self.cli("jobs", "show", "1", "--db", self.db, code=0)

    # -- durations ---------------------------------------------------------------
    def test_cleanup_takes_a_number_and_a_unit_and_asks_before_zero(self):
        self.cli("import", self.csv, "--db", self.db, code=0)
        for v in ["90", "0", "-1d", "1.5d", "nan", "infd", "d", "90 d", "90days", "1e2d",
                  "+1d", "0x10d", ""]:
            with self.subTest(older_than=v):
                self.usage("cleanup", "--older-than", v, "--db", self.db,
                           word="Durée invalide")
        r = self.usage("cleanup", "--older-than", "0d", "--db", self.db, word="--yes")
        self.assertEqual(self.jobs_count(), 1)
        # --dry-run counts without asking; --yes confirms.
        r = self.cli("cleanup", "--older-than", "0d", "--dry-run", "--db", self.db, code=0)
        self.assertIn("Simulation", r.out)
        self.assertEqual(self.jobs_count(), 1)
        for v in ("90d", "90j", "12h", "30m", "45s"):
            with self.subTest(ok=v):
                self.cli("cleanup", "--older-than", v, "--db", self.db, code=0)
        self.assertEqual(self.jobs_count(), 1)  # younger than 45 s
        self.cli("cleanup", "--older-than", "0s", "--yes", "--db", self.db, code=0)
        self.assertEqual(self.jobs_count(), 0)
        # The leads themselves stay.
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads")[0][0], 2)

    # -- states ------------------------------------------------------------------
    def test_status_filter_knows_the_states_in_french_and_refuses_others(self):
        self.cli("import", self.csv, "--db", self.db, code=0)
        r = self.usage("jobs", "list", "--status", "bogus", "--db", self.db,
                       word="État inconnu")
        self.assertIn("terminé", r.err)
        for v in ("completed", "terminé", "termine", "TERMINE"):
            with self.subTest(status=v):
                r = self.cli("jobs", "list", "--status", v, "--db", self.db, code=0)
                self.assertIn("leads.csv", r.out)
                self.assertIn("terminé", r.out)
        for v in ("echec", "en échec", "failed", "en-attente", "annulé", "défait"):
            with self.subTest(status=v):
                r = self.cli("jobs", "list", "--status", v, "--db", self.db, code=0)
                self.assertIn("Aucun import", r.out)

    # -- databases ---------------------------------------------------------------
    def test_read_commands_never_create_a_database(self):
        typo = li.db_url(self.tmp, "typo.db")
        for args in (["jobs", "list"], ["jobs", "show", "1"], ["report", "1"],
                     ["export", "-o", os.path.join(self.tmp, "x.csv")],
                     ["sniff", self.csv], ["mappings", "list"], ["mappings", "show", "m"],
                     ["mappings", "delete", "m"], ["users", "list"],
                     ["users", "disable", "a@exemple.fr"], ["cleanup", "--older-than", "9d"],
                     ["worker", "--until-idle"]):
            with self.subTest(args=args):
                r = self.cli(*args, "--db", typo, code=2)
                self.assertIn("n'existe pas", r.err)
                self.assertEqual([f for f in os.listdir(self.tmp) if f.startswith("typo")], [])
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "x.csv")))
        # The default database too, when it is not there.
        r = self.cli("jobs", "list", code=2)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "leadimport.db")))

    def test_commands_that_add_something_create_the_database(self):
        for name, args in (("a.db", ["migrate"]), ("b.db", ["import", self.csv]),
                           ("c.db", ["users", "add", "a@exemple.fr", "--name", "Anne",
                                     "--role", "admin"]),
                           ("d.db", ["mappings", "save", "salon", self.csv])):
            with self.subTest(args=args):
                self.cli(*args, "--db", li.db_url(self.tmp, name), code=0)
                self.assertTrue(os.path.exists(li.db_path(self.tmp, name)))
                self.cli("jobs", "list", "--db", li.db_url(self.tmp, name), code=0)

    def test_a_directory_as_database_says_so(self):
        os.mkdir(os.path.join(self.tmp, "dossier.db"))
        r = self.cli("jobs", "list", "--db", li.db_url(self.tmp, "dossier.db"), code=2)
        self.assertIn("c'est un dossier", r.err)

    # -- a header alone ----------------------------------------------------------
    def test_a_header_only_file_is_refused_as_without_data(self):
        self.cli("migrate", "--db", self.db, code=0)
        for name, content in (("entete.csv", "Prénom;Nom;Email\r\n"),
                              ("entete-sans-fin.csv", "Email,Nom"),
                              ("preambule.csv", "Export du 01/12\n\nEmail,Nom,Société\n")):
            with self.subTest(file=name):
                path = os.path.join(self.tmp, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(content)
                r = self.cli("import", path, "--db", self.db, code=4)
                self.assertIn("sans données", r.err)
                self.assertIn(name, r.err)
                r = self.cli("import", path, "--db", self.db, "--queue", code=4)
                self.assertIn("sans données", r.err)
        self.assertEqual(self.jobs_count(), 0)  # no job, completed or otherwise
        r = self.cli("import", os.path.join(self.tmp, "entete.csv"), "--db", self.db, "--json",
                     code=4)
        self.assertEqual(r.json()["error"]["code"], "file_no_data")
        # With --header non, that one line is data: an ordinary import.
        r = self.cli("import", os.path.join(self.tmp, "entete.csv"), "--header", "non",
                     "--db", self.db)
        self.assertNotIn("sans données", r.err)

    def test_a_header_only_workbook_is_refused_too(self):
        try:
            import openpyxl
        except ImportError:
            li.skip_visibly("openpyxl absent")
            self.skipTest("openpyxl absent")
        wb = openpyxl.Workbook()
        wb.active.append(["Email", "Nom"])
        path = os.path.join(self.tmp, "entete.xlsx")
        wb.save(path)
        r = self.cli("import", path, "--db", self.db, code=4)
        self.assertIn("sans données", r.err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
