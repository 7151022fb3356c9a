#!/usr/bin/env python3
"""To whom a lead is assigned survives an export and its re-import.

`export` writes, after « Commercial » (free text), « Assigné à »: the
e-mail of the user the lead is assigned to. An import without --assign
reads that column (and its synonyms) as the assignment: each row goes to
the active user it names; an unknown or disabled user is a warning and the
lead stays unassigned; an explicit --assign (none included) wins. The
« Commercial » text comes back unchanged whatever the assignment does."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

USERS = [("anne.vente@exemple.fr", "Anne Vente"),
         ("luc.vente@exemple.fr", "Luc Vente"),
         ("zoe.vente@exemple.fr", "Zoé Vente")]

HEADER = "Prénom;Nom;Email;Téléphone;Ville;Commercial"
# Nine leads; « Commercial » is free text, some rows without it.
ROWS = ["P%d;Nom%d;lead%d@client.fr;06 12 34 56 %02d;Lyon;%s"
        % (i, i, i, i, "Sophie Martin" if i % 3 == 0 else ("" if i % 3 == 1 else "équipe Sud"))
        for i in range(1, 10)]


def setUpModule():
    li.require_binary()


class ExportAssignTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-expassign-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    def p(self, name):
        return os.path.join(self.tmp, name)

    def cli(self, db, *args, code=0):
        r = li.run(list(args) + ["--db", li.db_url(self.tmp, db)], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def add_users(self, db, users):
        for email, name in users:
            self.cli(db, "users", "add", email, "--name", name, "--role", "commercial")

    def write(self, name, lines):
        with open(self.p(name), "w", encoding="utf-8", newline="") as f:
            f.write("\r\n".join(lines) + "\r\n")
        return self.p(name)

    def imp(self, db, path, *extra):
        r = self.cli(db, "import", path, "--json", "--quiet", *extra)
        return json.loads(r.out)

    def assignees(self, db):
        """{lead e-mail: (owner text, assignee e-mail or None)}"""
        return {e: (o, a) for e, o, a in li.query(
            self.tmp, "SELECT l.email, l.owner, u.email FROM leads l"
            " LEFT JOIN users u ON u.id = l.assigned_to", db=db)}

    def export(self, db, name):
        r, data = li.export(self.tmp, db=db, out=self.p(name))
        self.assertEqual(r.code, 0, repr(r))
        return data

    def source_db(self):
        """t.db: the users, the nine leads given round-robin; returns its export."""
        self.add_users("t.db", USERS)
        doc = self.imp("t.db", self.write("in.csv", [HEADER] + ROWS), "--assign",
                       "round-robin:" + ",".join(e for e, _ in USERS))
        self.assertEqual((doc["created"], doc["assigned"]), (9, 9))
        return self.export("t.db", "e1.csv")

    def test_export_has_the_assignee_email_right_after_commercial(self):
        data = self.source_db()
        _, _, recs = li.read_semicolon_csv(data)
        header = recs[0]
        self.assertEqual(header.index("Assigné à"), header.index("Commercial") + 1)
        want = {e: a for e, (_, a) in self.assignees("t.db").items()}
        got = dict(zip(li.export_column(data, "E-mail"), li.export_column(data, "Assigné à")))
        self.assertEqual(got, want)
        # round-robin in file order: lead1 -> anne, lead2 -> luc, lead3 -> zoé, ...
        self.assertEqual([got["lead%d@client.fr" % i] for i in (1, 2, 3, 4)],
                         [USERS[0][0], USERS[1][0], USERS[2][0], USERS[0][0]])

    def test_unassigned_lead_exports_an_empty_cell(self):
        self.add_users("t.db", USERS[:1])
        self.imp("t.db", self.write("in.csv", [HEADER] + ROWS[:2]), "--assign", "none")
        data = self.export("t.db", "e.csv")
        self.assertEqual(li.export_column(data, "Assigné à"), ["", ""])

    def test_export_reimports_with_the_same_assignees_in_a_new_database(self):
        e1 = self.source_db()
        # the same users, added in another order: matched by e-mail, not by id
        self.add_users("t2.db", list(reversed(USERS)))
        doc = self.imp("t2.db", self.p("e1.csv"))
        self.assertEqual((doc["created"], doc["assigned"], doc["warnings"]), (9, 9, 0))
        self.assertEqual(self.assignees("t2.db"), self.assignees("t.db"))
        self.assertEqual(self.export("t2.db", "e2.csv"), e1)

    def test_a_missing_user_leaves_its_rows_unassigned_with_a_warning(self):
        self.source_db()
        self.add_users("t3.db", USERS[:2])  # zoé is not there
        report = self.p("r.csv")
        doc = self.imp("t3.db", self.p("e1.csv"), "--report", report)
        self.assertEqual((doc["created"], doc["assigned"], doc["warnings"]), (9, 6, 3))
        src, got = self.assignees("t.db"), self.assignees("t3.db")
        for email, (owner, who) in src.items():
            self.assertEqual(got[email][0], owner, email)  # « Commercial » unchanged
            self.assertEqual(got[email][1], None if who == USERS[2][0] else who, email)
        issues = [json.loads(e) for (e,) in li.query(
            self.tmp, "SELECT errors FROM import_rows WHERE errors IS NOT NULL", db="t3.db")]
        self.assertEqual([[(i["code"], i["field"]) for i in e] for e in issues],
                         [[("assign_user_unknown", "assignee")]] * 3)
        _, _, recs = li.read_semicolon_csv(open(report, "rb").read())
        warned = [r for r in recs[1:] if r]
        self.assertEqual(len(warned), 3)
        for rec in warned:
            self.assertEqual(rec[2], "Utilisateur « %s » inconnu : le lead n'est attribué"
                             " à personne" % USERS[2][0])
            self.assertEqual(rec[recs[0].index("Assigné à")], USERS[2][0])

    def test_a_disabled_user_is_a_warning_too(self):
        self.source_db()
        self.add_users("t3.db", USERS)
        self.cli("t3.db", "users", "disable", USERS[1][0])
        doc = self.imp("t3.db", self.p("e1.csv"))
        self.assertEqual((doc["assigned"], doc["warnings"]), (6, 3))
        self.assertNotIn(USERS[1][0], [a for _, a in self.assignees("t3.db").values()])

    def test_assign_none_reads_no_assignment(self):
        self.source_db()
        self.add_users("t4.db", USERS)
        doc = self.imp("t4.db", self.p("e1.csv"), "--assign", "none")
        self.assertEqual((doc["created"], doc["assigned"], doc["warnings"]), (9, 0, 0))
        got = self.assignees("t4.db")
        self.assertEqual({a for _, a in got.values()}, {None})
        self.assertEqual({e: o for e, (o, _) in got.items()},
                         {e: o for e, (o, _) in self.assignees("t.db").items()})

    def test_an_explicit_assign_wins_over_the_column(self):
        self.source_db()
        self.add_users("t5.db", USERS)
        doc = self.imp("t5.db", self.p("e1.csv"), "--assign", "single:" + USERS[1][0])
        self.assertEqual((doc["assigned"], doc["warnings"]), (9, 0))
        self.assertEqual({a for _, a in self.assignees("t5.db").values()}, {USERS[1][0]})

    def test_synonyms_folded_assign_by_email_or_name_and_keep_the_text_as_commercial(self):
        for header in ("Assigned to", "ATTRIBUE A", "assigné"):
            db = "syn-%d.db" % len(header)
            self.add_users(db, USERS)
            path = self.write("syn.csv", ["Nom;Email;" + header,
                                          "Roux;a@client.fr;luc.vente@exemple.fr",
                                          "Blanc;b@client.fr;Zoé Vente",
                                          "Petit;c@client.fr;Personne Inconnue",
                                          "Noir;d@client.fr;"])
            doc = self.imp(db, path)
            self.assertEqual((doc["created"], doc["assigned"], doc["warnings"]), (4, 2, 1), header)
            # no « Commercial » column: the text is kept there, assigned or not
            self.assertEqual(self.assignees(db), {
                "a@client.fr": ("luc.vente@exemple.fr", "luc.vente@exemple.fr"),
                "b@client.fr": ("Zoé Vente", "zoe.vente@exemple.fr"),
                "c@client.fr": ("Personne Inconnue", None),
                "d@client.fr": (None, None)}, header)

    def test_map_assignee_makes_any_column_the_assignment(self):
        self.add_users("t.db", USERS[:1])
        path = self.write("v.csv", ["Nom;Email;Vendeur", "Roux;x1@client.fr;Anne Vente",
                                    "Blanc;x2@client.fr;Paul"])
        doc = self.imp("t.db", path)  # « Vendeur » is free text: no assignment
        self.assertEqual((doc["assigned"], doc["warnings"]), (0, 0))
        doc = self.imp("t2.db", path, "--map", "assignee=Vendeur")
        self.assertEqual((doc["assigned"], doc["warnings"]), (0, 2))  # t2 has no users
        self.add_users("t3.db", USERS[:1])
        doc = self.imp("t3.db", path, "--map", "assignee=Vendeur")
        self.assertEqual((doc["assigned"], doc["warnings"]), (1, 1))
        self.assertEqual(self.assignees("t3.db"), {"x1@client.fr": ("Anne Vente", USERS[0][0]),
                                                   "x2@client.fr": ("Paul", None)})

    def test_sniff_shows_the_column_as_the_assignment(self):
        self.source_db()
        r = self.cli("t.db", "sniff", self.p("e1.csv"), "--json")
        col = [c for c in json.loads(r.out)["mapping"] if c["header"] == "Assigné à"]
        self.assertEqual([(c["field"], c["label"]) for c in col], [("assignee", "Assigné à")])
        r = self.cli("t.db", "sniff", self.p("e1.csv"))
        self.assertRegex(r.out, r"Assigné à\s+-> Assigné à\s+en-tête reconnu")

    def test_column_mode_naming_the_assignment_column_still_works(self):
        self.source_db()
        self.add_users("t6.db", USERS)
        doc = self.imp("t6.db", self.p("e1.csv"), "--assign", "column:Assigné à")
        self.assertEqual((doc["assigned"], doc["warnings"]), (9, 0))
        self.assertEqual({e: a for e, (_, a) in self.assignees("t6.db").items()},
                         {e: a for e, (_, a) in self.assignees("t.db").items()})

    def test_template_offers_the_column_empty_and_imports_without_warning(self):
        r = li.run(["template", "-o", self.p("modele.csv")], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        data = open(self.p("modele.csv"), "rb").read()
        _, _, recs = li.read_semicolon_csv(data)
        self.assertEqual(recs[0][-2:], ["Commercial", "Assigné à"])
        self.assertEqual(li.export_column(data, "Assigné à"), ["", ""])
        doc = self.imp("t.db", self.p("modele.csv"))
        self.assertEqual((doc["created"], doc["assigned"], doc["warnings"]), (2, 0, 0))


if __name__ == "__main__":
    li.main()
