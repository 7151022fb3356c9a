#!/usr/bin/env python3
"""What a file holds never invents, loses or garbles leads (issue 11, points
2, 3 and 9), checked on the leads table after a real import:

  - a quoted notes cell of megabytes with thousands of lines is one refused
    row (field_too_long), never thousands of leads made of its lines, and
    the rows after it are imported; a quote that truly never closes stays
    its own error (row_unterminated_quote) and costs that row only; the
    same in a workbook (a huge inline or shared string, a row of many
    cells);
  - a UTF-8 file with one Windows-1252 row near its start is read as UTF-8:
    every name stays right, the odd row is repaired and named in the
    report; a Windows-1252 file stays Windows-1252;
  - a FIFO, a socket, a device or a directory given as input is refused at
    once with a French message, not waited on, and nothing is imported.
"""
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
from lihelp import lead  # noqa: E402

NOTES = 11  # index of « Notes » in li.HEADER


def setUpModule():
    li.require_binary()


class ReaderTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-safety-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    def p(self, *parts):
        return os.path.join(self.tmp, *parts)

    def imp(self, path, *extra, timeout=None):
        args = ["import", path, "--db", li.db_url(self.tmp), "--report", self.p("rapport.csv")]
        r = li.run(args + list(extra), cwd=self.tmp)
        li.assert_no_crash(self, r)
        return r

    def leads(self, cols="first_name, last_name, email"):
        if not os.path.exists(li.db_path(self.tmp)):
            return []
        return li.query(self.tmp, "SELECT %s FROM leads ORDER BY email" % cols)

    def people(self, n, start=0):
        return [lead("Prénom%d" % i, "Nom%d" % i, "p%d@exemple.fr" % i,
                     "06 12 34 %02d %02d" % (i // 100 % 100, i % 100), "Société %d" % i)
                for i in range(start, start + n)]


class LongQuotedCells(ReaderTest):
    def test_multi_line_notes_cell_over_a_mib_is_one_refused_row(self):
        notes = "\n".join("ligne %d des notes de l'appel, assez longue" % i
                          for i in range(40000))
        self.assertGreater(len(notes.encode()), 1 << 20)
        rows = self.people(3)
        big = lead("Bob", "Martin", "bob.martin@exemple.fr", "06 99 88 77 66", "Big",
                   notes=notes)
        rows = rows[:2] + [big] + rows[2:] + self.people(2, start=10)
        f = li.write_csv(self.p("notes.csv"), rows)
        r = self.imp(f)
        self.assertEqual(r.code, 0, repr(r))
        want = sorted(("Prénom%d" % i, "Nom%d" % i, "p%d@exemple.fr" % i)
                      for i in (0, 1, 2, 10, 11))
        self.assertEqual(self.leads(), [tuple(x) for x in sorted(want, key=lambda t: t[2])])
        # exactly one refused row: the record of the long cell (row 4)
        self.assertEqual(li.report_refused_rows(self.p("rapport.csv")), [4])
        _, _, recs = li.read_report(self.p("rapport.csv"))
        self.assertIn("Champ trop long en colonne 12", recs[1][2])
        self.assertNotIn("Guillemet", recs[1][2])

    def test_closed_cell_of_megabytes_is_not_an_unterminated_quote(self):
        rows = self.people(2)
        rows.insert(1, lead("Eve", "Long", "eve@exemple.fr", "06 11 11 11 11", "Long",
                            notes="appel, relance, " * (200 << 10)))  # quoted, 3.2 MB
        f = li.write_csv(self.p("long.csv"), rows)
        r = self.imp(f)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual([e for _, _, e in self.leads()], ["p0@exemple.fr", "p1@exemple.fr"])
        _, _, recs = li.read_report(self.p("rapport.csv"))
        self.assertEqual([int(x[0]) for x in recs[1:]], [3])
        message = recs[1][2]  # « Statut », then the message
        self.assertIn("Champ trop long en colonne 12", message)
        self.assertNotIn("jamais refermé", message)

    def test_cell_of_48_mb_is_skipped_in_bounded_memory(self):
        """The rest of a long cell is skipped, not kept: a 48 MB cell costs
        the import no more memory than a small file does."""
        def peak(path, db):
            args = [li.BIN, "import", path, "--db", li.db_url(self.tmp, db), "--report",
                    self.p(db + ".rapport.csv")]
            p = subprocess.Popen(args, cwd=self.tmp, env=li.clean_env(),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                 stdin=subprocess.DEVNULL)
            _, status, ru = os.wait4(p.pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
            return ru.ru_maxrss  # KiB
        small = li.write_csv(self.p("small.csv"), self.people(3))
        with open(self.p("big.csv"), "w", encoding="utf-8", newline="") as fh:
            fh.write(",".join(li.HEADER) + "\r\n")
            for x in self.people(2):
                fh.write(",".join(x) + "\r\n")
            x = self.people(1, start=5)[0]
            fh.write(",".join(x[:NOTES]) + ',"')
            line = "une ligne de notes, de 48 octets à peu près.\r\n"
            fh.write(line * ((48 << 20) // len(line.encode("utf-8"))))
            fh.write('",' + ",".join(x[NOTES + 1:]) + "\r\n")
            for x in self.people(1, start=9):
                fh.write(",".join(x) + "\r\n")
        self.assertGreater(os.path.getsize(self.p("big.csv")), 47 << 20)
        base, big = peak(small, "a.db"), peak(self.p("big.csv"), "b.db")
        self.assertLess(big - base, 16 << 10, "peak RSS %d KiB for the big file, %d for "
                        "the small one" % (big, base))
        self.assertEqual(li.query(self.tmp, "SELECT email FROM leads ORDER BY email",
                                  db="b.db"),
                         [("p0@exemple.fr",), ("p1@exemple.fr",), ("p9@exemple.fr",)])
        self.assertEqual(li.report_refused_rows(self.p("b.db.rapport.csv")), [4])

    def test_quote_never_closed_costs_its_row_only(self):
        lines = [",".join(li.HEADER)]
        lines.append("Ann,Lee,ann@exemple.fr,06 10 10 10 10,\"Lee SA,Gérante,,,,,,,,")
        for x in self.people(30000):
            lines.append(",".join(x))
        data = ("\r\n".join(lines) + "\r\n").encode()
        self.assertGreater(len(data), 2 << 20)  # the quote is open far past 1 MiB
        with open(self.p("stray.csv"), "wb") as fh:
            fh.write(data)
        r = self.imp(self.p("stray.csv"))
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads"), [(30000,)])
        _, _, recs = li.read_report(self.p("rapport.csv"))
        self.assertEqual([int(x[0]) for x in recs[1:]], [2])
        self.assertIn("Guillemet ouvert jamais refermé", recs[1][2])


def xlsx(path, rows_xml, sst=()):
    """A minimal workbook: one sheet of the given rows (XML), shared strings sst."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Default Extension="xml" '
                   'ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="%s"><Relationship'
                   ' Id="r1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>' % (pkg, rel))
        z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook xmlns="%s" xmlns:r="%s">'
                   '<sheets><sheet name="Leads" sheetId="1" r:id="r1"/></sheets></workbook>'
                   % (main, rel))
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="%s">'
                   '<Relationship Id="r1" Type="%s/worksheet" Target="worksheets/s1.xml"/>'
                   '<Relationship Id="r2" Type="%s/sharedStrings" Target="sst.xml"/>'
                   '</Relationships>' % (pkg, rel, rel))
        z.writestr("xl/sst.xml", '<sst xmlns="%s">%s</sst>' % (
            main, "".join("<si><t xml:space=\"preserve\">%s</t></si>" % t for t in sst)))
        z.writestr("xl/worksheets/s1.xml", '<?xml version="1.0"?><worksheet xmlns="%s">'
                   '<sheetData>%s</sheetData></worksheet>' % (main, rows_xml))
    return path


def col(i):
    s = ""
    i += 1
    while i:
        i, m = divmod(i - 1, 26)
        s = chr(65 + m) + s
    return s


def xrow(n, values):
    """Row n: inline strings, or ("s", k) for shared string k."""
    cells = []
    for i, v in enumerate(values):
        ref = "%s%d" % (col(i), n)
        if isinstance(v, tuple):
            cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, v[1]))
        else:
            cells.append('<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                         % (ref, v.replace("&", "&amp;").replace("<", "&lt;")))
    return '<row r="%d">%s</row>' % (n, "".join(cells))


class WorkbookLimits(ReaderTest):
    def test_huge_inline_and_shared_strings_are_one_refused_row_each(self):
        huge = "\n".join("ligne %d des notes" % i for i in range(80000))  # 1.4 MB, lines
        rows = [xrow(1, li.HEADER)]
        people = self.people(4)
        for k, x in enumerate(people):
            x = list(x)
            if k == 1:
                x[NOTES] = huge
            if k == 2:
                x[NOTES] = ("s", 0)
            rows.append(xrow(k + 2, x))
        f = xlsx(self.p("notes.xlsx"), "".join(rows), sst=[huge])
        r = self.imp(f)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual([e for _, _, e in self.leads()], ["p0@exemple.fr", "p3@exemple.fr"])
        self.assertEqual(li.report_refused_rows(self.p("rapport.csv")), [3, 4])
        _, _, recs = li.read_report(self.p("rapport.csv"))
        for rec in recs[1:]:
            self.assertIn("Champ trop long en colonne 12", rec[2])

    def test_row_of_many_cells_is_one_refused_row(self):
        rows = [xrow(1, li.HEADER)]
        people = self.people(3)
        rows.append(xrow(2, people[0]))
        rows.append(xrow(3, list(people[1]) + ["x"] * 600))  # past 512 columns
        rows.append(xrow(4, people[2]))
        f = xlsx(self.p("wide.xlsx"), "".join(rows))
        r = self.imp(f)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual([e for _, _, e in self.leads()], ["p0@exemple.fr", "p2@exemple.fr"])
        self.assertEqual(li.report_refused_rows(self.p("rapport.csv")), [3])


    def test_row_over_a_mib_of_cells_is_one_refused_row(self):
        rows = [xrow(1, li.HEADER)]
        people = self.people(3)
        rows.append(xrow(2, people[0]))
        rows.append(xrow(3, list(people[1]) + ["n" * 60000] * 20))  # 1.2 MB in one row
        rows.append(xrow(4, people[2]))
        f = xlsx(self.p("long.xlsx"), "".join(rows))
        r = self.imp(f)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual([e for _, _, e in self.leads()], ["p0@exemple.fr", "p2@exemple.fr"])
        self.assertEqual(li.report_refused_rows(self.p("rapport.csv")), [3])
        _, _, recs = li.read_report(self.p("rapport.csv"))
        self.assertIn("Ligne trop longue", recs[1][2])


class MixedEncodings(ReaderTest):
    def test_one_windows_1252_row_early_does_not_garble_a_utf8_file(self):
        header = ",".join(li.HEADER).encode("utf-8")
        odd = ",".join(lead("Hélène", "Lefèvre", "odd@exemple.fr", "06 00 00 00 01", "Crème",
                            notes="été " * 400)).encode("cp1252")  # 800 stray bytes
        rows = [header, odd]
        names = []
        for i in range(200):
            first, last = "Séverine%d" % i, "Dupré-Noël"
            names.append((first, last, "s%d@exemple.fr" % i))
            rows.append(",".join(lead(first, last, "s%d@exemple.fr" % i,
                                      "06 11 22 %02d %02d" % (i // 100, i % 100),
                                      "Société Générale")).encode("utf-8"))
        with open(self.p("mixed.csv"), "wb") as fh:
            fh.write(b"\r\n".join(rows) + b"\r\n")
        r = li.run(["sniff", self.p("mixed.csv")], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertIn("utf-8", r.out.lower())
        r = self.imp(self.p("mixed.csv"), "--json")
        self.assertEqual(r.code, 0, repr(r))
        self.assertIn("certaines lignes n'y sont pas", r.out)
        got = self.leads()
        self.assertEqual(len(got), 201)
        self.assertIn(("Hélène", "Lefèvre", "odd@exemple.fr"), got)
        for n in names:
            self.assertIn(n, got)
        self.assertFalse([g for g in got if "Ã" in g[0] + g[1]], "mojibake imported")
        self.assertEqual(li.query(self.tmp, "SELECT company FROM leads WHERE email = ?",
                                  ("s7@exemple.fr",)), [("Société Générale",)])
        # the repaired row is named in the report, with its row number
        statuses = li.report_statuses(self.p("rapport.csv"))
        self.assertEqual([n for n, _ in statuses], [2])

    def test_a_windows_1252_file_stays_windows_1252(self):
        rows = [",".join(li.HEADER).encode("cp1252")]
        for i in range(50):
            rows.append(",".join(lead("Frédéric%d" % i, "Lefèvre", "f%d@exemple.fr" % i,
                                      "06 22 33 %02d %02d" % (i // 100, i % 100),
                                      "Société Générale", notes="CAFÉ” « été »"))
                        .encode("cp1252"))
        with open(self.p("w.csv"), "wb") as fh:
            fh.write(b"\r\n".join(rows) + b"\r\n")
        r = self.imp(self.p("w.csv"))
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads WHERE first_name LIKE "
                                  "'Frédéric%' AND last_name = 'Lefèvre' AND notes = "
                                  "'CAFÉ” « été »'"), [(50,)])


class NotRegularInputs(ReaderTest):
    def refused_fast(self, path, word):
        for cmd in (["sniff", path], ["import", path, "--db", li.db_url(self.tmp)]):
            t0 = time.monotonic()
            r = li.run(cmd, cwd=self.tmp)
            li.assert_no_crash(self, r)
            self.assertLess(time.monotonic() - t0, 20, "waited on %s" % path)
            self.assertEqual(r.code, 4, repr(r))
            self.assertIn(word, r.err)
            self.assertNotIn("No such", r.err)
        self.assertEqual(self.leads(), [])

    def test_fifo_is_refused_at_once(self):
        path = self.p("tube.csv")
        os.mkfifo(path)
        self.refused_fast(path, "tube nommé (FIFO)")

    def test_socket_is_refused_at_once(self):
        path = self.p("s.csv")
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(s.close)
        s.bind(path)
        s.listen(1)
        self.assertTrue(stat.S_ISSOCK(os.stat(path).st_mode))
        self.refused_fast(path, "une socket")

    def test_device_is_refused_at_once(self):
        self.refused_fast("/dev/zero", "périphérique")

    def test_directory_is_refused(self):
        os.mkdir(self.p("dossier.csv"))
        self.refused_fast(self.p("dossier.csv"), "est un dossier")


if __name__ == "__main__":
    li.main()
