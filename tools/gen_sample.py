#!/usr/bin/env python3
"""gen_sample.py — deterministic sample lead files for leadimport.

The project's own generator of realistic CSV files of sales leads, as a
French-speaking sales team receives them (Excel exports, trade-show lists,
bought files). Python 3.9+ standard library only. The same arguments give
byte-identical output on every machine and Python version: the only source
of randomness is random.Random(seed).random().

What a file holds
  * Header: Prénom,Nom,Email,Téléphone,Société,Poste,Adresse,Code postal,
    Ville,Pays,Source,Notes,ID externe,Commercial.
  * French and English names with accents, hyphens, apostrophes and
    particles (d'Estienne, Le Bris, de La Tour, O'Sullivan, N'Diaye ...);
    some upper-cased or padded.
  * Companies with commas, double quotes, ampersands and legal forms.
  * Notes with commas, semicolons, double quotes, « », €, and line breaks
    (LF and CRLF) inside quoted fields; addresses on two lines now and then.
  * Phones valid in the French numbering plan (0 + [1-5,9] + 8 digits;
    mobiles 06 and 07[3-9]) written in the usual ways: "06 12 34 56 78",
    "0612345678", "+33 6 12 34 56 78", "06.12.34.56.78", "06-12-...",
    "0033 6 ...", "+33 (0)6 ...", "+33612345678", "612345678" (the 0 a
    spreadsheet ate); a few Belgian (+32 4xx xx xx xx) and Swiss
    (+41 7x xxx xx xx) mobiles.
  * Every valid row has an e-mail, unique in the file (case-insensitive,
    trimmed) and a phone unique in the file (as E.164) or, for some, no
    phone. Some e-mails are padded with spaces or upper-cased.
  * Bad rows (--invalid-rate): a bad e-mail beside a valid phone, a bad
    phone beside a valid e-mail (both kept as leads with a warning: the
    lead can still be reached, the unusable text is kept aside), neither
    e-mail nor phone, or neither last name nor company (both invalid).
    Their e-mails and phones are never those of another row.
  * Duplicate rows (--dup-rate): repeat the e-mail (re-cased or padded) and
    the phone (written another way) of an earlier valid row.
  * Only characters that Windows-1252 can encode, so that every --encoding
    holds the same data.

--expect PATH writes what an import of the file into an empty database must
give, as JSON: rows, valid (valid, warned and duplicate rows), invalid,
duplicates, leads_created_with_skip, leads_created_with_create, invalid_rows,
duplicate_rows and contact_warning_rows (spreadsheet row numbers: the header is row 1, the first data
row is row 2, line breaks inside quoted fields do not count), header, and,
for files of at most 50,000 rows, emails_created: the sorted, lower-cased,
trimmed e-mails of the leads an import with the skip strategy creates ("" for
a lead kept without its unusable e-mail).

Usage:
  tools/gen_sample.py --rows 20000 --seed 7 --out var/exemple-leads.csv
  tools/gen_sample.py --rows 5000 --delimiter ';' --encoding cp1252 \\
      --newline lf --out leads.csv --expect leads.expect.json
"""
import argparse
import csv
import io
import json
import sys
import unicodedata

HEADER = ["Prénom", "Nom", "Email", "Téléphone", "Société", "Poste", "Adresse",
          "Code postal", "Ville", "Pays", "Source", "Notes", "ID externe",
          "Commercial"]

EMAILS_CREATED_MAX_ROWS = 50000

# --- vocabulary (every string here must encode in Windows-1252) -------------

