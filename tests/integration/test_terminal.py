#!/usr/bin/env python3
"""What leadimport prints never carries a terminal's control sequences.

A file name, a sheet name, a header, a cell, a user name or an e-mail can
hold ESC (and with it ANSI / OSC sequences: clear the screen, retitle the
window, forge a line), C1 controls (U+009B is CSI) or bytes that are not
UTF-8. Whatever the command (sniff, import, import --queue, worker, jobs
list/show, report, mappings, users, error messages), none of these reaches
stdout or stderr raw: they are shown as "\\x1b", "\\u009b"; accented text
stays as it is. JSON output is left to its own escaping (jansson's).
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

ESC = "\x1b"
C1_CSI = "\u009b"
# Bytes a terminal would obey: C0 controls but \n (the output's own line
# breaks), DEL, and UTF-8 C1 controls.
RAW = [bytes([c]) for c in range(0x20) if c not in (0x0a,)] + [b"\x7f"] + \
      [bytes([0xc2, c]) for c in range(0x80, 0xa0)]


def setUpModule():
    li.require_binary()


class TerminalTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-term-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)

    def run_li(self, *args, code=None, stdin=None):
        r = li.run(list(args), cwd=self.tmp, stdin=stdin)
        li.assert_no_crash(self, r)
        if code is not None:
            self.assertEqual(r.code, code, repr(r))
        for stream in (r.out_bytes, r.err_bytes):
            for raw in RAW:
                self.assertNotIn(raw, stream, "%r raw in the output of %r:\n%r" %
                                 (raw, args, stream[:600]))
        return r

    def hostile_csv(self):
        name = "evil" + ESC + "[2J" + ESC + "]0;pwn.csv"
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write("Email,Nom,Société\r\n".encode())
            f.write(("x@exemple.fr,Dup" + ESC + "[0mont" + C1_CSI + "2J,ACME\r\n").encode())
            f.write("y@exemple.fr,Martin,Bidule Énergie\r\n".encode())
        return name

    def test_sniff_escapes_the_file_name_and_cell_values(self):
        name = self.hostile_csv()
        r = self.run_li("sniff", name, code=0)
        self.assertIn("evil\\x1b[2J\\x1b]0;pwn.csv", r.out)
        self.assertIn("Dup\\x1b[0mont\\u009b2J", r.out)
        self.assertIn("Bidule Énergie", r.out)   # accents kept
        self.assertIn("Société", r.out)

    def test_import_summary_jobs_and_report_escape_the_file_name(self):
        name = self.hostile_csv()
        r = self.run_li("import", name, "--db", self.db, code=0)
        self.assertIn("evil\\x1b[2J", r.out)
        r = self.run_li("jobs", "list", "--db", self.db, code=0)
        self.assertIn("evil\\x1b[2J", r.out)
        r = self.run_li("jobs", "show", "1", "--db", self.db, code=0)
        self.assertIn("evil\\x1b[2J", r.out)
        # The values stored in the database are the file's own, unchanged.
        (stored,), = li.query(self.tmp, "SELECT file_name FROM import_jobs")
        self.assertEqual(stored, name)
        out = os.path.join(self.tmp, "r" + ESC + "[1m.csv")
        r = self.run_li("report", "1", "-o", out, "--db", self.db, code=0)
        self.assertIn("r\\x1b[1m.csv", r.out)
        self.assertTrue(os.path.exists(out))

    def test_queued_import_and_worker_log_escape_the_file_name(self):
        name = self.hostile_csv()
        r = self.run_li("import", name, "--queue", "--db", self.db, code=0)
        self.assertIn("evil\\x1b[2J", r.out)
        self.run_li("worker", "--until-idle", "--db", self.db, code=0)

    def test_error_messages_escape_the_values_they_quote(self):
        r = self.run_li("import", "absent" + ESC + "[31m.csv", "--db", self.db, code=4)
        self.assertIn("absent\\x1b[31m.csv", r.err)
        self.assertIn("introuvable", r.err)
        r = self.run_li("import", "x.csv", "--delimiter", ESC + "]8;;", code=2)
        self.assertIn("\\x1b]8;;", r.err)
        r = self.run_li("jobs", "list", "--status", "ok" + C1_CSI + "2J", "--db", self.db,
                        code=2)
        self.assertIn("ok\\u009b2J", r.err)

    def test_non_utf8_bytes_in_a_name_are_shown_not_sent(self):
        # A Latin-1 file name: its bytes are not UTF-8.
        name = b"caf\xe9\x9b.csv"
        with open(os.path.join(self.tmp.encode(), name), "wb") as f:
            f.write(b"Email,Nom\r\nx@exemple.fr,Dupont\r\n")
        # import keeps the path in the job (JSON, UTF-8 only): refused, named.
        r = self.run_li("import", os.fsdecode(name), "--db", self.db, code=2)
        self.assertIn("caf\\xe9\\x9b.csv", r.err)
        self.assertIn("UTF-8", r.err)
        # sniff goes through JSON, where a stray byte is read as Latin-1:
        # the name stays readable, and U+009B is shown, not sent.
        r = self.run_li("sniff", os.fsdecode(name), code=0)
        self.assertIn("café\\u009b.csv", r.out)
        r = self.run_li("sniff", os.fsdecode(name), "--json", code=0)
        self.assertEqual(r.json()["file"], "café\u009b.csv")

    def test_users_and_mappings_escape_what_they_quote(self):
        self.run_li("migrate", "--db", self.db, code=0)
        r = self.run_li("users", "add", "a@exemple.fr", "--name", "Bob" + ESC + "[1m",
                        "--role", "admin", "--db", self.db, code=2)
        self.assertIn("Bob\\x1b[1m", r.err)
        r = self.run_li("users", "disable", "x" + ESC + "@exemple.fr", "--db", self.db, code=2)
        self.assertIn("x\\x1b@exemple.fr", r.err)
        name = self.hostile_csv()
        r = self.run_li("mappings", "save", "salon" + ESC + "[5m", name, "--db", self.db)
        self.assertIn("salon\\x1b[5m", r.out + r.err)
        self.run_li("mappings", "list", "--db", self.db)

    def test_a_sheet_name_with_a_c1_control_is_escaped(self):
        try:
            import openpyxl
        except ImportError:
            li.skip_visibly("openpyxl absent")
            self.skipTest("openpyxl absent")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Prospects" + C1_CSI + "2J"
        ws.append(["Email", "Nom"])
        ws.append(["x@exemple.fr", "Dupont"])
        path = os.path.join(self.tmp, "classeur.xlsx")
        wb.save(path)
        r = self.run_li("sniff", "classeur.xlsx", code=0)
        self.assertIn("Prospects\\u009b2J", r.out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
