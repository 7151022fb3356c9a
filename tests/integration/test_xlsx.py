#!/usr/bin/env python3
"""XLSX files import to the same leads as the CSV they were made from.

A generated CSV is converted to XLSX by openpyxl (write-only: inline
strings), by XlsxWriter (constant memory) and, when LibreOffice is
installed, by `soffice --convert-to xlsx` (shared strings); each import
must export exactly the leads of the CSV's import, with the same invalid
rows in the report. Damaged workbooks are refused in French with exit
code 4, and an XLSX import killed mid-way resumes like a CSV one.
WorkbookShapes builds, part by part, the shapes of real workbooks that
once went wrong (issue 10) and checks the leads, warnings and messages.

Converters run with Debian's /usr/bin/python3 (python3-openpyxl,
python3-xlsxwriter); a missing one is skipped visibly.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import warnings
import zipfile

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


NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def cell(ref, value):
    """An inline-string cell."""
    return '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, value)


def row(n, *values):
    """Row n of inline strings from column A; None leaves a cell out."""
    return '<row r="%d">%s</row>' % (n, "".join(
        cell("%s%d" % (chr(65 + i), n), v) for i, v in enumerate(values) if v is not None))


def hand_book(path, sheets, sst=(), workbook_pr="", extensions="", styles=None, twice=None):
    """Writes a workbook part by part (zipfile), for shapes no writer library makes:
    sheets = [(name, state or None, rows XML)], sst = the shared strings,
    workbook_pr/extensions = XML put before <sheets> and after it in workbook.xml,
    twice = (entry, data): a second zip entry of that name."""
    wb = ('<?xml version="1.0"?><workbook xmlns="%s" xmlns:r="%s">%s<sheets>%s</sheets>%s'
          '</workbook>' % (NS_MAIN, NS_REL, workbook_pr, "".join(
              '<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>' % (
                  name, i + 1, ' state="%s"' % state if state else "", i + 1)
              for i, (name, state, _) in enumerate(sheets)), extensions))
    rels = "".join('<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>'
                   % (i + 1, NS_REL, i + 1) for i in range(len(sheets)))
    rels += ('<Relationship Id="rS" Type="%s/sharedStrings" Target="sharedStrings.xml"/>'
             '<Relationship Id="rT" Type="%s/styles" Target="styles.xml"/>' % (NS_REL, NS_REL))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                   '</Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="%s"><Relationship '
                   'Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
                   % (NS_PKG, NS_REL))
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0"?><Relationships xmlns="%s">%s</Relationships>'
                   % (NS_PKG, rels))
        z.writestr("xl/styles.xml", styles or '<styleSheet xmlns="%s"/>' % NS_MAIN)
        z.writestr("xl/sharedStrings.xml", '<sst xmlns="%s">%s</sst>' % (
            NS_MAIN, "".join("<si><t>%s</t></si>" % t for t in sst)))
        for i, (_, _, rows) in enumerate(sheets):
            z.writestr("xl/worksheets/sheet%d.xml" % (i + 1),
                       '<?xml version="1.0"?><worksheet xmlns="%s"><sheetData>%s</sheetData>'
                       '</worksheet>' % (NS_MAIN, rows))
        if twice:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: wanted
                z.writestr(*twice)
    return path


def run_measured(args, cwd):
    """Runs leadimport; returns (Run, peak RSS in MiB of that process alone)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen([li.BIN] + args, cwd=cwd, env=li.clean_env(), stdout=out,
                             stderr=err, stdin=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        cp = subprocess.CompletedProcess(args, p.returncode, out.read(), err.read())
    return li.Run(args, cp), ru.ru_maxrss / 1024.0


class WorkbookShapes(unittest.TestCase):
    """Issue 10, points 9, 11 and 13: what a workbook's shape does to an
    import, seen from the command line, with exact leads, warnings and
    messages."""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-xlsx-shapes-")
        cls.tmp = cls._tmp.name

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def p(self, name):
        return os.path.join(self.tmp, name)

    def imp(self, path, db, *opts, code=0):
        r = li.run(["import", path, "--db", li.db_url(self.tmp, db), "--json",
                    "--report", self.p(db + ".erreurs.csv")] + list(opts), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def refused(self, path, db):
        r = li.run(["import", path, "--db", li.db_url(self.tmp, db)], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 4, repr(r))
        if os.path.exists(self.p(db)):
            self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs", db=db),
                             [(0,)])
        return r

    def test_a_csv_named_xlsx_is_refused_not_read_as_csv(self):
        rows = [li.lead(email="a%d@exemple.fr" % i, phone="") for i in range(3)]
        path = li.write_csv(self.p("prospects.xlsx"), rows)
        r = self.refused(path, "renamed.db")
        self.assertEqual(r.err, "leadimport : Le fichier « %s » n'est pas un classeur Excel : "
                         "c'est un fichier texte (un CSV renommé ?) ; s'il s'agit d'un CSV, "
                         "donnez-lui l'extension .csv, sinon ouvrez le fichier d'origine dans "
                         "Excel et enregistrez-le au format .xlsx\n" % path)
        self.assertEqual(li.run(["sniff", path], cwd=self.tmp).code, 4)
        # the same bytes under their true name are read
        csv_path = li.write_csv(self.p("prospects.csv"), rows)
        self.assertEqual(self.imp(csv_path, "csv.db").json()["created"], 3)

    def test_a_zip_that_is_no_workbook_is_refused_as_such(self):
        path = self.p("archive.xlsx")
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("leads.csv", "Email\na@b.fr\n")
        r = self.refused(path, "zip.db")
        self.assertIn("« %s » n'est pas un classeur Excel : c'est une archive zip qui ne contient "
                      "pas de classeur" % path, r.err)

    def test_rows_wider_or_narrower_than_the_header_are_kept(self):
        rows = (row(1, "Prénom", "Nom", "Email", "Téléphone")
                + row(2, "Anne", "Roux", "anne@exemple.fr", "06 12 34 56 78")
                + row(3, "Jean", "Lebon", "jean@exemple.fr")               # narrower
                + row(4, "Lise", "Morel", "lise@exemple.fr", "", None, "à rappeler"))  # wider
        path = hand_book(self.p("ragged.xlsx"), [("Leads", None, rows)])
        doc = self.imp(path, "ragged.db").json()
        self.assertEqual((doc["created"], doc["invalid"], doc["warnings"]), (3, 0, 1))
        self.assertEqual(li.query(self.tmp, "SELECT email FROM leads ORDER BY id", db="ragged.db"),
                         [("anne@exemple.fr",), ("jean@exemple.fr",), ("lise@exemple.fr",)])
        (errors,), = li.query(self.tmp, "SELECT errors FROM import_rows WHERE row_no = 4",
                              db="ragged.db")
        self.assertEqual([(e["code"], e["severity"], e["message"]) for e in json.loads(errors)],
                         [("row_cells_ignored", "warning", "Valeurs ignorées à partir de la "
                           "colonne 6 : le tableau n'a que 4 colonnes")])

    def test_an_empty_first_sheet_is_skipped_and_said(self):
        rows = (row(1, "Nom", "Email") + row(2, "Roux", "anne@exemple.fr")
                + row(3, "Lebon", "jean@exemple.fr"))
        path = hand_book(self.p("couverture.xlsx"),
                         [("Couverture", None, '<row r="1"><c r="A1" s="0"/></row>'),
                          ("Brouillon", "hidden", row(1, "x")), ("Leads", None, rows)])
        notice = ("La feuille « Couverture » est vide : la feuille « Leads », la première qui "
                  "contient des lignes, a été lue à sa place (--sheet pour en choisir une autre)")
        doc = self.imp(path, "cover.db").json()
        self.assertEqual(doc["created"], 2)
        self.assertEqual(doc["warnings_text"], [notice])
        text = li.run(["import", path, "--db", li.db_url(self.tmp, "cover2.db")], cwd=self.tmp)
        self.assertEqual(text.code, 0, repr(text))
        self.assertIn("\n  Attention : %s\n" % notice, text.out)
        sniff = li.run(["sniff", path, "--json"], cwd=self.tmp)
        self.assertEqual(sniff.code, 0, repr(sniff))
        doc = sniff.json()
        self.assertEqual(doc["sheet"], "Leads")
        self.assertEqual(doc["warnings"], [notice])
        self.assertEqual([s["current"] for s in doc["sheets"]], [False, False, True])
        self.assertIn("Attention : %s" % notice, li.run(["sniff", path], cwd=self.tmp).out)

    def test_without_a_header_a_wider_later_row_keeps_its_cells(self):
        # empty cells are absent from the XML: the first row's width is no table's
        rows = (row(1, "Dupont", "dupont@exemple.fr") + row(2, "Martin", "martin@exemple.fr",
                                                              "06 12 34 56 78")
                + row(3, "Petit", "petit@exemple.fr", "06 98 76 54 32"))
        path = hand_book(self.p("sans-entete.xlsx"), [("Feuil1", None, rows)])
        doc = self.imp(path, "nohdr.db", "--header", "non", "--map", "last_name=#1",
                       "--map", "email=#2", "--map", "phone=#3").json()
        self.assertEqual((doc["valid"], doc["invalid"], doc["warnings"]), (3, 0, 0))
        self.assertEqual(li.query(self.tmp, "SELECT last_name, phone FROM leads ORDER BY id",
                                  db="nohdr.db"),
                         [("Dupont", None), ("Martin", "+33612345678"),
                          ("Petit", "+33698765432")])

    def test_an_empty_sheet_is_not_called_an_empty_file(self):
        path = hand_book(self.p("vide.xlsx"), [("Feuil1", None, "")])
        r = self.refused(path, "empty.db")
        self.assertEqual(r.err, "leadimport : La feuille « Feuil1 » du classeur « %s » est vide : "
                         "aucune ligne à importer\n" % path)
        path = hand_book(self.p("vides.xlsx"), [("A", None, ""), ("B", None, "")])
        r = self.refused(path, "empty2.db")
        self.assertEqual(r.err, "leadimport : Le classeur « %s » ne contient aucune ligne à "
                         "importer : aucune de ses feuilles visibles n'a de données\n" % path)

    def test_json_of_a_workbook_names_no_encoding_nor_delimiter(self):
        path = hand_book(self.p("json.xlsx"), [("Leads", None, row(1, "Nom", "Email")
                                                 + row(2, "Roux", "anne@exemple.fr"))])
        doc = self.imp(path, "json.db").json()
        self.assertEqual((doc["format"], doc["encoding"], doc["delimiter"]), ("xlsx", None, None))
        doc = li.run(["sniff", path, "--json"], cwd=self.tmp).json()
        self.assertEqual((doc["format"], doc["encoding"], doc["delimiter"]), ("xlsx", None, None))

    def test_mac_dates_and_elapsed_times(self):
        """1904 dates beside an extension's x14:workbookPr; [h]:mm as a duration."""
        styles = ('<styleSheet xmlns="%s"><numFmts count="1"><numFmt numFmtId="164" '
                  'formatCode="[h]:mm"/></numFmts><cellXfs count="3"><xf numFmtId="0"/>'
                  '<xf numFmtId="14"/><xf numFmtId="164"/></cellXfs><dxfs count="1"><dxf>'
                  '<numFmt numFmtId="164" formatCode="0.00"/></dxf></dxfs></styleSheet>' % NS_MAIN)
        rows = (row(1, "Nom", "Email", "Rendez-vous", "Durée appel")
                + '<row r="2">%s%s<c r="C2" s="1"><v>45292</v></c><c r="D2" s="2">'
                  '<v>1.5208333333333333</v></c></row>' % (cell("A2", "Roux"),
                                                           cell("B2", "anne@exemple.fr")))
        x14 = ('<extLst><ext uri="{79F54976-1DA5-4618-B147-4CDE4B953A38}" xmlns:x14="http://'
               'schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:workbookPr '
               'defaultImageDpi="32767"/></ext></extLst>')
        path = hand_book(self.p("mac.xlsx"), [("Leads", None, rows)],
                         workbook_pr='<workbookPr date1904="1"/>', extensions=x14, styles=styles)
        self.assertEqual(self.imp(path, "mac.db").json()["created"], 1)
        (custom,), = li.query(self.tmp, "SELECT custom FROM leads", db="mac.db")
        self.assertEqual(json.loads(custom), {"Rendez-vous": "2028-01-02",
                                              "Durée appel": "36:30:00"})

    def test_two_zip_entries_of_one_name_are_refused(self):
        rows = row(1, "Email") + row(2, "anne@exemple.fr")
        path = hand_book(self.p("double.xlsx"), [("Leads", None, rows)], twice=(
            "xl/worksheets/sheet1.xml", '<worksheet xmlns="%s"><sheetData>%s</sheetData>'
            '</worksheet>' % (NS_MAIN, row(1, "Email") + row(2, "autre@exemple.fr"))))
        r = self.refused(path, "double.db")
        self.assertIn("deux éléments du même nom (« xl/worksheets/sheet1.xml ») dans son archive "
                      "zip", r.err)

    def test_one_big_shared_string_repeated_stays_small(self):
        """A small workbook whose 1 MiB shared string fills 12,000 cells: 12,000 row
        errors with a short preview, not 800 MB of report and database."""
        n = li.rows_for(12000, 3000)
        rows = [row(1, "Nom", "Email", "Notes")]
        for i in range(2, n + 2):
            rows.append('<row r="%d">%s%s<c r="C%d" t="s"><v>0</v></c></row>' % (
                i, cell("A%d" % i, "N%d" % i), cell("B%d" % i, "p%d@exemple.fr" % i), i))
        path = hand_book(self.p("amplified.xlsx"), [("Leads", None, "".join(rows))],
                         sst=["x" * (1 << 20)])
        self.assertLess(os.path.getsize(path), 256 * 1024)
        report = self.p("amplified.erreurs.csv")
        r, rss = run_measured(["import", path, "--db", li.db_url(self.tmp, "amp.db"), "--json",
                               "--report", report], self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        doc = r.json()
        self.assertEqual((doc["rows"], doc["invalid"], doc["created"]), (n, n, 0))
        _, _, recs = li.read_report(report)
        self.assertEqual(recs[1], ["2", "refusée",
                                   "Champ trop long en colonne 3 : plus de 65536 octets",
                                   "N2", "p2@exemple.fr", "x" * 200 + "…"])
        self.assertLess(os.path.getsize(report), 8 << 20)  # was 787 MB
        self.assertLess(os.path.getsize(self.p("amp.db")), 32 << 20)  # was 793 MB
        if not li.SANITIZE:
            self.assertLess(rss, 96.0)  # MiB; was 131


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
