#!/usr/bin/env python3
"""Duplicate strategies, match keys, assignment modes and revert, as a sales
admin uses them, against a database already holding leads.

Exact counts and exact field values on small hand-written files, for each
strategy (skip, update, create) with each set of match keys, each
assignment mode (none, single, round-robin, column), update with and
without --overwrite and --reassign; on generated files (tools/gen_sample.py
with duplicates) the counts of each strategy agree with each other; a revert
brings the export back byte for byte."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

HEADER = "Prénom;Nom;Email;Téléphone;Ville;ID externe;Commercial;Statut"

# What the database holds before each test: three leads.
BASE = [
    "Anne;Roux;anne@exemple.fr;06 11 11 11 11;Lyon;EXT-1;;prospect",
    "Luc;Blanc;luc@exemple.fr;06 22 22 22 22;;EXT-2;;",
    "Zoé;Petit;zoe@exemple.fr;;Paris;;;client",
]

# The file imported over it: r2..r6 as the spreadsheet numbers them.
INCOMING = [
    "Anne;Roux;ANNE@exemple.fr ;07 99 99 99 99;Marseille;;;chaude",  # r2: e-mail of lead 1
    "Lucien;Blanc;;0622222222;Nantes;;;",                             # r3: phone of lead 2, no e-mail
    "Zoé;Petit;zoe.petit@exemple.fr;;;EXT-1;;",                        # r4: external id of lead 1
    "Marc;Noir;marc@exemple.fr;06 33 33 33 33;Brest;EXT-9;;",          # r5: new
    "Marc;Noir;marc@exemple.fr;;Rennes;;;",                            # r6: e-mail of r5
]

USERS = [("anne.commerciale@exemple.fr", "Anne Commerciale"),
         ("luc.commercial@exemple.fr", "Luc Commercial"),
         ("zoe.inactive@exemple.fr", "Zoé Inactive")]


class StrategyTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-strat-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)
        for email, name in USERS:
            self.cli("users", "add", email, "--name", name, "--role", "commercial")
        self.cli("users", "disable", USERS[2][0])
        self.write("base.csv", [HEADER] + BASE)
        self.imp("base.csv")
        self.users = {e: i for i, e in li.query(self.tmp, "SELECT id, email FROM users")}
        self.base_export = self.export()

    def cli(self, *args, code=0):
        r = li.run(list(args) + ["--db", self.db], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def write(self, name, lines):
        with open(os.path.join(self.tmp, name), "w", encoding="utf-8", newline="") as f:
            f.write("\r\n".join(lines) + "\r\n")
        return name

    def imp(self, name, *opts, code=0):
        r = self.cli("import", name, "--json", "--no-remember", *opts, code=code)
        return r.json() if code == 0 else r

    def incoming(self, *opts):
        self.write("in.csv", [HEADER] + INCOMING)
        return self.imp("in.csv", *opts)

    def export(self):
        r, data = li.export(self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        return data

    def lead(self, email):
        rows = li.query(self.tmp, "SELECT first_name, last_name, phone, city, external_id,"
                                  " custom, assigned_to, duplicate_of, id FROM leads"
                                  " WHERE email=?", (email,))
        self.assertEqual(len(rows), 1, rows)
        keys = ("first_name", "last_name", "phone", "city", "external_id", "custom",
                "assigned_to", "duplicate_of", "id")
        return dict(zip(keys, rows[0]))

    def counts(self, s):
        return (s["created"], s["updated"], s["skipped"], s["flagged"])

    def statuses(self, job):
        return [r[0] for r in li.query(self.tmp, "SELECT status FROM import_rows WHERE job_id=?"
                                                 " ORDER BY row_no", (job,))]


class TestMatchKeysAndStrategies(StrategyTest):
    # (match keys, rows matching something) -> which rows are duplicates. The
    # first key that both the row and the lead have decides: r4 has Anne's
    # external id but another e-mail, so with e-mail first it is someone
    # else; with the phone first, r2 (Anne's e-mail, another phone) is
    # someone else.
    CASES = {
        "email":                   ["dup", "new", "new", "new", "dup"],
        "email,phone":             ["dup", "dup", "new", "new", "dup"],
        "email,phone,external_id": ["dup", "dup", "new", "new", "dup"],
        "external_id":             ["new", "new", "dup", "new", "new"],
        "phone,email":             ["new", "dup", "new", "new", "dup"],
        "external_id,email":       ["dup", "new", "dup", "new", "dup"],
    }

    def test_skip_with_each_set_of_match_keys(self):
        for keys, kinds in self.CASES.items():
            with self.subTest(keys=keys):
                self.setUp()
                s = self.incoming("--match", keys)
                dups = kinds.count("dup")
                self.assertEqual(self.counts(s), (5 - dups, 0, dups, 0))
                self.assertEqual(self.statuses(s["job_id"]),
                                 ["skipped" if k == "dup" else "imported" for k in kinds])

    def test_create_with_each_set_of_match_keys_flags_the_duplicates(self):
        for keys, kinds in self.CASES.items():
            with self.subTest(keys=keys):
                self.setUp()
                s = self.incoming("--match", keys, "--on-duplicate", "create")
                dups = kinds.count("dup")
                self.assertEqual(self.counts(s), (5, 0, 0, dups))
                flagged = li.query(self.tmp, "SELECT count(*) FROM leads"
                                             " WHERE duplicate_of IS NOT NULL")[0][0]
                self.assertEqual(flagged, dups)

    def test_update_with_each_set_of_match_keys(self):
        for keys, kinds in self.CASES.items():
            with self.subTest(keys=keys):
                self.setUp()
                s = self.incoming("--match", keys, "--on-duplicate", "update")
                dups = kinds.count("dup")
                self.assertEqual(s["created"], 5 - dups)
                self.assertEqual(s["updated"] + s["skipped"], dups)

    def test_the_default_keys_are_email_then_phone(self):
        s = self.incoming()
        self.assertEqual(self.counts(s), (2, 0, 3, 0))

    def test_skip_links_the_row_to_the_lead_it_matched(self):
        s = self.incoming()
        linked = li.query(self.tmp, "SELECT row_no, lead_id FROM import_rows WHERE job_id=?"
                                    " AND status='skipped' ORDER BY row_no", (s["job_id"],))
        anne, luc = self.lead("anne@exemple.fr")["id"], self.lead("luc@exemple.fr")["id"]
        marc = self.lead("marc@exemple.fr")["id"]
        self.assertEqual(linked, [(2, anne), (3, luc), (6, marc)])

    def test_create_points_each_copy_to_the_lead_it_matched(self):
        anne = self.lead("anne@exemple.fr")
        self.incoming("--on-duplicate", "create")
        copies = li.query(self.tmp, "SELECT email, duplicate_of FROM leads"
                                    " WHERE duplicate_of IS NOT NULL ORDER BY id")
        marc_first = li.query(self.tmp, "SELECT min(id) FROM leads WHERE email=?",
                              ("marc@exemple.fr",))[0][0]
        self.assertEqual(copies, [("anne@exemple.fr", anne["id"]),
                                  (None, self.lead("luc@exemple.fr")["id"]),
                                  ("marc@exemple.fr", marc_first)])


class TestTheOldestLeadIsMatched(StrategyTest):
    def test_a_row_meets_the_oldest_of_the_leads_with_its_e_mail(self):
        # A flagged copy of Anne (her e-mail, a phone of its own), then a
        # file whose first row meets the copy by that phone alone and whose
        # second row has Anne's e-mail: it meets Anne, the oldest, as when
        # every lead is read in order. The key set's order is not the ids'
        # when the keys are looked up (ctest runs this file with them forced
        # too): the copy, found first through its phone, was taken.
        anne = self.lead("anne@exemple.fr")["id"]
        self.write("copie.csv", [HEADER, "Anne;Roux;anne@exemple.fr;06 44 44 44 44;;;;"])
        self.assertEqual(self.imp("copie.csv", "--on-duplicate", "create")["flagged"], 1)
        copy = li.query(self.tmp, "SELECT id FROM leads WHERE duplicate_of=?", (anne,))[0][0]
        self.write("deux.csv", [HEADER, "Inconnu;Sans;;06 44 44 44 44;;;;",
                                "Anne;Roux;anne@exemple.fr;;;;;"])
        s = self.imp("deux.csv")
        linked = li.query(self.tmp, "SELECT row_no, lead_id FROM import_rows WHERE job_id=?"
                                    " AND status='skipped' ORDER BY row_no", (s["job_id"],))
        self.assertEqual(linked, [(2, copy), (3, anne)])


class TestSharedPhone(StrategyTest):
    """Colleagues reached through one switchboard number: the e-mail decides
    when both sides have one, the phone only when one side has none. Lead 1
    (Anne) holds 06 11 11 11 11 in the base."""

    SWITCHBOARD = [
        "Paul;Vidal;paul@exemple.fr;06 11 11 11 11;Lyon;;;",   # r2: Anne's phone, other e-mail
        "Rita;Vidal;rita@exemple.fr;0611111111;;;;",            # r3: the same again
        "Accueil;Roux;;+33 6 11 11 11 11;Villeurbanne;;;",      # r4: no e-mail: Anne
        "Rita;Vidal;rita@exemple.fr;;Bron;;;",                  # r5: r3 again, by e-mail
    ]

    def shared(self, *opts):
        self.write("sb.csv", [HEADER] + self.SWITCHBOARD)
        return self.imp("sb.csv", "--report", "rapport.csv", *opts)

    def outcome(self, job):
        return li.query(self.tmp, "SELECT row_no, status, lead_id, match_key, match_lead"
                                  " FROM import_rows WHERE job_id=? ORDER BY row_no", (job,))

    def report(self):
        _, _, recs = li.read_report(os.path.join(self.tmp, "rapport.csv"))
        self.assertEqual(recs[0][:3], ["Ligne", "Statut", "Erreurs"])
        return [tuple(r[:2]) for r in recs[1:] if r]

    def assert_skipped_as_colleagues(self, s):
        """Paul and Rita created, the row without e-mail Anne's, Rita's repeat hers."""
        self.assertEqual(self.counts(s), (2, 0, 2, 0))
        anne = self.lead("anne@exemple.fr")["id"]
        paul, rita = self.lead("paul@exemple.fr")["id"], self.lead("rita@exemple.fr")["id"]
        self.assertEqual(self.outcome(s["job_id"]), [
            (2, "imported", paul, None, None),
            (3, "imported", rita, None, None),
            (4, "skipped", anne, "phone", anne),
            (5, "skipped", rita, "email", rita)])
        return anne, rita

    def test_skip_creates_each_colleague_and_skips_the_row_without_e_mail(self):
        s = self.shared()
        anne, rita = self.assert_skipped_as_colleagues(s)
        self.assertEqual(self.report(), [
            ("4", "ignorée : doublon du lead n° %d (téléphone)" % anne),
            ("5", "ignorée : doublon du lead n° %d (e-mail)" % rita)])
        # Anne herself is untouched.
        self.assertEqual(self.lead("anne@exemple.fr")["city"], "Lyon")
        # jobs show says how many rows the report lists.
        shown = self.cli("jobs", "show", str(s["job_id"])).out
        self.assertIn("rapport              : 2 lignes", shown)
        doc = self.cli("jobs", "show", str(s["job_id"]), "--json").json()
        self.assertEqual(doc["report_rows"], 2)
        self.assertEqual(self.cli("jobs", "show", "1", "--json").json()["report_rows"], 0)

    def test_a_crowd_behind_the_number_changes_nothing(self):
        # 5,000 colleagues of Anne behind her number, each with an e-mail. With
        # the look-ups forced (test_strategies_key_lookup), the first row's
        # phone finds them all: more than the set sized for this file holds,
        # and the committer reads every lead instead, deciding the same.
        crowd = ["Coll%d;Vidal;coll%d@exemple.fr;06 11 11 11 11;;;;" % (i, i)
                 for i in range(5000)]
        self.write("crowd.csv", [HEADER] + crowd)
        self.assertEqual(self.counts(self.imp("crowd.csv")), (5000, 0, 0, 0))
        self.assert_skipped_as_colleagues(self.shared())

    def test_update_fills_the_lead_the_phone_matched_and_creates_the_colleagues(self):
        self.write("base2.csv", [HEADER, "Noé;Gris;;06 44 44 44 44;;;;"])
        self.imp("base2.csv")
        noe = li.query(self.tmp, "SELECT id FROM leads WHERE phone='+33644444444'")[0][0]
        self.SWITCHBOARD = self.SWITCHBOARD + [
            "Noé;Gris;noe@exemple.fr;06 44 44 44 44;Vienne;;;"]  # r6: Noé's phone, he had no e-mail
        s = self.shared("--on-duplicate", "update")
        self.assertEqual(self.counts(s), (2, 2, 1, 0))
        anne = self.lead("anne@exemple.fr")["id"]
        rita = self.lead("rita@exemple.fr")["id"]
        self.assertEqual([r[:4] for r in self.outcome(s["job_id"])][2:], [
            (4, "skipped", anne, "phone"),    # Anne has a city already
            (5, "updated", rita, "email"),    # Rita had none: Bron
            (6, "updated", noe, "phone")])    # Noé gets his e-mail and city
        self.assertEqual(self.lead("noe@exemple.fr")["city"], "Vienne")
        self.assertEqual(self.lead("rita@exemple.fr")["city"], "Bron")
        self.assertEqual(self.report(), [
            ("4", "ignorée : doublon du lead n° %d (téléphone), rien à mettre à jour" % anne),
            ("5", "mise à jour : lead n° %d (e-mail)" % rita),
            ("6", "mise à jour : lead n° %d (téléphone)" % noe)])

    def test_create_flags_only_the_row_without_e_mail(self):
        s = self.shared("--on-duplicate", "create")
        self.assertEqual(self.counts(s), (4, 0, 0, 2))
        anne = self.lead("anne@exemple.fr")["id"]
        paul = self.lead("paul@exemple.fr")
        self.assertIsNone(paul["duplicate_of"])
        rows = self.outcome(s["job_id"])
        rita = rows[1][2]
        copy, again = rows[2][2], rows[3][2]
        self.assertEqual(rows[2:], [(4, "imported", copy, "phone", anne),
                                    (5, "imported", again, "email", rita)])
        flagged = li.query(self.tmp, "SELECT id, duplicate_of FROM leads"
                                     " WHERE duplicate_of IS NOT NULL ORDER BY id")
        self.assertEqual(flagged, [(copy, anne), (again, rita)])
        self.assertEqual(self.report(), [
            ("4", "créée, signalée comme doublon possible du lead n° %d (téléphone)" % anne),
            ("5", "créée, signalée comme doublon possible du lead n° %d (e-mail)" % rita)])

    def test_the_first_key_both_sides_have_decides_in_any_order(self):
        # external_id first: the id decides whatever the e-mail; an e-mail
        # decides only when one side has no id.
        self.write("ext.csv", [HEADER,
                               "Anne;Roux;anne.roux@ailleurs.fr;;;EXT-1;;",  # r2: Anne by id
                               "Anne;Roux;anne@exemple.fr;;;EXT-7;;",        # r3: another id
                               "Luc;Blanc;luc@exemple.fr;;;;;",              # r4: no id: e-mail
                               "Zoé;Petit;zoe@exemple.fr;;;EXT-3;;"])        # r5: Zoé has no id
        s = self.imp("ext.csv", "--match", "external_id,email,phone", "--report", "rapport.csv")
        self.assertEqual(self.counts(s), (1, 0, 3, 0))

        def lead_id(where, *args):
            return li.query(self.tmp, "SELECT id FROM leads WHERE " + where, args)[0][0]
        anne = lead_id("external_id='EXT-1'")
        other = lead_id("external_id='EXT-7'")
        luc, zoe = lead_id("email='luc@exemple.fr'"), lead_id("email='zoe@exemple.fr'")
        self.assertNotEqual(anne, other)
        self.assertEqual([r[:4] for r in self.outcome(s["job_id"])], [
            (2, "skipped", anne, "external_id"),
            (3, "imported", other, None),
            (4, "skipped", luc, "email"),
            (5, "skipped", zoe, "email")])
        self.assertEqual(self.report()[0],
                         ("2", "ignorée : doublon du lead n° %d (identifiant externe)" % anne))

class TestUpdate(StrategyTest):
    def test_update_fills_only_empty_fields(self):
        s = self.incoming("--on-duplicate", "update")
        # r2 (Anne) and r6 (Marc again) bring nothing the lead lacks: skipped
        self.assertEqual(self.counts(s), (2, 1, 2, 0))
        self.assertEqual(self.statuses(s["job_id"]),
                         ["skipped", "updated", "imported", "imported", "skipped"])
        anne = self.lead("anne@exemple.fr")
        # phone and city were set: kept; the custom "Statut" was set: kept
        self.assertEqual((anne["phone"], anne["city"]), ("+33611111111", "Lyon"))
        luc = self.lead("luc@exemple.fr")
        self.assertEqual(luc["city"], "Nantes")  # was empty
        self.assertEqual(luc["first_name"], "Luc")  # not overwritten
        marc = self.lead("marc@exemple.fr")
        self.assertEqual(marc["city"], "Brest")  # the later row does not overwrite
        history = li.query(self.tmp, "SELECT lead_id, changes FROM lead_history"
                                     " WHERE action='updated' ORDER BY id")
        self.assertEqual(history, [(luc["id"], '{"city":[null,"Nantes"]}')])

    def test_update_with_overwrite_replaces_and_records_old_and_new(self):
        s = self.incoming("--on-duplicate", "update", "--overwrite")
        self.assertEqual(self.counts(s), (2, 3, 0, 0))
        anne = self.lead("anne@exemple.fr")
        self.assertEqual((anne["phone"], anne["city"]), ("+33799999999", "Marseille"))
        self.assertEqual(anne["custom"], '{"Statut":"chaude"}')
        changes = li.query(self.tmp, "SELECT changes FROM lead_history WHERE action='updated'"
                                     " AND lead_id=?", (anne["id"],))[0][0]
        self.assertEqual(changes, '{"phone":["+33611111111","+33799999999"],'
                                  '"city":["Lyon","Marseille"],'
                                  '"custom.Statut":["prospect","chaude"]}')
        marc = self.lead("marc@exemple.fr")
        self.assertEqual(marc["city"], "Rennes")  # the later row of the file updates it

    def test_a_row_that_changes_nothing_is_skipped(self):
        self.write("same.csv", [HEADER, BASE[0]])
        s = self.imp("same.csv", "--on-duplicate", "update", "--overwrite")
        self.assertEqual(self.counts(s), (0, 0, 1, 0))
        self.assertEqual(self.export(), self.base_export)


class TestWhoImports(StrategyTest):
    def test_only_an_active_admin_can_be_named_as_the_importer(self):
        self.cli("users", "add", "chef@exemple.fr", "--name", "Chef", "--role", "admin")
        self.write("in.csv", [HEADER] + INCOMING)
        for who, words in ((USERS[0][0], "seuls les administrateurs importent"),
                           (USERS[2][0], "aucun compte actif"),
                           ("personne@exemple.fr", "aucun compte actif")):
            with self.subTest(who=who):
                r = self.imp("in.csv", "--as", who, code=2)
                self.assertIn(words, r.err)
                self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs")[0][0], 1)
        s = self.imp("in.csv", "--as", "CHEF@exemple.fr")
        chef = li.query(self.tmp, "SELECT id FROM users WHERE email='chef@exemple.fr'")[0][0]
        self.assertEqual(li.query(self.tmp, "SELECT created_by FROM import_jobs WHERE id=?",
                                  (s["job_id"],)), [(chef,)])


class TestPhoneType(StrategyTest):
    def test_the_line_type_is_kept_with_the_lead_and_follows_updates(self):
        types = dict(li.query(self.tmp, "SELECT email, phone_type FROM leads"))
        self.assertEqual(types, {"anne@exemple.fr": "mobile", "luc@exemple.fr": "mobile",
                                 "zoe@exemple.fr": None})
        self.write("t.csv", [HEADER, "A;Fixe;fixe@exemple.fr;01 42 68 53 00;;;;",
                             "B;Vert;vert@exemple.fr;0 800 123 456;;;;",
                             "Zoé;Petit;zoe@exemple.fr;04 72 10 30 30;;;;"])
        self.imp("t.csv", "--on-duplicate", "update")
        types = dict(li.query(self.tmp, "SELECT email, phone_type FROM leads"))
        self.assertEqual((types["fixe@exemple.fr"], types["vert@exemple.fr"],
                          types["zoe@exemple.fr"]), ("fixe", "autre", "fixe"))


class TestAssignment(StrategyTest):
    def assigned(self):
        return [r[0] for r in li.query(self.tmp, "SELECT assigned_to FROM leads"
                                                 " WHERE import_job_id=2 ORDER BY import_row")]

    def test_none_leaves_the_leads_unassigned(self):
        s = self.incoming("--assign", "none")
        self.assertEqual(s["assigned"], 0)
        self.assertEqual(self.assigned(), [None, None])

    def test_single_gives_every_created_lead_to_one_user(self):
        s = self.incoming("--assign", "single:" + USERS[0][0], "--on-duplicate", "create")
        self.assertEqual(s["assigned"], 5)
        self.assertEqual(self.assigned(), [self.users[USERS[0][0]]] * 5)
        n = li.query(self.tmp, "SELECT count(*) FROM lead_history WHERE action='assigned'")
        self.assertEqual(n[0][0], 5)

    def test_single_accepts_a_name_as_written_in_any_case(self):
        s = self.incoming("--assign", "single:LUC COMMERCIAL")
        self.assertEqual(self.assigned(), [self.users[USERS[1][0]]] * 2)
        self.assertEqual(s["assigned"], 2)

    def test_round_robin_is_even_and_in_file_order(self):
        lines = [HEADER] + ["P%d;N%d;p%d@exemple.fr;;;;;" % (i, i, i) for i in range(7)]
        self.write("rr.csv", lines)
        s = self.imp("rr.csv", "--assign",
                     "round-robin:%s,%s" % (USERS[0][0], USERS[1][0]))
        a, b = self.users[USERS[0][0]], self.users[USERS[1][0]]
        self.assertEqual(self.assigned(), [a, b, a, b, a, b, a])
        self.assertEqual(s["assigned"], 7)

    def test_column_matches_e_mails_and_names_and_warns_on_the_others(self):
        lines = [HEADER,
                 "A;A;a1@exemple.fr;;;;anne.commerciale@exemple.fr;",
                 "B;B;b1@exemple.fr;;;;LUC commercial;",
                 "C;C;c1@exemple.fr;;;;Zoé Inactive;",
                 "D;D;d1@exemple.fr;;;;Inconnu;",
                 "E;E;e1@exemple.fr;;;;;"]
        self.write("col.csv", lines)
        s = self.imp("col.csv", "--assign", "column:Commercial", "--report", "rapport.csv")
        self.assertEqual(s["created"], 5)
        self.assertEqual(s["assigned"], 2)
        self.assertEqual(s["warnings"], 2)
        self.assertEqual(self.assigned(),
                         [self.users[USERS[0][0]], self.users[USERS[1][0]], None, None, None])
        errors = li.query(self.tmp, "SELECT row_no, errors FROM import_rows WHERE job_id=2"
                                    " AND errors IS NOT NULL ORDER BY row_no")
        self.assertEqual([r[0] for r in errors], [4, 5])
        self.assertIn("désactivé", errors[0][1])
        self.assertIn("Utilisateur « Inconnu » inconnu", errors[1][1])
        # The report lists both, with the warning and the lead's values.
        _, _, recs = li.read_report(os.path.join(self.tmp, "rapport.csv"))
        self.assertEqual([r[:2] for r in recs[1:]], [["4", "importée avec avertissement"],
                                                      ["5", "importée avec avertissement"]])
        self.assertIn("désactivé", recs[1][2])
        self.assertEqual(recs[2][3:6], ["D", "D", "d1@exemple.fr"])

    def test_unknown_or_disabled_users_on_the_command_line_write_nothing(self):
        self.write("in.csv", [HEADER] + INCOMING)
        for spec, words in (("single:personne@exemple.fr", "inconnu"),
                            ("single:" + USERS[2][0], "désactivé"),
                            ("round-robin:%s,nobody@exemple.fr" % USERS[0][0], "inconnu"),
                            ("column:Absente", "introuvable"),
                            ("column:Email", None),
                            ("round-robin:", None),
                            ("tous", None)):
            with self.subTest(spec=spec):
                r = self.imp("in.csv", "--assign", spec, code=2)
                if words:
                    self.assertIn(words, r.err)
                self.assertEqual(li.query(self.tmp, "SELECT count(*) FROM import_jobs")[0][0], 1)

    def test_column_mode_refuses_a_column_mapped_by_hand_to_another_field(self):
        self.write("in.csv", [HEADER] + INCOMING)
        r = self.imp("in.csv", "--map", "city=Commercial", "--assign", "column:Commercial",
                     code=2)
        self.assertIn("déjà associée au champ Ville", r.err)

    def test_update_reassigns_only_with_reassign(self):
        anne_rep, luc_rep = self.users[USERS[0][0]], self.users[USERS[1][0]]
        self.write("a.csv", [HEADER, BASE[0]])
        self.imp("a.csv", "--on-duplicate", "update", "--assign", "single:" + USERS[0][0])
        self.assertIsNone(self.lead("anne@exemple.fr")["assigned_to"])
        self.write("b.csv", [HEADER, "Anne;Roux;anne@exemple.fr;;;;;"])
        s = self.imp("b.csv", "--on-duplicate", "update", "--assign", "single:" + USERS[1][0],
                     "--reassign")
        self.assertEqual(self.counts(s), (0, 1, 0, 0))
        self.assertEqual(self.lead("anne@exemple.fr")["assigned_to"], luc_rep)
        changes = li.query(self.tmp, "SELECT changes FROM lead_history WHERE action='assigned'")
        self.assertEqual(changes, [('{"assigned_to":[null,%d]}' % luc_rep,)])
        self.assertNotEqual(anne_rep, luc_rep)


class TestRevert(StrategyTest):
    def test_revert_of_each_strategy_restores_the_table_byte_for_byte(self):
        for opts in (["--on-duplicate", "skip"],
                     ["--on-duplicate", "update"],
                     ["--on-duplicate", "update", "--overwrite", "--assign",
                      "single:" + USERS[0][0], "--reassign"],
                     ["--on-duplicate", "create", "--assign",
                      "round-robin:%s,%s" % (USERS[0][0], USERS[1][0])]):
            with self.subTest(opts=opts):
                self.setUp()
                s = self.incoming(*opts)
                self.assertNotEqual(self.export(), self.base_export)
                r = self.cli("jobs", "revert", str(s["job_id"]), "--json")
                doc = r.json()
                self.assertEqual(doc["deleted"], s["created"])
                self.assertEqual(doc["kept"], [])
                self.assertEqual(self.export(), self.base_export)
                owners = li.query(self.tmp, "SELECT count(*) FROM leads"
                                            " WHERE assigned_to IS NOT NULL")[0][0]
                self.assertEqual(owners, 0)

    def test_a_lead_changed_since_is_left_alone_and_listed(self):
        self.write("a.csv", [HEADER, "Jean;Durand;jean@exemple.fr;;;;;"])
        first = self.imp("a.csv")
        self.write("b.csv", [HEADER, "Jean;Durand;jean@exemple.fr;;Lille;;;"])
        self.imp("b.csv", "--on-duplicate", "update")
        jean = self.lead("jean@exemple.fr")
        doc = self.cli("jobs", "revert", str(first["job_id"]), "--json").json()
        self.assertEqual((doc["deleted"], doc["kept"]), (0, [jean["id"]]))
        self.assertEqual(self.lead("jean@exemple.fr")["city"], "Lille")
        text = self.cli("jobs", "revert", "2", code=3).err
        self.assertIn("ne peut pas être annulé", text)

    def test_revert_of_an_unknown_job_is_a_usage_error(self):
        r = self.cli("jobs", "revert", "99", code=2)
        self.assertIn("introuvable", r.err)
        self.cli("jobs", "revert", "abc", code=2)
        self.cli("jobs", "frobnicate", code=2)


class TestGeneratedFiles(StrategyTest):
    """A generated file with duplicates, over a database that already holds
    a tenth of its people: each strategy's counts agree with the others."""

    def test_strategies_agree_on_a_generated_file(self):
        path, expect = li.gen_sample(self.tmp, "g.csv", li.rows_for(3000, 1500), seed=21,
                                     dup_rate=0.05)
        results = {}
        for strategy in ("skip", "update", "create"):
            db = "g-%s.db" % strategy
            r = li.run(["import", path, "--db", li.db_url(self.tmp, db), "--json",
                        "--on-duplicate", strategy], cwd=self.tmp)
            self.assertEqual(r.code, 0, repr(r))
            results[strategy] = r.json()
        skip, update, create = results["skip"], results["update"], results["create"]
        for doc in results.values():
            self.assertEqual(doc["valid"], skip["valid"])
        self.assertEqual(skip["created"] + skip["skipped"], skip["valid"])
        self.assertEqual(create["created"], create["valid"])
        self.assertEqual(create["flagged"], skip["skipped"])
        self.assertEqual(update["created"], skip["created"])
        self.assertEqual(update["updated"] + update["skipped"], skip["skipped"])
        self.assertGreater(skip["skipped"], 0)
        self.assertEqual(skip["skipped"], expect["duplicates"])

    def test_a_database_holding_part_of_the_file_changes_only_what_it_must(self):
        """The first third of a generated file is imported first; the whole file
        then finds those leads in the table: with skip the result is the same set
        of leads as importing the whole file into an empty database."""
        import csv
        path, _ = li.gen_sample(self.tmp, "g.csv", li.rows_for(3000, 1500), seed=22,
                                dup_rate=0.05)
        with open(path, encoding="utf-8", newline="") as f:
            recs = list(csv.reader(f))
        prefix = os.path.join(self.tmp, "prefix.csv")
        with open(prefix, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\r\n").writerows(recs[:1 + len(recs) // 3])
        whole = li.run(["import", path, "--db", li.db_url(self.tmp, "whole.db"), "--json"],
                       cwd=self.tmp).json()
        r, whole_export = li.export(self.tmp, db="whole.db", out=os.path.join(self.tmp, "w.csv"))
        for strategy in ("skip", "update", "create"):
            with self.subTest(strategy=strategy):
                db = "p-%s.db" % strategy
                first = li.run(["import", prefix, "--db", li.db_url(self.tmp, db), "--json"],
                               cwd=self.tmp).json()
                rest = li.run(["import", path, "--db", li.db_url(self.tmp, db), "--json",
                               "--on-duplicate", strategy], cwd=self.tmp).json()
                if strategy == "skip":
                    self.assertEqual(first["created"] + rest["created"], whole["created"])
                    r, data = li.export(self.tmp, db=db, out=os.path.join(self.tmp, db + ".csv"))
                    self.assertEqual(sorted(data.splitlines()), sorted(whole_export.splitlines()))
                elif strategy == "update":
                    # The rows already imported bring nothing new; the duplicates of
                    # the file update as they would in an empty database.
                    alone = li.run(["import", path, "--db", li.db_url(self.tmp, "wu.db"),
                                    "--json", "--on-duplicate", "update"], cwd=self.tmp).json()
                    self.assertEqual(first["created"] + rest["created"], alone["created"])
                    self.assertEqual(rest["updated"], alone["updated"])
                else:
                    self.assertEqual(rest["created"], rest["valid"])
                    self.assertEqual(rest["flagged"], first["created"] + whole["skipped"])


if __name__ == "__main__":
    li.main()