FIRST_FR = """Adèle Agathe Albane Alexandre Amélie Anaëlle Annabelle Anne-Cécile
Antoine Apolline Armand Arnaud Augustin Aurore Axelle Bastien Béatrice Benjamin
Bertrand Blanche Brice Capucine Carole Charles-Henri Charlotte Cyril Cyrielle
Damien Delphine Denis Diane Dominique Édouard Éléonore Élise Emmanuel Estelle
Étienne Fabienne Fabrice Florent Florence Gaspard Gauthier Geoffroy Ghislaine
Guillaume Gwenaëlle Hélène Henri Honorine Hugues Irène Jacqueline Jean-Marc
Jean-Noël Jeanne Joëlle Josselin Judith Laure Léonard Lilian Lise Lucie Ludovic
Madeleine Maëva Marc-Olivier Margaux Marie-Anne Marie-Ève Marine Martine
Mathilde Matthieu Maxence Mélissa Morgane Nadège Nicole Noëlle Octave Odile
Pascale Perrine Quentin Raphaëlle Régine Renaud Romain Rosalie Sébastien
Séverine Simone Solange Stanislas Sylvain Tanguy Thaïs Théophile Tiphaine
Valentine Victor Vincent Virginie Xavier Yann Yves Zoé""".split()
FIRST_EN = """Alice Andrew Bridget Colin Daisy Edward Fiona Gavin Heather Ian
Jennifer Kate Liam Molly Neil Patrick Rachel Simon Tessa Wendy""".split()
LAST_FR = """Aubert Barbier Bazin Bellanger Besson Blanchet Boucher Bourdon
Brunel Carlier Chabert Chevallier Chrétien Clerc Cornu Coulon Delaunay Delmas
Desjardins Dubreuil Duchêne Ducros Dufresne Dumoulin Duprat Durieux Fauré
Ferrand Fleurot Forestier Fouquet Gallet Gilbert Godard Gosselin Granger
Guichard Hébert Hérault Humbert Jacob Joubert Jourdan Labbé Lacombe Laffont
Lamarque Langlois Lavigne Leblanc Lebreton Lecocq Lefort Lejeune Lemaître
Lenoir Lesage Letellier Loiseau Maillot Marechal Marin Maurel Ménager Millet
Mollet Monnier Navarro Pasquier Pelletier Pichon Poulain Prudhomme Raynaud
Rémond Richaud Rigaud Rivet Rocher Rouillé Sabatier Salmon Sauvage Séguin
Tessier Thibault Tissot Toussaint Valette Vallée Verdier Viard Weber""".split() + [
    "Le Bris", "Le Floch", "Le Corre", "de La Tour", "de Montaigne", "du Plessis",
    "d'Estienne", "d'Aubigné", "D'Amico", "L'Huillier", "N'Diaye", "N'Guessan",
    "Saint-Just", "Lemoine-Pichon", "Berthier-Rousseau", "Van der Meulen",
    "Ben Amara", "Da Costa", "Nguyen Thi", "Larivière de Saint-Cyr"]
LAST_EN = """Baker Carter Collins Edwards Fisher Graham Harris Hughes Jenkins
Kelly Lewis Mitchell Murphy Parker Reed Stewart Turner Ward""".split() + [
    "O'Sullivan", "O'Neill", "McAllister", "MacGregor", "Fitzpatrick"]

CONSUMER = (["gmail.com"] * 9 + ["orange.fr"] * 5 + ["free.fr"] * 3 +
            ["wanadoo.fr"] * 2 + ["sfr.fr"] * 2 + ["laposte.net"] * 2 +
            ["hotmail.fr"] * 3 + ["yahoo.fr"] * 2 + ["outlook.fr"] * 2 +
            ["icloud.com", "live.fr", "bbox.fr", "gmx.fr", "protonmail.com",
             "numericable.fr", "skynet.be", "bluewin.ch", "hotmail.com"])

CO_TRADES = ["Boucherie", "Charcuterie", "Cabinet", "Garage", "Hôtel", "Bistrot",
             "Pharmacie", "Ébénisterie", "Couverture", "Agence", "Imprimerie",
             "Laboratoire", "Éditions", "Groupe", "Atelier", "Domaine", "Clinique",
             "Étude", "Maison", "Brasserie", "Crèmerie", "Vignobles", "Transports",
             "Auto-École", "Librairie", "Serrurerie", "Informatique", "Menuiserie"]
CO_WORDS = ["Armor", "Lumière", "Horizon", "Garonne", "Cévennes", "Alpes",
            "Océane", "Émeraude", "Boréal", "Vauban", "Quartz", "Éole", "Aurore",
            "Rhône", "Loire", "Numérique", "Conseil", "Systèmes", "Solutions",
            "Réseaux", "Énergies", "Habitat", "Santé", "Finance", "Logistique",
            "Industrie", "Data", "Cloud", "Partners", "Services", "Bâti", "Terroir"]
CO_FORMS = ["SARL", "SAS", "SA", "SASU", "EURL", "SCOP", "& Fils", "& Cie",
            "Ltd", "", "", "", ""]
