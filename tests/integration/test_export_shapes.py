#!/usr/bin/env python3
"""Files shaped like the exports users bring from other tools (Google
Contacts, Outlook in English and French, HubSpot, Salesforce, Zoho CRM,
Pipedrive, Brevo, Mailchimp), a name-like column decided from its values,
headers whose typos or extra words the values contradict, and the
fix-and-reimport loop of the error report. The headers are those the tools
write; every row is made up for this test. Each test imports with the real
binary and asserts the leads stored."""
import csv
import io
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lihelp as li  # noqa: E402


def setUpModule():
    li.require_binary()


class ShapeTest(unittest.TestCase):
    def setUp(self):
        td = tempfile.TemporaryDirectory(prefix="li-shape-")
        self.addCleanup(td.cleanup)
        self.tmp = td.name
        self.db = li.db_url(self.tmp)

    def write(self, name, header, rows, delimiter=","):
        path = os.path.join(self.tmp, name)
        buf = io.StringIO(newline="")
        w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(buf.getvalue())
        return path

    def cli(self, *args, code=0):
        r = li.run(list(args), cwd=self.tmp)
        li.assert_no_crash(self, r)
        self.assertEqual(r.code, code, repr(r))
        return r

    def sniff(self, path):
        return self.cli("sniff", path, "--json").json()

    def imp(self, path, *extra):
        return self.cli("import", path, "--db", self.db, "--json", *extra).json()

    def leads(self):
        """{email: dict of the lead's columns, custom fields under "custom"}."""
        rows = li.query(self.tmp, "SELECT first_name, last_name, email, phone, company, "
                        "job_title, address, postal_code, city, country, source, notes, "
                        "external_id, owner, custom FROM leads ORDER BY id")
        keys = ["first_name", "last_name", "email", "phone", "company", "job_title", "address",
                "postal_code", "city", "country", "source", "notes", "external_id", "owner"]
        out = {}
        for r in rows:
            d = dict(zip(keys, r[:-1]))
            d["custom"] = json.loads(r[-1]) if r[-1] else {}
            out[d["email"]] = d
        return out

    def fields(self, doc):
        return {c["header"]: (c["field"], c["reason"]) for c in doc["mapping"]}


