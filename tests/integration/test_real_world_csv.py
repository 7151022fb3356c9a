#!/usr/bin/env python3
"""Files shaped like real exports import to exactly the leads they hold
(issue 10, points 12 and 9): each test builds a small file of one shape,
imports it into a fresh database, and compares `leadimport export` with the
leads the file holds; `sniff --json` says where the header is and what was
skipped above it.

Shapes: a title block above the header (CSV, Excel-padded CSV, "#" comments,
key/value notes, and a workbook whose header is below notes); pandas' index
column (an empty header cell); repeated header names; a delimiter at the end
of the header line alone; quoted values followed by spaces; MySQL/PHP
backslash-escaped quotes; Shift-JIS text (a warning, not silent mojibake);
and an import killed mid-way in a file with a preamble, which resumes to the
same leads.
"""
import os
import sys
import tempfile
import unittest
import zipfile
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
import test_resume  # noqa: E402  (its classes are not collected here: not module globals)

PREAMBLE_NOTE = "lignes ignorées avant l'en-tête"


def setUpModule():
    li.require_binary()


def xlsx(path, rows):
    """A minimal workbook of one sheet: rows (lists of str or None for no
    cell) as inline strings, each row at its index + 1 (an empty list is a
    row without cells, i.e. absent)."""
    sheet = []
    for r, row in enumerate(rows, 1):
        cells = "".join(
            '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (chr(65 + c), r, escape(v))
            for c, v in enumerate(row) if v)
        if cells:
            sheet.append('<row r="%d">%s</row>' % (r, cells))
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml":
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats'
            '-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml'
            '.worksheet+xml"/></Types>',
        "_rels/.rels":
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="%s/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>' % rel,
        "xl/workbook.xml":
            '<?xml version="1.0"?><workbook %s xmlns:r="%s"><sheets><sheet name="Contacts" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, rel),
        "xl/_rels/workbook.xml.rels":
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>' % rel,
        "xl/worksheets/sheet1.xml":
            '<?xml version="1.0"?><worksheet %s><sheetData>%s</sheetData></worksheet>'
            % (ns, "".join(sheet)),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


