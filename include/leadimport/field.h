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
} li_field;

/* "first_name", "email", ... Never NULL for a valid field. */
const char *li_field_key(li_field f);
/* "Prénom", "E-mail", ... the canonical French header. */
const char *li_field_label(li_field f);
/* Maximum length in bytes of a normalised value of this field. */
size_t li_field_max_len(li_field f);
/* The field whose key is key (exact, e.g. "email"), or LI_FIELD_NONE. */
li_field li_field_by_key(const char *key);
/*
 * The field a header names, after folding (case, accents, punctuation and
 * spacing ignored): "Prénom", "PRENOM", "first-name", "Courriel" ... or
 * LI_FIELD_NONE.
 */
li_field li_field_by_header(const char *header, size_t len);

/*
 * Folds s for comparison: Unicode NFKD, accents and marks removed, case
 * folded, and everything that is not a letter or digit removed
 * ("Code postal" -> "codepostal", "E-mail" -> "email"). Writes a
 * NUL-terminated string to out (truncated to cap-1). Returns its length.
 */
size_t li_fold(const char *s, size_t len, char *out, size_t cap);

#endif
