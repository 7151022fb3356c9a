#!/usr/bin/env python3
"""A workbook whose shared strings outgrow memory imports the same leads.

Past LEADIMPORT_XLSX_SST_MEMORY bytes (16 MiB by default; a few KiB here)
the reader writes the shared-string table to a temporary file in $TMPDIR
and reads it back from there (src/read/xlsx_sst.c). The import must give
exactly the leads of the in-memory read, leave nothing in $TMPDIR, and
when $TMPDIR is full (a small tmpfs, root only, else skipped visibly) stop
with a French error naming the folder, exit 8, no lead written.

The workbook is written by XlsxWriter in its default mode: every text cell
goes through the shared strings, as Excel writes them.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

SYSTEM_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
ROWS = li.rows_for(2000, 500)
SPILL = {"LEADIMPORT_XLSX_SST_MEMORY": "4096"}

CONVERT = r"""
import csv, sys
import xlsxwriter
src, dst = sys.argv[1:3]
wb = xlsxwriter.Workbook(dst, {"strings_to_numbers": False, "strings_to_formulas": False,
                               "strings_to_urls": False})
ws = wb.add_worksheet("Leads")
for r, row in enumerate(csv.reader(open(src, newline="", encoding="utf-8-sig"))):
    ws.write_row(r, 0, row)
wb.close()
"""


def setUpModule():
    li.require_binary()


def leads(tmp, db):
    return li.query(tmp, "SELECT email, phone, last_name FROM leads ORDER BY id", db=db)


class SpilledSharedStrings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cp = subprocess.run([SYSTEM_PYTHON, "-c", "import xlsxwriter"], capture_output=True)
        if cp.returncode != 0:
            li.skip_visibly("python3-xlsxwriter missing: no workbook with shared strings")
        cls._tmp = tempfile.TemporaryDirectory(prefix="li-xlsx-spill-")
        cls.tmp = cls._tmp.name
        csv_path, _ = li.gen_sample(cls.tmp, "leads.csv", ROWS, seed=7)
        cls.book = os.path.join(cls.tmp, "leads.xlsx")
        subprocess.run([SYSTEM_PYTHON, "-c", CONVERT, csv_path, cls.book], check=True,
                       timeout=li.TIMEOUT)
        r = li.run(["import", cls.book, "--db", li.db_url(cls.tmp, "mem.db"), "--json"],
                   cwd=cls.tmp)
        assert r.code == 0, repr(r)
        cls.mem = r.json()
        cls.mem_leads = leads(cls.tmp, "mem.db")
        assert len(cls.mem_leads) > ROWS // 2, len(cls.mem_leads)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def test_spilled_table_gives_the_same_leads_and_leaves_nothing(self):
        tmpdir = tempfile.mkdtemp(prefix="sst-", dir=self.tmp)
        env = dict(SPILL, TMPDIR=tmpdir)
        r = li.run(["import", self.book, "--db", li.db_url(self.tmp, "spill.db"), "--json"],
                   cwd=self.tmp, env=env)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        got = r.json()
        for k in ("rows", "created", "invalid", "duplicates"):
            if k in self.mem:
                self.assertEqual(got.get(k), self.mem[k], k)
        self.assertEqual(leads(self.tmp, "spill.db"), self.mem_leads)
        self.assertEqual(os.listdir(tmpdir), [])

    def test_missing_temp_folder_is_said_in_french_and_imports_nothing(self):
        missing = os.path.join(self.tmp, "absent")
        env = dict(SPILL, TMPDIR=missing)
        r = li.run(["import", self.book, "--db", li.db_url(self.tmp, "missing.db")],
                   cwd=self.tmp, env=env)
        li.assert_no_crash(self, r)
        self.assertNotEqual(r.code, 0, repr(r))
        self.assertIn("textes partagés", r.err)
        self.assertIn(missing, r.err)
        self.assertIn("fichier ou dossier introuvable", r.err)
        if os.path.exists(li.db_path(self.tmp, "missing.db")):
            self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads", db="missing.db"),
                             [(0,)])

    def test_full_temp_folder_is_disk_full_and_imports_nothing(self):
        if os.geteuid() != 0:
            li.skip_visibly("not root: no tmpfs can be mounted for the full temporary folder")
        mnt = tempfile.mkdtemp(prefix="mnt-", dir=self.tmp)
        cp = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs", mnt],
                            capture_output=True, text=True)
        if cp.returncode != 0:
            li.skip_visibly("cannot mount a tmpfs here (%s): full temporary folder not tried"
                            % (cp.stderr.strip() or "exit %d" % cp.returncode))
        self.addCleanup(shutil.rmtree, mnt, True)
        self.addCleanup(subprocess.run, ["umount", "-l", mnt], capture_output=True)
        r = li.run(["import", self.book, "--db", li.db_url(self.tmp, "full.db")],
                   cwd=self.tmp, env=dict(SPILL, TMPDIR=mnt))
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 8, repr(r))
        self.assertIn("le disque est plein", r.err)
        self.assertIn(mnt, r.err)
        if os.path.exists(li.db_path(self.tmp, "full.db")):
            self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads", db="full.db"),
                             [(0,)])
        self.assertEqual(os.listdir(mnt), [])


if __name__ == "__main__":
    li.main()
