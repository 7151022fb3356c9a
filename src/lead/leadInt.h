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

#include "leadimport/date.h"
#include "leadimport/field.h"
#include "leadimport/mapping.h"
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

/*
 * li_field_by_header(), and whether the match needed filler words dropped
 * (*partial = 1: "Last contact" -> "Last"): such a match must agree with
 * the column's values (mapping.c).
 */
li_field li__field_by_header_kind(const char *header, size_t len, int *partial);

/* What a name-like header leans to when the values do not tell. */
enum {
    LI__NAME_HINT_NONE = 0,
    LI__NAME_HINT_LAST,   /* "Nom", "Nom du contact": a last name, or more */
    LI__NAME_HINT_PERSON, /* "Name", "Contact", "Contact name": a person's full name */
    LI__NAME_HINT_ORG,    /* "Client", "Customer", "Account name": an organisation */
};

/*
 * The LI__NAME_HINT_* of a header that says "a name" without saying
 * whose ("Name", "Nom", "Nom du contact", "Contact", "Client", "Account
 * name"...), or LI__NAME_HINT_NONE.
 */
int li__field_name_hint(const char *header, size_t len);

/*
 * 2 if the header names the record's own identifier ("ID", "Id", "_id",
 * "Record ID", "Contact ID", "Lead ID", "ID client"); 1 if it is the id of
 * something else ("company_id", "CompanyId", "Account ID", "Skype ID",
 * "ID commande"); 0 if it is no id. Whole words, camelCase split.
 */
int li__field_id_kind(const char *header, size_t len);

/* 1, 2, 3 if the header is "Ligne", "Erreurs", "Statut" (an error report's), else 0. */
int li__field_report_column(const char *header, size_t len);

/* --- mapping.c, mapping_values.c ------------------------------------------ */

/* How strongly a header proposed its field (weakest last). */
enum {
    LI__RANK_NONE = 0, /* nothing */
    LI__RANK_FIXED,    /* --map or a saved mapping decided: never revisited */
    LI__RANK_REPORT,   /* a column of an error report: ignored */
    LI__RANK_EXPORT,   /* a column of a recognised export */
    LI__RANK_EXACT,    /* a synonym */
    LI__RANK_PARTIAL,  /* a synonym once filler words are dropped */
    LI__RANK_FUZZY,    /* a misspelt synonym */
};

/* What the header of one column proposed (li_mapping_build()). */
struct li_map_cand {
    li_field field;          /* the proposed field, or LI_FIELD_NONE */
    unsigned char rank;      /* LI__RANK_* */
    unsigned char name_hint; /* LI__NAME_HINT_* */
    unsigned char id_kind;   /* li__field_id_kind() */
    unsigned char held;      /* kept custom on purpose by the last resolution */
    unsigned dist;           /* a typo: its edit distance */
    unsigned prio;           /* an export's column: its rank for its field */
    const char *syn;         /* a typo: the synonym it resembles (static) */
};

enum { LI__EXAMPLE = 48 };

/* What the sampled values of one column looked like. */
struct li_map_stats {
    unsigned nonempty;
    unsigned email;   /* valid e-mail addresses */
    unsigned phone;   /* valid phone numbers written as such (+, 0 or separators) */
    unsigned country;
    unsigned flag;    /* oui/non, yes/no, true/false, 0/1, x */
    unsigned integer; /* whole numbers of 1 to 6 digits */
    unsigned date;
    unsigned kind[8]; /* by li__name_kind (name.c section): the other values */
    char person_ex[LI__EXAMPLE], org_ex[LI__EXAMPLE]; /* first value of each kind */
    li_date_col date_col; /* the whole column, when it takes that to know the order */
    unsigned char pending; /* after the sample: 0 not decided yet, 1 dates without order, 2 not */
};

/* The column holding field f (LI_FIELD_FULL_NAME included), or -1. */
int li__map_holder(const li_mapping *m, li_field f);
/* Gives column c the field f for reason r; c leaves its old field. */
void li__map_assign(li_mapping *m, size_t c, li_field f, li_map_reason r);
/*
 * Sets the French detail of column c's reason, the catalogue entry msg
 * formatted (li__map_detail_clear(): none). Macros checked like
 * li_error_set() (error.h): msg must name an entry.
 */
