#!/usr/bin/env python3
"""XLSX files import to the same leads as the CSV they were made from.

A generated CSV is converted to XLSX by openpyxl (write-only: inline
strings), by XlsxWriter (constant memory) and, when LibreOffice is
installed, by `soffice --convert-to xlsx` (shared strings); each import
must export exactly the leads of the CSV's import, with the same invalid
rows in the report. Damaged workbooks are refused in French with exit
code 4, and an XLSX import killed mid-way resumes like a CSV one.

Converters run with Debian's /usr/bin/python3 (python3-openpyxl,
python3-xlsxwriter); a missing one is skipped visibly.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import test_resume  # noqa: E402  (its test classes are not collected here: not module globals)

SYSTEM_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
ROWS = li.rows_for(3000, 800)

# CSV -> XLSX, every cell as text (as an Excel user pasting the CSV as text).
CONVERT = r"""
import csv, sys
engine, src, dst = sys.argv[1:4]
rows = csv.reader(open(src, newline="", encoding="utf-8-sig"))
if engine == "openpyxl":
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Leads")
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in row])
    wb.save(dst)
else:
    import xlsxwriter
    wb = xlsxwriter.Workbook(dst, {"constant_memory": True, "strings_to_numbers": False,
                                   "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet("Leads")
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
"""


def has_module(name):
    cp = subprocess.run([SYSTEM_PYTHON, "-c", "import " + name], capture_output=True)
    return cp.returncode == 0


def convert(engine, src, dst):
    subprocess.run([SYSTEM_PYTHON, "-c", CONVERT, engine, src, dst], check=True,
                   timeout=li.TIMEOUT)
    return dst


def soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(tmp, src):
    """soffice --convert-to xlsx, every column imported as text; returns the path."""
    outdir = os.path.join(tmp, "lo")
    columns = "/".join("%d/2" % i for i in range(1, len(li.HEADER) + 1))  # 2 = text
    subprocess.run([soffice(), "--headless", "--norestore",
                    "-env:UserInstallation=file://" + os.path.join(tmp, "lo-profile"),
                    "--infilter=CSV:44,34,76,1," + columns, "--convert-to", "xlsx",
                    "--outdir", outdir, src],
                   check=True, timeout=li.TIMEOUT, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return os.path.join(outdir, os.path.splitext(os.path.basename(src))[0] + ".xlsx")


def setUpModule():
    li.require_binary()


class SameLeadsAsTheCsv(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-xlsx-")
        cls.tmp = cls._tmp.name
        cls.csv, cls.expect = li.gen_sample(cls.tmp, "leads.csv", ROWS, seed=5)
        cls.ref = cls.import_file(cls.csv, "csv")

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    @classmethod
    def import_file(cls, path, name):
        report = os.path.join(cls.tmp, name + ".erreurs.csv")
        r = li.run(["import", path, "--db", li.db_url(cls.tmp, name + ".db"), "--json",
                    "--report", report], cwd=cls.tmp)
        _, exported = li.export(cls.tmp, db=name + ".db", out=os.path.join(cls.tmp, name + ".out"))
        rows = []
        if os.path.exists(report):
            _, _, recs = li.read_report(report)
            rows = [(rec[0], rec[1]) for rec in recs[1:] if rec]  # row number, code
        return r, exported, rows

    def check_same(self, xlsx, name):
        r, exported, report = self.import_file(xlsx, name)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        ref, exported_ref, report_ref = self.ref
        doc, doc_ref = r.json(), ref.json()
        for key in ("rows", "valid", "invalid", "created", "skipped"):
            self.assertEqual(doc[key], doc_ref[key], key)
        self.assertEqual(doc["rows"], self.expect["rows"])
        self.assertTrue(exported_ref)
        self.assertEqual(exported, exported_ref)
        self.assertEqual(report, report_ref)

    def test_openpyxl_inline_strings(self):
        if not has_module("openpyxl"):
            li.skip_visibly("python3-openpyxl is not installed")
        self.check_same(convert("openpyxl", self.csv, os.path.join(self.tmp, "o.xlsx")), "o")

    def test_xlsxwriter_constant_memory(self):
        if not has_module("xlsxwriter"):
            li.skip_visibly("python3-xlsxwriter is not installed")
        self.check_same(convert("xlsxwriter", self.csv, os.path.join(self.tmp, "w.xlsx")), "w")

    def test_libreoffice_shared_strings(self):
        if not soffice():
            li.skip_visibly("LibreOffice (libreoffice-calc-nogui) is not installed")
        self.check_same(libreoffice_convert(self.tmp, self.csv), "lo")

    def test_sniff_reads_the_workbook(self):
        if not has_module("openpyxl"):
            li.skip_visibly("python3-openpyxl is not installed")
        path = convert("openpyxl", self.csv, os.path.join(self.tmp, "s.xlsx"))
        r = li.run(["sniff", path, "--json"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        doc = r.json()
        self.assertEqual(doc["format"], "xlsx")
        self.assertTrue(doc["has_header"])
        self.assertEqual(doc["columns"], len(li.HEADER))


SHEETS = r"""
import sys
from openpyxl import Workbook
wb = Workbook()
notes = wb.active
notes.title = "Notes"
notes.sheet_state = "hidden"
notes.append(["Rien", "ici"])
a = wb.create_sheet("Salon 2026")
a.append(["Nom", "Email"])
a.append(["Roux", "anne@exemple.fr"])
b = wb.create_sheet("Webinaire")
b.append(["Nom", "Email"])
for i in range(3):
    b.append(["N%d" % i, "n%d@exemple.fr" % i])
wb.save(sys.argv[1])
"""


class Sheets(unittest.TestCase):
    """The first visible sheet by default; --sheet by name or number; an
    unknown sheet is a usage error listing the sheets; sniff lists them."""

    @classmethod
    def setUpClass(cls):
        if not has_module("openpyxl"):
            raise unittest.SkipTest("python3-openpyxl is not installed")
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-xlsx-sheets-")
        cls.tmp = cls._tmp.name
        cls.path = os.path.join(cls.tmp, "classeur.xlsx")
        subprocess.run([SYSTEM_PYTHON, "-c", SHEETS, cls.path], check=True, timeout=li.TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def imp(self, db, *opts, code=0):
        r = li.run(["import", self.path, "--db", li.db_url(self.tmp, db), "--json"] + list(opts),
                   cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def test_the_first_visible_sheet_is_read_by_default(self):
        self.assertEqual(self.imp("a.db").json()["created"], 1)

    def test_sheet_by_name_any_case_or_by_number(self):
        self.assertEqual(self.imp("b.db", "--sheet", "webinaire").json()["created"], 3)
        self.assertEqual(self.imp("c.db", "--sheet", "3").json()["created"], 3)

    def test_an_unknown_sheet_lists_the_sheets_and_writes_nothing(self):
        r = self.imp("d.db", "--sheet", "Salon 2025", code=2)
        self.assertIn("Salon 2025", r.err)
        self.assertIn("Webinaire", r.err)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "d.db")) and
                         li.query(self.tmp, "SELECT count(*) FROM import_jobs", db="d.db")[0][0])

    def test_sniff_lists_every_sheet_with_its_rows(self):
        r = li.run(["sniff", self.path, "--json"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        doc = r.json()
        self.assertEqual(doc["sheet"], "Salon 2026")
        self.assertEqual([(s["name"], s["rows"], s["hidden"], s["current"]) for s in doc["sheets"]],
                         [("Notes", 1, True, False), ("Salon 2026", 2, False, True),
                          ("Webinaire", 4, False, False)])
        text = li.run(["sniff", self.path, "--sheet", "Webinaire"], cwd=self.tmp).out
        self.assertIn("Feuille    : Webinaire", text)
        self.assertIn("(masquée)", text)


class DamagedWorkbooksRefused(unittest.TestCase):
    """Exit code 4 and a French sentence naming the file; never a crash."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-xlsx-bad-")
        cls.tmp = cls._tmp.name

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def refused(self, name, data, words):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        r = li.run(["import", path, "--db", li.db_url(self.tmp)], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 4, repr(r))
        self.assertIn(name, r.err)
        for w in words:
            self.assertIn(w, r.err)

    def test_truncated_workbook(self):
        if not has_module("openpyxl"):
            li.skip_visibly("python3-openpyxl is not installed")
        csv_path = li.write_csv(os.path.join(self.tmp, "t.csv"), [li.lead()] * 50)
        data = open(convert("openpyxl", csv_path, os.path.join(self.tmp, "t.xlsx")), "rb").read()
        self.refused("cut.xlsx", data[: len(data) // 2], ["classeur .xlsx lisible"])

    def test_encrypted_workbook(self):
        ole = bytearray(4096)
        ole[:8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
        ole[1024:1056] = "EncryptedPackage".encode("utf-16-le")
        self.refused("secret.xlsx", bytes(ole), ["mot de passe"])

    def test_excel_97_file(self):
        ole = bytearray(4096)
        ole[:8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
        self.refused("old.xls", bytes(ole), [".xls", ".xlsx ou CSV"])


class KilledXlsxImportResumes(test_resume.KilledImportResumes):
    """test_resume's promises, for an XLSX file: the reader resumes from a
    row's next_offset (a position in the sheet's XML) to the same rows."""

    @classmethod
    def setUpClass(cls):
        if not has_module("xlsxwriter"):
            li.skip_visibly("python3-xlsxwriter is not installed")
        gen_csv = li.gen_sample

        def gen_xlsx(tmp, name, rows, **kw):
            path, expect = gen_csv(tmp, name, rows, **kw)
            return convert("xlsxwriter", path, path + ".xlsx"), expect

        # Past commit.c's BULK_MIN_ROWS (the bulk path), as small as that allows.
        test_resume.ROWS = 25000
        li.gen_sample = gen_xlsx
        try:
            super().setUpClass()
        finally:
            li.gen_sample = gen_csv


if __name__ == "__main__":
    li.main()