class TestKnownExports(ShapeTest):
    def check_export(self, name, header, rows, want_export, expect, custom=None):
        path = self.write(name, header, rows)
        doc = self.sniff(path)
        self.assertEqual(doc.get("export"), want_export, doc)
        text = self.cli("sniff", path).out
        self.assertIn("Export %s reconnu" % want_export, text)
        s = self.imp(path)
        self.assertEqual((s["valid"], s["invalid"]), (len(rows), 0), s)
        leads = self.leads()
        for email, fields in expect.items():
            got = leads[email]
            for k, v in fields.items():
                self.assertEqual(got[k], v, "%s %s: %r" % (email, k, got))
        for email, kv in (custom or {}).items():
            for k, v in kv.items():
                self.assertEqual(leads[email]["custom"].get(k), v, leads[email]["custom"])
        return doc

    def test_google_contacts_old_format(self):
        header = ["Name", "Given Name", "Additional Name", "Family Name", "Name Prefix",
                  "Birthday", "Notes", "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value",
                  "E-mail 2 - Type", "E-mail 2 - Value", "Phone 1 - Type", "Phone 1 - Value",
                  "Phone 2 - Type", "Phone 2 - Value", "Address 1 - Type",
                  "Address 1 - Formatted", "Address 1 - Street", "Address 1 - City",
                  "Address 1 - Postal Code", "Address 1 - Country", "Organization 1 - Type",
                  "Organization 1 - Name", "Organization 1 - Title"]
        rows = [
            ["Léa Garnier", "Léa", "", "Garnier", "", "1990-04-02", "Vue au salon",
             "* myContacts", "* Work", "lea.garnier@exemple.fr", "Home", "lea@perso.fr",
             "Mobile", "+33 6 11 22 33 44", "Work", "+33 1 42 00 00 01", "Work",
             "8 rue Vauban\n69006 Lyon\nFrance", "8 rue Vauban", "Lyon", "69006", "France",
             "", "Atelier Garnier", "Gérante"],
            ["Hugo Perrin", "Hugo", "", "Perrin", "Dr", "", "", "* myContacts", "* Work",
             "hugo.perrin@exemple.fr", "", "", "Work", "+33 4 72 00 00 02", "", "", "", "",
             "", "", "", "", "", "Cabinet Perrin", "Médecin"],
            ["Globex", "", "", "", "", "", "", "* myContacts", "* Work", "contact@globex.example",
             "", "", "", "", "", "", "", "", "", "", "", "", "", "Globex", ""],
        ]
        doc = self.check_export(
            "google.csv", header, rows, "Google Contacts",
            {"lea.garnier@exemple.fr": {"first_name": "Léa", "last_name": "Garnier",
                                        "phone": "+33611223344", "company": "Atelier Garnier",
                                        "job_title": "Gérante", "address": "8 rue Vauban",
                                        "city": "Lyon", "postal_code": "69006",
                                        "notes": "Vue au salon"},
             "hugo.perrin@exemple.fr": {"phone": "+33472000002", "company": "Cabinet Perrin"},
             "contact@globex.example": {"company": "Globex", "last_name": "Globex"}},
            custom={"lea.garnier@exemple.fr": {"Phone 2 - Value": "+33 1 42 00 00 01",
                                               "E-mail 2 - Value": "lea@perso.fr",
                                               "Phone 1 - Type": "Mobile"}})
        f = self.fields(doc)
        self.assertEqual(f["Phone 1 - Value"], ("phone", "export"))
        self.assertEqual(f["Phone 2 - Value"], (None, "export"))
        self.assertEqual(f["Name"], ("full_name", "export"))

    def test_google_contacts_new_format(self):
        header = ["First Name", "Middle Name", "Last Name", "Nickname", "File As",
                  "Organization Name", "Organization Title", "Organization Department",
                  "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value",
                  "Phone 1 - Label", "Phone 1 - Value", "Address 1 - Label",
                  "Address 1 - Formatted", "Address 1 - City", "Address 1 - Postal Code",
                  "Address 1 - Country"]
        rows = [["Nina", "", "Roche", "", "", "Roche Conseil", "Associée", "", "", "",
                 "myContacts", "Work", "nina.roche@exemple.fr", "Mobile", "06 20 30 40 50",
                 "Work", "2 quai Est, 33000 Bordeaux", "Bordeaux", "33000", "France"]]
        self.check_export("google2.csv", header, rows, "Google Contacts",
                          {"nina.roche@exemple.fr": {
                              "first_name": "Nina", "last_name": "Roche",
                              "company": "Roche Conseil", "job_title": "Associée",
                              "phone": "+33620304050", "address": "2 quai Est, 33000 Bordeaux",
                              "city": "Bordeaux"}})

    def test_outlook_english_picks_the_mobile_and_keeps_the_other_phones(self):
        """The mobile is the phone; a row without one takes its business phone;
        every other phone stays a custom field."""
        header = ["Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company",
                  "Department", "Job Title", "Business Street", "Business City",
                  "Business State", "Business Postal Code", "Business Country/Region",
                  "Business Phone", "Home Phone", "Mobile Phone", "E-mail Address",
                  "E-mail Type", "E-mail Display Name", "Notes"]
        rows = [
            ["Mr.", "Tom", "", "Baker", "", "Baker & Sons", "", "Owner", "1 High St",
             "Bristol", "", "BS1 4DJ", "United Kingdom", "+44 117 496 0000", "",
             "+44 7911 123456", "tom@baker.example", "SMTP", "Tom Baker (tom@baker.example)", ""],
            ["Ms.", "Ann", "", "Lee", "", "Lee Ltd", "", "CFO", "", "London", "", "", "",
             "+44 20 7946 0000", "", "", "ann@lee.example", "SMTP", "", ""],
        ]
        doc = self.check_export(
            "outlook.csv", header, rows, "Outlook",
            {"tom@baker.example": {"first_name": "Tom", "last_name": "Baker",
                                   "company": "Baker & Sons", "job_title": "Owner",
                                   "phone": "+447911123456", "city": "Bristol"},
             # no mobile: her business phone is her phone, row by row
             "ann@lee.example": {"job_title": "CFO", "phone": "+442079460000"}},
            custom={"tom@baker.example": {"Business Phone": "+44 117 496 0000",
                                          "Title": "Mr."},
                    "ann@lee.example": {"Business Phone": "+44 20 7946 0000"}})
        f = self.fields(doc)
        self.assertEqual(f["Mobile Phone"], ("phone", "export"))
        self.assertEqual(f["Title"], (None, "export"))  # a civility, not a job title
        pick = [c for c in doc["mapping"] if c["header"] == "Mobile Phone"][0]
        self.assertIn("ordre de priorité : « Mobile Phone », « Business Phone », « Home Phone »",
                      pick["detail"])

    def test_outlook_french(self):
        header = ["Titre", "Prénom", "Deuxième prénom", "Nom", "Suffixe", "Société", "Service",
                  "Fonction", "Rue (bureau)", "Ville (bureau)", "Code postal (bureau)",
                  "Pays/Région (bureau)", "Téléphone (bureau)", "Téléphone (domicile)",
                  "Tél. mobile", "Adresse de messagerie", "Type de messagerie",
                  "Nom complet de l'adresse de messagerie", "Notes"]
        rows = [["M.", "Marc", "", "Lefèvre", "", "Lefèvre Menuiserie", "", "Artisan",
                 "5 rue du Port", "Nantes", "44000", "France", "02 40 00 00 01", "",
                 "06 55 44 33 22", "marc@lefevre.example", "SMTP",
                 "Marc Lefèvre (marc@lefevre.example)", "rappeler en mars"]]
        doc = self.check_export(
            "outlook-fr.csv", header, rows, "Outlook (français)",
            {"marc@lefevre.example": {"first_name": "Marc", "last_name": "Lefèvre",
                                      "company": "Lefèvre Menuiserie", "job_title": "Artisan",
                                      "phone": "+33655443322", "address": "5 rue du Port",
                                      "postal_code": "44000", "city": "Nantes",
                                      "notes": "rappeler en mars"}},
            custom={"marc@lefevre.example": {"Téléphone (bureau)": "02 40 00 00 01",
                                             "Titre": "M."}})
        self.assertEqual(self.fields(doc)["Titre"], (None, "export"))

    def test_hubspot(self):
        header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number",
                  "Company Name", "Contact owner", "Lifecycle Stage", "Lead Status",
                  "Create Date"]
        rows = [["1001", "Zoé", "Marchand", "zoe@marchand.example", "+33 6 01 02 03 04",
                 "Marchand SAS", "", "lead", "NEW", "2024-05-02 10:00"],
                ["1002", "Luc", "Girard", "luc@girard.example", "", "", "", "customer", "",
                 "2024-05-03"]]
        doc = self.check_export(
            "hubspot.csv", header, rows, "HubSpot",
            {"zoe@marchand.example": {"external_id": "1001", "company": "Marchand SAS",
                                      "phone": "+33601020304", "last_name": "Marchand"},
             "luc@girard.example": {"external_id": "1002"}},
            custom={"zoe@marchand.example": {"Lifecycle Stage": "lead"}})
        self.assertEqual(self.fields(doc)["Contact owner"], ("owner", "export"))

    def test_salesforce_contacts(self):
        header = ["Contact ID", "Account ID", "Salutation", "First Name", "Last Name", "Title",
                  "Account Name", "Mailing Street", "Mailing City", "Mailing State/Province",
                  "Mailing Zip/Postal Code", "Mailing Country", "Phone", "Mobile", "Email",
                  "Lead Source"]
        rows = [["0031x00000AbCdE", "0011x00000XyZ", "Mrs.", "Ella", "Fontaine", "Buyer",
                 "Fontaine Distribution", "3 avenue Foch", "Lille", "", "59000", "France",
                 "03 20 00 00 01", "06 70 80 90 10", "ella@fontaine.example", "Web"]]
        doc = self.check_export(
            "salesforce.csv", header, rows, "Salesforce",
            {"ella@fontaine.example": {"company": "Fontaine Distribution", "job_title": "Buyer",
                                       "phone": "+33670809010", "source": "Web",
                                       "external_id": "0031x00000AbCdE", "postal_code": "59000",
                                       "city": "Lille", "address": "3 avenue Foch"}},
            custom={"ella@fontaine.example": {"Account ID": "0011x00000XyZ",
                                              "Phone": "03 20 00 00 01"}})
        self.assertEqual(self.fields(doc)["Account Name"], ("company", "export"))

    def test_zoho_leads(self):
        header = ["Record Id", "Lead Owner", "Company", "First Name", "Last Name", "Title",
                  "Email", "Phone", "Mobile", "Lead Source", "Lead Status",
                  "No. of Employees", "Email Opt Out", "Skype ID", "Zip Code", "City",
                  "Country", "Description"]
        rows = [["zcrm_5000001", "", "Bleu Ciel SARL", "Inès", "Benali", "Directrice",
                 "ines@bleuciel.example", "01 45 00 00 01", "", "Salon", "Contacted", "12",
                 "false", "ines.benali", "75011", "Paris", "France", "RDV pris"]]
        doc = self.check_export(
            "zoho.csv", header, rows, "Zoho CRM",
            {"ines@bleuciel.example": {"company": "Bleu Ciel SARL", "phone": "+33145000001",
                                       "external_id": "zcrm_5000001", "source": "Salon",
                                       "postal_code": "75011", "notes": "RDV pris",
                                       "job_title": "Directrice"}},
            custom={"ines@bleuciel.example": {"No. of Employees": "12",
                                              "Skype ID": "ines.benali"}})
        f = self.fields(doc)
        # the mobile column is empty in the sample: the next one in the priority takes the phone
        self.assertEqual(f["Phone"], ("phone", "export"))
        self.assertEqual(f["No. of Employees"], (None, "export"))

    def test_pipedrive(self):
        header = ["Person - Name", "Person - Email", "Person - Phone", "Organization - Name",
                  "Person - Owner", "Person - Label"]
        rows = [["Sacha Morel", "sacha@morel.example", "+33 6 33 44 55 66", "Morel Fils",
                 "", "Chaud"],
                ["DUBOIS Claire", "claire@dubois.example", "", "", "", ""]]
        self.check_export(
            "pipedrive.csv", header, rows, "Pipedrive",
            {"sacha@morel.example": {"first_name": "Sacha", "last_name": "Morel",
                                     "company": "Morel Fils", "phone": "+33633445566"},
             "claire@dubois.example": {"first_name": "Claire", "last_name": "Dubois"}},
            custom={"sacha@morel.example": {"Person - Label": "Chaud"}})

    def test_brevo(self):
        header = ["EMAIL", "NOM", "PRENOM", "SMS", "FIRSTNAME", "LASTNAME"]
        rows = [["max@ferry.example", "FERRY", "Max", "33612121212", "", ""],
                ["eva@roy.example", "Roy", "Eva", "", "", ""]]
        doc = self.check_export(
            "brevo.csv", header, rows, "Brevo",
            {"max@ferry.example": {"first_name": "Max", "last_name": "Ferry"},
             "eva@roy.example": {"last_name": "Roy"}})
        f = self.fields(doc)
        self.assertEqual(f["SMS"], ("phone", "export"))
        self.assertEqual(f["PRENOM"], ("first_name", "export"))  # FIRSTNAME is empty
        self.assertEqual(f["FIRSTNAME"], (None, "export"))

    def test_mailchimp(self):
        header = ["Email Address", "First Name", "Last Name", "Address", "Phone Number",
                  "MEMBER_RATING", "OPTIN_TIME", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP",
                  "LATITUDE", "LONGITUDE", "GMTOFF", "DSTOFF", "TIMEZONE", "CC", "REGION",
                  "LAST_CHANGED", "LEID", "EUID", "NOTES"]
        rows = [["rose@blanc.example", "Rose", "Blanc", "4 rue Haute  Dijon  21000  FR",
                 "06 98 76 54 32", "2", "2024-01-05 09:12:00", "", "2024-01-05 09:13:00", "",
                 "", "", "", "", "", "FR", "", "2024-01-05 09:13:00", "123456789",
                 "a1b2c3d4e5", ""]]
        doc = self.check_export(
            "mailchimp.csv", header, rows, "Mailchimp",
            {"rose@blanc.example": {"first_name": "Rose", "last_name": "Blanc",
                                    "phone": "+33698765432"}},
            custom={"rose@blanc.example": {"MEMBER_RATING": "2", "LEID": "123456789"}})
        self.assertEqual(self.fields(doc)["LEID"], (None, "export"))

    def test_a_plain_file_is_no_export(self):
        path = self.write("plain.csv", ["Prénom", "Nom", "Email", "Téléphone"],
                          [["Jean", "Dupont", "jean@dupont.example", "06 12 34 56 78"]])
        self.assertNotIn("export", self.sniff(path))


