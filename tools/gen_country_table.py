#!/usr/bin/env python3
"""gen_country_table.py — writes src/lead/country_table.h, the country names
li__country_iso() knows (country.c), from Debian's iso-codes data.

Sources (python3 stdlib only, so the build never needs iso-codes):
  - iso_3166-1.json: every ISO 3166-1 country, its alpha-2 and alpha-3
    codes, its English name, official name and common name;
  - the French translations of those names, from the gettext catalogue
    iso_3166-1.mo (read here, no gettext module needed);
  - ALIASES below: the names people write that ISO does not give
    ("UK", "USA", "États-Unis", "Angleterre", "Schweiz", "Holland"...).

Each name is folded exactly as country.c folds what it looks up (ASCII
letters lower-cased, digits kept, Latin-1 accents to their base letter,
everything else dropped), so the C side is a binary search on the sorted
keys. Names written "Korea, Republic of" also give "Republic of Korea"; a
bracketed part is also dropped ("Holy See (Vatican City State)" -> "Holy
See"); those bracket-less forms, and the head of a comma name ("Korea"), are
kept only when no other country claims the same key. Two countries that
claim the same key from their real names or codes stop the generator: an
alias must decide.

Usage: tools/gen_country_table.py [--iso-dir DIR] [--mo FILE] [-o OUT]
Without -o the table goes to stdout (the test compares it with the
committed file).
"""
import argparse
import json
import os
import struct
import sys

ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
FR_MO = "/usr/share/locale/fr/LC_MESSAGES/iso_3166-1.mo"

# Names people write that ISO 3166 does not give, or gives otherwise.
ALIASES = {
    "GB": ["UK", "U.K.", "Royaume-Uni", "Royaume Uni", "Grande-Bretagne", "Great Britain",
           "Angleterre", "England", "Écosse", "Scotland", "Pays de Galles", "Wales",
           "Irlande du Nord", "Northern Ireland", "Britain"],
    "US": ["USA", "U.S.A.", "U.S.", "États-Unis", "Etats Unis", "États-Unis d'Amérique",
           "Amérique", "America", "United States of America"],
    "CH": ["Suisse", "Schweiz", "Svizzera", "Svizra", "Confédération suisse",
           "Confoederatio Helvetica"],
    "DE": ["Deutschland", "Allemagne", "RFA", "BRD"],
    "AT": ["Österreich", "Osterreich", "Autriche"],
    "ES": ["España", "Espagne"],
    "IT": ["Italia"],
    "NL": ["Holland", "Hollande", "Nederland", "The Netherlands", "Pays-Bas"],
    "BE": ["België", "Belgie", "Belgien", "Belgique"],
    "LU": ["Luxemburg", "Lëtzebuerg"],
    "BY": ["Biélorussie", "Bielorussie", "Belarus", "Belorussia"],
    "RU": ["Russie", "Russia", "Fédération de Russie", "Rossiya"],
    "KR": ["Corée du Sud", "Coree du Sud", "Corée", "Korea", "South Korea",
           "République de Corée", "Republic of Korea"],
    "KP": ["Corée du Nord", "North Korea"],
    "CI": ["Côte d'Ivoire", "Cote d'Ivoire", "Cote divoire", "Côte-d'Ivoire", "Ivory Coast",
           "RCI"],
    "CD": ["RDC", "RD Congo", "DR Congo", "Congo-Kinshasa", "Congo Kinshasa",
           "République démocratique du Congo", "Democratic Republic of the Congo", "Zaïre"],
    "CG": ["Congo-Brazzaville", "Congo Brazzaville", "République du Congo",
           "Republic of the Congo"],
    "AE": ["EAU", "UAE", "Émirats arabes unis", "Emirats"],
    "CZ": ["République tchèque", "Tchéquie", "Czech Republic"],
    "FR": ["République française", "France métropolitaine", "Métropole"],
    "RE": ["La Réunion", "Réunion", "Île de la Réunion", "Reunion Island"],
    "GF": ["Guyane", "Guyane française"],
    "MU": ["Île Maurice", "Maurice"],
    "MF": ["Saint-Martin", "Saint Martin"],
    "MK": ["Macédoine", "Macédoine du Nord", "Macedonia"],
    "BO": ["Bolivie", "Bolivia"],
    "IR": ["Iran"],
    "SY": ["Syrie", "Syria"],
    "LA": ["Laos"],
    "VN": ["Vietnam", "Viêt Nam"],
    "MD": ["Moldavie", "Moldova"],
    "TZ": ["Tanzanie", "Tanzania"],
    "VE": ["Venezuela"],
    "TW": ["Taïwan", "Taiwan"],
    "VA": ["Vatican", "Vatican City", "Cité du Vatican", "Saint-Siège", "Holy See"],
    "FM": ["Micronésie", "Micronesia"],
    "PS": ["Palestine"],
    "TR": ["Turquie", "Turkey", "Türkiye", "Turkiye"],
    "CV": ["Cap-Vert", "Cape Verde", "Cabo Verde"],
    "SZ": ["Swaziland", "Eswatini"],
    "MM": ["Birmanie", "Burma", "Myanmar"],
    "TL": ["Timor oriental", "East Timor"],
    "BF": ["Burkina"],
    "BA": ["Bosnie", "Bosnia"],
    "IE": ["Éire", "Eire"],
    "GR": ["Hellas", "Grèce"],
    "PL": ["Polska"],
    "BR": ["Brasil"],
    "MX": ["México"],
    "SA": ["Arabie saoudite", "Arabie Saoudite"],
    "ZA": ["Afrique du Sud"],
    "CF": ["Centrafrique", "RCA"],
    "GQ": ["Guinée équatoriale"],
    "NZ": ["Nouvelle-Zélande"],
    "NC": ["Nouvelle-Calédonie"],
    "PF": ["Polynésie française", "Polynésie"],
    "WF": ["Wallis-et-Futuna", "Wallis et Futuna"],
    "PM": ["Saint-Pierre-et-Miquelon"],
    "ST": ["Sao Tomé-et-Principe", "São Tomé and Príncipe"],
}