CO_ODD = ['Durand, Petit & Associés', 'Le "Bon Coin" Gourmand',
          'Boulangerie "Chez Paulette"', "L'Épicerie d'Élise",
          'Société "Les Trois Chênes", SARL', "Martin, Martin et fils",
          "Crédit Mutuel, agence de Brest", 'Café « Le Rostand »',
          "Ateliers d'Art & Métiers", 'Hôtel "Le Régent", Biarritz',
          "Laboratoires Œnologiques du Médoc", "Compagnie Générale des Eaux"]

POSTES = ["Directeur commercial", "Directrice commerciale", "Gérant", "Gérante",
          "PDG", "Directeur général", "Responsable achats", "Acheteuse",
          "Chargée d'affaires", "Chargé de clientèle", "Assistante de direction",
          "Office manager", "Chef de projet", "DAF", "DSI", "Responsable RH",
          "Responsable marketing & communication", "Head of Sales", "CEO",
          "Ingénieur commercial", "Responsable d'exploitation", "Comptable",
          "Notaire", "Avocate associée", "Pharmacienne", "Architecte", "",
          "", "", "Key account manager", "Responsable qualité, hygiène et sécurité"]

VOIES = ["rue", "rue", "rue", "avenue", "boulevard", "place", "impasse", "allée",
         "chemin", "route", "quai", "cours"]
VOIE_NAMES = ["de la Paix", "Victor-Hugo", "Jules Ferry", "des Acacias",
              "du Général Leclerc", "de l'Hôpital", "Saint-Éloi", "des Tilleuls",
              "du Marché", "de la Mairie", "Anatole France", "des Écoles",
              "de la Gare", "Jean Moulin", "du Faubourg Saint-Antoine",
              "de l'Abbé Grégoire", "des Maraîchers", "Émile Zola", "du Port",
              "de Lattre de Tassigny", "des Résistants", "Pierre et Marie Curie"]

CITIES = [("75002", "Paris"), ("75009", "Paris"), ("75014", "Paris"),
          ("75116", "Paris"), ("69007", "Lyon"), ("13006", "Marseille"),
          ("31400", "Toulouse"), ("06300", "Nice"), ("44100", "Nantes"),
          ("67100", "Strasbourg"), ("34070", "Montpellier"), ("33800", "Bordeaux"),
          ("59800", "Lille"), ("35700", "Rennes"), ("29000", "Quimper"),
          ("38100", "Grenoble"), ("21000", "Dijon"), ("01100", "Oyonnax"),
          ("02000", "Laon"), ("03100", "Montluçon"), ("04000", "Digne-les-Bains"),
          ("07200", "Aubenas"), ("08000", "Charleville-Mézières"),
          ("20200", "Bastia"), ("97100", "Basse-Terre"), ("97400", "Saint-Denis"),
          ("64100", "Bayonne"), ("74400", "Chamonix-Mont-Blanc"),
          ("17300", "Rochefort"), ("56100", "Lorient"), ("76200", "Dieppe"),
          ("80100", "Abbeville"), ("92300", "Levallois-Perret"),
          ("93100", "Montreuil"), ("94200", "Ivry-sur-Seine"), ("49100", "Angers"),
          ("37100", "Tours"), ("87100", "Limoges"), ("63100", "Clermont-Ferrand")]
BE_CITIES = [("1050", "Ixelles"), ("4020", "Liège"), ("6000", "Charleroi")]
CH_CITIES = [("1204", "Genève"), ("1006", "Lausanne"), ("1700", "Fribourg")]
PAYS_FR = ["France"] * 12 + ["FR", "FRANCE", "france", ""]

SOURCES = ["Site web", "Formulaire de contact", "LinkedIn", "Salon Batimat",
           "Salon des Maires", "Recommandation", "Appel entrant", "Webinaire",
           "Achat de fichier", "Partenaire", "Campagne e-mailing", "Google Ads",
           "Newsletter", "Bouche-à-oreille", "Trade show", "Referral", ""]

NOTES_PLAIN = ["Rappeler jeudi après 14h", "Très intéressé, budget 20 000 €",
               "Budget ~8k€ ; décision fin du trimestre", "Envoyer la brochure",
               "Demande une démo, de préférence en visio", "Pas de besoin actuellement",
               "Client de 2018 à 2021, à reconquérir", "Décideur : le DAF",
               "Concurrent en place, contrat jusqu'en juin", "Œil sur l'offre Pro",
               "Préfère les e-mails aux appels", "Absent jusqu'au 2 septembre",
               "Follow up after the trade show", "Asked for a quote for 30 users",
               "Cœur de cible, à prioriser", "RDV pris le 14/10 à 9h30"]