class TestNameColumns(ShapeTest):
    def test_a_name_column_of_people_is_split(self):
        path = self.write("people.csv", ["Name", "Email"], [
            ["Jane Martin", "jane@ex.example"], ["DUPONT Jean", "jean@ex.example"],
            ["M. Paul Roux", "paul@ex.example"], ["Claire de La Tour", "claire@ex.example"]])
        doc = self.sniff(path)
        col = doc["mapping"][0]
        self.assertEqual((col["field"], col["reason"]), ("full_name", "names"))
        self.assertIn("4 valeurs sur 4 sont des noms de personnes", col["detail"])
        self.assertEqual(self.imp(path)["valid"], 4)
        got = {e: (v["first_name"], v["last_name"], v["company"]) for e, v in self.leads().items()}
        self.assertEqual(got, {"jane@ex.example": ("Jane", "Martin", None),
                               "jean@ex.example": ("Jean", "Dupont", None),
                               "paul@ex.example": ("Paul", "Roux", None),
                               "claire@ex.example": ("Claire", "de La Tour", None)})

    def test_a_name_column_of_organisations_is_the_company(self):
        path = self.write("orgs.csv", ["Nom", "Email"], [
            ["Agence Riviera Immobilier", "a@ex.example"], ["Le Comptoir", "b@ex.example"],
            ["BTP", "c@ex.example"], ["SARL Dupuis", "d@ex.example"],
            ["Jean Martin", "e@ex.example"]])
        doc = self.sniff(path)
        col = doc["mapping"][0]
        self.assertEqual((col["field"], col["reason"]), ("company", "names"))
        self.assertIn("noms d'organisations", col["detail"])
        s = self.imp(path)
        self.assertEqual((s["valid"], s["invalid"]), (5, 0))
        got = {e: (v["company"], v["last_name"]) for e, v in self.leads().items()}
        self.assertEqual(got["a@ex.example"], ("Agence Riviera Immobilier", None))
        self.assertEqual(got["e@ex.example"], ("Jean Martin", None))  # the whole column decides

    def test_nom_beside_prenom_stays_the_last_name(self):
        path = self.write("p.csv", ["Prénom", "Nom", "Email"], [
            ["Jean", "Agence Dupont", "j@ex.example"], ["Ana", "Le Comptoir", "a@ex.example"]])
        col = self.sniff(path)["mapping"][1]
        self.assertEqual((col["field"], col["reason"]), ("last_name", "header"))

    def test_nom_alone_of_two_words_is_a_full_name(self):
        path = self.write("n.csv", ["Nom", "Email"], [
            ["Jean Dupont", "j@ex.example"], ["Marie Curie", "m@ex.example"],
            ["Roux", "r@ex.example"]])
        self.assertEqual(self.sniff(path)["mapping"][0]["field"], "full_name")
        self.imp(path)
        got = {e: (v["first_name"], v["last_name"]) for e, v in self.leads().items()}
        self.assertEqual(got, {"j@ex.example": ("Jean", "Dupont"),
                               "m@ex.example": ("Marie", "Curie"), "r@ex.example": (None, "Roux")})

    def test_nom_alone_of_single_words_stays_the_last_name(self):
        path = self.write("n.csv", ["Nom", "Email"], [["Dupont", "j@ex.example"],
                                                      ["Martin", "m@ex.example"]])
        col = self.sniff(path)["mapping"][0]
        self.assertEqual((col["field"], col["reason"]), ("last_name", "header"))

    def test_no_name_column_warns_with_the_map_to_use(self):
        path = self.write("c.csv", ["Prénom", "Email", "Divers"], [
            ["Jean", "j@ex.example", "Garage Martin"], ["Ana", "a@ex.example", "Hôtel du Lac"]])
        doc = self.sniff(path)
        self.assertEqual(doc["warnings"], [
            "Aucune colonne n'est reconnue comme nom ou société : si la colonne "
            "« Divers » en contient, ajoutez --map company=\"Divers\""])
        s = self.imp(path)
        self.assertEqual(s["invalid"], 2)
        self.assertIn(doc["warnings"][0], s["warnings_text"])
        os.remove(li.db_path(self.tmp))
        s = self.imp(path, "--map", "company=Divers")
        self.assertEqual(s["valid"], 2)

    def test_a_contact_column_of_addresses_and_numbers_is_named_in_the_warning(self):
        path = self.write("k.csv", ["Société", "Contact"], [
            ["Acme", "a@acme.example"], ["Globex", "06 12 34 56 78"],
            ["Initech", "i@initech.example"]])
        doc = self.sniff(path)
        self.assertEqual(doc["mapping"][1]["field"], None)
        self.assertEqual(doc["warnings"], [
            "Aucune colonne e-mail ni téléphone n'a été reconnue : toutes les lignes seront "
            "refusées ; si la colonne « Contact » en contient, ajoutez --map email=\"Contact\""])


