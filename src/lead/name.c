/*
 * name.c — the case of names and cities written in capitals.
 *
 * What it promises: li__name_case() puts a value written ALL IN CAPITALS
 * (at least two letters, no lower-case letter) in title case; a value with
 * any lower-case letter is left as written, so applying it twice changes
 * nothing. Words are separated by spaces, hyphens and apostrophes (' and ’).
 * Each word gets a capital initial, except the French particles:
 *   - "de", "du", "des" and "d'" are lower-case anywhere, even first, when
 *     another word follows: "DE VILLIERS" -> "de Villiers", "D'ALEMBERT" ->
 *     "d'Alembert", "JEAN DE LA FONTAINE" -> "Jean de la Fontaine";
 *   - "le", "la", "les" are lower-case after one of those, or after a
 *     hyphen ("VILLENEUVE-LA-GARENNE" -> "Villeneuve-la-Garenne"), and
 *     capitalised otherwise: "LE GOFF" -> "Le Goff", "LA ROCHELLE";
 *   - "en", "sur", "sous", "lès", "lez", "au", "aux", "à", "et", "l'" are
 *     lower-case when not first: "AIX-EN-PROVENCE" -> "Aix-en-Provence",
 *     "L'HAŸ-LES-ROSES" -> "L'Haÿ-les-Roses";
 *   - other apostrophes simply start a word: "N'DIAYE" -> "N'Diaye",
 *     "O'NEILL" -> "O'Neill". A word that starts with a digit stays
 *     lower-case ("PARIS 8E" -> "Paris 8e"). No Mc/Mac/van/von rule: "MCDONALD" ->
 *     "Mcdonald" (a rule would break "Mace", "Machin"...).
 * Letters are ASCII, Latin-1 Supplement and Latin Extended-A (É, È, Ç, Ô,
 * Œ, Ÿ...), mapped by hand: no utf8proc, no allocation. Every mapping keeps
 * the byte length, so the value is rewritten in place.
 */
#include <string.h>

#include "lead/leadInt.h"

enum { NOCASE = 0, UPPER = 1, LOWER = 2 };

/* Case of code point cp (ASCII or U+00C0..U+017F), and its other case. */
static int cp_case(unsigned cp, unsigned *other) {
    *other = cp;
    if (cp >= 'A' && cp <= 'Z')
        return *other = cp + 32, UPPER;
    if (cp >= 'a' && cp <= 'z')
        return *other = cp - 32, LOWER;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
        return *other = cp + 32, UPPER;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        return *other = cp - 32, LOWER;
    if (cp == 0xDF)
        return LOWER; /* ß */
    if (cp == 0xFF)
        return *other = 0x178, LOWER;
    if (cp == 0x178)
        return *other = 0xFF, UPPER;
    if ((cp >= 0x100 && cp <= 0x12F) || (cp >= 0x132 && cp <= 0x137) ||
        (cp >= 0x14A && cp <= 0x177)) {
        *other = cp ^ 1;
        return (cp & 1) ? LOWER : UPPER;
    }
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E)) {
        *other = (cp & 1) ? cp + 1 : cp - 1;
        return (cp & 1) ? UPPER : LOWER;
    }
    if (cp == 0x17F || cp == 0x149 || cp == 0x138)
        return LOWER;
    return NOCASE;
}

/* Decodes the character at s[i]: its code point (0 if not one we case). */
static size_t decode(const unsigned char *s, size_t i, size_t n, unsigned *cp) {
    unsigned char c = s[i];
    if (c < 0x80)
        return *cp = c, 1;
    if (c >= 0xC3 && c <= 0xC5 && i + 1 < n && (s[i + 1] & 0xC0) == 0x80)
        return *cp = ((unsigned)(c & 0x1F) << 6) | (s[i + 1] & 0x3F), 2;
    size_t k = 1;
    while (i + k < n && (s[i + k] & 0xC0) == 0x80)
        k++;
    *cp = 0;
    return k;
}

/* Writes the character cp at s[i] with the case wanted; same length. */
static void set_case(unsigned char *s, size_t i, unsigned cp, int want) {
    unsigned other;
    int c = cp_case(cp, &other);
    if (c == NOCASE || c == want)
        return;
    if (other < 0x80) {
        s[i] = (unsigned char)other;
    } else {
        s[i] = (unsigned char)(0xC0 | (other >> 6));
        s[i + 1] = (unsigned char)(0x80 | (other & 0x3F));
    }
}

static int is_apos(const unsigned char *s, size_t i, size_t n, size_t *k) {
    if (s[i] == '\'')
        return *k = 1, 1;
    if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] == 0x99)
        return *k = 3, 1;
    return 0;
}

