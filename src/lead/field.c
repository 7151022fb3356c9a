/*
 * field.c — the catalogue of lead fields and the header synonyms.
 *
 * What it promises:
 *   - each field has a stable key, a canonical French label, a maximum
 *     length (bytes, after normalisation) and its text rules;
 *   - li_fold() turns any header into a comparison key: Unicode NFKD,
 *     marks removed, case folded, only letters and digits kept (ASCII is
 *     folded without calling utf8proc);
 *   - li_field_by_header() knows French and English names of each field.
 *     It matches in two passes: first the whole folded header against the
 *     folded synonyms; then, if nothing matched, both sides folded without
 *     filler words ("de", "du", "la", "n°", "numéro", "contact", "client",
 *     "lead", "1"...), so that "N° de téléphone du client" or "Email
 *     contact" are found without listing every variant. No synonym is
 *     ambiguous between two fields in either pass (tests/unit/test_field.c
 *     walks the table). "Nom" alone is the last name; "Name" alone is not
 *     mapped (it could be a full name or a company: li__field_name_hint()
 *     says it is name-like, and mapping.c decides from the values);
 *     "Nom complet", "Full name", "Prénom Nom"... are LI_FIELD_FULL_NAME,
 *     split by the validator;
 *   - li__field_id_kind() and li__field_report_column() tell id columns
 *     and an error report's own columns by their header;
 *   - li_field_by_header_fuzzy() forgives typos: the closest synonym by
 *     edit distance, within a threshold that grows with the length, and
 *     only when no other field is as close.
 *
 * All tables are const: every function here is thread-safe and allocates
 * nothing.
 */
#include <string.h>
#include <utf8proc.h>

#include "lead/leadInt.h"
#include "leadimport/field.h"

typedef struct field_def {
    const char *key;
    const char *label;
    size_t max_len;
    unsigned char collapse;      /* inner runs of whitespace become one space */
    unsigned char keep_newlines; /* line breaks survive normalisation */
} field_def;

static const field_def fields[LI_FIELD__COUNT] = {
    [LI_FIELD_FIRST_NAME] = {"first_name", "Prénom", 100, 1, 0},
    [LI_FIELD_LAST_NAME] = {"last_name", "Nom", 100, 1, 0},
    [LI_FIELD_EMAIL] = {"email", "E-mail", 254, 1, 0},
    [LI_FIELD_PHONE] = {"phone", "Téléphone", 16, 1, 0},
    [LI_FIELD_COMPANY] = {"company", "Société", 200, 1, 0},
    [LI_FIELD_JOB_TITLE] = {"job_title", "Poste", 200, 1, 0},
    [LI_FIELD_ADDRESS] = {"address", "Adresse", 500, 1, 1},
    [LI_FIELD_POSTAL_CODE] = {"postal_code", "Code postal", 20, 1, 0},
    [LI_FIELD_CITY] = {"city", "Ville", 100, 1, 0},
    [LI_FIELD_COUNTRY] = {"country", "Pays", 100, 1, 0},
    [LI_FIELD_SOURCE] = {"source", "Source", 200, 1, 0},
    [LI_FIELD_NOTES] = {"notes", "Notes", 10000, 0, 1},
    [LI_FIELD_EXTERNAL_ID] = {"external_id", "ID externe", 100, 1, 0},
    [LI_FIELD_OWNER] = {"owner", "Commercial", 200, 1, 0},
};

typedef struct synonym {
    li_field field;
    const char *name;
} synonym;

/*
 * Written as a user would type them; compared folded. The canonical label
 * and the key of each field are synonyms too. Keep each field's block
 * together; tests check that no two fields share a folded synonym.
 */
