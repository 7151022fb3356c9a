#!/usr/bin/env python3
"""No English reaches the user: every error path speaks French.

Runs the binary through many failures (missing file, a folder where a file
is expected, a full disk (/dev/full), a file that is not a database, a
damaged database, unknown options and values, refused job actions, a job
whose stored file is gone) and the job listings of every state, and
greps everything it prints (stdout and stderr, JSON excepted) for English
system or SQLite text and for the internal state names (« failed »,
« importing », « completed »...), which must be shown as French labels.
"""
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

# English words that strerror(), sqlite3_errmsg() or an untranslated
# status would bring. Whole words, any case: "invalide" is French, "invalid"
# is not.
ENGLISH = [
    "error", "errors", "failed", "failure", "fail", "cannot", "can't", "unable", "denied",
    "no such", "not found", "invalid", "is a directory", "no space", "disk i/o",
    "database", "locked", "read-only", "readonly", "memory", "unknown", "malformed",
    "attempt to write", "not a database", "too many", "interrupted", "success",
    "queued", "parsing", "importing", "completed", "rejected", "cancelled", "canceled",
    "reverted", "uploaded", "ready", "running", "pending", "warning", "done", "dead",
]
PATTERN = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in ENGLISH) + r")(?![\w-])",
                     re.IGNORECASE)


def setUpModule():
    li.require_binary()


class FrenchOnlyTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-fr-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)
        self.csv = li.write_csv(os.path.join(self.tmp, "leads.csv"),
                                [li.lead(), li.lead(first="Luc", last="Martin",
                                                    email="luc.martin@example.fr",
                                                    phone="06 98 76 54 32")])
        self.seen = 0

    def french(self, *args, code=None, json=False):
        """Runs leadimport; its text output must hold no English word."""
        r = li.run(list(args), cwd=self.tmp)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, repr(r))
        texts = [r.err] if json else [r.out, r.err]
        for text in texts:
            # The file names and paths of this test are not messages.
            text = text.replace(self.tmp, "TMP")
            m = PATTERN.search(text)
            self.assertIsNone(m, "English %r in the output of %r:\n%s" %
                              (m and m.group(0), args, text))
        self.seen += 1
        return r

    def test_file_and_disk_errors_are_french(self):
        os.mkdir(os.path.join(self.tmp, "dossier"))
        r = self.french("import", "absent.csv", "--db", self.db, code=4)
        self.assertIn("introuvable", r.err)
        r = self.french("import", "dossier", "--db", self.db, code=4)
        self.assertIn("dossier", r.err)
        self.french("sniff", "absent.csv", code=4)
        self.french("import", self.csv, "--db", self.db, code=0)
        r = self.french("export", "-o", os.path.join(self.tmp, "dossier"), "--db", self.db)
        self.assertNotEqual(r.code, 0)
        self.assertIn("dossier", r.err)
        r = self.french("template", "-o", os.path.join(self.tmp, "dossier"))
        self.assertNotEqual(r.code, 0)
        if os.path.exists("/dev/full"):
            r = self.french("export", "-o", "/dev/full", "--db", self.db)
            self.assertNotEqual(r.code, 0)
            self.assertIn("disque est plein", r.err)
        r = self.french("report", "1", "-o", os.path.join(self.tmp, "absent", "r.csv"),
                        "--db", self.db)
        self.assertNotEqual(r.code, 0)
        with open(os.path.join(self.tmp, "binaire.csv"), "wb") as f:
            f.write(bytes(range(256)) * 8)
        self.french("import", "binaire.csv", "--db", self.db, code=4)
        with open(os.path.join(self.tmp, "abime.xlsx"), "wb") as f:
            f.write(b"PK\x03\x04" + b"\x00" * 26 + b"garbage" * 50)
        self.french("import", "abime.xlsx", "--db", self.db, code=4)
        self.french("sniff", "abime.xlsx", code=4)

    def test_database_errors_are_french(self):
        os.mkdir(os.path.join(self.tmp, "dossier.db"))
        self.french("jobs", "list", "--db", li.db_url(self.tmp, "dossier.db"), code=2)
        self.french("import", self.csv, "--db", li.db_url(self.tmp, "dossier.db"))
        with open(os.path.join(self.tmp, "texte.db"), "w") as f:
            f.write("ceci n'est pas une base\n" * 200)
        r = self.french("jobs", "list", "--db", li.db_url(self.tmp, "texte.db"))
        self.assertIn("n'est pas une base SQLite", r.err)
        self.french("migrate", "--db", li.db_url(self.tmp, "texte.db"))
        # A real database whose pages were overwritten.
        self.french("import", self.csv, "--db", self.db, code=0)
        damaged = li.db_path(self.tmp, "abime.db")
        con = sqlite3.connect(li.db_path(self.tmp))
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        shutil.copy(li.db_path(self.tmp), damaged)
        with open(damaged, "r+b") as f:
            f.seek(4096)
            f.write(b"\xff" * 8192)
        for args in (["jobs", "list"], ["export", "-o", os.path.join(self.tmp, "e.csv")],
                     ["import", self.csv, "--force"]):
            r = self.french(*args, "--db", li.db_url(self.tmp, "abime.db"))
        # a PostgreSQL server that is not there: said in French, exit 7 (try again later)
        self.french("jobs", "list", "--db",
                    "postgres://nobody@/x?host=" + os.path.join(self.tmp, "pas-de-serveur"), code=7)
        self.french("jobs", "list", "--db", li.db_url(self.tmp, "absente.db"), code=2)

    def test_usage_errors_are_french(self):
        self.french("nimporte", code=2)
        self.french("import", code=2)
        self.french("import", self.csv, "--bogus", code=2)
        self.french("import", self.csv, "--max-invalid", "nan%", code=2)
        self.french("import", self.csv, "--delimiter", "x", code=2)
        self.french("import", self.csv, "--encoding", "klingon", code=2)
        self.french("import", self.csv, "--on-duplicate", "merge", code=2)
        self.french("import", self.csv, "--region", "Atlantide", "--db", self.db, code=2)
        self.french("import", self.csv, "--map", "nimporte=Email", "--db", self.db, code=2)
        self.french("import", self.csv, "--mapping", "absente", "--db", self.db, code=2)
        self.french("jobs", "list", "--status", "bogus", "--db", self.db, code=2)
        self.french("jobs", "show", "x", "--db", self.db, code=2)
        self.french("cleanup", "--older-than", "90", code=2)
        self.french("worker", "--concurrency", "nan", code=2)
        self.french("migrate", "--db", self.db, code=0)
        self.french("report", "42", "--db", self.db)
        self.french("jobs", "show", "42", "--db", self.db, code=2)
        self.french("users", "add", "pas-un-email", "--name", "X", "--role", "admin",
                    "--db", self.db, code=2)
        self.french("users", "disable", "personne@exemple.fr", "--db", self.db, code=2)
        for pw in ("court", "motdepasse2024", "abcdefgh\x01ijklmn"):
            with self.subTest(password=pw):
                r = li.run(["users", "add", "a@exemple.fr", "--name", "Anne", "--role", "admin",
                            "--password-stdin", "--db", self.db], cwd=self.tmp,
                           stdin=self.stdin(pw + "\n"))
                self.assertEqual(r.code, 2, repr(r))
                self.assertIsNone(PATTERN.search(r.err), r.err)

    def stdin(self, text):
        path = os.path.join(self.tmp, "stdin.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        f = open(path, "rb")
        self.addCleanup(f.close)
        return f

    def test_job_states_and_refused_actions_are_french(self):
        self.french("import", self.csv, "--db", self.db, code=0)
        r = self.french("jobs", "list", "--db", self.db, code=0)
        self.assertIn("terminé", r.out)
        self.french("jobs", "show", "1", "--db", self.db, code=0)
        r = self.french("jobs", "cancel", "1", "--db", self.db)
        self.assertNotEqual(r.code, 0)
        self.assertIn("terminé", r.err)
        r = self.french("jobs", "retry", "1", "--db", self.db)
        self.assertNotEqual(r.code, 0)
        self.french("jobs", "revert", "1", "--db", self.db, code=0)
        r = self.french("jobs", "revert", "1", "--db", self.db)
        self.assertNotEqual(r.code, 0)
        self.assertIn("défait", r.err)
        r = self.french("jobs", "list", "--db", self.db, code=0)
        self.assertIn("défait", r.out)
        # Queued, then cancelled: listed and shown in French.
        other = li.write_csv(os.path.join(self.tmp, "autres.csv"),
                             [li.lead(email="zoe@example.fr", phone="06 11 22 33 44")])
        self.french("import", other, "--queue", "--db", self.db, code=0)
        r = self.french("jobs", "list", "--db", self.db, code=0)
        self.assertIn("en attente", r.out)
        self.french("jobs", "show", "2", "--db", self.db, code=0)
        self.french("jobs", "cancel", "2", "--db", self.db, code=0)
        r = self.french("jobs", "list", "--db", self.db, code=0)
        self.assertIn("annulé", r.out)
        self.french("jobs", "show", "2", "--db", self.db, code=0)
        # A queued job whose stored copy is gone: the worker fails it, in French.
        third = li.write_csv(os.path.join(self.tmp, "troisieme.csv"),
                             [li.lead(email="max@example.fr", phone="06 55 44 33 22")])
        self.french("import", third, "--queue", "--db", self.db, code=0)
        for root, _, files in os.walk(self.tmp):
            for f in files:
                p = os.path.join(root, f)
                if "leadimport-files" in p or "files" in os.path.basename(root):
                    os.remove(p)
        os.remove(third)
        self.french("worker", "--until-idle", "--retry-delay", "0.01", "--db", self.db)
        r = self.french("jobs", "list", "--db", self.db, code=0)
        r = self.french("jobs", "show", "3", "--db", self.db, code=0)
        self.assertGreater(self.seen, 10)


if __name__ == "__main__":
    unittest.main(verbosity=2)