class TestHeadersTheValuesContradict(ShapeTest):
    def test_flags_ids_and_dates_take_no_field_and_the_real_name_keeps_its_own(self):
        header = ["Contacté", "company_id", "source_id", "Last contact", "Nom du contact",
                  "Email", "ID"]
        rows = [["oui", "1", "2", "2024-01-02", "Jane Martin", "jane@ex.example", "A-1"],
                ["non", "2", "3", "2024-02-03", "DUPONT Jean", "jean@ex.example", "A-2"],
                ["oui", "3", "1", "2024-03-01", "Paul Roux", "paul@ex.example", "A-3"]]
        path = self.write("f.csv", header, rows)
        f = self.fields(self.sniff(path))
        self.assertEqual(f["Contacté"], (None, "custom"))
        self.assertEqual(f["company_id"], (None, "custom"))
        self.assertEqual(f["source_id"], (None, "custom"))
        self.assertEqual(f["Last contact"], (None, "custom"))
        self.assertEqual(f["Nom du contact"], ("full_name", "names"))
        self.assertEqual(f["ID"], ("external_id", "header"))
        s = self.imp(path)
        self.assertEqual((s["valid"], s["invalid"]), (3, 0))
        lead = self.leads()["jean@ex.example"]
        self.assertEqual((lead["first_name"], lead["last_name"], lead["company"], lead["source"],
                          lead["external_id"]), ("Jean", "Dupont", None, None, "A-2"))
        self.assertEqual(lead["custom"], {"Contacté": "non", "company_id": "2", "source_id": "3",
                                          "Last contact": "2024-02-03"})