static const synonym synonyms[] = {
    {LI_FIELD_FULL_NAME, "Nom complet"},
    {LI_FIELD_FULL_NAME, "full_name"},
    {LI_FIELD_FULL_NAME, "Full name"},
    {LI_FIELD_FULL_NAME, "Fullname"},
    {LI_FIELD_FULL_NAME, "Nom et prénom"},
    {LI_FIELD_FULL_NAME, "Nom prénom"},
    {LI_FIELD_FULL_NAME, "Prénom et nom"},
    {LI_FIELD_FULL_NAME, "Prénom nom"},
    {LI_FIELD_FULL_NAME, "Interlocuteur"},

    {LI_FIELD_FIRST_NAME, "Prénom"},
    {LI_FIELD_FIRST_NAME, "first_name"},
    {LI_FIELD_FIRST_NAME, "Prénoms"},
    {LI_FIELD_FIRST_NAME, "First name"},
    {LI_FIELD_FIRST_NAME, "Firstname"},
    {LI_FIELD_FIRST_NAME, "Given name"},
    {LI_FIELD_FIRST_NAME, "Forename"},
    {LI_FIELD_FIRST_NAME, "First"},

    {LI_FIELD_LAST_NAME, "Nom"},
    {LI_FIELD_LAST_NAME, "last_name"},
    {LI_FIELD_LAST_NAME, "Nom de famille"},
    {LI_FIELD_LAST_NAME, "Nom d'usage"},
    {LI_FIELD_LAST_NAME, "Nom de naissance"},
    {LI_FIELD_LAST_NAME, "Last name"},
    {LI_FIELD_LAST_NAME, "Lastname"},
    {LI_FIELD_LAST_NAME, "Surname"},
    {LI_FIELD_LAST_NAME, "Family name"},
    {LI_FIELD_LAST_NAME, "Last"},

    {LI_FIELD_EMAIL, "E-mail"},
    {LI_FIELD_EMAIL, "Email"},
    {LI_FIELD_EMAIL, "Courriel"},
    {LI_FIELD_EMAIL, "Mail"},
    {LI_FIELD_EMAIL, "Mél"},
    {LI_FIELD_EMAIL, "Adresse e-mail"},
    {LI_FIELD_EMAIL, "Adresse mail"},
    {LI_FIELD_EMAIL, "Adresse électronique"},
    {LI_FIELD_EMAIL, "Adresse courriel"},
    {LI_FIELD_EMAIL, "Email address"},
    {LI_FIELD_EMAIL, "E-mail address"},
    {LI_FIELD_EMAIL, "Mail address"},
    {LI_FIELD_EMAIL, "Email pro"},
    {LI_FIELD_EMAIL, "E-mail professionnel"},
    {LI_FIELD_EMAIL, "Work email"},
    {LI_FIELD_EMAIL, "Business email"},

    {LI_FIELD_PHONE, "Téléphone"},
    {LI_FIELD_PHONE, "phone"},
    {LI_FIELD_PHONE, "Tél"},
    {LI_FIELD_PHONE, "Tel"},
    {LI_FIELD_PHONE, "Tél."},
    {LI_FIELD_PHONE, "Telephone"},
    {LI_FIELD_PHONE, "Phone number"},
    {LI_FIELD_PHONE, "Numéro de téléphone"},
    {LI_FIELD_PHONE, "N° de téléphone"},
    {LI_FIELD_PHONE, "N° tél"},
    {LI_FIELD_PHONE, "Mobile"},
    {LI_FIELD_PHONE, "Mobile phone"},
    {LI_FIELD_PHONE, "Portable"},
    {LI_FIELD_PHONE, "Téléphone portable"},
    {LI_FIELD_PHONE, "Téléphone mobile"},
    {LI_FIELD_PHONE, "Tél. portable"},
    {LI_FIELD_PHONE, "Tél. fixe"},
    {LI_FIELD_PHONE, "Téléphone fixe"},
    {LI_FIELD_PHONE, "Tel fixe"},
    {LI_FIELD_PHONE, "Fixe"},
    {LI_FIELD_PHONE, "Ligne directe"},
    {LI_FIELD_PHONE, "Tél. mobile"},
    {LI_FIELD_PHONE, "GSM"},
    {LI_FIELD_PHONE, "Cell"},
    {LI_FIELD_PHONE, "Cell phone"},
    {LI_FIELD_PHONE, "Cellphone"},
    {LI_FIELD_PHONE, "Téléphone fixe"},
    {LI_FIELD_PHONE, "Fixe"},
    {LI_FIELD_PHONE, "Téléphone professionnel"},
    {LI_FIELD_PHONE, "Tél. pro"},
    {LI_FIELD_PHONE, "Ligne directe"},
    {LI_FIELD_PHONE, "Direct line"},
    {LI_FIELD_PHONE, "Work phone"},
    {LI_FIELD_PHONE, "Business phone"},
    {LI_FIELD_PHONE, "Mobile phone number"},

    {LI_FIELD_COMPANY, "Société"},
    {LI_FIELD_COMPANY, "company"},
    {LI_FIELD_COMPANY, "Entreprise"},
    {LI_FIELD_COMPANY, "Raison sociale"},
    {LI_FIELD_COMPANY, "Organisation"},
    {LI_FIELD_COMPANY, "Organization"},
    {LI_FIELD_COMPANY, "Company name"},
    {LI_FIELD_COMPANY, "Nom de la société"},
    {LI_FIELD_COMPANY, "Nom de l'entreprise"},
    {LI_FIELD_COMPANY, "Nom société"},
    {LI_FIELD_COMPANY, "Nom entreprise"},
    {LI_FIELD_COMPANY, "Établissement"},
    {LI_FIELD_COMPANY, "Employeur"},
    {LI_FIELD_COMPANY, "Employer"},
    {LI_FIELD_COMPANY, "Enseigne"},
    {LI_FIELD_COMPANY, "Structure"},

    {LI_FIELD_JOB_TITLE, "Poste"},
    {LI_FIELD_JOB_TITLE, "job_title"},
    {LI_FIELD_JOB_TITLE, "Fonction"},
    {LI_FIELD_JOB_TITLE, "Job title"},
    {LI_FIELD_JOB_TITLE, "Titre"},
    {LI_FIELD_JOB_TITLE, "Job"},
    {LI_FIELD_JOB_TITLE, "Intitulé de poste"},
    {LI_FIELD_JOB_TITLE, "Intitulé du poste"},
    {LI_FIELD_JOB_TITLE, "Titre du poste"},
    {LI_FIELD_JOB_TITLE, "Title"},
    {LI_FIELD_JOB_TITLE, "Position"},
    {LI_FIELD_JOB_TITLE, "Rôle"},
    {LI_FIELD_JOB_TITLE, "Métier"},
    {LI_FIELD_JOB_TITLE, "Profession"},

    {LI_FIELD_ADDRESS, "Adresse"},
    {LI_FIELD_ADDRESS, "address"},
    {LI_FIELD_ADDRESS, "Rue"},
    {LI_FIELD_ADDRESS, "Street"},
    {LI_FIELD_ADDRESS, "Street address"},
    {LI_FIELD_ADDRESS, "Address line 1"},
    {LI_FIELD_ADDRESS, "Adresse ligne 1"},
    {LI_FIELD_ADDRESS, "Adresse postale"},
    {LI_FIELD_ADDRESS, "Voie"},
    {LI_FIELD_ADDRESS, "Mailing street"},

    {LI_FIELD_POSTAL_CODE, "Code postal"},
    {LI_FIELD_POSTAL_CODE, "postal_code"},
    {LI_FIELD_POSTAL_CODE, "CP"},
    {LI_FIELD_POSTAL_CODE, "Zip"},
    {LI_FIELD_POSTAL_CODE, "Zip code"},
    {LI_FIELD_POSTAL_CODE, "Zipcode"},
    {LI_FIELD_POSTAL_CODE, "Postcode"},
    {LI_FIELD_POSTAL_CODE, "Postal code"},
    {LI_FIELD_POSTAL_CODE, "NPA"},
    {LI_FIELD_POSTAL_CODE, "Mailing zip"},
    {LI_FIELD_POSTAL_CODE, "Zip/Postal code"},

    {LI_FIELD_CITY, "Ville"},
    {LI_FIELD_CITY, "city"},
    {LI_FIELD_CITY, "Localité"},
    {LI_FIELD_CITY, "Commune"},
    {LI_FIELD_CITY, "Town"},
    {LI_FIELD_CITY, "Locality"},
    {LI_FIELD_CITY, "Mailing city"},

    {LI_FIELD_COUNTRY, "Pays"},
    {LI_FIELD_COUNTRY, "country"},
    {LI_FIELD_COUNTRY, "Country name"},
    {LI_FIELD_COUNTRY, "Mailing country"},
    {LI_FIELD_COUNTRY, "Country/Region"},
    {LI_FIELD_COUNTRY, "Pays/Région"},

    {LI_FIELD_SOURCE, "Source"},
    {LI_FIELD_SOURCE, "Origine"},
    {LI_FIELD_SOURCE, "Lead source"},
    {LI_FIELD_SOURCE, "Provenance"},
    {LI_FIELD_SOURCE, "Canal"},
    {LI_FIELD_SOURCE, "Canal d'acquisition"},
    {LI_FIELD_SOURCE, "Origin"},
    {LI_FIELD_SOURCE, "Channel"},

    {LI_FIELD_NOTES, "Notes"},
    {LI_FIELD_NOTES, "Note"},
    {LI_FIELD_NOTES, "Commentaire"},
    {LI_FIELD_NOTES, "Commentaires"},
    {LI_FIELD_NOTES, "Remarques"},
    {LI_FIELD_NOTES, "Remarque"},
    {LI_FIELD_NOTES, "Comments"},
    {LI_FIELD_NOTES, "Comment"},
    {LI_FIELD_NOTES, "Observations"},
    {LI_FIELD_NOTES, "Mémo"},
    {LI_FIELD_NOTES, "Description"},

    {LI_FIELD_EXTERNAL_ID, "ID externe"},
    {LI_FIELD_EXTERNAL_ID, "external_id"},
    {LI_FIELD_EXTERNAL_ID, "External ID"},
    {LI_FIELD_EXTERNAL_ID, "ID"},
    {LI_FIELD_EXTERNAL_ID, "Identifiant"},
    {LI_FIELD_EXTERNAL_ID, "Identifiant externe"},
    {LI_FIELD_EXTERNAL_ID, "Réf"},
    {LI_FIELD_EXTERNAL_ID, "Ref"},
    {LI_FIELD_EXTERNAL_ID, "Réf."},
    {LI_FIELD_EXTERNAL_ID, "Référence"},
    {LI_FIELD_EXTERNAL_ID, "Reference"},
    {LI_FIELD_EXTERNAL_ID, "Record ID"},
    {LI_FIELD_EXTERNAL_ID, "ID CRM"},
    {LI_FIELD_EXTERNAL_ID, "CRM ID"},
    {LI_FIELD_EXTERNAL_ID, "Lead ID"},
    {LI_FIELD_EXTERNAL_ID, "Contact ID"},
    {LI_FIELD_EXTERNAL_ID, "Numéro client"},
    {LI_FIELD_EXTERNAL_ID, "Réf. client"},

    {LI_FIELD_OWNER, "Commercial"},
    {LI_FIELD_OWNER, "owner"},
    {LI_FIELD_OWNER, "Propriétaire"},
    {LI_FIELD_OWNER, "Responsable"},
    {LI_FIELD_OWNER, "Sales rep"},
    {LI_FIELD_OWNER, "Sales representative"},
    {LI_FIELD_OWNER, "Salesperson"},
    {LI_FIELD_OWNER, "Vendeur"},
    {LI_FIELD_OWNER, "Vendeuse"},
    {LI_FIELD_OWNER, "Commerciale"},
    {LI_FIELD_OWNER, "Commercial assigné"},
    {LI_FIELD_OWNER, "Chargé d'affaires"},
    {LI_FIELD_OWNER, "Lead owner"},
    {LI_FIELD_OWNER, "Contact owner"},
    {LI_FIELD_OWNER, "Account owner"},
    /* The assignment column: a user of the directory, not free text. */
    {LI_FIELD_ASSIGNEE, "Assigné à"},
    {LI_FIELD_ASSIGNEE, "assignee"},
    {LI_FIELD_ASSIGNEE, "Assigné"},
    {LI_FIELD_ASSIGNEE, "Assigned to"},
    {LI_FIELD_ASSIGNEE, "Assignee"},
    {LI_FIELD_ASSIGNEE, "Attribué à"},
    {LI_FIELD_ASSIGNEE, "Affecté à"},
};

