/*
 * leadInt.h — what the files of src/lead/ share and nobody else should use.
 *
 * field.c owns the catalogue (labels, limits, text rules per field) and the
 * synonym table; phone.c owns the numbering-plan tables; validate.c owns
 * the text scanner. Unit tests include this header to walk the tables
 * (every synonym, every country code); the rest of the program must not.
 */
#ifndef LEADIMPORT_LEADINT_H
#define LEADIMPORT_LEADINT_H

#include <stddef.h>

#include "leadimport/field.h"
#include "leadimport/msg.h"
#include "leadimport/slice.h"

/* --- field.c ------------------------------------------------------------- */

/* Text rules of a field for li_norm_text(): 1 = collapse inner whitespace. */
int li__field_collapse(li_field f);
/* 1 = line breaks are kept (address, notes). */
int li__field_keep_newlines(li_field f);

/* The synonym table, for tests: entry i (i < li__field_synonym_count()). */
size_t li__field_synonym_count(void);
const char *li__field_synonym(size_t i, li_field *field);

/*
 * Folds like li_fold(); when drop_filler is set, whole words that carry no
 * meaning in a header ("de", "du", "la", "n°", "numéro", "contact",
 * "client", "1"...) are dropped as well: "N° de téléphone du client" ->
 * "telephone". Same output contract as li_fold().
 */
size_t li__fold(const char *s, size_t len, char *out, size_t cap, int drop_filler);

/* --- phone.c ------------------------------------------------------------- */

/* A numbering plan we know: NSN lengths, allowed first digits, trunk prefix. */
typedef struct li__country {
    const char *iso;   /* ISO 3166 alpha-2 ("FR"); several may share a code */
    unsigned short cc; /* country calling code (33) */
    unsigned char min; /* national significant number length, digits */
    unsigned char max;
    const char *first; /* allowed first digits of the NSN; NULL = any */
    char trunk;        /* national trunk prefix: '0', '1' (NANP) or 0 (none) */
} li__country;

/* The plan of a region ("FR", "be"; "UK" = "GB"), or NULL if unknown. */
const li__country *li__country_by_iso(const char *iso);
/* The plan of a country code, or NULL if not in the detailed table. */
const li__country *li__country_by_cc(unsigned cc);
/* 1 if cc is an assigned ITU-T E.164 country calling code. */
int li__cc_assigned(unsigned cc);
/* The assigned codes, for tests: *n gets the count. */
const unsigned short *li__cc_list(size_t *n);

/*
 * li_norm_phone() with the region already looked up (region may be NULL:
 * then only international numbers are accepted). out needs 17 bytes.
 */
li_msg li__norm_phone(const char *in, size_t len, const li__country *region, char *out, size_t cap);

/* --- validate.c ---------------------------------------------------------- */

/*
 * li_norm_text() that also reports whether control characters were removed
 * (*ctrl set to 1; never reset to 0). in and out may be the same buffer.
 */
size_t li__norm_text(const char *in, size_t len, char *out, int collapse, int keep_newlines,
                     int *ctrl);

/*
 * Checks the syntax of an already trimmed e-mail address and lower-cases
 * its ASCII letters in place. Returns 1 if valid.
 */
int li__email_check(char *s, size_t len);

/* --- country.c ---------------------------------------------------------- */

/*
 * The ISO 3166 alpha-2 code ("FR", a static string) of a country written
 * as a French or English name or an alpha-2/alpha-3 code, ignoring case,
 * accents, spaces and punctuation; NULL if unknown.
 */
const char *li__country_iso(const char *s, size_t len);
/* The sorted table, for tests: key i (folded) and its code. */
size_t li__country_count(void);
const char *li__country_key(size_t i, const char **iso);

/*
 * Checks and normalises, in place, the trimmed postal code s (*len bytes)
 * for country iso (alpha-2, upper-case): 5 digits for France and its
 * overseas departments, Monaco, Germany, Spain, Italy, Finland, Croatia;
 * 4 for Belgium, Switzerland, Luxembourg (also "L-1234", kept so), Austria,
 * Denmark, Norway, Hungary, Slovenia; other countries are not checked.
 * Inner spaces are removed from a valid code. A French code of 4 digits
 * gets its leading 0 back (s needs *len + 1 bytes). Returns LI_MSG_NONE,
 * LI_MSG_POSTAL_CODE_FIXED or LI_MSG_POSTAL_CODE_INVALID (s unchanged).
 */
li_msg li__postal_norm(const char *iso, char *s, size_t *len);
/* The length of iso's postal codes as li__postal_norm() checks them: 5, 4, or 0 (not checked). */
int li__postal_digits(const char *iso);

/* --- email_domain.c ------------------------------------------------------- */

/*
 * The well-known domain that the lower-case domain d (n bytes) is a typo
 * of ("gmial.com" -> "gmail.com"), or NULL (a known domain, or not close
 * to one).
 */
const char *li__email_domain_typo(const char *d, size_t n);
/* The list of known domains, for tests. */
size_t li__email_domain_count(void);
const char *li__email_domain(size_t i);

/* --- name.c --------------------------------------------------------------- */

/*
 * Puts an ALL-CAPS name or city (UTF-8, trimmed) in title case in place,
 * French particles lower-case (rules in name.c). Returns 1 if it applied
 * (the value was all capitals), 0 if the value was left as written.
 */
int li__name_case(char *s, size_t n);

/*
 * Splits a full name (trimmed, inner spaces collapsed) into first and last
 * name, as slices of s (either may be empty):
 *   - a civility first is dropped ("M.", "Mme", "Dr", "Monsieur"...);
 *   - a comma puts the last name first: "Dupont, Jean";
 *   - one word is a last name;
 *   - words in capitals among others are the last name, before or after
 *     the first name: "DUPONT Jean", "Jean-Pierre DE LA FONTAINE";
 *   - otherwise a particle after the first word opens the last name ("Jean
 *     de La Fontaine", "Anne d'Arc", "Ludwig van Beethoven"), else the last
 *     word is the last name ("Marie Claire Dupont" -> "Marie Claire").
 * At most 16 words are looked at; the rest belongs to the last one.
 */
void li__name_split(const char *s, size_t n, li_slice *first, li_slice *last);

#endif