class TestReimportTheReport(ShapeTest):
    def test_a_corrected_report_imports_and_its_own_columns_are_dropped(self):
        header = ["Prénom", "Nom", "Email", "Téléphone", "Société"]
        rows = [["Jean", "Dupont", "jean@dupont.example", "06 12 34 56 78", "Dupont SA"],
                ["Ana", "Lopez", "ana@lopez", "", "Lopez SARL"],
                ["Marc", "", "marc@ex.example", "", ""],
                ["Eve", "Blanc", "eve@blanc.example", "", ""]]
        path = self.write("leads.csv", header, rows)
        s = self.imp(path)
        self.assertEqual((s["valid"], s["invalid"]), (2, 2))
        report = os.path.join(self.tmp, "leads.erreurs.csv")
        _, delim, recs = li.read_report(report)
        self.assertEqual(recs[0][:3], ["Ligne", "Statut", "Erreurs"])
        # The user fixes the cells in the report, as in a spreadsheet.
        for rec in recs[1:]:
            if rec[3 + 2] == "ana@lopez":
                rec[3 + 2] = "ana@lopez.example"
            if rec[3 + 0] == "Marc":
                rec[3 + 1] = "Petit"
        fixed = os.path.join(self.tmp, "leads.erreurs.corrige.csv")
        with open(fixed, "w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f, delimiter=delim, lineterminator="\r\n").writerows(recs)
        doc = self.sniff(fixed)
        f = self.fields(doc)
        self.assertEqual(f["Ligne"], ("ignore", "report"))
        self.assertEqual(f["Statut"], ("ignore", "report"))
        self.assertEqual(f["Erreurs"], ("ignore", "report"))
        s = self.imp(fixed)
        self.assertEqual((s["valid"], s["invalid"], s["created"]), (2, 0, 2))
        leads = self.leads()
        self.assertEqual(sorted(leads), ["ana@lopez.example", "eve@blanc.example",
                                         "jean@dupont.example", "marc@ex.example"])
        self.assertEqual(leads["marc@ex.example"]["last_name"], "Petit")
        for lead in leads.values():
            self.assertNotIn("Ligne", lead["custom"])
            self.assertNotIn("Erreurs", lead["custom"])
            self.assertNotIn("Statut", lead["custom"])
        # A report of the earlier shape (no "Statut") is read the same way.
        older = self.write("ancien.csv", ["Ligne", "Erreurs"] + header,
                           [["3", "Ni nom ni société", "Rémi", "Faure",
                             "remi@faure.example", "", ""]], delimiter=";")
        f = self.fields(self.sniff(older))
        self.assertEqual([f[h][0] for h in ("Ligne", "Erreurs")], ["ignore"] * 2)
        self.imp(older)
        self.assertEqual(self.leads()["remi@faure.example"]["custom"], {})


if __name__ == "__main__":
    li.main()