#define NSYNONYMS (sizeof synonyms / sizeof synonyms[0])

/* Folded words that say nothing about the field (dropped in the second pass). */
static const char *const fillers[] = {
    "a",     "d",   "de",      "des",    "du",       "l",      "la",       "le",  "les",
    "n",     "no",  "nr",      "num",    "numero",   "number", "of",       "the", "your",
    "votre", "vos", "contact", "client", "customer", "lead",   "prospect", "1",
};

/* --- the catalogue ------------------------------------------------------- */

static int valid_field(li_field f) {
    return (int)f >= 0 && f < LI_FIELD__COUNT;
}

const char *li_field_key(li_field f) {
    if (f == LI_FIELD_FULL_NAME)
        return "full_name";
    if (f == LI_FIELD_IGNORE)
        return "ignore";
    if (f == LI_FIELD_ASSIGNEE)
        return "assignee";
    return valid_field(f) ? fields[f].key : "";
}

const char *li_field_label(li_field f) {
    if (f == LI_FIELD_FULL_NAME)
        return "Nom complet";
    if (f == LI_FIELD_IGNORE)
        return "(ignorée)";
    if (f == LI_FIELD_ASSIGNEE)
        return "Assigné à";
    return valid_field(f) ? fields[f].label : "";
}

size_t li_field_max_len(li_field f) {
    return valid_field(f) ? fields[f].max_len : 0;
}

