#!/usr/bin/env python3
"""The country of a file's national phone numbers, inferred for the whole
file: a Swiss file without country column (.ch e-mails, four-digit postal
codes, Swiss local numbers, which are well-formed French numbers too) gets
+41 numbers; a French file stays French; a file split between two
countries stays French (the default) and says why; --region wins; a
country column's dominant value decides for its empty cells; the region is
saved with a queued job, so that the worker reads the numbers as the
import decided. sniff and the import summary say what was decided, and
why. A file that names no country at all (no e-mails, no country column)
but whose postal codes are not French-shaped, or whose numbers are no
French numbers, is tried against the regions usual for a French-speaking
CRM. --region takes a country's name as well as its code. Every test
drives the real binary."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402

HEADER = "Prénom;Nom;Email;Téléphone;Code postal;Ville"


def setUpModule():
    li.require_binary()


def swiss_rows(n=30, start=0):
    return ["Urs%d;Muster%d;urs%d@firma%d.ch;044 668 18 %02d;80%02d;Zürich"
            % (i, i, i, i, i % 100, i % 100) for i in range(start, start + n)]


def french_rows(n=30, start=0):
    return ["Jean%d;Dupont%d;jean%d@societe%d.fr;04 46 68 18 %02d;690%02d;Lyon"
            % (i, i, i, i, i % 100, i % 100) for i in range(start, start + n)]


class RegionTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-region-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)

    def write(self, name, lines, header=HEADER):
        path = os.path.join(self.tmp, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("\r\n".join([header] + lines) + "\r\n")
        return path

    def cli(self, *args, code=0):
        r = li.run(list(args), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def sniff_region(self, path, *extra):
        return self.cli("sniff", path, "--json", *extra).json()["region"]

    def phones(self):
        return [p for (p,) in li.query(self.tmp, "SELECT phone FROM leads ORDER BY id")]

    # --- a Swiss file ---------------------------------------------------------

    def test_swiss_file_without_country_column_gets_swiss_numbers(self):
        f = self.write("suisse.csv", swiss_rows())
        region = self.sniff_region(f)
        self.assertEqual(region["iso"], "CH")
        self.assertEqual(region["source"], "inferred")
        self.assertEqual(region["name"], "Suisse")
        self.assertIn("100 % des e-mails en .ch", region["reason"])
        self.assertIn("30 codes postaux sur 30 à 4 chiffres", region["reason"])
        text = self.cli("sniff", f).out
        self.assertIn("Numéros sans indicatif : Suisse (CH), déduit du fichier : "
                      "100 % des e-mails en .ch", text)
        r = self.cli("import", f, "--db", self.db)
        self.assertIn("Pays des numéros sans indicatif : Suisse (CH), d'après 100 % des "
                      "e-mails en .ch, 30 codes postaux sur 30 à 4 chiffres", r.out)
        phones = self.phones()
        self.assertEqual(len(phones), 30)
        self.assertEqual(phones[:2], ["+41446681800", "+41446681801"])
        self.assertTrue(all(p.startswith("+41") for p in phones), phones)

    def test_swiss_postal_codes_are_not_completed_as_french(self):
        f = self.write("suisse.csv", swiss_rows())
        self.cli("import", f, "--db", self.db)
        codes = [c for (c,) in li.query(self.tmp, "SELECT postal_code FROM leads ORDER BY id")]
        self.assertEqual(codes[:2], ["8000", "8001"])

    def test_import_json_carries_the_note(self):
        f = self.write("suisse.csv", swiss_rows())
        doc = self.cli("import", f, "--db", self.db, "--json").json()
        self.assertTrue(doc["region_note"].startswith("Pays des numéros sans indicatif : "
                                                      "Suisse (CH)"), doc)

    def test_website_domains_count_when_e_mails_say_nothing(self):
        lines = ["Urs%d;Muster%d;urs%d@gmail.com;044 668 18 %02d;https://www.firma%d.ch/kontakt"
                 % (i, i, i, i, i) for i in range(20)]
        f = self.write("sites.csv", lines, header="Prénom;Nom;Email;Téléphone;Site web")
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("CH", "inferred"), region)
        self.assertIn("100 % des sites web en .ch", region["reason"])

    def test_numbers_valid_in_one_candidate_only_count(self):
        # four .be e-mails name Belgium; the Brussels numbers (9 digits with
        # the 0) are no French numbers: they make the majority
        lines = ["Luc%d;Peeters%d;luc%d@%s;02 511 %02d %02d"
                 % (i, i, i, "firma%d.be" % i if i < 4 else "gmail.com", i, i)
                 for i in range(20)]
        f = self.write("bruxelles.csv", lines, header="Prénom;Nom;Email;Téléphone")
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("BE", "inferred"), region)
        self.assertEqual(region["reason"], "20 % des e-mails en .be, "
                                           "20 numéros valides seulement en BE")
        self.cli("import", f, "--db", self.db)
        self.assertEqual(self.phones()[:2], ["+3225110000", "+3225110101"])

    def test_uk_domains_are_great_britain(self):
        lines = ["Ann%d;Smith%d;ann%d@firm%d.co.uk;020 7946 %04d" % (i, i, i, i, i)
                 for i in range(10)]
        f = self.write("uk.csv", lines, header="Prénom;Nom;Email;Téléphone")
        region = self.sniff_region(f)
        self.assertEqual(region["iso"], "GB", region)
        self.assertIn("des e-mails en .uk", region["reason"])
        self.cli("import", f, "--db", self.db)
        self.assertEqual(self.phones()[0], "+442079460000")

    # --- no e-mail, no country: the regions usual for a French-speaking CRM -----

    SWISS_TRIAL = ["Pierre;Favre;022 310 11 22;1201;Genève",
                   "Anne;Rochat;079 123 45 67;1003;Lausanne",
                   "Luc;Meier;078 765 43 21;8001;Zürich",
                   "Eva;Blanc;032 725 11 11;2000;Neuchâtel",
                   "Marc;Roy;021 312 11 11;1005;Lausanne",
                   "Olivier;Jaquet;026 322 11 11;1700;Fribourg"]

    def test_swiss_file_without_e_mails_nor_country_stays_french_and_says_why(self):
        # every one of these numbers is a well-formed French number too, and
        # a French file whose codes all lost their leading 0 in Excel has
        # four-digit codes as well (see the Nice file below): with nothing
        # that names Switzerland, France stays, sniff says the file points
        # at Switzerland without enough clues, and --region CH reads it
        f = self.write("npa.csv", self.SWISS_TRIAL, header="Prénom;Nom;Téléphone;NPA;Localité")
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("FR", "default"), region)
        self.assertIn("Suisse (CH)", region["reason"])
        self.cli("import", f, "--db", self.db, "--region", "Suisse")
        rows = li.query(self.tmp, "SELECT phone, postal_code FROM leads ORDER BY id")
        self.assertEqual(rows, [("+41223101122", "1201"), ("+41791234567", "1003"),
                                ("+41787654321", "8001"), ("+41327251111", "2000"),
                                ("+41213121111", "1005"), ("+41263221111", "1700")])

    def test_french_file_whose_codes_lost_their_zero_stays_french(self):
        # Nice: every code "06xxx" became "6xxx" in Excel, gmail addresses,
        # mobiles that also read as Austrian or Swiss numbers
        lines = ["P%d;Nom%d;p%d@gmail.com;06 12 34 56 %02d;%d;Nice"
                 % (i, i, i, 10 + i, 6000 + 100 * (i % 4)) for i in range(30)]
        f = self.write("nice.csv", lines, header="Prénom;Nom;Email;Téléphone;Code postal;Ville")
        self.assertEqual(self.sniff_region(f)["iso"], "FR")
        self.cli("import", f, "--db", self.db)
        self.assertTrue(all(p.startswith("+336") for p in self.phones()), self.phones())

    def test_belgian_file_without_e_mails_nor_country_gets_belgian_numbers(self):
        lines = ["Luc;Peeters;02 511 00 00;1000;Bruxelles", "Anne;Dubois;0470 12 34 56;1050;Ixelles",
                 "Paul;Lambert;04 223 11 22;4000;Liège", "Marie;Leroy;0475 11 22 33;5000;Namur",
                 "Jan;Claes;09 233 44 55;9000;Gent", "Eva;Piron;010 45 67 89;1300;Wavre"]
        f = self.write("be.csv", lines, header="Prénom;Nom;Téléphone;Code postal;Ville")
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("BE", "inferred"), region)
        self.cli("import", f, "--db", self.db)
        self.assertEqual(self.phones()[:2], ["+3225110000", "+32470123456"])

    def test_french_file_without_e_mails_stays_french(self):
        # five-digit codes, numbers valid in France (and, for most, elsewhere
        # too): a number France can read never votes against France
        lines = ["Paul;Martin;04 72 00 00 01;69001;Lyon", "Anne;Durand;06 12 34 56 78;75001;Paris",
                 "Luc;Morel;02 23 10 11 22;35000;Rennes", "Eva;Roux;07 91 23 45 67;13001;Marseille",
                 "Marc;Petit;03 27 25 11 11;59000;Lille", "Léa;Faure;01 42 00 00 01;75002;Paris"]
        f = self.write("fr.csv", lines, header="Prénom;Nom;Téléphone;Code postal;Ville")
        self.assertEqual(self.sniff_region(f)["iso"], "FR")
        no_codes = [";".join(l.split(";")[:3]) for l in lines]
        f = self.write("fr2.csv", no_codes, header="Prénom;Nom;Téléphone")
        self.assertEqual(self.sniff_region(f)["iso"], "FR")
        self.cli("import", f, "--db", self.db)
        self.assertEqual(self.phones()[:2], ["+33472000001", "+33612345678"])

    # --- what the reasons say ----------------------------------------------------

    def test_too_few_signals_say_so_not_that_there_is_no_majority(self):
        lines = ["Ann%d;Smith;ann%d@firm%d.co.uk;020 7946 000%d" % (i, i, i, i) for i in range(2)]
        f = self.write("peu.csv", lines, header="Prénom;Nom;Email;Téléphone")
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("FR", "default"), region)
        self.assertEqual(region["reason"],
                         "trop peu d'indices (4, il en faut 5) pour Royaume-Uni (GB)")
        text = self.cli("sniff", f).out
        self.assertIn("France (FR), par défaut ; trop peu d'indices (4, il en faut 5)", text)
        self.assertNotIn("majorité", text)
        r = self.cli("import", f, "--db", self.db)
        self.assertIn("Pays des numéros sans indicatif : France (FR), par défaut ; trop peu "
                      "d'indices (4, il en faut 5) pour Royaume-Uni (GB)", r.out)

    def test_one_postal_code_and_one_number_are_singular(self):
        lines = ["Luc%d;Peeters;luc%d@firma%d.be;;" % (i, i, i) for i in range(5)]
        lines.append("Anne;Dubois;anne@firma.be;02 511 00 00;1000")
        f = self.write("un.csv", lines, header="Prénom;Nom;Email;Téléphone;Code postal")
        region = self.sniff_region(f)
        self.assertEqual(region["iso"], "BE", region)
        self.assertEqual(region["reason"], "100 % des e-mails en .be, 1 code postal sur 1 à 4 "
                                           "chiffres, 1 numéro valide seulement en BE")

    def test_country_column_known_by_its_values_decides_and_is_named(self):
        # "Land" is no header leadimport knows: the values make it the
        # country column, and its dominant value decides, not the e-mails
        lines = ["Ann%d;Smith;ann%d@firm%d.co.uk;020 7946 %04d;%s"
                 % (i, i, i, i, "Royaume-Uni" if i < 6 else "") for i in range(8)]
        f = self.write("land.csv", lines, header="Prénom;Nom;Email;Téléphone;Land")
        doc = self.cli("sniff", f, "--json").json()
        self.assertEqual([c["field"] for c in doc["mapping"]][-1], "country")
        self.assertEqual(doc["region"]["iso"], "GB")
        self.assertEqual(doc["region"]["reason"], "100 % des pays de la colonne « Land »")

    # --- a known export -------------------------------------------------------

    def test_google_contacts_export_summary_says_the_region_sniff_shows(self):
        header = ("First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,"
                  "Phone 1 - Value,Address 1 - City,Address 1 - Postal Code,Address 1 - Country")
        lines = ["Jean%d,Dupont,Work,jean%d@gmail.com,Mobile,06 12 34 56 %02d,Lyon,690%02d,France"
                 % (i, i, i, i) for i in range(8)]
        f = self.write("google.csv", lines, header=header)
        doc = self.cli("sniff", f, "--json").json()
        self.assertEqual(doc.get("export"), "Google Contacts")
        self.assertEqual(doc["region"], {"iso": "FR", "name": "France", "source": "inferred",
                                         "reason": "100 % des pays de la colonne « Address 1 - "
                                                   "Country »"})
        note = ("Pays des numéros sans indicatif : France (FR), d'après 100 % des pays de la "
                "colonne « Address 1 - Country »")
        self.assertEqual(self.cli("import", f, "--db", self.db, "--json").json()["region_note"],
                         note)
        r = self.cli("import", f, "--db", li.db_url(self.tmp, "autre.db"))
        self.assertIn(note, r.out)

    # --- French, mixed, --region ------------------------------------------------

    def test_french_file_stays_french_and_the_summary_says_why_as_sniff_does(self):
        f = self.write("france.csv", french_rows())
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("FR", "inferred"))
        r = self.cli("import", f, "--db", self.db)
        self.assertIn("Pays des numéros sans indicatif : France (FR), d'après 100 % des e-mails "
                      "en .fr, 30 codes postaux sur 30 à 5 chiffres", r.out)
        self.assertTrue(all(p.startswith("+33") for p in self.phones()))

    def test_a_file_without_any_signal_says_nothing_in_the_summary(self):
        lines = ["Jean%d;Dupont%d;06 12 34 56 %02d" % (i, i, i) for i in range(10)]
        f = self.write("nu.csv", lines, header="Prénom;Nom;Téléphone")
        self.assertEqual(self.sniff_region(f), {"iso": "FR", "name": "France",
                                                "source": "default", "reason": ""})
        doc = self.cli("import", f, "--db", self.db, "--json").json()
        self.assertIsNone(doc["region_note"], doc)

    def test_generic_domains_say_nothing(self):
        lines = ["Urs%d;Muster%d;urs%d@firma%d.com;044 668 18 %02d;;Zürich"
                 % (i, i, i, i, i) for i in range(30)]
        f = self.write("com.csv", lines)
        region = self.sniff_region(f)
        self.assertEqual(region, {"iso": "FR", "name": "France", "source": "default",
                                  "reason": ""})

    def test_mixed_file_without_clear_majority_stays_french(self):
        lines = swiss_rows(15) + french_rows(15, start=15)
        f = self.write("mixte.csv", lines)
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("FR", "default"), region)
        self.assertIn("Suisse (CH) : 50 % des indices", region["reason"])
        r = self.cli("import", f, "--db", self.db)
        self.assertIn("Pays des numéros sans indicatif : France (FR), par défaut ; aucun pays "
                      "n'a de majorité nette parmi les indices du fichier (Suisse (CH) : 50 % "
                      "des indices)", r.out)
        self.assertTrue(all(p.startswith("+33") for p in self.phones()))

    def test_a_small_majority_is_not_enough(self):
        lines = swiss_rows(11) + french_rows(9, start=11)  # 55 % Swiss signals
        f = self.write("mixte.csv", lines)
        self.assertEqual(self.sniff_region(f)["iso"], "FR")

    def test_too_few_signals_decide_nothing(self):
        f = self.write("petit.csv", ["Urs1;Muster;urs1@firma.ch;044 668 18 00;;Zürich",
                                     "Urs2;Muster;urs2@firma.ch;044 668 18 01;;Zürich"])
        self.assertEqual(self.sniff_region(f)["iso"], "FR")

    def test_region_option_wins(self):
        f = self.write("suisse.csv", swiss_rows())
        region = self.sniff_region(f, "--region", "FR")
        self.assertEqual(region, {"iso": "FR", "name": "France", "source": "option",
                                  "reason": ""})
        r = self.cli("import", f, "--db", self.db, "--region", "FR")
        self.assertNotIn("Pays des numéros", r.out)
        self.assertTrue(all(p.startswith("+33") for p in self.phones()))

    def test_region_option_takes_a_country_name(self):
        f = self.write("suisse.csv", swiss_rows())
        for value, iso in (("Belgique", "BE"), ("belgique", "BE"), ("Royaume-Uni", "GB"),
                           ("uk", "GB"), ("CHE", "CH"), ("Suisse", "CH")):
            region = self.sniff_region(f, "--region", value)
            self.assertEqual((region["iso"], region["source"]), (iso, "option"), value)
        self.cli("import", f, "--db", self.db, "--region", "Suisse")
        self.assertEqual(self.phones()[0], "+41446681800")

    def test_region_option_must_be_a_real_region(self):
        f = self.write("suisse.csv", swiss_rows())
        r = self.cli("sniff", f, "--region", "XX", code=2)
        self.assertIn("Région téléphonique inconnue : « XX »", r.err)
        r = self.cli("sniff", f, "--region", "Atlantide", code=2)
        self.assertIn("Région téléphonique inconnue : « Atlantide »", r.err)

    # --- the country column -----------------------------------------------------

    def test_dominant_country_decides_for_rows_without_one(self):
        lines = ["Urs%d;Muster%d;u%d@gmail.com;044 668 18 %02d;%s"
                 % (i, i, i, i, "" if i % 5 == 0 else "Suisse") for i in range(20)]
        f = self.write("pays.csv", lines, header="Prénom;Nom;Email;Téléphone;Pays")
        region = self.sniff_region(f)
        self.assertEqual((region["iso"], region["source"]), ("CH", "inferred"), region)
        self.assertEqual(region["reason"], "100 % des pays de la colonne « Pays »")
        self.cli("import", f, "--db", self.db)
        rows = li.query(self.tmp, "SELECT phone, country FROM leads ORDER BY id")
        self.assertEqual(rows[0], ("+41446681800", None))   # no country: the file's
        self.assertEqual(rows[1], ("+41446681801", "CH"))

    def test_a_row_country_still_wins_over_the_file(self):
        lines = swiss_rows(20)
        lines.append("Jean;Dupont;jean@societe.fr;06 98 76 54 32;69001;Lyon;France")
        f = self.write("suisse.csv", [l + ";" for l in lines[:-1]] + [lines[-1]],
                       header=HEADER + ";Pays")
        self.cli("import", f, "--db", self.db)
        phones = self.phones()
        self.assertTrue(phones[0].startswith("+41"), phones)
        self.assertEqual(phones[-1], "+33698765432")

    # --- a queued job -----------------------------------------------------------

    def test_queued_job_keeps_the_inferred_region(self):
        f = self.write("suisse.csv", swiss_rows())
        r = self.cli("import", f, "--db", self.db, "--queue")
        self.assertIn("Pays des numéros sans indicatif : Suisse (CH)", r.out)
        (opts,) = li.query(self.tmp, "SELECT options FROM import_jobs")[0]
        saved = json.loads(opts)
        self.assertEqual((saved["region"], saved["region_source"]), ("CH", "inferred"))
        # the worker reads the copy of the file and the saved options, not the sample again
        os.remove(f)
        self.cli("worker", "--until-idle", "--db", self.db)
        phones = self.phones()
        self.assertEqual(len(phones), 30)
        self.assertTrue(all(p.startswith("+41") for p in phones), phones)

    def test_resumed_import_reads_numbers_as_the_first_run_decided(self):
        f = self.write("suisse.csv", swiss_rows())
        self.cli("import", f, "--db", self.db, "--queue")  # decided, saved, not run
        # running the same import again resumes that job, with its saved options
        r = self.cli("import", f, "--db", self.db)
        self.assertIn("import repris", r.out)
        phones = self.phones()
        self.assertEqual(len(phones), 30)
        self.assertTrue(all(p.startswith("+41") for p in phones), phones)


if __name__ == "__main__":
    li.main()
