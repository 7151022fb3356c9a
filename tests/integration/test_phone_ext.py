#!/usr/bin/env python3
"""Phone extensions through the whole program: « poste 12 », « x123 »,
« ext. 4 », « #7 » are kept as E.164 followed by ";ext=NN", with the line
type of the number; the export writes that form (behind the apostrophe
that keeps Excel from running it) and importing the export again gives
the same leads, with no error. Every test drives the real
binary."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


def setUpModule():
    li.require_binary()


class ExtensionTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-ext-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    def cli(self, *args, code=0):
        r = li.run(list(args), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def test_extensions_are_kept_and_survive_export_and_reimport(self):
        path = os.path.join(self.tmp, "standard.csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("Nom;Email;Téléphone\r\n"
                    "Accueil;accueil@exemple.fr;01 23 45 67 89 poste 12\r\n"
                    "Compta;compta@exemple.fr;01 23 45 67 89 x123\r\n"
                    "Ventes;ventes@exemple.fr;+33 1 23 45 67 89 ext. 4\r\n"
                    "Atelier;atelier@exemple.fr;06 12 34 56 78 #7\r\n")
        self.cli("import", path, "--db", li.db_url(self.tmp))
        want = [("accueil@exemple.fr", "+33123456789;ext=12", "fixe"),
                ("compta@exemple.fr", "+33123456789;ext=123", "fixe"),
                ("ventes@exemple.fr", "+33123456789;ext=4", "fixe"),
                ("atelier@exemple.fr", "+33612345678;ext=7", "mobile")]
        got = li.query(self.tmp, "SELECT email, phone, phone_type FROM leads ORDER BY id")
        self.assertEqual(got, want)
        (invalid,) = li.query(self.tmp, "SELECT rows_invalid FROM import_jobs")[0]
        self.assertEqual(invalid, 0)

        r, data = li.export(self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        phones = li.export_column(data, "Téléphone")
        # ";ext=" makes it no plain signed number: the export neutralises it for
        # Excel with an apostrophe, which the import drops again
        self.assertEqual(phones, ["'" + p for _, p, _ in want])
        again = os.path.join(self.tmp, "export.csv")
        self.cli("import", again, "--db", li.db_url(self.tmp, "b.db"))
        got = li.query(self.tmp, "SELECT email, phone, phone_type FROM leads ORDER BY id",
                       db="b.db")
        self.assertEqual(got, want)


if __name__ == "__main__":
    li.main()