int li__field_collapse(li_field f) {
    return valid_field(f) ? fields[f].collapse : 1;
}

int li__field_keep_newlines(li_field f) {
    return valid_field(f) ? fields[f].keep_newlines : 1;
}

li_field li_field_by_key(const char *key) {
    if (!key)
        return LI_FIELD_NONE;
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        if (strcmp(fields[f].key, key) == 0)
            return (li_field)f;
    if (strcmp(key, "ignore") == 0)
        return LI_FIELD_IGNORE;
    if (strcmp(key, "assignee") == 0)
        return LI_FIELD_ASSIGNEE;
    return strcmp(key, "full_name") == 0 ? LI_FIELD_FULL_NAME : LI_FIELD_NONE;
}

size_t li__field_synonym_count(void) {
    return NSYNONYMS;
}

const char *li__field_synonym(size_t i, li_field *field) {
    if (i >= NSYNONYMS)
        return NULL;
    if (field)
        *field = synonyms[i].field;
    return synonyms[i].name;
}

/* --- folding ------------------------------------------------------------- */

/* The fold buffer: headers longer than this are compared on their start. */
enum { FOLD_MAX = 256 };

typedef struct fold_out {
    char *out;
    size_t cap;
    size_t len;
    size_t word; /* where the current word started in out */
    int drop_filler;
    int full; /* out is full: nothing more is written, so out stays a prefix */
} fold_out;