NOTES_QUOTED = ['A dit "rappelez-moi en janvier"', "Réponse : « pas avant 2025 »",
                'Objection "trop cher", proposer la remise de 10 %',
                "Surnommé « le Baron », très sympathique",
                'Said "maybe next year", keep warm']
NOTES_DASH = ["- à rappeler", "+ intéressé par l'option Cloud", "@équipe : voir ce lead"]

OWNERS = ["Claire Dubreuil", "Mathieu Lenoir", "Inès Toussaint", "Yann Le Bris",
          "Éloïse Marin", "Hugo Sabatier", "Nadia Benali", "", "Non attribué"]

BAD_EMAILS = ["jean.dupont@", "pas d'email", "x@y", "a@@b.fr",
              "marie dupont@gmail.com", "@orange.fr", "contact@@free.fr",
              "jean.martin@gmail", "n/a", "Jean Dupont <>"]
BAD_PHONES = ["06 12 34 56", "12345", "N/A", "+33 6 12 34 56 78 90", "0000",
              "ne pas appeler", "06 12 34 56 78 9"]

FR_FORMATS = 9  # number of ways format_fr() writes a French number


def _check_cp1252():
    pools = [HEADER, FIRST_FR, FIRST_EN, LAST_FR, LAST_EN, CO_TRADES, CO_WORDS,
             CO_FORMS, CO_ODD, POSTES, VOIES, VOIE_NAMES, SOURCES, NOTES_PLAIN,
             NOTES_QUOTED, NOTES_DASH, OWNERS, BAD_EMAILS, BAD_PHONES, PAYS_FR,
             [c for pair in CITIES + BE_CITIES + CH_CITIES for c in pair]]
    for pool in pools:
        for s in pool:
            s.encode("cp1252")


_SLUGS = {}


def slug(s):
    """ASCII lower-case letters and digits of s (accents stripped), cached."""
    v = _SLUGS.get(s)
    if v is None:
        d = unicodedata.normalize("NFKD", s.replace("œ", "oe").replace("Œ", "oe"))
        v = "".join(c for c in d.lower() if c.isascii() and c.isalnum())
        _SLUGS[s] = v
    return v


