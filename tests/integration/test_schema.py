"""Schema upgrades keep every row, and the per-row tables stay cheap to write.

Migration 6 rebuilt import_rows and lead_history: SQLite codes a CHECK's IN
list of three values or more as an ephemeral table built again for every row
inserted, which cost a quarter of the import's instructions. These tests
take a database back to the version 5 shape, upgrade it, and check that the
rows, the report and the refusal of unknown states all survive.
"""
import os
import shutil
import sqlite3
import tempfile
import unittest

import lihelp as li

# The two tables as schema version 5 had them (migrations 1 and 5).
V5_IMPORT_ROWS = (
    "CREATE TABLE import_rows ("
    "  job_id INTEGER NOT NULL REFERENCES import_jobs(id) ON DELETE CASCADE,"
    "  row_no INTEGER NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('valid','invalid','imported','updated','skipped')),"
    "  data TEXT, errors TEXT, lead_id INTEGER, match_key TEXT, match_lead INTEGER,"
    "  PRIMARY KEY (job_id, row_no)) WITHOUT ROWID")
V5_LEAD_HISTORY = (
    "CREATE TABLE lead_history ("
    "  id INTEGER PRIMARY KEY,"
    "  lead_id INTEGER NOT NULL,"
    "  action TEXT NOT NULL CHECK (action IN ('created','updated','assigned','reverted')),"
    "  job_id INTEGER, actor INTEGER, changes TEXT, at TEXT NOT NULL)")


def setUpModule():
    li.require_binary()


class SchemaTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="li-schema-")
        self.db = li.db_path(self.tmp)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def imp(self, path, *extra):
        r = li.run(["import", path, "--db", li.db_url(self.tmp), "--quiet",
                    "--report", os.path.join(self.tmp, "r.csv")] + list(extra), cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        return r

    def sample(self):
        rows = [li.lead("Jean", "Dupont", "jean.dupont@example.fr", "06 12 34 56 78"),
                li.lead("Marie", "Curie", "pas-un-email", "06 98 76 54 32"),
                li.lead("Paul", "Martin", "", ""),
                li.lead("Jean", "Dupont", "jean.dupont@example.fr", "06 12 34 56 78")]
        path = os.path.join(self.tmp, "leads.csv")
        li.write_csv(path, rows)
        return path

    def back_to_v5(self):
        """Rebuilds both tables in their version 5 shape, rows kept."""
        c = sqlite3.connect(self.db)
        with c:
            for table, ddl, extra in (
                    ("import_rows", V5_IMPORT_ROWS, []),
                    ("lead_history", V5_LEAD_HISTORY,
                     ["CREATE INDEX lead_history_lead ON lead_history(lead_id)",
                      "CREATE INDEX lead_history_job ON lead_history(job_id)"
                      "  WHERE job_id IS NOT NULL AND action <> 'created'"])):
                c.execute("ALTER TABLE %s RENAME TO old_%s" % (table, table))
                c.execute(ddl)
                c.execute("INSERT INTO %s SELECT * FROM old_%s" % (table, table))
                c.execute("DROP TABLE old_%s" % table)
                for sql in extra:
                    c.execute(sql)
            c.execute("PRAGMA user_version = 5")
        c.close()

    def dump(self):
        c = sqlite3.connect(self.db)
        try:
            return (c.execute("SELECT * FROM import_rows ORDER BY job_id, row_no").fetchall(),
                    c.execute("SELECT * FROM lead_history ORDER BY id").fetchall())
        finally:
            c.close()

    def test_upgrade_from_v5_keeps_rows_and_report(self):
        self.imp(self.sample())
        with open(os.path.join(self.tmp, "r.csv"), "rb") as f:
            report_before = f.read()
        rows_before, history_before = self.dump()
        self.assertEqual(len(rows_before), 4)
        self.back_to_v5()

        r = li.run(["report", "1", "--db", li.db_url(self.tmp), "-o",
                    os.path.join(self.tmp, "r2.csv")], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        with open(os.path.join(self.tmp, "r2.csv"), "rb") as f:
            self.assertEqual(f.read(), report_before)
        self.assertEqual(li.query(self.tmp, "PRAGMA user_version"), [(12,)])
        self.assertEqual(self.dump(), (rows_before, history_before))
        self.assertEqual(li.query(self.tmp, "PRAGMA integrity_check"), [("ok",)])
        names = {n for (n,) in li.query(self.tmp, "SELECT name FROM sqlite_master WHERE"
                                                  " type = 'index'")}
        self.assertTrue({"import_rows_listed", "lead_history_lead",
                         "lead_history_job"} <= names, names)

        # The upgraded database imports and reverts as a new one does.
        more = os.path.join(self.tmp, "more.csv")
        li.write_csv(more, [li.lead("Ada", "Lovelace", "ada@example.org", "")])
        self.imp(more)
        r = li.run(["jobs", "revert", "2", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))

    def test_unknown_states_are_still_refused(self):
        self.imp(self.sample())
        c = sqlite3.connect(self.db)
        try:
            for sql in ("INSERT INTO import_rows (job_id, row_no, status) VALUES (1, 99, 'bogus')",
                        "INSERT INTO lead_history (lead_id, action, at) VALUES (1, 'bogus', 'x')"):
                with self.assertRaises(sqlite3.IntegrityError, msg=sql):
                    c.execute(sql)
            for i, st in enumerate(("valid", "invalid", "imported", "updated", "skipped")):
                c.execute("INSERT INTO import_rows (job_id, row_no, status) VALUES (1, ?, ?)",
                          (100 + i, st))
            for action in ("created", "updated", "assigned", "reverted"):
                c.execute("INSERT INTO lead_history (lead_id, action, at) VALUES (1, ?, 'x')",
                          (action,))
        finally:
            c.rollback()
            c.close()

    def test_per_row_inserts_build_no_ephemeral_table(self):
        """What the import writes for each row compiles to plain comparisons."""
        self.imp(self.sample())
        c = sqlite3.connect(self.db)
        try:
            for sql, n in (
                    ("INSERT OR REPLACE INTO import_rows (job_id, row_no, status, data, errors,"
                     " lead_id, match_key, match_lead) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", 8),
                    ("INSERT INTO lead_history (lead_id, action, job_id, at)"
                     " VALUES (?, 'created', ?, ?)", 3)):
                ops = {r[1] for r in c.execute("EXPLAIN " + sql, [None] * n)}
                self.assertNotIn("OpenEphemeral", ops, sql)
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