static void fold_put(fold_out *o, const char *p, size_t n) {
    if (o->full || o->cap == 0 || o->len + n > o->cap - 1) {
        o->full = 1; /* truncated; never cut a UTF-8 sequence */
        return;
    }
    memcpy(o->out + o->len, p, n);
    o->len += n;
}

/* A non-letter, non-mark was met: the current word ends here. */
static void fold_boundary(fold_out *o) {
    if (o->drop_filler && o->len > o->word) {
        size_t n = o->len - o->word;
        for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++) {
            if (strlen(fillers[i]) == n && memcmp(fillers[i], o->out + o->word, n) == 0) {
                o->len = o->word;
                break;
            }
        }
    }
    o->word = o->len;
}

/* Folds one non-ASCII code point with utf8proc (NFKD, case fold, no marks). */
static void fold_codepoint(fold_out *o, utf8proc_int32_t cp) {
    utf8proc_int32_t dec[32];
    utf8proc_ssize_t n = utf8proc_decompose_char(
        cp, dec, 32, UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK,
        NULL);
    if (n < 0 || n > 32) {
        fold_boundary(o);
        return;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_category_t cat = utf8proc_category(dec[i]);
        if ((cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
            (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO)) {
            char enc[4];
            if (dec[i] < 0x80) {
                enc[0] = (char)(dec[i] >= 'A' && dec[i] <= 'Z' ? dec[i] + 32 : dec[i]);
                fold_put(o, enc, 1);
            } else {
                utf8proc_ssize_t k = utf8proc_encode_char(dec[i], (utf8proc_uint8_t *)enc);
                fold_put(o, enc, (size_t)k);
            }
        } else if (cat < UTF8PROC_CATEGORY_MN || cat > UTF8PROC_CATEGORY_ME) {
            fold_boundary(o); /* marks vanish inside a word; anything else ends it */
        }
    }
}

size_t li__fold(const char *s, size_t len, char *out, size_t cap, int drop_filler) {
    fold_out o = {out, cap, 0, 0, drop_filler, 0};
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) { /* the fast path: no table look-up for ASCII */
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                fold_put(&o, (const char *)&c, 1);
            } else if (c >= 'A' && c <= 'Z') {
                char l = (char)(c + 32);
                fold_put(&o, &l, 1);
            } else {
                fold_boundary(&o);
            }
            i++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) { /* invalid UTF-8: skip the byte, it ends the word */
            fold_boundary(&o);
            i++;
            continue;
        }
        fold_codepoint(&o, cp);
        i += (size_t)n;
    }
    fold_boundary(&o);
    if (cap > 0)
        out[o.len] = '\0';
    return o.len;
}