static int word_is(const unsigned char *w, size_t n, const char *const *list) {
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(w, *list, n) == 0)
            return 1;
    return 0;
}

static const char *const always_low[] = {"de", "du", "des", NULL};
static const char *const article[] = {"le", "la", "les", NULL};
static const char *const inner_low[] = {"en", "sur", "sous",     "l\xc3\xa8s", "lez",
                                        "au", "aux", "\xc3\xa0", "et",         NULL};

int li__name_case(char *str, size_t n) {
    unsigned char *s = (unsigned char *)str;
    size_t letters = 0;
    for (size_t i = 0; i < n;) { /* most values stop at their second letter */
        unsigned cp, other;
        size_t k = decode(s, i, n, &cp);
        int c = cp_case(cp, &other);
        if (c == LOWER)
            return 0;
        letters += c == UPPER;
        i += k;
    }
    if (letters < 2)
        return 0;
    int first = 1, prev_particle = 0;
    for (size_t i = 0; i < n;) {
        size_t k;
        if (s[i] == ' ' || s[i] == '-' || is_apos(s, i, n, &k)) {
            i += s[i] == ' ' || s[i] == '-' ? 1 : k;
            continue;
        }
        size_t ws = i, we = i;
        while (we < n && s[we] != ' ' && s[we] != '-' && !is_apos(s, we, n, &k)) {
            unsigned cp;
            size_t m = decode(s, we, n, &cp);
            set_case(s, we, cp, LOWER);
            we += m;
        }
        int apos_after = we < n && is_apos(s, we, n, &k);
        int hyphen_before = ws > 0 && s[ws - 1] == '-';
        int last = we >= n;
        size_t wl = we - ws;
        int low = 0, particle = 0;
        if (!last && (word_is(s + ws, wl, always_low) || (wl == 1 && s[ws] == 'd' && apos_after)))
            low = particle = 1;
        else if (!first && word_is(s + ws, wl, article) && (prev_particle || hyphen_before))
            low = 1;
        else if (!first && !last &&
                 (word_is(s + ws, wl, inner_low) || (wl == 1 && s[ws] == 'l' && apos_after)))
            low = 1;
        if (!low) { /* capital initial: the word's first letter, unless after a digit */
            for (size_t j = ws; j < we;) {
                unsigned cp, other;
                size_t m = decode(s, j, n, &cp);
                if (cp >= '0' && cp <= '9')
                    break; /* "8E" -> "8e" */
                if (cp_case(cp, &other) != NOCASE) {
                    set_case(s, j, cp, UPPER);
                    break;
                }
                j += m;
            }
        }
        prev_particle = particle;
        first = 0;
        i = we;
    }
    return 1;
}

/* --- splitting a full name ------------------------------------------------- */

typedef struct word {
    size_t at, len;
} word;

enum { MAX_WORDS = 16 };

/* 1 if w (ASCII, any case) is one of the NULL-terminated list. */
static int word_in(const char *s, word w, const char *const *list) {
    for (size_t i = 0; list[i]; i++) {
        size_t k = strlen(list[i]);
        if (k != w.len)
            continue;
        size_t j = 0;
        while (j < k && (s[w.at + j] | 0x20) == list[i][j])
            j++;
        if (j == k)
            return 1;
    }
    return 0;
}

/* 1 if the word has at least two letters and no lower-case one. */
static int word_caps(const char *s, word w) {
    const unsigned char *p = (const unsigned char *)s;
    size_t upper = 0;
    for (size_t i = w.at; i < w.at + w.len;) {
        unsigned cp, other;
        i += decode(p, i, w.at + w.len, &cp);
        int c = cp_case(cp, &other);
        if (c == LOWER)
            return 0;
        upper += c == UPPER;
    }
    return upper >= 2;
}

static const char *const civilities[] = {
    "m",     "m.",     "mr",     "mr.",      "mme",          "mme.", "mlle", "mlle.",
    "mrs",   "mrs.",   "ms",     "ms.",      "dr",           "dr.",  "pr",   "pr.",
    "miss",  "monsieur", "madame", "mademoiselle", "docteur", NULL,
};

/* Words that open a last name when they are not the first word. */
static const char *const particles[] = {
    "de", "du", "des", "le", "la", "van", "von", "der", "den", "da",
    "di", "del", "della", "dos", "das", "ten", "ter", "el", "al", "ben", NULL,
};

/* 1 if w starts with d' or d’ and goes on: "d'Alembert". */
static int elided_particle(const char *s, word w) {
    if (w.len < 3 || (s[w.at] | 0x20) != 'd')
        return 0;
    return s[w.at + 1] == '\'' ||
           (w.len > 4 && memcmp(s + w.at + 1, "\xE2\x80\x99", 3) == 0); /* ’ */
}

