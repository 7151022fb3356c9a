#!/usr/bin/env python3
"""Column mappings as a user meets them: typos and unknown headers found,
a remembered mapping proposed again to the next file with the same headers,
named mappings saved, listed, shown, applied and deleted, and a full-name
column split. Every test drives the real binary."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


class MappingTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-map-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)

    def p(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text, encoding="utf-8"):
        with open(self.p(name), "w", encoding=encoding, newline="") as f:
            f.write(text)
        return self.p(name)

    def cli(self, *args, code=0):
        r = li.run(list(args), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def imp(self, path, *extra, code=0):
        r = self.cli("import", path, "--db", self.db, "--json", *extra, code=code)
        return r.json() if r.out.strip() else None

    def sniff(self, path, *extra):
        return self.cli("sniff", path, "--json", *extra).json()

    def export_rows(self):
        r, data = li.export(self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        _, _, recs = li.read_semicolon_csv(data)
        return [dict(zip(recs[0], rec)) for rec in recs[1:] if rec]


class TestAutomaticMapping(MappingTest):
    def test_sniff_gives_each_column_a_field_and_a_reason(self):
        f = self.write("a.csv",
                       "Prénom;Téléphnoe;Colonne mystère;Ville;Divers\r\n"
                       + "".join("P%d;06 12 34 56 %02d;p%d@example.fr;Lyon;x\r\n" % (i, i, i)
                                 for i in range(10)))
        doc = self.sniff(f)
        got = [(c["header"], c["field"], c["reason"]) for c in doc["mapping"]]
        self.assertEqual(got, [("Prénom", "first_name", "header"),
                               ("Téléphnoe", "phone", "fuzzy"),
                               ("Colonne mystère", "email", "values"),
                               ("Ville", "city", "header"),
                               ("Divers", None, "custom")])
        self.assertIn("ressemble à « Téléphone »", doc["mapping"][1]["detail"])
        self.assertEqual(doc["mapping"][2]["detail"],
                         "10 valeurs sur 10 ressemblent à un champ E-mail")
        # The e-mail column was found by its values: no contact warning; but no
        # column holds a name or a company, and every row would fail on it.
        self.assertEqual(len(doc["warnings"]), 1, doc["warnings"])
        self.assertIn("Aucune colonne n'est reconnue comme nom ou société", doc["warnings"][0])
        self.assertIsNone(doc["saved_mapping"])

    def test_plain_sniff_explains_reasons_in_french(self):
        f = self.write("a.csv", "Emial;Nom\r\na@example.fr;Roux\r\n")
        r = self.cli("sniff", f)
        self.assertIn("en-tête reconnu malgré une faute de frappe", r.out)
        self.assertIn("« Emial » ressemble à « E-mail »", r.out)

    def test_import_uses_the_guessed_columns(self):
        f = self.write("a.csv", "Nom complet;Coordonnées;Tel\r\n"
                       + "".join("JEAN DUPONT%d;j%d@example.fr;\r\n" % (i, i) for i in range(6)))
        s = self.imp(f)
        self.assertEqual((s["valid"], s["created"]), (6, 6))
        rows = self.export_rows()
        self.assertEqual({(r["Prénom"], r["Nom"]) for r in rows},
                         {("Jean", "Dupont%d" % i) for i in range(6)})
        self.assertEqual(sorted(r["E-mail"] for r in rows),
                         sorted("j%d@example.fr" % i for i in range(6)))


class TestRememberedMapping(MappingTest):
    HEADER = "Nom;Contact;Entreprise\r\n"

    def rows(self, start, n=6):
        return "".join("Nom%d;c%d@example.fr;Société %d\r\n" % (i, i, i)
                       for i in range(start, start + n))

    def test_the_mapping_of_an_import_is_proposed_again_for_the_same_headers(self):
        first = self.write("janvier.csv", self.HEADER + self.rows(0))
        s = self.imp(first, "--map", "company=Nom", "--map", "last_name=Entreprise")
        self.assertIsNone(s["mapping_note"])
        second = self.write("fevrier.csv", self.HEADER.upper() + self.rows(10))
        doc = self.sniff(second, "--db", self.db)
        self.assertEqual(doc["saved_mapping"]["kind"], "remembered")
        self.assertEqual([(c["field"], c["reason"]) for c in doc["mapping"]],
                         [("company", "remembered"), ("email", "remembered"),
                          ("last_name", "remembered")])
        s = self.imp(second)
        self.assertIn("reprise du dernier import", s["mapping_note"])
        companies = {r["Société"] for r in self.export_rows()}
        self.assertIn("Nom10", companies)  # the --map of January, without repeating it

    def test_mapping_auto_ignores_the_remembered_one(self):
        self.imp(self.write("a.csv", self.HEADER + self.rows(0)), "--map", "company=Nom")
        doc = self.sniff(self.write("b.csv", self.HEADER + self.rows(5)), "--db", self.db,
                         "--mapping", "auto")
        self.assertIsNone(doc["saved_mapping"])
        self.assertEqual(doc["mapping"][0]["field"], "last_name")

    def test_a_column_nothing_matched_is_not_remembered_as_custom(self):
        few = self.write("a.csv", self.HEADER + self.rows(0, n=2))  # too few to guess
        self.imp(few)
        doc = self.sniff(self.write("b.csv", self.HEADER + self.rows(5)), "--db", self.db)
        self.assertEqual(doc["saved_mapping"]["kind"], "remembered")
        self.assertEqual((doc["mapping"][1]["field"], doc["mapping"][1]["reason"]),
                         ("email", "values"))

    def test_no_remember_leaves_nothing_behind(self):
        self.imp(self.write("a.csv", self.HEADER + self.rows(0)), "--map", "company=Nom",
                 "--no-remember")
        doc = self.sniff(self.write("b.csv", self.HEADER + self.rows(5)), "--db", self.db)
        self.assertIsNone(doc["saved_mapping"])

    def test_sniff_never_creates_a_database(self):
        f = self.write("a.csv", self.HEADER + self.rows(0))
        self.sniff(f)
        self.assertFalse(os.path.exists(self.p("leadimport.db")))


class TestNamedMappings(MappingTest):
    def test_save_list_show_apply_delete(self):
        src = self.write("modele.csv", "Raison;Mail;Divers\r\nACME;a@example.fr;x\r\n")
        r = self.cli("mappings", "save", "salon", src, "--db", self.db,
                     "--map", "company=Raison")
        self.assertIn("Correspondance « salon » enregistrée (3 colonnes)", r.out)

        listed = self.cli("mappings", "list", "--db", self.db, "--json").json()
        self.assertEqual([(m["name"], m["columns"]) for m in listed], [("salon", 3)])
        self.assertIn("salon", self.cli("mappings", "list", "--db", self.db).out)

        shown = self.cli("mappings", "show", "salon", "--db", self.db, "--json").json()
        self.assertEqual(shown["mapping"], {"Raison": "company", "Mail": "email", "Divers": None})
        text = self.cli("mappings", "show", "salon", "--db", self.db).out
        self.assertIn("Raison", text)
        self.assertIn("Société", text)
        self.assertIn("(champ personnalisé)", text)

        # Another file, other column order, one column missing.
        f = self.write("salon.csv", "mail;RAISON;Ville\r\nb@example.fr;Globex;Lyon\r\n")
        s = self.imp(f, "--mapping", "salon")
        self.assertEqual(s["created"], 1)
        self.assertEqual(self.export_rows()[0]["Société"], "Globex")
        self.assertTrue(any("« salon » nomme des colonnes absentes" in w
                            for w in s["warnings_text"]) is False)  # Divers is null: not needed

        g = self.write("autre.csv", "Raison;Ville\r\nInitech;Lyon\r\n")
        s = self.imp(g, "--mapping", "salon")
        self.assertTrue(any("absentes de ce fichier : « Mail »" in w for w in s["warnings_text"]),
                        s["warnings_text"])

        r = self.cli("mappings", "delete", "salon", "--db", self.db)
        self.assertIn("supprimée", r.out)
        self.assertIn("Aucune correspondance", self.cli("mappings", "list", "--db", self.db).out)

    def test_unknown_names_and_bad_names_are_usage_errors_in_french(self):
        f = self.write("a.csv", "Email\r\na@example.fr\r\n")
        r = self.cli("import", f, "--db", self.db, "--mapping", "inconnue", code=2)
        self.assertIn("Aucune correspondance enregistrée ne s'appelle « inconnue »", r.err)
        self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs"), [(0,)])
        self.cli("mappings", "show", "inconnue", "--db", self.db, code=2)
        self.cli("mappings", "delete", "inconnue", "--db", self.db, code=2)
        for bad in ("auto", "", "x" * 65, "a\nb"):
            r = self.cli("mappings", "save", bad, f, "--db", self.db, code=2)
            self.assertIn("Nom de correspondance invalide", r.err)
        self.cli("mappings", "--db", self.db, code=2)
        self.cli("mappings", "list", "extra", "--db", self.db, code=2)

    def test_saving_twice_replaces(self):
        f = self.write("a.csv", "Société;Email\r\nACME;a@example.fr\r\n")
        self.cli("mappings", "save", "m", f, "--db", self.db)
        self.cli("mappings", "save", "m", f, "--db", self.db, "--map", "last_name=Société")
        shown = self.cli("mappings", "show", "m", "--db", self.db, "--json").json()
        self.assertEqual(shown["mapping"]["Société"], "last_name")
        listed = self.cli("mappings", "list", "--db", self.db, "--all", "--json").json()
        self.assertEqual(len([m for m in listed if m["name"] == "m"]), 1)


class TestDates(MappingTest):
    def test_day_and_month_are_decided_by_the_whole_column(self):
        # 400 rows that read both ways, then one that only reads day/month:
        # the order comes from row 402, far past the sample.
        rows = ["Nom;Email;Rendez-vous;Signé le"]
        for i in range(400):
            rows.append("N%d;n%d@exemple.fr;%02d/%02d/2024;%02d/%02d/2023"
                        % (i, i, i % 12 + 1, i % 9 + 1, i % 12 + 1, i % 9 + 1))
        rows.append("Z;z@exemple.fr;13/01/2024;01/13/2023")
        f = self.write("d.csv", "\r\n".join(rows) + "\r\n")
        doc = self.sniff(f)
        self.assertEqual([c.get("dates") for c in doc["mapping"]],
                         [None, None, "jour/mois", "mois/jour"])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["warnings"]), (401, 0))
        got = {r["E-mail"]: (r["Rendez-vous"], r["Signé le"]) for r in self.export_rows()}
        self.assertEqual(got["n1@exemple.fr"], ("2024-02-02", "2023-02-02"))
        self.assertEqual(got["n10@exemple.fr"], ("2024-02-11", "2023-11-02"))
        self.assertEqual(got["z@exemple.fr"], ("2024-01-13", "2023-01-13"))

    def test_a_column_that_never_tells_is_read_day_month_with_one_warning(self):
        rows = ["Nom;Email;Date"] + ["N%d;n%d@exemple.fr;0%d/0%d/24" % (i, i, i % 9 + 1, i % 8 + 1)
                                     for i in range(20)]
        f = self.write("d.csv", "\r\n".join(rows) + "\r\n")
        s = self.imp(f)
        self.assertEqual(len(s["warnings_text"]), 1)
        self.assertIn("lue", s["warnings_text"][0])
        got = {r["E-mail"]: r["Date"] for r in self.export_rows()}
        self.assertEqual(got["n9@exemple.fr"], "2024-02-01")  # 01/02/24 read day/month

    def test_excel_serials_iso_and_month_names_in_a_date_column(self):
        rows = ["Nom;Email;Date d'inscription",
                "A;a@exemple.fr;45292", "B;b@exemple.fr;2024-03-07", "C;c@exemple.fr;7 mars 2024",
                "D;d@exemple.fr;March 7, 2024", "E;e@exemple.fr;07/03/2024 10h30",
                "F;f@exemple.fr;pas de date"]
        f = self.write("d.csv", "\r\n".join(rows) + "\r\n")
        s = self.imp(f)
        self.assertEqual((s["valid"], s["warnings"]), (6, 1))
        got = {r["E-mail"]: r["Date d'inscription"] for r in self.export_rows()}
        self.assertEqual(got, {"a@exemple.fr": "2024-01-01", "b@exemple.fr": "2024-03-07",
                               "c@exemple.fr": "2024-03-07", "d@exemple.fr": "2024-03-07",
                               "e@exemple.fr": "2024-03-07 10:30:00",
                               "f@exemple.fr": "pas de date"})

    def test_numbers_without_a_date_header_stay_numbers(self):
        rows = ["Nom;Email;Montant;Code"] + ["N%d;n%d@exemple.fr;%d;%d" % (i, i, 45000 + i, 75001 + i)
                                             for i in range(10)]
        f = self.write("d.csv", "\r\n".join(rows) + "\r\n")
        self.imp(f)
        got = {r["E-mail"]: r["Montant"] for r in self.export_rows()}
        self.assertEqual(got["n3@exemple.fr"], "45003")


class TestRoundTripOfNeutralisedCells(MappingTest):
    def test_cells_export_protects_reimport_unchanged(self):
        f = self.write("a.csv", "Nom;Email;Notes;Poste\r\n"
                       "=Roux;a@example.fr;+33 mieux que rien;@direction\r\n"
                       "-Blanc;b@example.fr;=SOMME(A1);-\r\n")
        self.imp(f)
        r, first = li.export(self.tmp)
        self.assertIn(b"'=Roux", first)
        exported = self.write("export.csv", first.decode("utf-8-sig"), encoding="utf-8-sig")
        again = os.path.join(self.tmp, "again")
        os.mkdir(again)
        r = li.run(["import", exported, "--db", li.db_url(again)], cwd=again)
        self.assertEqual(r.code, 0, repr(r))
        r2, second = li.export(again)
        self.assertEqual(first, second)


if __name__ == "__main__":
    li.main()