# The French name shown to users (sniff, the import summary) where ISO's
# needs help; others are ISO's French short name, "X, Y" read "Y X".
DISPLAY_FR = {
    "IR": "Iran", "LA": "Laos", "RU": "Russie", "SY": "Syrie", "TR": "Turquie",
    "VA": "Vatican", "RE": "La Réunion", "PS": "Palestine", "FM": "Micronésie",
    "VI": "Îles Vierges des États-Unis", "MF": "Saint-Martin", "SX": "Sint Maarten",
    "FK": "Îles Malouines", "CC": "Îles Cocos", "KR": "Corée du Sud", "KP": "Corée du Nord",
    "BO": "Bolivie", "VE": "Venezuela", "TZ": "Tanzanie", "MD": "Moldavie", "TW": "Taïwan",
    "GB": "Royaume-Uni", "US": "États-Unis", "CZ": "Tchéquie",
}

# Latin-1 letters U+00C0..U+00FF and their base letter; '?' cannot be
# folded (the C side returns "unknown"), '-' is dropped like punctuation.
LATIN1_BASE = "aaaaaa?ceeeeiiiidnooooo-ouuuuy??aaaaaa?ceeeeiiiidnooooo-ouuuuy?y"
KEY_MAX = 63  # country.c folds into 64 bytes


def fold(name):
    """The key country.c computes for name, or None if it cannot find it."""
    out = []
    for ch in name:
        c = ord(ch)
        if "A" <= ch <= "Z":
            out.append(ch.lower())
        elif "a" <= ch <= "z" or "0" <= ch <= "9":
            out.append(ch)
        elif 0xC0 <= c <= 0xFF:
            b = LATIN1_BASE[c - 0xC0]
            if b == "?":
                return None
            if b != "-":
                out.append(b)
        elif 0x2000 <= c <= 0x203F:
            continue  # general punctuation: ’ – …
        elif c >= 0x80 or ch == "/":
            return None  # country.c refuses a slash: "N/A" is not Namibia
    key = "".join(out)
    return key if 0 < len(key) <= KEY_MAX else None


