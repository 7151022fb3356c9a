#!/usr/bin/env python3
"""What the fuzz targets (tests/fuzz) found, through the whole program.

A workbook whose rows repeat or go back in number (a writer that puts
r="2" on a later row, or r="1" on every row) staged two rows under one
number: with --max-invalid every row is staged before any is committed,
and the later row replaced the earlier, so one lead was silently lost
while the summary said every row was valid. Every row must become a
lead, numbered upwards, and the report must name each row once.
Workbooks are written here with zipfile (no library writes such rows).
"""
import os
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def setUpModule():
    li.require_binary()


def workbook(path, rows):
    """rows: [(r attribute or None, [cell texts])] as inline strings."""
    xml = []
    for r, cells in rows:
        cs = "".join('<c t="inlineStr"><is><t>%s</t></is></c>' % v for v in cells)
        xml.append("<row%s>%s</row>" % (' r="%s"' % r if r is not None else "", cs))
    sheet = '<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (NS, "".join(xml))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="xml" ContentType="application/xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" '
                   'Target="xl/workbook.xml"/></Relationships>' % (PKG, REL))
        z.writestr("xl/workbook.xml",
                   '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Leads" sheetId="1" '
                   'r:id="rId1"/></sheets></workbook>' % (NS, REL))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/worksheet" '
                   'Target="worksheets/sheet1.xml"/></Relationships>' % (PKG, REL))
        z.writestr("xl/worksheets/sheet1.xml", sheet)


class RowNumbersTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-fuzzfound-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    def imported(self, rows, *extra):
        path = os.path.join(self.tmp, "leads.xlsx")
        workbook(path, rows)
        report = os.path.join(self.tmp, "rapport.csv")
        r = li.run(["import", path, "--db", li.db_url(self.tmp), "--report", report] +
                   list(extra), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        leads = li.query(self.tmp, "SELECT last_name, email FROM leads ORDER BY email")
        return r, leads, report

    def test_a_row_number_repeated_loses_no_lead(self):
        rows = [(1, ["Nom", "E-mail"]),
                (2, ["Dupont", "dupont@example.fr"]),
                (3, ["Martin", "martin@example.fr"]),
                (2, ["Durand", "durand@example.fr"]),
                (4, ["Petit", "pas-un-email"])]  # refused: the report lists it once
        for extra in ([], ["--max-invalid", "50%"]):
            with self.subTest(extra=extra):
                r, leads, report = self.imported(rows, *extra)
                self.assertEqual(leads, [("Dupont", "dupont@example.fr"),
                                         ("Durand", "durand@example.fr"),
                                         ("Martin", "martin@example.fr")])
                # numbered upwards: 2, 3, then 4 for the repeated "2", 5 after it
                self.assertEqual(li.report_refused_rows(report), [5])
                os.remove(li.db_path(self.tmp))

    def test_every_row_numbered_one_loses_no_lead(self):
        rows = [(1, ["Nom", "E-mail"])] + [
            (1, ["Nom%d" % i, "contact%d@example.fr" % i]) for i in range(6)]
        r, leads, _ = self.imported(rows, "--max-invalid", "10")
        self.assertEqual(len(leads), 6)


if __name__ == "__main__":
    li.main()
