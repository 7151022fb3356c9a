#!/usr/bin/env python3
"""The command line's promises, one test each.

Exit codes, the refusal of a file already imported, unreadable files, the
--json summary, --quiet, the default database, --map / --delimiter /
--encoding / --header, the error report, deduplication, export and its round
trip, migrate, and what the database holds after an import.

Every test works in its own temporary folder, runs the binary with that
folder as its current directory and uses --db sqlite:<tmp>/t.db (except the
tests of the default database).
"""
import os
import random
import shutil
import sys
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402
from lihelp import lead  # noqa: E402


def setUpModule():
    li.require_binary()


def neutralised(v):
    return "'" + v if v[:1] in ("=", "+", "-", "@") else v


class CliTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-cli-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name

    # -- helpers ----------------------------------------------------------------
    def p(self, *parts):
        return os.path.join(self.tmp, *parts)

    def csv(self, name, rows, **kw):
        return li.write_csv(self.p(name), rows, **kw)

    def imp(self, path, *extra, db="t.db", cwd=None, env=None):
        r = li.run(["import", path, "--db", li.db_url(self.tmp, db)] + list(extra),
                   cwd=cwd or self.tmp, env=env)
        li.assert_no_crash(self, r)
        return r

    def imp_json(self, path, *extra, db="t.db", code=0):
        r = self.imp(path, "--json", *extra, db=db)
        self.assertEqual(r.code, code, repr(r))
        try:
            return r.json()
        except ValueError:
            self.fail("--json output is not one JSON object: %r" % r)

    def q(self, sql, params=(), db="t.db"):
        return li.query(self.tmp, sql, params, db=db)

    def sample(self, name="leads.csv"):
        """Three valid leads and one invalid row (bad e-mail and no phone, row 4)."""
        return self.csv(name, [
            lead("Éloïse", "Marin", "eloise.marin@example.fr", "06 12 34 56 78"),
            lead("Yann", "Le Bris", "yann.lebris@example.fr", "07 81 22 33 44",
                 company="Le \"Bon\" Coin, SARL"),
            lead("Paul", "Martin", "jean.dupont@", ""),
            lead("Aude", "d'Estienne", "aude@example.com", "", notes="ligne 1\nligne 2"),
        ])

    def valid_only(self, name="ok.csv"):
        return self.csv(name, [
            lead("Anne", "Roux", "anne.roux@example.fr", "06 11 11 11 11"),
            lead("Luc", "Besson", "luc.besson@example.fr", "06 22 22 22 22"),
        ])


# --- exit codes -----------------------------------------------------------------