size_t li_fold(const char *s, size_t len, char *out, size_t cap) {
    return li__fold(s, len, out, cap, 0);
}

/* The field of the first synonym whose fold equals key, or LI_FIELD_NONE. */
static li_field match_pass(const char *key, size_t klen, int drop_filler) {
    char syn[FOLD_MAX];
    for (size_t i = 0; i < NSYNONYMS; i++) {
        const char *name = synonyms[i].name;
        size_t n = li__fold(name, strlen(name), syn, sizeof syn, drop_filler);
        if (n == klen && memcmp(syn, key, n) == 0)
            return synonyms[i].field;
    }
    return LI_FIELD_NONE;
}

li_field li__field_by_header_kind(const char *header, size_t len, int *partial) {
    char key[FOLD_MAX];
    *partial = 0;
    if (!header)
        return LI_FIELD_NONE;
    size_t n = li__fold(header, len, key, sizeof key, 0);
    if (n == 0)
        return LI_FIELD_NONE;
    li_field f = match_pass(key, n, 0);
    if (f != LI_FIELD_NONE)
        return f;
    n = li__fold(header, len, key, sizeof key, 1);
    if (n == 0)
        return LI_FIELD_NONE;
    f = match_pass(key, n, 1);
    *partial = f != LI_FIELD_NONE;
    return f;
}

li_field li_field_by_header(const char *header, size_t len) {
    int partial;
    return li__field_by_header_kind(header, len, &partial);
}

/* --- headers that need the values ----------------------------------------- */

