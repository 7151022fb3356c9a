#!/usr/bin/env python3
"""Deduplication stays exact when the key set's fingerprints are narrow.

The key set (src/pipeline/keyset.c) packs a lead's id and a fingerprint of
the key's hash in 32 bits: the larger the ids, the fewer fingerprint bits
(8 once ids need 24 bits), and the more often two different keys look alike.
Every candidate is confirmed against the store, so a look-alike must never
merge two leads. Here the table's largest id is 2^23 (8-bit fingerprints:
a look-alike on about one probe in 256, dozens in this file): every row of a
file of new people creates its lead, and the same file again matches each
row to its own lead, none to another.
"""
import os
import sqlite3
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

ROWS = li.rows_for(6000, 1500)
BIG_ID = 1 << 23


def setUpModule():
    li.require_binary()


class NarrowFingerprints(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="li-keyset-")
        self.addCleanup(self._tmp.cleanup)
        self.tmp = self._tmp.name
        seed = os.path.join(self.tmp, "seed.csv")
        li.write_csv(seed, [li.lead(email="graine@exemple.fr", phone="06 11 22 33 44")])
        r = li.run(["import", seed, "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        con = sqlite3.connect(li.db_path(self.tmp))
        con.execute("UPDATE lead_history SET lead_id = ?", (BIG_ID,))
        con.execute("UPDATE leads SET id = ?", (BIG_ID,))
        con.commit()
        con.close()

    def test_lookalike_keys_never_merge_two_people(self):
        path = os.path.join(self.tmp, "people.csv")
        li.write_csv(path, [li.lead(first="P%d" % i, last="N%d" % i,
                                    email="personne%d@exemple.fr" % i,
                                    phone="06 %02d %02d %02d %02d" % (
                                        20 + i // 1000000, i // 10000 % 100, i // 100 % 100,
                                        i % 100))
                            for i in range(ROWS)])
        r = li.run(["import", path, "--db", li.db_url(self.tmp), "--json"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(r.json()["created"], ROWS)
        rows = li.query(self.tmp, "SELECT id, email FROM leads WHERE id > ? ORDER BY id",
                        (BIG_ID,))
        self.assertEqual(len(rows), ROWS)
        self.assertEqual(len({e for _, e in rows}), ROWS)
        lead_of = {e: i for i, e in rows}

        again = li.run(["import", path, "--db", li.db_url(self.tmp), "--json", "--force"],
                       cwd=self.tmp)
        self.assertEqual(again.code, 0, repr(again))
        self.assertEqual(again.json()["created"], 0)
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM leads"), [(ROWS + 1,)])
        # each row matched its own lead, by its own e-mail
        job = li.query(self.tmp, "SELECT max(id) FROM import_jobs")[0][0]
        matched = li.query(self.tmp, "SELECT r.lead_id, l.email FROM import_rows r"
                           " JOIN leads l ON l.id = r.lead_id WHERE r.job_id = ?", (job,))
        self.assertEqual(len(matched), ROWS)
        for lead_id, email in matched:
            self.assertEqual(lead_of[email], lead_id)


if __name__ == "__main__":
    li.main()