class TestExitCodes(CliTest):
    def test_import_with_invalid_rows_exits_0(self):
        s = self.imp_json(self.sample())
        self.assertEqual((s["rows"], s["invalid"], s["created"]), (4, 1, 3))

    def test_unknown_option_exits_2(self):
        r = self.imp(self.sample(), "--nimporte-quoi")
        self.assertEqual(r.code, 2, repr(r))
        self.assertTrue(r.err.strip(), "no message on stderr")

    def test_missing_file_argument_exits_2(self):
        r = li.run(["import", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 2, repr(r))
        self.assertTrue(r.err.strip(), "no message on stderr")

    def test_bad_delimiter_exits_2(self):
        r = self.imp(self.sample(), "--delimiter", "x")
        self.assertEqual(r.code, 2, repr(r))

    def test_bad_encoding_exits_2(self):
        r = self.imp(self.sample(), "--encoding", "klingon-8")
        self.assertEqual(r.code, 2, repr(r))

    def test_unknown_command_exits_2(self):
        r = li.run(["importer", "x.csv"], cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, 2, repr(r))

    def test_help_is_french_exits_0_and_names_import_and_export(self):
        r = li.run(["--help"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertIn("import", r.out)
        self.assertIn("export", r.out)
        self.assertTrue(any(w in r.out for w in ("Utilisation", "fichier", "Options")),
                        "help does not read as French: %r" % r.out)
        # Both formats are imported: the help never says CSV alone.
        self.assertIn("CSV ou Excel", r.out)
        self.assertNotIn("(CSV)", r.out)

    def test_import_help_exits_0_and_lists_options(self):
        r = li.run(["import", "--help"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        for opt in ("--map", "--delimiter", "--encoding", "--force", "--report", "--json"):
            self.assertIn(opt, r.out)

    def test_version_exits_0(self):
        r = li.run(["--version"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertRegex(r.out, r"\d+\.\d+")


class TestAlreadyImported(CliTest):
    def test_same_file_twice_is_refused_with_exit_3(self):
        f = self.sample()
        self.assertEqual(self.imp(f).code, 0)
        r = self.imp(f)
        self.assertEqual(r.code, 3, repr(r))

    def test_refusal_message_is_french_and_mentions_force(self):
        f = self.sample()
        self.imp(f)
        r = self.imp(f)
        self.assertEqual(r.code, 3, repr(r))
        self.assertIn("--force", r.err)
        self.assertIn("déjà", r.err)

    def test_same_content_under_another_name_is_refused(self):
        f = self.sample()
        self.assertEqual(self.imp(f).code, 0)
        os.mkdir(self.p("ailleurs"))
        g = shutil.copy(f, self.p("ailleurs", "copie de leads.csv"))
        r = self.imp(g)
        self.assertEqual(r.code, 3, repr(r))

    def test_refusal_with_json_says_refused_file_already_imported(self):
        f = self.sample()
        self.imp(f)
        s = self.imp_json(f, code=3)
        self.assertEqual(s.get("status"), "refused")
        self.assertEqual(s.get("error", {}).get("code"), "file_already_imported")
        self.assertTrue(s["error"].get("message"))

    def test_refused_import_changes_no_lead(self):
        f = self.sample()
        self.imp(f)
        before = self.q("SELECT count(*) FROM leads")
        self.imp(f)
        self.assertEqual(self.q("SELECT count(*) FROM leads"), before)

    def test_force_imports_again_with_exit_0_skipping_known_leads(self):
        f = self.sample()
        self.imp(f)
        s = self.imp_json(f, "--force")
        self.assertEqual(s["status"], "completed")
        self.assertEqual((s["rows"], s["valid"], s["created"], s["skipped"]), (4, 3, 0, 3))
        self.assertEqual(self.q("SELECT count(*) FROM leads"), [(3,)])


class TestUnreadableFiles(CliTest):
    def assert_unreadable(self, path):
        r = self.imp(path)
        self.assertEqual(r.code, 4, repr(r))
        self.assertTrue(r.err.strip(), "no message on stderr")
        return r

    def test_missing_file_exits_4(self):
        self.assert_unreadable(self.p("absent.csv"))

    def test_directory_exits_4(self):
        os.mkdir(self.p("dossier.csv"))
        self.assert_unreadable(self.p("dossier.csv"))

    def test_binary_file_exits_4(self):
        rnd = random.Random(7)
        data = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(
            rnd.getrandbits(8) for _ in range(16384))
        with open(self.p("photo.csv"), "wb") as f:
            f.write(data)
        self.assert_unreadable(self.p("photo.csv"))

    def test_xls_file_exits_4(self):
        data = bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 16 + bytes.fromhex(
            "3E000300FEFF0900") + b"\x00" * (4096 - 32)
        with open(self.p("leads.xls"), "wb") as f:
            f.write(data)
        r = self.assert_unreadable(self.p("leads.xls"))
        self.assertIn("xls", r.err.lower())

    def test_xlsx_file_exits_4(self):
        with zipfile.ZipFile(self.p("leads.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("[Content_Types].xml",
                       '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                       'package/2006/content-types"/>')
            z.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
            z.writestr("xl/worksheets/sheet1.xml",
                       '<?xml version="1.0"?><worksheet><sheetData><row r="1"><c t="inlineStr">'
                       "<is><t>Email</t></is></c></row></sheetData></worksheet>")
        r = self.assert_unreadable(self.p("leads.xlsx"))
        self.assertIn("xlsx", r.err.lower())


class TestLimits(CliTest):
    def test_file_over_max_size_is_refused_with_exit_4_and_nothing_written(self):
        path = self.sample()
        r = self.imp(path, "--max-size", "100")
        self.assertEqual(r.code, 4, repr(r))
        self.assertIn("trop volumineux", r.err)
        self.assertEqual(self.q("SELECT count(*) FROM import_jobs")[0][0], 0)

    def test_file_under_max_size_is_imported(self):
        self.assertEqual(self.imp(self.sample(), "--max-size", "1M").code, 0)

    def test_bad_max_size_value_exits_2(self):
        r = self.imp(self.sample(), "--max-size", "douze")
        self.assertEqual(r.code, 2, repr(r))

    def test_field_over_64_kib_is_a_row_error_and_other_rows_import(self):
        long_note = "x" * (70 * 1024)
        path = self.csv("long.csv", [
            lead("Anne", "Roux", "anne.roux@example.fr", "06 11 11 11 11", notes=long_note),
            lead("Luc", "Besson", "luc.besson@example.fr", "06 22 22 22 22"),
        ])
        doc = self.imp_json(path, "--report", self.p("r.csv"))
        self.assertEqual((doc["invalid"], doc["created"]), (1, 1))
        _, _, recs = li.read_report(self.p("r.csv"))
        self.assertEqual(recs[1][:2], ["2", "refusée"])
        self.assertIn("trop long", recs[1][2])

    def test_more_than_64_map_options_are_refused_before_any_job_exists(self):
        """The library enforces the limit: a job it stores always loads again."""
        path = self.sample()
        maps = []
        for _ in range(65):
            maps += ["--map", "notes=Notes"]
        for extra in ([], ["--queue"]):
            r = self.imp(path, *(maps + extra))
            self.assertEqual(r.code, 2, repr(r))
            self.assertIn("Trop d'options --map : 65, la limite est de 64", r.err)
            self.assertEqual(self.q("SELECT count(*) FROM import_jobs")[0][0], 0)
        # 64 are accepted, by import and by a worker that loads the job again.
        r = self.imp(path, *(maps[:128] + ["--queue"]))
        self.assertEqual(r.code, 0, repr(r))
        w = li.run(["worker", "--until-idle", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(w.code, 0, repr(w))
        self.assertEqual(self.q("SELECT status, created FROM import_jobs"), [("completed", 3)])


# --- --json and --quiet --------------------------------------------------------

class TestJsonSummary(CliTest):
    KEYS = ("job_id", "status", "file_sha256", "rows", "valid", "invalid", "created",
            "updated", "skipped", "duration_ms")

    def test_json_has_the_contract_keys_and_status_completed(self):
        s = self.imp_json(self.sample())
        missing = [k for k in self.KEYS if k not in s]
        self.assertEqual(missing, [])
        self.assertEqual(s["status"], "completed")
        for k in self.KEYS:
            if k not in ("status", "file_sha256"):
                self.assertIsInstance(s[k], int, k)

    def test_json_file_sha256_is_the_sha256_of_the_file(self):
        f = self.sample()
        s = self.imp_json(f)
        self.assertEqual(s["file_sha256"], li.sha256_file(f))

    def test_json_counts_add_up(self):
        s = self.imp_json(self.sample())
        self.assertEqual((s["rows"], s["valid"], s["invalid"], s["created"], s["updated"],
                          s["skipped"]), (4, 3, 1, 3, 0, 0))

    def test_json_report_is_null_without_invalid_rows(self):
        s = self.imp_json(self.valid_only())
        self.assertIn("report", s)
        self.assertIsNone(s["report"])

    def test_json_report_names_the_report_written(self):
        s = self.imp_json(self.sample())
        self.assertTrue(s.get("report"))
        self.assertTrue(os.path.isfile(os.path.join(self.tmp, s["report"])), s["report"])

    def test_quiet_prints_nothing_on_success(self):
        r = self.imp(self.sample(), "--quiet")
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(r.out_bytes, b"")
        self.assertEqual(r.err_bytes, b"")

    def test_plain_summary_is_printed_without_json(self):
        r = self.imp(self.sample())
        self.assertEqual(r.code, 0, repr(r))
        self.assertTrue(r.out.strip(), "no summary on stdout")


# --- the database ----------------------------------------------------------------

class TestDatabase(CliTest):
    def test_default_db_comes_from_LEADIMPORT_DB(self):
        env_db = self.p("env.db")
        r = li.run(["import", self.sample(), "--quiet"], cwd=self.tmp,
                   env={"LEADIMPORT_DB": "sqlite:" + env_db})
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(self.q("SELECT count(*) FROM leads", db="env.db"), [(3,)])
        self.assertFalse(os.path.exists(self.p("leadimport.db")))

    def test_default_db_without_env_is_leadimport_db_in_current_directory(self):
        r = li.run(["import", self.sample(), "--quiet"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(self.q("SELECT count(*) FROM leads", db="leadimport.db"), [(3,)])

    def test_db_option_wins_over_LEADIMPORT_DB(self):
        r = li.run(["import", self.sample(), "--quiet", "--db", li.db_url(self.tmp)],
                   cwd=self.tmp, env={"LEADIMPORT_DB": "sqlite:" + self.p("env.db")})
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(self.q("SELECT count(*) FROM leads"), [(3,)])
        self.assertFalse(os.path.exists(self.p("env.db")))

    def test_migrate_exits_0_and_is_idempotent(self):
        url = li.db_url(self.tmp)
        r1 = li.run(["migrate", "--db", url], cwd=self.tmp)
        self.assertEqual(r1.code, 0, repr(r1))
        schema1 = self.q("SELECT type, name, sql FROM sqlite_master ORDER BY name")
        v1 = self.q("PRAGMA user_version")
        r2 = li.run(["migrate", "--db", url], cwd=self.tmp)
        self.assertEqual(r2.code, 0, repr(r2))
        self.assertEqual(self.q("SELECT type, name, sql FROM sqlite_master ORDER BY name"),
                         schema1)
        self.assertEqual(self.q("PRAGMA user_version"), v1)

    def test_migrate_keeps_the_leads(self):
        self.imp(self.sample())
        r = li.run(["migrate", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(self.q("SELECT count(*) FROM leads"), [(3,)])

    def test_import_creates_the_four_tables(self):
        self.imp(self.sample())
        names = {n for (n,) in self.q("SELECT name FROM sqlite_master WHERE type='table'")}
        for t in ("import_jobs", "import_rows", "leads", "lead_history"):
            self.assertIn(t, names)

    def test_import_rows_has_one_row_per_data_row(self):
        s = self.imp_json(self.sample())
        rows = self.q("SELECT row_no, status FROM import_rows WHERE job_id = ? ORDER BY row_no",
                      (s["job_id"],))
        self.assertEqual([n for n, _ in rows], [2, 3, 4, 5])
        self.assertEqual(dict(rows)[4], "invalid")

    def test_lead_history_has_one_created_entry_per_created_lead(self):
        s = self.imp_json(self.sample())
        hist = self.q("SELECT lead_id FROM lead_history WHERE action = 'created' AND job_id = ?",
                      (s["job_id"],))
        leads = self.q("SELECT id FROM leads")
        self.assertEqual(sorted(hist), sorted(leads))
        self.assertEqual(len(hist), s["created"])

    def test_import_jobs_records_the_file_sha256_and_counts(self):
        f = self.sample()
        s = self.imp_json(f)
        got = self.q("SELECT file_sha256, status, rows_total, rows_valid, rows_invalid, created,"
                     " skipped FROM import_jobs WHERE id = ?", (s["job_id"],))
        self.assertEqual(got, [(li.sha256_file(f), "completed", 4, 3, 1, 3, 0)])

    def test_leads_hold_normalised_email_and_e164_phone(self):
        f = self.csv("n.csv", [lead("Jean", "Dupont", "  Jean.DUPONT@Example.FR ",
                                    "+33 (0)6 12 34 56 78")])
        self.imp(f)
        self.assertEqual(self.q("SELECT email, phone FROM leads"),
                         [("jean.dupont@example.fr", "+33612345678")])

    def test_leads_link_to_their_import_job(self):
        s = self.imp_json(self.sample())
        self.assertEqual(self.q("SELECT DISTINCT import_job_id FROM leads"), [(s["job_id"],)])


# --- options: --map, --delimiter, --encoding, --header ----------------------------

class TestOptions(CliTest):
    def test_map_assigns_an_unrecognised_header_to_email(self):
        header = list(li.HEADER)
        header[2] = "Adresse électronique perso"
        f = self.csv("map.csv", [lead("Anne", "Roux", "anne.roux@example.fr", ""),
                                 lead("Luc", "Besson", "luc.besson@example.fr", "")],
                     header=header)
        s = self.imp_json(f, "--map", "email=Adresse électronique perso")
        self.assertEqual((s["valid"], s["created"]), (2, 2))
        self.assertEqual(sorted(self.q("SELECT email FROM leads")),
                         [("anne.roux@example.fr",), ("luc.besson@example.fr",)])

    def test_map_to_a_column_the_file_lacks_exits_2(self):
        r = self.imp(self.sample(), "--map", "email=Colonne qui n'existe pas")
        self.assertEqual(r.code, 2, repr(r))

    def test_map_of_an_unknown_field_exits_2(self):
        r = self.imp(self.sample(), "--map", "pointure=Email")
        self.assertEqual(r.code, 2, repr(r))

    def test_wrong_delimiter_override_does_not_crash(self):
        f = self.csv("pv.csv", [lead(), lead("Anne", "Roux", "anne.roux@example.fr",
                                             "06 11 11 11 11")], delimiter=";")
        self.imp(f, "--delimiter", ",")  # asserts: no signal, no sanitizer report,
        # and a documented exit code (0 with invalid rows, or a French refusal)

    def test_delimiter_override_reads_a_pipe_file(self):
        f = self.csv("pipe.csv", [lead(), lead("Anne", "Roux", "anne.roux@example.fr",
                                               "06 11 11 11 11")], delimiter="|")
        s = self.imp_json(f, "--delimiter", "|")
        self.assertEqual((s["rows"], s["created"]), (2, 2))

    def test_delimiter_word_tab_is_accepted(self):
        f = self.csv("tab.csv", [lead(), lead("Anne", "Roux", "anne.roux@example.fr",
                                              "06 11 11 11 11")], delimiter="\t")
        s = self.imp_json(f, "--delimiter", "tab")
        self.assertEqual((s["rows"], s["created"]), (2, 2))

    def test_encoding_override_windows_1252(self):
        f = self.csv("w.csv", [lead("Éloïse", "Lefèvre", "eloise@example.fr", "",
                                    company="Crème & Cœur")], delimiter=";",
                     encoding="cp1252")
        s = self.imp_json(f, "--encoding", "windows-1252")
        self.assertEqual(s["created"], 1)
        self.assertEqual(self.q("SELECT first_name, last_name, company FROM leads"),
                         [("Éloïse", "Lefèvre", "Crème & Cœur")])

    def test_encoding_alias_cp1252_is_accepted(self):
        f = self.csv("w.csv", [lead("Gaëlle", "Hébert", "gaelle@example.fr", "")],
                     encoding="cp1252")
        s = self.imp_json(f, "--encoding", "cp1252")
        self.assertEqual(s["created"], 1)
        self.assertEqual(self.q("SELECT first_name FROM leads"), [("Gaëlle",)])

    def test_encoding_override_utf16le_without_bom(self):
        f = self.csv("u16.csv", [lead("Zoé", "Château", "zoe@example.fr", "")],
                     delimiter="\t", encoding="utf-16-le")
        s = self.imp_json(f, "--encoding", "utf-16le")
        self.assertEqual(s["created"], 1)
        self.assertEqual(self.q("SELECT first_name, last_name FROM leads"),
                         [("Zoé", "Château")])

    def test_windows_1252_is_detected_without_override(self):
        f = self.csv("w.csv", [lead("Noëlle", "Hérault", "noelle@example.fr", "")],
                     encoding="cp1252")
        self.imp_json(f)
        self.assertEqual(self.q("SELECT first_name, last_name FROM leads"),
                         [("Noëlle", "Hérault")])

    def test_header_no_reads_the_first_line_as_data(self):
        f = self.csv("nohdr.csv", [lead(), lead("Anne", "Roux", "anne.roux@example.fr",
                                                "06 11 11 11 11")], header=None)
        s = self.imp_json(f, "--header", "no", "--map", "email=3", "--map", "last_name=2")
        self.assertEqual((s["rows"], s["created"]), (2, 2))


# --- the error report -------------------------------------------------------------

class TestReport(CliTest):
    def test_default_report_is_name_erreurs_csv_in_the_current_directory(self):
        os.mkdir(self.p("fichiers"))
        os.mkdir(self.p("travail"))
        f = self.sample(os.path.join("fichiers", "salon 2024.csv"))
        r = self.imp(f, cwd=self.p("travail"))
        self.assertEqual(r.code, 0, repr(r))
        self.assertTrue(os.path.isfile(self.p("travail", "salon 2024.erreurs.csv")),
                        os.listdir(self.p("travail")))
        self.assertFalse(os.path.exists(self.p("fichiers", "salon 2024.erreurs.csv")))

    def test_no_report_without_invalid_rows(self):
        r = self.imp(self.valid_only())
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual([n for n in os.listdir(self.tmp) if "erreurs" in n], [])

    def test_report_option_writes_the_given_path(self):
        out = self.p("rapport", "mes erreurs.csv")
        os.mkdir(self.p("rapport"))
        r = self.imp(self.sample(), "--report", out)
        self.assertEqual(r.code, 0, repr(r))
        self.assertTrue(os.path.isfile(out))
        self.assertFalse(os.path.exists(self.p("leads.erreurs.csv")))

    def test_report_starts_with_utf8_bom_and_a_header_line(self):
        self.imp(self.sample(), "--report", self.p("r.csv"))
        has_bom, delim, recs = li.read_report(self.p("r.csv"))
        self.assertTrue(has_bom, "no UTF-8 BOM")
        self.assertFalse(recs[0][0].strip().isdigit(), "first line is not a header: %r" % recs[0])
        self.assertEqual(recs[0][:3], ["Ligne", "Statut", "Erreurs"])
        self.assertEqual(recs[0][3:], li.HEADER)
        self.assertEqual(len(recs), 2)

    def test_report_record_is_row_number_french_errors_then_original_fields(self):
        f = self.sample()
        self.imp(f, "--report", self.p("r.csv"))
        _, _, recs = li.read_report(self.p("r.csv"))
        rec = recs[1]
        self.assertEqual(rec[:2], ["4", "refusée"])
        self.assertIn("Adresse e-mail invalide", rec[2])
        self.assertEqual(rec[3:], [neutralised(v) for v in
                                   lead("Paul", "Martin", "jean.dupont@", "")])

    def test_report_lists_every_error_of_a_row(self):
        f = self.csv("two.csv", [lead(), lead("Paul", "Martin", "pas d'email", "12345")])
        self.imp(f, "--report", self.p("r.csv"))
        _, _, recs = li.read_report(self.p("r.csv"))
        self.assertIn("Adresse e-mail invalide", recs[1][2])
        self.assertIn("Numéro de téléphone invalide", recs[1][2])

    def test_report_row_numbers_count_quoted_line_breaks_as_one_row(self):
        f = self.csv("ml.csv", [
            lead(notes="première ligne\nseconde ligne\ntroisième"),            # row 2
            lead("Anne", "Roux", "anne.roux@example.fr", "06 11 11 11 11",
                 notes="avec CRLF\r\ndans la note", address="1 rue X\nBât. B"),  # row 3
            lead("Bad", "Mail", "x@y", ""),                                    # row 4
            lead("Luc", "Besson", "luc@example.fr", "", notes="a\n\nb\n"),      # row 5
            lead("Bad", "Phone", "", "N/A"),                                   # row 6
        ])
        s = self.imp_json(f, "--report", self.p("r.csv"))
        self.assertEqual((s["rows"], s["invalid"], s["created"]), (5, 2, 3))
        self.assertEqual(li.report_row_numbers(self.p("r.csv")), [4, 6])

    def test_report_neutralises_formula_cells(self):
        f = self.csv("f.csv", [
            lead(),
            lead("Eve", "Hack", "eve@", "", company='=HYPERLINK("http://x")',
                 notes="+33 6 00 00 00 00", source="-2+3", owner="@SUM(A1)"),
        ])
        self.imp(f, "--report", self.p("r.csv"))
        _, _, recs = li.read_report(self.p("r.csv"))
        rec = recs[1]
        self.assertIn("'=HYPERLINK(\"http://x\")", rec)
        self.assertIn("'@SUM(A1)", rec)
        self.assertIn("'-2+3", rec)
        for r in recs:
            for cell in r:
                self.assertNotIn(cell[:1], ("=", "+", "-", "@"), "cell not neutralised: %r" % cell)

    def test_row_with_wrong_field_count_is_reported_and_others_imported(self):
        path = self.p("fc.csv")
        li.write_csv(path, [lead(), ["Paul", "Martin", "paul.martin@example.fr"],
                            lead("Anne", "Roux", "anne.roux@example.fr", "06 11 11 11 11")])
        s = self.imp_json(path, "--report", self.p("r.csv"))
        self.assertEqual((s["rows"], s["invalid"], s["created"]), (3, 1, 2))
        self.assertEqual(li.report_row_numbers(self.p("r.csv")), [3])

    def test_unterminated_quote_row_is_reported_and_others_imported(self):
        def line(fields):
            return ",".join(fields) + "\r\n"
        text = (line(li.HEADER)
                + line(lead("Jean", "Dupont", "jean.dupont@example.fr", "06 12 34 56 78"))
                + line(lead("Marie", "Curie", "marie.curie@example.fr", "06 12 34 56 79"))
                + 'Paul,"Martin,paul.martin@example.fr,06 12 34 56 80,Martin SA,Gérant,'
                  '1 rue A,75002,Paris,France,Salon,,,\r\n'
                + line(lead("Luc", "Besson", "luc.besson@example.fr", "06 12 34 56 81"))
                + line(lead("Anne", "Roux", "anne.roux@example.fr", "06 12 34 56 82")))
        path = self.p("uq.csv")
        with open(path, "wb") as fh:
            fh.write(text.encode("utf-8"))
        s = self.imp_json(path, "--report", self.p("r.csv"))
        self.assertEqual((s["invalid"], s["created"]), (1, 4))
        self.assertEqual(li.report_row_numbers(self.p("r.csv")), [4])
        self.assertEqual(sorted(e for (e,) in self.q("SELECT email FROM leads")),
                         ["anne.roux@example.fr", "jean.dupont@example.fr",
                          "luc.besson@example.fr", "marie.curie@example.fr"])


# --- deduplication -----------------------------------------------------------------

class TestDuplicates(CliTest):
    def test_duplicate_email_in_the_file_skips_the_second_occurrence(self):
        f = self.csv("d.csv", [lead("Jean", "Dupont", "jean.dupont@example.fr", ""),
                               lead("Jeannot", "Dupont", "  JEAN.Dupont@example.fr ", ""),
                               lead("Anne", "Roux", "anne.roux@example.fr", "")])
        s = self.imp_json(f)
        self.assertEqual((s["valid"], s["created"], s["skipped"]), (3, 2, 1))
        self.assertEqual(self.q("SELECT first_name FROM leads WHERE email = ?",
                                ("jean.dupont@example.fr",)), [("Jean",)])

    def test_duplicate_phone_written_differently_is_skipped(self):
        # Without an e-mail on one side, the phone decides.
        f = self.csv("d.csv", [lead("Jean", "Dupont", "jean@example.fr", "06 12 34 56 78"),
                               lead("Jean", "Dupont", "", "+33 6 12 34 56 78"),
                               lead("Jean", "Dupont", "", "0033612345678")])
        s = self.imp_json(f)
        self.assertEqual((s["created"], s["skipped"]), (1, 2))

    def test_lead_from_a_previous_import_of_another_file_is_skipped(self):
        self.imp_json(self.csv("a.csv", [lead("Jean", "Dupont", "jean.dupont@example.fr",
                                              "06 12 34 56 78")]))
        s = self.imp_json(self.csv("b.csv", [
            lead("Jean", "Dupont", "Jean.Dupont@Example.fr", ""),
            lead("J.", "Dupont", "", "0612345678"),
            lead("Anne", "Roux", "anne.roux@example.fr", "06 11 11 11 11")]))
        self.assertEqual((s["created"], s["skipped"]), (1, 2))
        self.assertEqual(self.q("SELECT count(*) FROM leads"), [(2,)])


# --- export ----------------------------------------------------------------------

class TestExport(CliTest):
    def test_export_dash_writes_to_stdout(self):
        self.imp(self.sample())
        r = li.run(["export", "--db", li.db_url(self.tmp), "-o", "-"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertEqual(len(li.export_column(r.out_bytes, "E-mail")), 3)
        self.assertEqual(os.listdir(self.tmp).count("-"), 0, "wrote a file named '-'")

    def test_export_is_bom_semicolon_crlf_with_canonical_french_headers(self):
        self.imp(self.valid_only())
        r, data = li.export(self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertTrue(data.startswith(b"\xef\xbb\xbf"), "no UTF-8 BOM")
        first = data[3:].split(b"\n", 1)[0]
        self.assertEqual(first, ";".join(li.EXPORT_HEADER).encode("utf-8") + b"\r")
        self.assertTrue(data.endswith(b"\r\n"))
        self.assertEqual(data.count(b"\n"), data.count(b"\r\n"), "a line does not end in CRLF")
        self.assertEqual(sorted(li.export_column(data, "E-mail")),
                         ["anne.roux@example.fr", "luc.besson@example.fr"])

    def test_export_of_an_empty_database_is_the_header_alone(self):
        li.run(["migrate", "--db", li.db_url(self.tmp)], cwd=self.tmp)
        r, data = li.export(self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        _, _, recs = li.read_semicolon_csv(data)
        self.assertEqual(recs, [li.EXPORT_HEADER])

    def test_export_then_import_into_a_new_database_then_export_is_byte_identical(self):
        f, exp = li.gen_sample(self.tmp, "g.csv", li.rows_for(2000, 500), seed=5)
        self.assertEqual(self.imp(f, "--quiet").code, 0)
        r1, e1 = li.export(self.tmp, out=self.p("e1.csv"))
        self.assertEqual(r1.code, 0, repr(r1))
        self.assertEqual(len(li.export_column(e1, "E-mail")), exp["leads_created_with_skip"])
        s = self.imp_json(self.p("e1.csv"), db="t2.db")
        self.assertEqual((s["invalid"], s["skipped"], s["created"]),
                         (0, 0, exp["leads_created_with_skip"]))
        r2, e2 = li.export(self.tmp, db="t2.db", out=self.p("e2.csv"))
        self.assertEqual(r2.code, 0, repr(r2))
        if e1 != e2:
            l1, l2 = e1.split(b"\r\n"), e2.split(b"\r\n")
            diff = next((i for i, (a, b) in enumerate(zip(l1, l2)) if a != b), None)
            self.fail("exports differ (%d vs %d bytes); first differing line %s:\n%r\n%r" % (
                len(e1), len(e2), diff, l1[diff] if diff is not None else b"",
                l2[diff] if diff is not None else b""))


class TestTemplate(CliTest):
    def test_template_is_bom_semicolon_with_every_canonical_header_and_two_examples(self):
        r = li.run(["template", "-o", self.p("modele.csv")], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        with open(self.p("modele.csv"), "rb") as f:
            data = f.read()
        has_bom, delim, recs = li.read_semicolon_csv(data)
        self.assertTrue(has_bom)
        self.assertEqual(delim, ";")
        self.assertIn(b"\r\n", data)
        self.assertEqual(recs[0], li.EXPORT_HEADER)
        self.assertEqual(len([r for r in recs[1:] if r]), 2)

    def test_template_imports_two_leads_without_any_option(self):
        li.run(["template", "-o", self.p("modele.csv")], cwd=self.tmp)
        doc = self.imp_json(self.p("modele.csv"))
        self.assertEqual((doc["valid"], doc["invalid"], doc["created"]), (2, 0, 2))

    def test_template_to_stdout(self):
        r = li.run(["template"], cwd=self.tmp)
        self.assertEqual(r.code, 0, repr(r))
        self.assertTrue(r.out_bytes.startswith(b"\xef\xbb\xbfPr\xc3\xa9nom;Nom;E-mail"))


class TestSniff(CliTest):
    def sniff(self, path, *extra):
        r = li.run(["sniff", path] + list(extra), cwd=self.tmp)
        li.assert_no_crash(self, r)
        return r

    def test_sniff_json_reports_detection_mapping_and_preview(self):
        path = self.csv("leads.csv", [lead(), lead("Marie", "Curie", "marie@example.fr",
                                                   "07 81 22 33 44")],
                        delimiter=";", encoding="cp1252")
        r = self.sniff(path, "--json")
        self.assertEqual(r.code, 0, repr(r))
        doc = r.json()
        self.assertEqual((doc["format"], doc["encoding"], doc["delimiter"], doc["has_header"]),
                         ("csv", "windows-1252", ";", True))
        self.assertEqual(doc["columns"], 14)
        fields = [m["field"] for m in doc["mapping"]]
        self.assertEqual(fields[:4], ["first_name", "last_name", "email", "phone"])
        self.assertTrue(all(m["reason"] == "header" for m in doc["mapping"]))
        self.assertEqual([p["row"] for p in doc["preview"]], [2, 3])
        self.assertEqual(doc["preview"][1]["fields"][1], "Curie")

    def test_sniff_shows_the_reason_of_an_override_and_imports_nothing(self):
        path = self.csv("x.csv", [["Dupont", "jean@example.fr"]], header=["Qui", "Adresse web"])
        doc = self.sniff(path, "--json", "--map", "email=Adresse web",
                         "--map", "last_name=Qui").json()
        self.assertEqual([(m["field"], m["reason"]) for m in doc["mapping"]],
                         [("last_name", "override"), ("email", "override")])
        self.assertFalse(os.path.exists(self.p("leadimport.db")))

    def test_sniff_text_is_french(self):
        r = self.sniff(self.sample())
        self.assertEqual(r.code, 0, repr(r))
        for word in ("Séparateur", "En-tête", "Colonnes", "Aperçu", "en-tête reconnu"):
            self.assertIn(word, r.out)

    def test_sniff_of_an_unreadable_file_exits_4(self):
        self.assertEqual(self.sniff(self.p("absent.csv")).code, 4)


class TestRejectLimit(CliTest):
    def test_over_the_limit_nothing_is_imported_exit_3_and_the_report_is_written(self):
        r = self.imp(self.sample(), "--max-invalid", "10%", "--json")
        self.assertEqual(r.code, 3, repr(r))
        doc = r.json()
        self.assertEqual(doc["status"], "rejected")
        self.assertEqual(doc["error"]["code"], "too_many_invalid")
        self.assertEqual(self.q("SELECT count(*) FROM leads")[0][0], 0)
        self.assertEqual(li.report_row_numbers(self.p("leads.erreurs.csv")), [4])
        self.assertIn("--max-invalid", r.err)

    def test_a_count_limit_works_too(self):
        self.assertEqual(self.imp(self.sample(), "--max-invalid", "0").code, 3)
        self.assertEqual(self.imp(self.sample(), "--max-invalid", "1").code, 0)

    def test_within_the_limit_the_import_completes(self):
        doc = self.imp_json(self.sample(), "--max-invalid", "25 %")
        self.assertEqual((doc["status"], doc["created"], doc["invalid"]), ("completed", 3, 1))

    def test_a_rejected_file_can_be_imported_again_with_a_higher_limit(self):
        self.imp(self.sample(), "--max-invalid", "1%")
        doc = self.imp_json(self.sample(), "--max-invalid", "50%")
        self.assertEqual(doc["created"], 3)

    def test_bad_limit_exits_2(self):
        self.assertEqual(self.imp(self.sample(), "--max-invalid", "beaucoup").code, 2)
        self.assertEqual(self.imp(self.sample(), "--max-invalid", "150%").code, 2)


if __name__ == "__main__":
    li.main()