#define li__map_detail(m, c, msg, ...) li__map_detail_fmt((m), (c), LI_MSG_FMT_##msg, ##__VA_ARGS__)
void li__map_detail_fmt(li_mapping *m, size_t c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void li__map_detail_clear(li_mapping *m, size_t c);
/* li__map_detail() of a message chosen at run time: unchecked. */
void li__map_detail_unchecked(li_mapping *m, size_t c, li_msg msg, ...);
/* Adds a French warning; past the room of m->warnings it is dropped. */
#define li__map_warn(m, msg, ...) li__map_warn_fmt((m), LI_MSG_FMT_##msg, ##__VA_ARGS__)
void li__map_warn_fmt(li_mapping *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Steps 3 to 6 of mapping.h from the candidates, with the values when
 * m->stats is set: every column not fixed is decided again, and the
 * warnings start over.
 */
void li__mapping_resolve(li_mapping *m);
/*
 * 1 if the sampled values of column c contradict field f (mostly yes/no,
 * dates, or small integers for a field other than the postal code): *msg
 * gets the detail to give, with *count of *of values.
 */
int li__map_disagree(const li_mapping *m, size_t c, li_field f, li_msg *msg, unsigned *count,
                     unsigned *of);
/* Decides the name-like column c (candidate name_hint set) from its values. */
void li__map_decide_name(li_mapping *m, size_t c);

/* --- exports.c ----------------------------------------------------------- */

typedef struct li__export li__export;

/*
 * The known export (Google Contacts, Outlook, HubSpot...) whose signature
 * the folded column names match best, or NULL. folded[c] is li_fold() of
 * column c's name.
 */
const li__export *li__export_detect(char *const *folded, size_t ncols);
/* "Google Contacts", "Outlook"... (static). */
const char *li__export_name(const li__export *e);
/*
 * 1 if export e knows the folded column name: *field gets its field
 * (LI_FIELD_NONE: a column of the export that is no field, kept custom)
 * and *prio its rank among the export's columns for that field (0 first).
 * 0 if e does not know it.
 */
int li__export_column(const li__export *e, const char *folded, li_field *field, unsigned *prio);

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

/* --- cell.c ----------------------------------------------------------------- */

/* Receives the cleaned piece (not NUL-terminated); nonzero: it is a valid value. */
typedef int (*li__piece_fn)(const char *piece, size_t len, void *ctx);

/*
 * Splits a cell that may hold several values (s, n: the normalised text)
 * into its pieces, cleaned for an e-mail (email set: display name, mailto:,
 * quotes dropped) or a phone (labels, words in parentheses, a float's ".0"
 * dropped), and calls fn on the first non-empty one. buf holds at least n
 * bytes (the piece is cleaned there). Returns what fn returned, 0 without
 * a piece.
 */
int li__cell_pieces(const char *s, size_t n, int email, char *buf, li__piece_fn fn, void *ctx);

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

/* What one value of a name-like column looks like (li__name_kind()). */
typedef enum li__name_kind {
    LI__NAME_NOT = 0, /* no letter, or an e-mail address: no name at all */
    LI__NAME_ONE,     /* one word: a last name or a brand, nothing tells */
    LI__NAME_PERSON,  /* "Jane Martin", "DUPONT Jean", "M. Jean Dupont", "Dupont, Jean" */
    LI__NAME_ORG,     /* a legal form or trade word, "&", an article first ("Le Comptoir"),
                         words with digits ("Maison 1900") */
    LI__NAME_ACRONYM, /* one word in capitals that reads as initials: "BTP", "EDF" */
    LI__NAME_DIGITS,  /* one word of letters and digits: a code ("C0042", "N0"), no name */
    LI__NAME_TEXT,    /* letters, but a sentence or punctuation, not a name */
} li__name_kind;

/*
 * Classifies the trimmed, collapsed value s (n bytes). Allocates nothing;
 * cost linear in n. Used on the sampled rows only.
 */
li__name_kind li__name_kind_of(const char *s, size_t n);

#endif