def read_mo(path):
    """msgid -> msgstr of a GNU gettext .mo file (either byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _, _, count, ids, strs = struct.unpack(order + "5I", data[:20])
    table = {}
    for i in range(count):
        n, off = struct.unpack(order + "2I", data[ids + 8 * i: ids + 8 * i + 8])
        msgid = data[off: off + n].decode("utf-8")
        n, off = struct.unpack(order + "2I", data[strs + 8 * i: strs + 8 * i + 8])
        msgstr = data[off: off + n].decode("utf-8")
        if msgid and msgstr and "\x00" not in msgid:
            table[msgid.split("\x04")[-1]] = msgstr.split("\x00")[0]
    return table


def derived(name):
    """Other forms of an ISO name: (strong, weak) lists."""
    strong, weak = [], []
    if "(" in name and ")" in name:
        a, rest = name.split("(", 1)
        inner, after = rest.split(")", 1)
        weak.append((a + after).strip())  # "Saint-Martin": French part or Dutch?
        weak.append(inner.strip())
    if ", " in name:
        head, tail = name.split(", ", 1)
        strong.append(tail + " " + head)  # "Republic of Korea"
        weak.append(head)                 # "Korea": only if nobody else claims it
    return strong, weak


def display_names(iso_json, mo_path):
    """[(alpha-2, French name)] sorted by code."""
    with open(iso_json, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]
    fr = read_mo(mo_path)
    out = []
    for e in entries:
        a2 = e["alpha_2"]
        name = DISPLAY_FR.get(a2)
        if not name:
            en = e.get("common_name") or e["name"]
            name = fr.get(en) or fr.get(e["name"]) or en
            if ", " in name and "(" not in name:
                head, tail = name.split(", ", 1)
                name = tail + ("" if tail.endswith("'") else " ") + head
        out.append((a2, name))
    return sorted(out)


def countries(iso_json, mo_path):
    with open(iso_json, encoding="utf-8") as f:
        entries = json.load(f)["3166-1"]
    fr = read_mo(mo_path)
    out = []
    for e in entries:
        names = [e[k] for k in ("name", "official_name", "common_name") if k in e]
        names += [fr[n] for n in list(names) if n in fr]
        out.append((e["alpha_2"], e["alpha_3"], names))
    return out


def build(iso_json, mo_path):
    """Sorted [(key, iso)]; raises ValueError on a conflict no alias settles."""
    levels = {}  # key -> (level, iso); lower level wins

    def claim(key, iso, level, why):
        if key is None:
            return
        have = levels.get(key)
        if have is None or level < have[0]:
            levels[key] = (level, iso)
        elif level == have[0] and have[1] != iso:
            if level >= 3:
                levels[key] = (level, None)  # ambiguous: nobody gets it
            else:
                raise ValueError("%r (%s) claimed by %s and %s" % (key, why, have[1], iso))

    for iso, names in ALIASES.items():
        for n in names:
            claim(fold(n), iso, 0, n)
    for iso, n in DISPLAY_FR.items():  # what we show must read back
        claim(fold(n), iso, 0, n)
    for a2, a3, names in countries(iso_json, mo_path):
        claim(fold(a2), a2, 1, a2)
        claim(fold(a3), a2, 1, a3)
        for n in names:
            claim(fold(n), a2, 2, n)
            strong, weak = derived(n)
            for s in strong:
                claim(fold(s), a2, 2, s)
            for w in weak:
                claim(fold(w), a2, 3, w)
    return sorted((k, v[1]) for k, v in levels.items() if v[1] is not None)


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


def render(table, names):
    lines = [
        "/*",
        " * country_table.h — every ISO 3166-1 country by its folded English and",
        " * French names (official and common ones too), its alpha-2 and alpha-3",
        " * codes, and the usual aliases. Generated by tools/gen_country_table.py",
        " * from Debian's iso-codes (iso_3166-1.json and its French catalogue): do",
        " * not edit, run the generator. Included by country.c only; sorted by key",
        " * (strcmp) for its binary search.",
        " */",
        "static const country_key countries[] = {",
    ]
    lines += ['    {"%s", "%s"},' % (k, iso) for k, iso in table]
    lines.append("};")
    lines.append("")
    lines.append("/* The French name of each country, for what users read; sorted by code. */")
    lines.append("static const country_name country_names[] = {")
    lines += ['    {"%s", %s},' % (iso, c_string(n)) for iso, n in names]
    lines.append("};")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", default=ISO_JSON)
    ap.add_argument("--mo", default=FR_MO)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    try:
        text = render(build(a.json, a.mo), display_names(a.json, a.mo))
    except ValueError as e:
        print("gen_country_table: conflict: %s" % e, file=sys.stderr)
        return 1
    if a.output:
        tmp = a.output + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, a.output)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
