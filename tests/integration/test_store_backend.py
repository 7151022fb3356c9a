#!/usr/bin/env python3
"""The store is chosen by the scheme of --db, and what a backend does for a
big load stays inside it.

- `postgresql://` and `postgres://` name the PostgreSQL backend: with no
  server behind the address, every command, reading or adding, says so in
  French (db_pg_connection), never shows the password, and creates nothing
  on this machine; an unknown
  scheme is not an address (db_url_invalid, exit 2), and the message lists
  the accepted form.
- A lead id is never given twice: after a revert (or leads deleted by
  another program) new leads get new ids, and the history a reverted lead
  left stays its own, on both backends, also in a database made before
  the rule (migration 9 starts above every id its history knows).
- A big import leaves the database with its match key indexes (the SQLite
  backend drops and rebuilds them on its own), and `migrate` repairs them
  when they are missing (an interrupted load, a hand-made change), on both
  backends.
"""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

KEY_INDEXES = ["leads_email", "leads_external_id", "leads_phone"]


def setUpModule():
    li.require_binary()


def key_indexes(tmp):
    return sorted(li.index_names(tmp, "leads") & set(KEY_INDEXES))


class StoreBackendTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-store-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.csv = li.write_csv(os.path.join(self.tmp, "leads.csv"), [li.lead()])

    def test_a_postgresql_url_without_server_is_said(self):
        for url in ("postgresql://u:secret@/leads?host=/nonexistent-li-dir",
                    "postgres:///leads?host=/nonexistent-li-dir"):
            for args in (["jobs", "list"], ["migrate"], ["import", self.csv],
                         ["users", "list"]):
                r = li.run(args + ["--db", url], cwd=self.tmp)
                li.assert_no_crash(self, r)
                self.assertEqual(r.code, 7, repr(r))  # unavailable for now
                self.assertIn("PostgreSQL", r.err)
                self.assertIn("Connexion impossible", r.err)
                self.assertNotIn("secret", r.err)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["leads.csv"])

    def test_an_unknown_scheme_is_not_an_address(self):
        r = li.run(["jobs", "list", "--db", "mysql://localhost/leads"], cwd=self.tmp)
        self.assertEqual(r.code, 2, repr(r))
        self.assertIn("non reconnue", r.err)
        self.assertIn("sqlite:CHEMIN", r.err)
        self.assertEqual(sorted(os.listdir(self.tmp)), ["leads.csv"])

    def test_a_big_import_ends_with_its_indexes_and_migrate_repairs_them(self):
        rows = li.rows_for(25000, 25000)  # above the backend's bulk threshold
        path, expect = li.gen_sample(self.tmp, "big.csv", rows, seed=3)
        r = li.run(["import", path, "--json", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(r.json()["rows"], expect["rows"])
        self.assertEqual(key_indexes(self.tmp), KEY_INDEXES)
        # What an import killed during its bulk load leaves behind.
        li.query(self.tmp, "DROP INDEX leads_email")
        li.query(self.tmp, "DROP INDEX leads_phone")
        r = li.run(["migrate", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(key_indexes(self.tmp), KEY_INDEXES)

    def import_file(self, name, emails, *extra):
        path = li.write_csv(os.path.join(self.tmp, name),
                            [li.lead(first="P%d" % i, email=e, phone="")
                             for i, e in enumerate(emails)])
        r = li.run(["import", path, "--json", "--db", li.db_url(self.tmp)] + list(extra),
                   cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        return r.json()["job_id"]

    def ids(self):
        return li.query(self.tmp, "SELECT id, email FROM leads ORDER BY id")

    def history(self, lead):
        return li.query(self.tmp, "SELECT action, job_id FROM lead_history WHERE lead_id=?"
                        " ORDER BY id", (lead,))

    def test_a_lead_id_is_never_given_twice(self):
        first = self.import_file("a.csv", ["a@exemple.fr", "b@exemple.fr"])
        self.assertEqual(self.ids(), [(1, "a@exemple.fr"), (2, "b@exemple.fr")])
        r = li.run(["jobs", "revert", str(first), "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(self.ids(), [])
        second = self.import_file("b.csv", ["c@exemple.fr", "d@exemple.fr"])
        self.assertEqual(self.ids(), [(3, "c@exemple.fr"), (4, "d@exemple.fr")])
        self.assertEqual(self.history(1), [("created", first), ("reverted", first)])
        self.assertEqual(self.history(3), [("created", second)])
        # leads deleted behind our back, the newest included: still no id again
        li.query(self.tmp, "DELETE FROM leads")
        self.import_file("c.csv", ["e@exemple.fr"])
        self.assertEqual(self.ids(), [(5, "e@exemple.fr")])

    def test_a_database_from_before_the_rule_starts_above_its_history(self):
        first = self.import_file("a.csv", ["a@exemple.fr", "b@exemple.fr", "c@exemple.fr"])
        li.run(["jobs", "revert", str(first), "--db", li.db_url(self.tmp)], cwd=self.tmp)
        # back to version 8: no counter, every lead gone, their history kept
        li.query(self.tmp, "DROP TABLE lead_ids")
        if li.PG:
            li.query(self.tmp, "UPDATE li_schema SET version=8")
        else:
            li.query(self.tmp, "PRAGMA user_version = 8")
        r = li.run(["migrate", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.import_file("b.csv", ["d@exemple.fr"])
        self.assertEqual(self.ids(), [(4, "d@exemple.fr")])


if __name__ == "__main__":
    li.main()