class Sample:
    """Generates rows one at a time; remembers what the expectations need."""

    def __init__(self, seed, invalid_rate, dup_rate):
        import random
        self.rnd = random.Random(seed).random
        self.invalid_rate = invalid_rate
        self.dup_rate = dup_rate
        self.emails = set()       # lower-cased e-mails handed out
        self.phones = set()       # E.164 digits (int) handed out
        self.pool = []            # reservoir of valid people, for duplicates
        self.nvalid_people = 0
        self.kinds = bytearray()  # per data row: b"v", b"d" or b"i"
        self.created = []         # e-mails of the leads a skip import creates
        self.keep_created = True

    # -- small helpers --------------------------------------------------------
    def pick(self, seq):
        return seq[int(self.rnd() * len(seq))]

    def num(self, n):
        """A uniform integer in [0, n)."""
        return int(self.rnd() * n)

    # -- people -----------------------------------------------------------------
    def name(self):
        x = self.rnd()
        if x < 0.88:
            return self.pick(FIRST_FR), self.pick(LAST_FR)
        if x < 0.95:
            return self.pick(FIRST_EN), self.pick(LAST_EN)
        return self.pick(FIRST_EN), self.pick(LAST_FR)

    def company(self):
        x = self.rnd()
        if x < 0.15:
            return ""
        if x < 0.25:
            return self.pick(CO_ODD)
        if x < 0.60:
            base = self.pick(CO_TRADES) + " " + self.pick(LAST_FR)
        else:
            base = self.pick(CO_WORDS) + " " + self.pick(CO_WORDS)
        form = self.pick(CO_FORMS)
        return base + " " + form if form else base

    def email(self, first, last, company):
        f, l = slug(first) or "contact", slug(last) or "info"
        if company and self.rnd() < 0.35:
            dom = (slug(company.split(",")[0])[:24] or "societe") + self.pick(
                [".fr", ".fr", ".com", ".eu", ".net"])
        else:
            dom = self.pick(CONSUMER)
        x = self.rnd()
        if x < 0.40:
            local = f + "." + l
        elif x < 0.55:
            local = f[0] + "." + l
        elif x < 0.65:
            local = f + l
        elif x < 0.75:
            local = l + "." + f
        elif x < 0.88:
            local = "%s_%s%d" % (f, l, 1 + self.num(99))
        else:
            local = "%s%d" % (f, 1 + self.num(9999))
        e = local + "@" + dom
        k = 2
        while e in self.emails:  # all generated e-mails are lower-case
            e = "%s%d@%s" % (local, k + self.num(1000), dom)
            k += 1000
        self.emails.add(e)
        return e

    def phone(self, abroad):
        """(kind, digits) unique in the file; kind 'FR', 'BE' or 'CH'.
        FR digits are the 10 national digits with the trunk 0; BE and CH
        digits are the national significant number (9 digits)."""
        while True:
            if abroad == "BE":
                d = "4%d%07d" % (5 + self.num(5), self.num(10 ** 7))
                key = int("32" + d)
            elif abroad == "CH":
                d = "7%d%07d" % (5 + self.num(5), self.num(10 ** 7))
                key = int("41" + d)
            else:
                x = self.rnd()
                if x < 0.45:    # 063[9], 069[0-4,6,7]: overseas blocks
                    d = "06%s%07d" % ("01245678"[self.num(8)], self.num(10 ** 7))
                elif x < 0.70:
                    d = "07%d%07d" % (3 + self.num(7), self.num(10 ** 7))
                elif x < 0.95:  # 01, 03, 04[1-9], 05[0-8]: no 040, no overseas
                    d = ["01", "03", "04%d" % (1 + self.num(9)),
                         "05%d" % self.num(9)][self.num(4)]
                    d += "%0*d" % (10 - len(d), self.num(10 ** (10 - len(d))))
                else:
                    d = "09%08d" % self.num(10 ** 8)
                key = int("33" + d[1:])
            if key not in self.phones:
                self.phones.add(key)
                return abroad or "FR", d

    def format_phone(self, kind, d, fmt):
        if kind == "BE":
            if fmt % 3 == 0:
                return "+32 %s %s %s %s" % (d[:3], d[3:5], d[5:7], d[7:])
            if fmt % 3 == 1:
                return "0032 %s" % d
            return "+32%s" % d
        if kind == "CH":
            if fmt % 3 == 0:
                return "+41 %s %s %s %s" % (d[:2], d[2:5], d[5:7], d[7:])
            if fmt % 3 == 1:
                return "0041 %s %s %s" % (d[:2], d[2:5], d[5:])
            return "+41%s" % d
        p = (d[0:2], d[2:4], d[4:6], d[6:8], d[8:10])
        fmt %= FR_FORMATS
        if fmt == 0:
            return " ".join(p)
        if fmt == 1:
            return d
        if fmt == 2:
            return "+33 %s %s %s %s %s" % (d[1], p[1], p[2], p[3], p[4])
        if fmt == 3:
            return ".".join(p)
        if fmt == 4:
            return "0033 %s %s %s %s %s" % (d[1], p[1], p[2], p[3], p[4])
        if fmt == 5:
            return "+33 (0)%s %s %s %s %s" % (d[1], p[1], p[2], p[3], p[4])
        if fmt == 6:
            return d[1:]  # the leading 0 a spreadsheet ate
        if fmt == 7:
            return "+33" + d[1:]
        return "-".join(p)

    def phone_format(self):
        x = self.rnd()
        # weights: spaced pairs and plain digits are the most common
        if x < 0.35:
            return 0
        if x < 0.55:
            return 1
        return 2 + self.num(FR_FORMATS - 2)

    # -- other fields ---------------------------------------------------------
    def address(self):
        x = self.rnd()
        if x < 0.04:
            return "BP %d" % (1 + self.num(900))
        num = 1 + self.num(180)
        suf = self.pick(["", "", "", "", "", " bis", " ter"])
        s = "%d%s %s %s" % (num, suf, self.pick(VOIES), self.pick(VOIE_NAMES))
        y = self.rnd()
        if y < 0.08:
            s = "Bâtiment %s, %s" % (self.pick("ABCD"), s)
        elif y < 0.12:
            s = s + "\nZA du Moulin"  # two-line address
        elif y < 0.14:
            s = s.upper()
        return s

    def place(self):
        x = self.rnd()
        if x < 0.94:
            cp, city = self.pick(CITIES)
            if self.rnd() < 0.04:
                city = city.upper()
            return cp, city, self.pick(PAYS_FR), None
        if x < 0.97:
            cp, city = self.pick(BE_CITIES)
            return cp, city, "Belgique", "BE"
        cp, city = self.pick(CH_CITIES)
        return cp, city, "Suisse", "CH"

    def notes(self):
        x = self.rnd()
        if x < 0.55:
            return ""
        if x < 0.78:
            return self.pick(NOTES_PLAIN)
        if x < 0.85:
            return self.pick(NOTES_PLAIN) + ", " + self.pick(NOTES_PLAIN).lower()
        if x < 0.92:
            return self.pick(NOTES_QUOTED)
        if x < 0.99:
            sep = "\r\n" if self.rnd() < 0.35 else "\n"
            n = 2 + self.num(2)
            return sep.join(self.pick(NOTES_PLAIN) for _ in range(n))
        return self.pick(NOTES_DASH)

    def rest(self, row_index):
        """Poste, Adresse, Source, Notes, ID externe, Commercial."""
        x = self.rnd()
        if x < 0.5:
            ext = "CRM-%07d" % (row_index + 1)
        elif x < 0.75:
            ext = "SF-%010d" % self.num(10 ** 10)
        elif x < 0.9:
            ext = str(1 + self.num(10 ** 6))
        else:
            ext = ""
        return (self.pick(POSTES), self.address(), self.pick(SOURCES), self.notes(),
                ext, self.pick(OWNERS))

    def row(self, first, last, email, phone, company, cp, city, pays, row_index):
        x = self.rnd()
        if x < 0.05:
            last = last.upper()
        elif x < 0.07:
            first = " " + first + " "
        poste, addr, src, notes, ext, owner = self.rest(row_index)
        return [first, last, email, phone, company, poste, addr, cp, city, pays,
                src, notes, ext, owner]

    # -- rows -----------------------------------------------------------------
    def valid_row(self, i):
        first, last = self.name()
        company = self.company()
        if self.rnd() < 0.01 and company:
            first, last = "", ""  # only a company: still valid
        cp, city, pays, abroad = self.place()
        email = self.email(first, last, company)
        kind, digits = self.phone(abroad)
        fmt = self.phone_format()
        phone = "" if self.rnd() < 0.07 else self.format_phone(kind, digits, fmt)
        if self.keep_created:
            self.created.append(email)
        # reservoir of people that duplicates may repeat (bounded memory)
        person = (email, kind, digits, fmt, first, last, company, cp, city, pays)
        self.nvalid_people += 1
        if len(self.pool) < 4096:
            self.pool.append(person)
        else:
            j = self.num(self.nvalid_people)
            if j < 4096:
                self.pool[j] = person
        x = self.rnd()
        if x < 0.03:
            shown = email.upper()
        elif x < 0.06:
            shown = email[0].upper() + email[1:]
        elif x < 0.09:
            shown = " " + email + " "
        elif x < 0.10:
            shown = email + "  "
        else:
            shown = email
        return self.row(first, last, shown, phone, company, cp, city, pays, i)

    def dup_row(self, i):
        email, kind, digits, fmt, first, last, company, cp, city, pays = \
            self.pick(self.pool)
        x = self.rnd()
        if x < 0.35:
            e = email.upper()
        elif x < 0.55:
            e = email[0].upper() + email[1:]
        elif x < 0.80:
            e = "  " + email
        else:
            e = email + " "
        phone = self.format_phone(kind, digits, fmt + 1 + self.num(FR_FORMATS - 1))
        if self.rnd() < 0.3:
            company = self.company() or company
        return self.row(first, last, e, phone, company, cp, city, pays, i)

    def invalid_row(self, i):
        first, last = self.name()
        company = self.company() or "Entreprise " + self.pick(LAST_FR)
        cp, city, pays, abroad = self.place()
        email = self.email(first, last, company)
        kind, digits = self.phone(abroad)
        phone = self.format_phone(kind, digits, self.phone_format())
        x = self.rnd()
        kind = 105                   # b"i"
        if x < 0.35:
            email = self.pick(BAD_EMAILS)
            kind = 119               # b"w": reachable by phone, kept
            created = ""
        elif x < 0.65:
            phone = self.pick(BAD_PHONES)
            kind = 119               # reachable by e-mail, kept
            created = email
        elif x < 0.82:
            email, phone = "", ""
        else:
            last, company = "", ""
        if kind == 119 and self.keep_created:
            self.created.append(created)
        self.kinds.append(kind)
        return self.row(first, last, email, phone, company, cp, city, pays, i)

    def next_row(self, i):
        x = self.rnd()
        if x < self.dup_rate and self.pool:
            self.kinds.append(100)   # b"d"
            return self.dup_row(i)
        if x < self.dup_rate + self.invalid_rate:
            return self.invalid_row(i)  # appends its kind
        self.kinds.append(118)       # b"v"
        return self.valid_row(i)