static li_slice span(const char *s, const word *w, size_t from, size_t to) {
    li_slice r = {s, 0};
    if (from < to) {
        r.ptr = s + w[from].at;
        r.len = w[to - 1].at + w[to - 1].len - w[from].at;
    }
    return r;
}

/* Trims spaces and commas off both ends of a slice. */
static li_slice trim(li_slice x) {
    while (x.len && (x.ptr[0] == ' ' || x.ptr[0] == ','))
        x.ptr++, x.len--;
    while (x.len && (x.ptr[x.len - 1] == ' ' || x.ptr[x.len - 1] == ','))
        x.len--;
    return x;
}

void li__name_split(const char *s, size_t n, li_slice *first, li_slice *last) {
    word w[MAX_WORDS];
    size_t nw = 0;
    first->ptr = last->ptr = s;
    first->len = last->len = 0;
    for (size_t i = 0; i < n && nw < MAX_WORDS;) {
        while (i < n && s[i] == ' ')
            i++;
        size_t at = i;
        while (i < n && s[i] != ' ')
            i++;
        if (i > at)
            w[nw++] = (word){at, i - at};
    }
    if (nw == 0)
        return;
    if (nw == MAX_WORDS)
        w[nw - 1].len = n - w[nw - 1].at; /* words past the room join the last one */
    size_t a = 0;
    while (a + 1 < nw && word_in(s, w[a], civilities))
        a++;
    const char *comma = memchr(s + w[a].at, ',', n - w[a].at);
    if (comma) { /* "Dupont, Jean": last name first */
        *last = trim((li_slice){s + w[a].at, (size_t)(comma - (s + w[a].at))});
        *first = trim((li_slice){comma + 1, n - (size_t)(comma + 1 - s)});
        if (!last->len) {
            *last = *first;
            first->len = 0;
        }
        return;
    }
    if (nw - a == 1) {
        *last = span(s, w, a, nw);
        return;
    }
    /* Capitals mark the last name when the rest is not in capitals. */
    size_t caps = 0;
    for (size_t i = a; i < nw; i++)
        caps += (size_t)word_caps(s, w[i]);
    if (caps > 0 && caps < nw - a) {
        size_t k = a;
        if (word_caps(s, w[a])) { /* "DUPONT Jean" */
            while (k < nw && word_caps(s, w[k]))
                k++;
            *last = span(s, w, a, k);
            *first = span(s, w, k, nw);
            return;
        }
        if (word_caps(s, w[nw - 1])) { /* "Jean DUPONT", "Jean DE LA FONTAINE" */
            k = nw;
            while (k > a && word_caps(s, w[k - 1]))
                k--;
            *first = span(s, w, a, k);
            *last = span(s, w, k, nw);
            return;
        }
    }
    /* A particle opens the last name: "Jean de La Fontaine", "Anne d'Arc". */
    size_t k = nw - 1;
    for (size_t i = a + 1; i + 1 < nw; i++) {
        if (word_in(s, w[i], particles) || elided_particle(s, w[i])) {
            k = i;
            break;
        }
    }
    if (k == nw - 1 && elided_particle(s, w[nw - 1]))
        k = nw - 1;
    *first = span(s, w, a, k);
    *last = span(s, w, k, nw);
}

/* --- whose name: a person or an organisation ------------------------------- */

/*
 * Folded words (li_fold(): no accents, lower case) that only an
 * organisation's name holds: legal forms of the usual countries, then
 * trades and kinds of bodies. "France", "Paris" and the like are left out:
 * they are first names or family names too.
 */
