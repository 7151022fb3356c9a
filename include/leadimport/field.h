/*
 * field.h — the catalogue of lead fields.
 *
 * Each field has a stable key (the column name in the database and in JSON),
 * a canonical French label (the header `export` writes and `template` will
 * offer), and a list of French and English header synonyms used by the
 * automatic mapping (mapping.h).
 */
#ifndef LEADIMPORT_FIELD_H
#define LEADIMPORT_FIELD_H

#include <stddef.h>

typedef enum li_field {
    LI_FIELD_FIRST_NAME = 0,
    LI_FIELD_LAST_NAME,
    LI_FIELD_EMAIL,
    LI_FIELD_PHONE,
    LI_FIELD_COMPANY,
    LI_FIELD_JOB_TITLE,
    LI_FIELD_ADDRESS,
    LI_FIELD_POSTAL_CODE,
    LI_FIELD_CITY,
    LI_FIELD_COUNTRY,
    LI_FIELD_SOURCE,
    LI_FIELD_NOTES,
    LI_FIELD_EXTERNAL_ID,
    LI_FIELD_OWNER,
    LI_FIELD__COUNT,
    LI_FIELD_NONE = -1, /* a column that maps to no field: kept as a custom field */
    /*
     * Not a field of the lead but a column that feeds two: "Nom complet",
     * "Full name" is split into first and last name (validate.h). It has a
     * key ("full_name") and a label, so --map and saved mappings name it.
     */
    LI_FIELD_FULL_NAME = -2,
    /*
     * Not a field either: a column read and thrown away, neither a field
     * nor a custom field ("Ligne" and "Erreurs" of a corrected error
     * report). Key "ignore", so that saved mappings and --map name it.
     */
    LI_FIELD_IGNORE = -3,
    /*
     * Not a field of the lead: the column that says to whom the lead is
     * assigned ("Assigné à", the column `export` writes: the user's
     * e-mail). Key "assignee". Without an explicit --assign, an import
     * assigns each row to the active user its cell names (import.h,
     * LI_ASSIGN_AUTO); when no column feeds "Commercial", the text feeds
     * it too, so that it is kept whatever the assignment does.
     */
    LI_FIELD_ASSIGNEE = -4,
} li_field;

/* "first_name", "email", ... ("full_name", "ignore" too). "" for LI_FIELD_NONE. */
const char *li_field_key(li_field f);
/* "Prénom", "E-mail", ... the canonical French header. */
const char *li_field_label(li_field f);
/* Maximum length in bytes of a normalised value of this field. */
size_t li_field_max_len(li_field f);
/* The field whose key is key (exact, e.g. "email", "full_name", "ignore"), or LI_FIELD_NONE. */
li_field li_field_by_key(const char *key);
/*
 * The field a header names, after folding (case, accents, punctuation and
 * spacing ignored): "Prénom", "PRENOM", "first-name", "Courriel" ... or
 * LI_FIELD_NONE.
 */
li_field li_field_by_header(const char *header, size_t len);

/*
 * The field a misspelt header names ("Téléphnoe", "Emial", "Code postl"):
 * the synonym at the smallest edit distance (Damerau-Levenshtein on the
 * folded forms: an insertion, deletion, substitution or swap of two
 * neighbours costs 1), provided it is within the threshold -- none under 5
 * folded characters, 1 up to 7, 2 from 8 -- and no synonym of another field
 * is as close. *dist gets the distance and *synonym the synonym matched
 * (static). LI_FIELD_NONE when nothing is close enough or it is ambiguous.
 * Exact matches are li_field_by_header()'s job: call that first.
 */
li_field li_field_by_header_fuzzy(const char *header, size_t len, unsigned *dist,
                                  const char **synonym);

/* The largest edit distance li_field_by_header_fuzzy() accepts for a folded length. */
unsigned li_field_fuzzy_threshold(size_t folded_len);

/*
 * Folds s for comparison: Unicode NFKD, accents and marks removed, case
 * folded, and everything that is not a letter or digit removed
 * ("Code postal" -> "codepostal", "E-mail" -> "email"). Writes a
 * NUL-terminated string to out (truncated to cap-1). Returns its length.
 */
size_t li_fold(const char *s, size_t len, char *out, size_t cap);

#endif