/*
 * Headers that say "a name" without saying whose: folded whole first, then
 * without filler words ("Nom du contact" -> "nom", "Contact name" ->
 * "name"). The hint is what the header leans to when the values do not
 * tell (mapping.c decides from the values).
 */
static const struct {
    const char *folded;
    unsigned char hint;
} name_hints[] = {
    {"nom", LI__NAME_HINT_LAST},
    {"name", LI__NAME_HINT_PERSON},
    {"contact", LI__NAME_HINT_PERSON},
    {"contactname", LI__NAME_HINT_PERSON},
    {"person", LI__NAME_HINT_PERSON},
    {"personname", LI__NAME_HINT_PERSON},
    {"displayname", LI__NAME_HINT_PERSON},
    {"nomaffiche", LI__NAME_HINT_PERSON},
    {"prospect", LI__NAME_HINT_PERSON},
    {"lead", LI__NAME_HINT_PERSON},
    {"leadname", LI__NAME_HINT_PERSON},
    {"client", LI__NAME_HINT_ORG},
    {"customer", LI__NAME_HINT_ORG},
    {"customername", LI__NAME_HINT_ORG},
    {"clientname", LI__NAME_HINT_ORG},
    {"account", LI__NAME_HINT_ORG},
    {"accountname", LI__NAME_HINT_ORG},
    {"compte", LI__NAME_HINT_ORG},
    {"nomcompte", LI__NAME_HINT_ORG},
};

static int hint_of(const char *key, size_t n) {
    for (size_t i = 0; i < sizeof name_hints / sizeof name_hints[0]; i++)
        if (strlen(name_hints[i].folded) == n && memcmp(name_hints[i].folded, key, n) == 0)
            return name_hints[i].hint;
    return LI__NAME_HINT_NONE;
}

int li__field_name_hint(const char *header, size_t len) {
    char key[FOLD_MAX];
    size_t n = li__fold(header, len, key, sizeof key, 0);
    int h = n ? hint_of(key, n) : LI__NAME_HINT_NONE;
    if (h == LI__NAME_HINT_NONE && (n = li__fold(header, len, key, sizeof key, 1)) > 0)
        h = hint_of(key, n);
    return h;
}

/* Words that name the record itself beside "id": "Record ID", "Contact ID". */
static const char *const record_words[] = {
    "record", "contact", "lead",   "person", "customer", "client", "prospect",
    "external", "externe", "crm", "unique", "member",  "subscriber", NULL,
};

static int in_list(const char *w, size_t n, const char *const *list) {
    for (size_t i = 0; list[i]; i++)
        if (strlen(list[i]) == n && memcmp(list[i], w, n) == 0)
            return 1;
    return 0;
}

int li__field_id_kind(const char *header, size_t len) {
    /* Words: split on anything not a letter or digit, and on camelCase. */
    enum { MAXW = 8, WLEN = 32 };
    char words[MAXW][WLEN];
    size_t wl[MAXW], nw = 0;
    for (size_t i = 0; i < len && nw < MAXW;) {
        while (i < len && !((header[i] | 0x20) >= 'a' && (header[i] | 0x20) <= 'z') &&
               !(header[i] >= '0' && header[i] <= '9') && !((unsigned char)header[i] & 0x80))
            i++;
        size_t n = 0;
        int prev_lower = 0;
        while (i < len && (((header[i] | 0x20) >= 'a' && (header[i] | 0x20) <= 'z') ||
                           (header[i] >= '0' && header[i] <= '9') || ((unsigned char)header[i] & 0x80))) {
            int upper = header[i] >= 'A' && header[i] <= 'Z';
            if (upper && prev_lower && n > 0)
                break; /* "CompanyId": a new word starts at the capital */
            if (n < WLEN - 1)
                words[nw][n++] = (char)(upper ? header[i] | 0x20 : header[i]);
            prev_lower = header[i] >= 'a' && header[i] <= 'z';
            i++;
        }
        if (n) {
            words[nw][n] = '\0';
            wl[nw++] = n;
        }
    }
    static const char *const id_words[] = {"id", "ids", "uid", "uuid", "guid", NULL};
    if (nw == 0)
        return 0;
    size_t idw;
    if (in_list(words[nw - 1], wl[nw - 1], id_words))
        idw = nw - 1;
    else if (nw > 1 && in_list(words[0], wl[0], id_words))
        idw = 0;
    else
        return 0;
    for (size_t i = 0; i < nw; i++)
        if (i != idw && !in_list(words[i], wl[i], record_words))
            return 1; /* an id of something else: "company_id", "Skype ID" */
    return 2;
}