def expectations(g, header):
    kinds = bytes(g.kinds)
    nvalid, ndup, ninv = kinds.count(b"v"), kinds.count(b"d"), kinds.count(b"i")
    nwarn = kinds.count(b"w")
    doc = {
        "rows": len(kinds),
        "valid": nvalid + nwarn + ndup,
        "invalid": ninv,
        "duplicates": ndup,
        "leads_created_with_skip": nvalid + nwarn,
        "leads_created_with_create": nvalid + nwarn + ndup,
        "invalid_rows": [i + 2 for i, k in enumerate(kinds) if k == 105],
        "duplicate_rows": [i + 2 for i, k in enumerate(kinds) if k == 100],
        "contact_warning_rows": [i + 2 for i, k in enumerate(kinds) if k == 119],
        "header": header,
        "rules": "valid = (a valid e-mail or a valid phone) and (last name or "
                 "company); an invalid e-mail or phone beside a valid other one "
                 "is a warning (the lead is kept without it); duplicate = same "
                 "normalised e-mail or phone as an earlier row",
    }
    if g.keep_created:
        doc["emails_created"] = sorted(g.created)
    return doc


def main(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, required=True, help="number of data rows")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--invalid-rate", type=float, default=0.02)
    ap.add_argument("--dup-rate", type=float, default=0.01)
    ap.add_argument("--delimiter", default=",",
                    choices=[",", ";", "tab", "\t", "\\t", "|"])
    ap.add_argument("--encoding", default="utf-8",
                    choices=["utf-8", "utf-8-sig", "cp1252", "utf-16"],
                    help="utf-16 is little-endian with a BOM, like Excel's "
                         "'Unicode text'")
    ap.add_argument("--newline", default="crlf", choices=["crlf", "lf"])
    ap.add_argument("--out", required=True, help="output path, or - for stdout")
    ap.add_argument("--expect", help="write the expected import results (JSON) here")
    a = ap.parse_args(argv)
    if a.rows < 0:
        ap.error("--rows must be >= 0")
    if not (0 <= a.invalid_rate <= 1 and 0 <= a.dup_rate <= 1) or \
            a.invalid_rate + a.dup_rate > 1:
        ap.error("rates must be in [0, 1] and add up to at most 1")
    _check_cp1252()
    delim = "\t" if a.delimiter in ("tab", "\t", "\\t") else a.delimiter

    raw = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")
    try:
        if a.encoding == "utf-16":
            raw.write(b"\xff\xfe")
            enc = "utf-16-le"
        else:
            enc = a.encoding
        f = io.TextIOWrapper(raw, encoding=enc, errors="strict", newline="",
                             write_through=False)
        w = csv.writer(f, delimiter=delim, quotechar='"', quoting=csv.QUOTE_MINIMAL,
                       lineterminator="\r\n" if a.newline == "crlf" else "\n")
        w.writerow(HEADER)
        g = Sample(a.seed, a.invalid_rate, a.dup_rate)
        g.keep_created = a.rows <= EMAILS_CREATED_MAX_ROWS
        batch = []
        nxt = g.next_row
        for i in range(a.rows):
            batch.append(nxt(i))
            if len(batch) == 5000:
                w.writerows(batch)
                batch.clear()
        w.writerows(batch)
        f.flush()
        if a.out == "-":
            f.detach()
        else:
            f.close()
    finally:
        if a.out != "-" and not raw.closed:
            raw.close()
    if a.expect:
        with open(a.expect, "w", encoding="utf-8") as out:
            json.dump(expectations(g, HEADER), out, ensure_ascii=False)
            out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