static const char *const org_words[] = {
    "sa", "sas", "sasu", "sarl", "eurl", "sci", "snc", "scp", "scop", "scic", "selarl", "selas",
    "gie", "eirl", "inc", "ltd", "llc", "llp", "plc", "corp", "co", "cie", "gmbh", "ag", "kg",
    "bv", "nv", "spa", "srl", "sprl", "sl", "oy", "ab", "pty", "limited", "incorporated",
    "corporation", "company", "compagnie", "ets", "etablissement", "etablissements", "agence",
    "agency", "societe", "groupe", "group", "holding", "immobilier", "immobiliere", "immo",
    "restaurant", "hotel", "cafe", "brasserie", "bistrot", "boulangerie", "patisserie",
    "boucherie", "pharmacie", "clinique", "cabinet", "conseil", "conseils", "consulting",
    "consultants", "services", "service", "solutions", "technologies", "technology", "tech",
    "systems", "systemes", "industries", "industrie", "international", "transports",
    "transport", "logistique", "btp", "batiment", "construction", "constructions",
    "renovation", "plomberie", "electricite", "garage", "automobiles", "boutique", "shop",
    "store", "magasin", "market", "supermarche", "centre", "center", "institut", "institute",
    "laboratoire", "laboratoires", "labs", "studio", "atelier", "ateliers", "association",
    "fondation", "foundation", "federation", "syndicat", "club", "ecole", "school", "college",
    "lycee", "universite", "university", "academie", "academy", "mairie", "office", "media",
    "medias", "communication", "marketing", "digital", "design", "software", "informatique",
    "energie", "energy", "assurance", "assurances", "insurance", "banque", "bank", "finance",
    "capital", "invest", "partners", "partenaires", "associes", "freres", "fils", "chez",
    "domaine", "chateau", "vignobles", "caves", "ferme", "hopital", "hospital", "sante",
    "health", "distribution", "production", "productions", "editions", "imprimerie",
    "nettoyage", "securite", "formation", "recrutement", "interim", "traiteur", "fleuriste",
    "coiffure", "beaute", "optique", "taxi", "ambulances", "camping", "residence", "ehpad",
    "creche", "pizzeria", "bakery", "coffee", "pub", "trust", "ventures", "enterprises",
    "entreprise", "entreprises", "manufacturing", "comptoir", "bureau", "mutuelle",
    "cooperative", "coop", "ong", "asbl", NULL,
};

/* Articles that open a trade name: "Le Comptoir", "La Belle Époque", "The Body Shop". */
static const char *const articles[] = {"le", "la", "les", "l", "the", NULL};

static int folded_in(const char *w, const char *const *list) {
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* 1 if the word (raw bytes) is 2-5 ASCII capitals read as initials: "BTP", "SNCF", "EDF". */
static int acronym(const char *s, size_t n) {
    if (n < 2 || n > 5)
        return 0;
    size_t vowels = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
        vowels += strchr("AEIOUY", s[i]) != NULL;
    }
    if (vowels == 0)
        return 1;
    /* "EDF", "IBM", "OVH": one vowel, first, in three letters ("REY", "GAY" are names) */
    return n == 3 && vowels == 1 && strchr("AEIOUY", s[0]) != NULL;
}

li__name_kind li__name_kind_of(const char *s, size_t n) {
    enum { MAXW = 12, WMAX = 64 };
    size_t letters = 0, digits = 0, commas = 0;
    int odd = 0; /* punctuation no name holds */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '@')
            return LI__NAME_NOT;
        if (c == '&' || c == '+')
            return LI__NAME_ORG;
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            letters++;
        else if (c >= 0x80)
            letters++; /* a byte of an accented letter, most likely */
        else if (c >= '0' && c <= '9')
            digits++;
        else if (c == ',')
            commas++;
        else if (c != ' ' && c != '-' && c != '\'' && c != '.')
            odd = 1;
    }
    if (letters == 0)
        return LI__NAME_NOT;
    word w[MAXW];
    size_t nw = 0;
    for (size_t i = 0; i < n && nw < MAXW;) {
        while (i < n && (s[i] == ' ' || s[i] == ','))
            i++;
        size_t at = i;
        while (i < n && s[i] != ' ' && s[i] != ',')
            i++;
        if (i > at)
            w[nw++] = (word){at, i - at};
    }
    char f[WMAX];
    size_t particles_seen = 0;
    int civility = 0;
    for (size_t i = 0; i < nw; i++) {
        li_fold(s + w[i].at, w[i].len, f, sizeof f);
        if (folded_in(f, org_words))
            return LI__NAME_ORG;
        if (i == 0 && word_in(s, w[0], civilities))
            civility = 1;
        particles_seen += (size_t)(i > 0 && word_in(s, w[i], particles));
    }
    if (nw > 1 && !civility) {
        li_fold(s + w[0].at, w[0].len, f, sizeof f);
        if (folded_in(f, articles))
            return LI__NAME_ORG;
    }
    /* "L'Atelier", "l’Escale": an elided article glued to the first word */
    if (n > 2 && (s[0] | 0x20) == 'l' && (s[1] == '\'' || (n > 4 && memcmp(s + 1, "\xE2\x80\x99", 3) == 0)))
        return LI__NAME_ORG;
    if (digits) /* "Garage 2000" is a trade name; "C0042", "Dupont2" one code */
        return nw > 1 ? LI__NAME_ORG : LI__NAME_DIGITS;
    if (civility && nw > 1)
        return LI__NAME_PERSON;
    if (odd || commas > 1 || nw - particles_seen > 4)
        return LI__NAME_TEXT;
    if (nw == 1)
        return acronym(s + w[0].at, w[0].len) ? LI__NAME_ACRONYM : LI__NAME_ONE;
    return LI__NAME_PERSON;
}