int li__field_report_column(const char *header, size_t len) {
    char key[FOLD_MAX];
    size_t n = li__fold(header, len, key, sizeof key, 0);
    static const char *const cols[] = {"ligne", "erreurs", "statut", NULL};
    for (int i = 0; cols[i]; i++)
        if (strlen(cols[i]) == n && memcmp(cols[i], key, n) == 0)
            return i + 1;
    return 0;
}

/* --- typos ---------------------------------------------------------------- */

unsigned li_field_fuzzy_threshold(size_t folded_len) {
    return folded_len < 5 ? 0 : folded_len < 8 ? 1 : 2;
}

/*
 * Damerau-Levenshtein distance (optimal string alignment) of two folded
 * strings, on bytes: folded headers are ASCII but for the rare letter
 * without decomposition. Gives up (returns limit + 1) as soon as a whole
 * row of the table exceeds limit.
 */
static unsigned edit_distance(const char *a, size_t na, const char *b, size_t nb, unsigned limit) {
    enum { N = 64 };
    if (na >= N || nb >= N)
        return limit + 1;
    if ((na > nb ? na - nb : nb - na) > limit)
        return limit + 1;
    unsigned d[3][N]; /* rows i-2, i-1, i, rotating */
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (unsigned)j;
    for (size_t i = 1; i <= na; i++) {
        unsigned *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];
        cur[0] = (unsigned)i;
        unsigned best = cur[0];
        for (size_t j = 1; j <= nb; j++) {
            unsigned cost = a[i - 1] != b[j - 1];
            unsigned v = prev[j] + 1;
            if (cur[j - 1] + 1 < v)
                v = cur[j - 1] + 1;
            if (prev[j - 1] + cost < v)
                v = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < v)
                v = prev2[j - 2] + 1;
            cur[j] = v;
            if (v < best)
                best = v;
        }
        if (best > limit)
            return limit + 1;
    }
    return d[na % 3][nb];
}

li_field li_field_by_header_fuzzy(const char *header, size_t len, unsigned *dist,
                                  const char **matched) {
    char key[FOLD_MAX], syn[FOLD_MAX];
    if (!header)
        return LI_FIELD_NONE;
    size_t n = li__fold(header, len, key, sizeof key, 0);
    unsigned limit = li_field_fuzzy_threshold(n);
    if (limit == 0)
        return LI_FIELD_NONE;
    unsigned best = limit + 1;
    li_field found = LI_FIELD_NONE;
    const char *found_syn = NULL;
    int ambiguous = 0;
    for (size_t i = 0; i < NSYNONYMS; i++) {
        const char *name = synonyms[i].name;
        size_t k = li__fold(name, strlen(name), syn, sizeof syn, 0);
        if (li_field_fuzzy_threshold(k) == 0)
            continue; /* "Tel", "CP", "ID": too short to be told from a typo */
        unsigned d = edit_distance(key, n, syn, k, limit);
        if (d > limit)
            continue;
        if (d < best) {
            best = d;
            found = synonyms[i].field;
            found_syn = name;
            ambiguous = 0;
        } else if (d == best && synonyms[i].field != found) {
            ambiguous = 1;
        }
    }
    if (found == LI_FIELD_NONE || ambiguous)
        return LI_FIELD_NONE;
    if (dist)
        *dist = best;
    if (matched)
        *matched = found_syn;
    return found;
}
