#!/usr/bin/env python3
"""Contacts of real files: no lead lost, no number invented (issue 10).

- A lead with another way to reach it is kept when its e-mail or phone is
  unusable: a warning, the key field empty (it never matches a duplicate)
  and the text kept in a custom field, which an export shows and a
  re-import keeps as it is.
- A national phone number is read in its row's country only: never
  re-read as French (which invented +33 numbers, then false duplicates).
- The words users read: French causes of system errors, a finished job
  without a rate of "0 lignes/s", the help of import naming Excel.
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
from lihelp import lead  # noqa: E402


def setUpModule():
    li.require_binary()


class Base(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-contacts-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    def p(self, *parts):
        return os.path.join(self.tmp, *parts)

    def imp(self, path, *extra, db="t.db"):
        r = li.run(["import", path, "--db", li.db_url(self.tmp, db), "--json"] + list(extra),
                   cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 0, repr(r))
        return r.json()

    def leads(self, db="t.db"):
        rows = li.query(self.tmp, "SELECT last_name, email, phone, custom FROM leads ORDER BY id",
                        db=db)
        return [(ln, em, ph, json.loads(c) if c else {}) for ln, em, ph, c in rows]


class UnusableContact(Base):
    def test_bad_phone_beside_good_email_keeps_the_lead_and_the_text(self):
        f = li.write_csv(self.p("a.csv"), [
            lead("Anne", "Roux", "anne.roux@example.fr", "06 12 34"),
            lead("Luc", "Bon", "pas-un-email", "06 22 33 44 55"),
            lead("Eve", "Rien", "eve@", "N/A"),           # neither usable: invalid
            lead("Paul", "Vide", "", "12"),               # a bad phone alone: invalid
        ])
        s = self.imp(f, "--report", self.p("r.csv"))
        self.assertEqual((s["rows"], s["valid"], s["invalid"], s["created"]), (4, 2, 2, 2))
        self.assertEqual(self.leads(), [
            ("Roux", "anne.roux@example.fr", None, {"Téléphone non reconnu": "06 12 34"}),
            ("Bon", None, "+33622334455", {"E-mail non reconnu": "pas-un-email"}),
        ])

    def test_kept_text_never_matches_as_a_duplicate(self):
        # Two people whose phone cell holds the same junk are two leads.
        f = li.write_csv(self.p("a.csv"), [
            lead("Anne", "Roux", "anne@example.fr", "standard"),
            lead("Luc", "Bon", "luc@example.fr", "standard"),
        ])
        s = self.imp(f)
        self.assertEqual((s["created"], s["skipped"]), (2, 0))

    def test_export_then_reimport_keeps_the_kept_text_as_a_custom_field(self):
        f = li.write_csv(self.p("a.csv"), [
            lead("Anne", "Roux", "anne.roux@example.fr", "06 12 34"),
            lead("Luc", "Bon", "luc@example.fr", "06 22 33 44 55"),
        ])
        self.imp(f)
        r, _ = li.export(self.tmp, out=self.p("export.csv"))
        self.assertEqual(r.code, 0, repr(r))
        s = self.imp(self.p("export.csv"), db="u.db")
        self.assertEqual((s["valid"], s["invalid"], s["created"]), (2, 0, 2))
        self.assertEqual(self.leads(db="u.db"), self.leads())


class CellsThatHoldMore(Base):
    """One value out of a cell that holds more; the whole text kept."""

    def write(self, name, header, rows):
        return li.write_csv(self.p(name), rows, delimiter=";", header=header)

    def test_first_address_or_number_of_a_cell_is_taken_and_the_text_kept(self):
        f = self.write("a.csv", ["Nom", "Email", "Téléphone"], [
            ["Valjean", "Jean Valjean <jean@exemple.fr>", ""],
            ["Pontmercy", "mailto:marius@exemple.fr", ""],
            ["Javert", "javert@exemple.fr; javert.perso@exemple.fr", ""],
            ["Paul", "paul@exemple.fr ::: paul@martin.example", ""],
            ["Roy", "", "06 12 34 56 78 / 01 23 45 67 89"],
            ["Blanc", "", "Tél. : 01 23 45 67 90"],
            ["Noir", "", "01.23.45.67.81 (standard)"],
            ["Gris", "", "+33612345681.0"],
        ])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["invalid"], s["warnings"]), (8, 0, 8))
        got = [(ln, em, ph) for ln, em, ph, _ in self.leads()]
        self.assertEqual(got, [
            ("Valjean", "jean@exemple.fr", None), ("Pontmercy", "marius@exemple.fr", None),
            ("Javert", "javert@exemple.fr", None), ("Paul", "paul@exemple.fr", None),
            ("Roy", None, "+33612345678"), ("Blanc", None, "+33123456790"),
            ("Noir", None, "+33123456781"), ("Gris", None, "+33612345681"),
        ])
        custom = {ln: c for ln, _, _, c in self.leads()}
        self.assertEqual(custom["Javert"],
                         {"E-mail (texte complet)": "javert@exemple.fr; javert.perso@exemple.fr"})
        self.assertEqual(custom["Roy"],
                         {"Téléphone (texte complet)": "06 12 34 56 78 / 01 23 45 67 89"})

    def test_a_damaged_address_is_never_cut_into_another(self):
        # a later piece that happens to be valid would be an invented address
        f = self.write("a.csv", ["Nom", "Email", "Téléphone"], [
            ["Dupont", "marie dupont@gmail.com", ""],
            ["Martin", "jean,martin@free.fr", ""],
            ["Petit", "jean;petit@free.fr", ""],
        ])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["invalid"]), (0, 3))

    def test_an_empty_phone_column_falls_back_on_the_other_phone_column(self):
        f = self.write("a.csv", ["Nom", "Prénom", "Tél. portable", "Tél. fixe", "Mail"], [
            ["Arnaud", "Léon", "06 40 00 00 01", "01 40 00 00 01", ""],
            ["Barbier", "Maud", "", "01 40 00 00 02", ""],
            ["Caron", "Paul", "06 12", "01 40 00 00 03", ""],
        ])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["invalid"]), (3, 0))
        got = [(ln, ph, c) for ln, _, ph, c in self.leads()]
        self.assertEqual(got, [
            ("Arnaud", "+33640000001", {"Tél. fixe": "01 40 00 00 01"}),
            ("Barbier", "+33140000002", {"Tél. fixe": "01 40 00 00 02"}),
            ("Caron", "+33140000003", {"Tél. fixe": "01 40 00 00 03",
                                       "Téléphone non reconnu": "06 12"}),
        ])

    def test_a_repeated_email_header_is_a_fallback_too(self):
        f = self.write("a.csv", ["Nom", "Email", "Email"], [
            ["Marchand", "", "theo@marchand.example"],
            ["Roux", "anne@roux.example", "autre@roux.example"],
        ])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["invalid"]), (2, 0))
        self.assertEqual([em for _, em, _, _ in self.leads()],
                         ["theo@marchand.example", "anne@roux.example"])


class FullNameBesideNameColumns(Base):
    def test_full_name_fills_only_what_the_name_columns_left_empty(self):
        # an export with Given Name, Family Name and Name: a row may have only some
        f = li.write_csv(self.p("a.csv"), [
            ["Jean", "", "Jean Dupont", "jean@exemple.fr"],
            ["", "", "Anne Roux", "anne@exemple.fr"],
            ["Luc", "Bon", "Lucien Bonnet", "luc@exemple.fr"],
            ["Bob", "", "Bob", "bob@exemple.fr"],
        ], header=["Prénom", "Nom", "Nom complet", "Email"])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["invalid"]), (3, 1))
        got = li.query(self.tmp, "SELECT first_name, last_name FROM leads ORDER BY id")
        self.assertEqual(got, [("Jean", "Dupont"), ("Anne", "Roux"), ("Luc", "Bon")])


class SharedNumber(Base):
    """The first match key both sides have decides, also after an update
    gave a lead the key it lacked (the key set looks a lead up by the keys
    it lacks: the rule must hold when that changes)."""

    def test_a_lead_that_gained_an_email_no_longer_matches_another_email(self):
        f = li.write_csv(self.p("a.csv"), [lead("Anne", "Standard", "", "01 42 68 53 00")])
        self.imp(f)
        g = li.write_csv(self.p("b.csv"), [
            lead("Anne", "Standard", "anne@acme.example", "01 42 68 53 00"),  # fills lead 1
            lead("Luc", "Collègue", "luc@acme.example", "01 42 68 53 00"),    # another person
            lead("Sans", "Mail", "", "01 42 68 53 00"),                       # lead 1 (oldest)
        ])
        s = self.imp(g, "--on-duplicate", "update")
        self.assertEqual((s["created"], s["updated"], s["skipped"]), (1, 1, 1))
        got = li.query(self.tmp, "SELECT id, last_name, email FROM leads ORDER BY id")
        self.assertEqual(got, [(1, "Standard", "anne@acme.example"),
                               (2, "Collègue", "luc@acme.example")])


class PhoneRegion(Base):
    def test_national_number_is_read_in_its_rows_country_only(self):
        f = li.write_csv(self.p("a.csv"), [
            # a Swiss local number is also well-formed French: it is Swiss here
            lead("Anne", "Roux", "anne@example.ch", "044 668 18 00", country="Suisse",
                 postal_code="8001", city="Zürich"),
            # not a Belgian number: not re-read as French (+33 would be invented)
            lead("Luc", "Bon", "luc@example.be", "07 32 10 50 98", country="Belgique",
                 postal_code="4000", city="Liège"),
            # written internationally: valid wherever the row is
            lead("Eve", "Loin", "eve@example.be", "+33 6 12 34 56 78", country="Belgique",
                 postal_code="4000", city="Liège"),
            lead("Paul", "Ici", "paul@example.fr", "04 46 68 18 00"),
        ])
        s = self.imp(f)
        self.assertEqual((s["valid"], s["invalid"]), (4, 0))
        got = [(ln, ph, c) for ln, _, ph, c in self.leads()]
        self.assertEqual(got, [
            ("Roux", "+41446681800", {}),
            ("Bon", None, {"Téléphone non reconnu": "07 32 10 50 98"}),
            ("Loin", "+33612345678", {}),
            ("Ici", "+33446681800", {}),
        ])


class Words(Base):
    def test_missing_file_is_explained_in_french(self):
        r = li.run(["import", self.p("absent.csv"), "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 4, repr(r))
        self.assertIn("fichier ou dossier introuvable", r.err)
        self.assertNotIn("No such file", r.err)

    def test_unwritable_output_and_database_are_explained_in_french(self):
        f = li.write_csv(self.p("a.csv"), [lead()])
        r = li.run(["import", f, "--db", "sqlite:" + self.p("nulle-part", "t.db")], cwd=self.tmp)
        self.assertNotEqual(r.code, 0)
        self.assertIn("le fichier ne peut pas être ouvert", r.err)
        self.assertNotIn("unable to open", r.err)
        self.imp(f)
        r = li.run(["export", "--db", li.db_url(self.tmp), "-o", self.p("nulle-part", "x.csv")],
                   cwd=self.tmp)
        self.assertNotEqual(r.code, 0)
        self.assertIn("introuvable", r.err)

    def test_finished_job_shows_its_duration_not_a_zero_rate(self):
        f = li.write_csv(self.p("a.csv"), [lead()])
        self.imp(f)
        r = li.run(["jobs", "show", "1", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertIn("état                 : terminé\n", r.out)
        self.assertNotIn("0 lignes/s", r.out.replace("lignes/s en moyenne", ""))
        self.assertNotIn("étape fini", r.out)
        self.assertIn("  durée                : ", r.out)

    def test_import_help_names_csv_and_excel(self):
        r = li.run(["import", "--help"])
        self.assertEqual(r.code, 0, repr(r))
        self.assertIn("CSV ou classeur Excel", r.out)


if __name__ == "__main__":
    li.main()