class RealWorldShapes(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="li-real-")
        self.tmp = self._tmp.name
        self.n = 0

    def tearDown(self):
        self._tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    def sniff(self, path, *extra):
        r = li.run(["sniff", path, "--json"] + list(extra), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        return r.json()

    def imported(self, path, *extra):
        """Imports path into a database of its own; returns (import JSON, exported records
        as dicts keyed by the export's header)."""
        self.n += 1
        db = "t%d.db" % self.n
        r = li.run(["import", path, "--db", li.db_url(self.tmp, db), "--json"] + list(extra),
                   cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        _, data = li.export(self.tmp, db=db, out=os.path.join(self.tmp, "export%d.csv" % self.n))
        _, _, recs = li.read_semicolon_csv(data)
        return r.json(), [dict(zip(recs[0], rec)) for rec in recs[1:] if rec]

    def assert_leads(self, leads, want):
        """want: (first name, last name, e-mail, phone) of each lead, in file order."""
        got = [(x["Prénom"], x["Nom"], x["E-mail"], x["Téléphone"]) for x in leads]
        self.assertEqual(got, want)

    # --- preamble ---------------------------------------------------------------------

    def test_title_block_above_the_header_is_skipped(self):
        path = self.write("salon.csv",
                          "Liste des prospects du salon;;;\r\n"
                          "Généré le 08/01/2024 par le CRM;;;\r\n"
                          ";;;\r\n"
                          "# colonnes : nom, prénom, e-mail, téléphone\r\n"
                          "Nom;Prénom;Email;Téléphone\r\n"
                          "Dupont;Jean;jean.dupont@exemple.fr;06 12 34 56 78\r\n"
                          "Martin;Luc;luc.martin@exemple.fr;06 98 76 54 32\r\n"
                          "Petit;Anne;pas-une-adresse;\r\n")
        doc = self.sniff(path)
        self.assertTrue(doc["has_header"])
        self.assertEqual((doc["header_row"], doc["skipped_rows"]), (5, 4))
        self.assertEqual([c["header"] for c in doc["mapping"]],
                         ["Nom", "Prénom", "Email", "Téléphone"])
        self.assertEqual([c["field"] for c in doc["mapping"]],
                         ["last_name", "first_name", "email", "phone"])
        self.assertEqual([p["row"] for p in doc["preview"]], [6, 7, 8])
        res, leads = self.imported(path)
        self.assertEqual((res["rows"], res["valid"], res["invalid"]), (3, 2, 1))
        self.assertIn("4 " + PREAMBLE_NOTE, res["header_note"])
        self.assert_leads(leads, [("Jean", "Dupont", "jean.dupont@exemple.fr", "+33612345678"),
                                  ("Luc", "Martin", "luc.martin@exemple.fr", "+33698765432")])
        # the report shows the row as the spreadsheet numbers it
        self.assertEqual(li.report_row_numbers(os.path.join(self.tmp, res["report"])), [8])

        text = li.run(["sniff", path], cwd=self.tmp)
        self.assertIn("En-tête    : oui (ligne 5)", text.out)
        self.assertIn("4 " + PREAMBLE_NOTE, text.out)

    def test_header_option_no_reads_the_title_as_data(self):
        path = self.write("titre.csv", "Prospects\nNom,Email\nDupont,jean@exemple.fr\n")
        doc = self.sniff(path, "--header", "non")
        self.assertFalse(doc["has_header"])
        self.assertEqual((doc["header_row"], doc["skipped_rows"]), (0, 0))
        self.assertEqual([p["row"] for p in doc["preview"]], [1, 2, 3])

    def test_workbook_header_below_notes_is_found(self):
        path = xlsx(os.path.join(self.tmp, "contacts.xlsx"), [
            ["Contacts du salon Batimat"],
            ["Source : stand B12", None, None, "Mis à jour le 08/01/2024"],
            [],
            ["Prénom", "Nom", "E-mail", "Téléphone"],
            ["Jean", "Dupont", "jean.dupont@exemple.fr", "0612345678"],
            ["Luc", "Martin", "luc.martin@exemple.fr", "0698765432"],
        ])
        doc = self.sniff(path)
        self.assertEqual((doc["header_row"], doc["skipped_rows"]), (4, 3))
        self.assertEqual([c["field"] for c in doc["mapping"]],
                         ["first_name", "last_name", "email", "phone"])
        res, leads = self.imported(path)
        self.assertEqual((res["rows"], res["valid"], res["invalid"]), (2, 2, 0))
        self.assert_leads(leads, [("Jean", "Dupont", "jean.dupont@exemple.fr", "+33612345678"),
                                  ("Luc", "Martin", "luc.martin@exemple.fr", "+33698765432")])

    # --- header cells -----------------------------------------------------------------

    def test_pandas_index_column(self):
        path = self.write("pandas.csv",
                          ",first_name,last_name,email,phone\n"
                          "0,Jean,Dupont,jean.dupont@exemple.fr,0612345678\n"
                          "1,Luc,Martin,luc.martin@exemple.fr,0698765432\n")
        doc = self.sniff(path)
        self.assertTrue(doc["has_header"])
        self.assertEqual(doc["mapping"][0]["header"], "Colonne 1")
        self.assertEqual([c["field"] for c in doc["mapping"][1:]],
                         ["first_name", "last_name", "email", "phone"])
        res, leads = self.imported(path)
        self.assertEqual((res["valid"], res["invalid"]), (2, 0))
        self.assert_leads(leads, [("Jean", "Dupont", "jean.dupont@exemple.fr", "+33612345678"),
                                  ("Luc", "Martin", "luc.martin@exemple.fr", "+33698765432")])

    def test_repeated_header_names(self):
        path = self.write("doublons.csv",
                          "Prénom,Nom,Email,Email,Téléphone\n"
                          "Jean,Dupont,jean@exemple.fr,jean.perso@exemple.com,0612345678\n"
                          "Luc,Martin,luc@exemple.fr,,0698765432\n")
        doc = self.sniff(path)
        self.assertTrue(doc["has_header"])
        self.assertEqual([c["header"] for c in doc["mapping"]],
                         ["Prénom", "Nom", "Email", "Email (2)", "Téléphone"])
        self.assertEqual(doc["mapping"][2]["field"], "email")
        self.assertNotEqual(doc["mapping"][3]["field"], "email")
        res, leads = self.imported(path)
        self.assertEqual((res["valid"], res["invalid"]), (2, 0))
        self.assert_leads(leads, [("Jean", "Dupont", "jean@exemple.fr", "+33612345678"),
                                  ("Luc", "Martin", "luc@exemple.fr", "+33698765432")])

    def test_trailing_delimiter_on_the_header_line_alone(self):
        path = self.write("fin.csv",
                          "Prénom;Nom;Email;\n"
                          "Jean;Dupont;jean@exemple.fr\n"
                          "Luc;Martin;luc@exemple.fr\n")
        doc = self.sniff(path)
        self.assertEqual(doc["columns"], 3)
        self.assertNotIn("problem", doc["preview"][0])
        res, leads = self.imported(path)
        self.assertEqual((res["valid"], res["invalid"]), (2, 0))
        self.assert_leads(leads, [("Jean", "Dupont", "jean@exemple.fr", ""),
                                  ("Luc", "Martin", "luc@exemple.fr", "")])

    # --- quotes -----------------------------------------------------------------------

    def test_quoted_values_followed_by_spaces(self):
        path = self.write("espaces.csv",
                          '"first_name" , "last_name" , "email"\n'
                          '"Marie"  ,"Curie"  ,"marie.curie@exemple.fr"  \n'
                          '"Pierre" ,"Curie" ,"pierre.curie@exemple.fr"\n')
        res, leads = self.imported(path)
        self.assertEqual((res["valid"], res["invalid"], res["warnings"]), (2, 0, 0))
        self.assert_leads(leads, [("Marie", "Curie", "marie.curie@exemple.fr", ""),
                                  ("Pierre", "Curie", "pierre.curie@exemple.fr", "")])

    def test_backslash_escaped_quotes_of_a_mysql_export(self):
        path = self.write("mysql.csv",
                          '"id","prenom","nom","email","societe","notes"\n'
                          '"1","Jean","Dupont","jean@exemple.fr","Le \\"Bon\\" Coin",'
                          '"dit \\"rappeler\\", lundi"\n'
                          '"2","Luc","Martin","luc@exemple.fr","Martin & Fils","C:\\\\devis"\n')
        doc = self.sniff(path)
        self.assertEqual(doc.get("escape"), "\\")
        self.assertEqual(doc["preview"][0]["fields"][4], 'Le "Bon" Coin')
        self.assertEqual(doc["preview"][0]["fields"][5], 'dit "rappeler", lundi')
        self.assertEqual(doc["preview"][1]["fields"][5], "C:\\devis")
        res, leads = self.imported(path)
        self.assertEqual((res["valid"], res["invalid"], res["warnings"]), (2, 0, 0))
        self.assertEqual([x["Société"] for x in leads], ['Le "Bon" Coin', "Martin & Fils"])
        self.assertEqual([x["Notes"] for x in leads], ['dit "rappeler", lundi', "C:\\devis"])

    def test_rfc4180_file_with_backslashes_is_unchanged(self):
        path = self.write("chemins.csv",
                          'prenom,nom,email,notes\n'
                          'Jean,Dupont,jean@exemple.fr,"C:\\devis\\"\n'
                          'Luc,Martin,luc@exemple.fr,"dit ""oui"""\n')
        doc = self.sniff(path)
        self.assertNotIn("escape", doc)
        res, leads = self.imported(path)
        self.assertEqual([x["Notes"] for x in leads], ["C:\\devis\\", 'dit "oui"'])

    # --- encodings --------------------------------------------------------------------

    def test_shift_jis_file_gets_a_warning(self):
        text = ("名前,メール,電話\n田中太郎,tanaka@example.jp,03-1234-5678\n"
                "佐藤花子,sato@example.jp,06-9876-5432\n")
        path = self.write("sjis.csv", text.encode("shift_jis"))
        doc = self.sniff(path)
        self.assertEqual(doc["encoding"], "windows-1252")
        self.assertTrue(any("Encodage douteux" in w for w in doc["warnings"]), doc["warnings"])
        res, _ = self.imported(path)
        self.assertTrue(any("Encodage douteux" in w for w in res["warnings_text"]))

    def test_french_windows_1252_file_gets_no_warning(self):
        text = ("Prénom;Nom;Email;Notes\nHélène;Müller;helene@exemple.fr;l’été « 2024 » – 12 €\n"
                "François;Lefèvre;francois@exemple.fr;Œuvre…\n")
        path = self.write("latin.csv", text.encode("cp1252"))
        doc = self.sniff(path)
        self.assertEqual(doc["encoding"], "windows-1252")
        self.assertFalse([w for w in doc["warnings"] if "Encodage" in w])
        _, leads = self.imported(path)
        self.assertEqual([x["Prénom"] for x in leads], ["Hélène", "François"])


class PreambleImportResumes(test_resume.KilledImportResumes):
    """An import of a file with a preamble, killed mid-way, resumes to the
    same leads as an uninterrupted one: the resumed reader skips the same
    rows and numbers the rows alike."""
    PREAMBLE = "Export du CRM\r\n\r\n# généré le 08/01/2024, 3 lignes de notes\r\n"

    @classmethod
    def prepare(cls, tmp, db):
        if getattr(cls, "_prefixed", None) == cls.path:
            return
        with open(cls.path, "rb") as f:
            data = f.read()
        with open(cls.path, "wb") as f:
            f.write(cls.PREAMBLE.encode("utf-8") + data)
        cls._prefixed = cls.path

    def test_every_row_is_staged_exactly_once(self):
        n, distinct, lo, hi = li.query(
            self.tmp, "SELECT count(*), count(DISTINCT row_no), min(row_no), max(row_no)"
                      " FROM import_rows")[0]
        self.assertEqual(n, test_resume.ROWS)
        self.assertEqual(distinct, test_resume.ROWS)
        self.assertEqual((lo, hi), (5, test_resume.ROWS + 4))  # the header is line 4


if __name__ == "__main__":
    li.main()
