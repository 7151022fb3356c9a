/*
 * validate.h — per-row validation and normalisation of leads.
 *
 * A validator takes the fields of one row (as the reader gave them) and a
 * mapping, and produces a li_lead: the normalised value of each field,
 * the custom fields as a JSON object, and the list of issues (errors reject
 * the row, warnings do not). The rules:
 *   - every value is trimmed (Unicode spaces included), inner runs of
 *     whitespace collapsed for names, control characters removed;
 *   - e-mail: syntax checked, lower-cased (email_invalid);
 *   - phone: normalised to E.164, France as default region (phone_invalid,
 *     phone_precision_lost);
 *   - a lead needs a usable e-mail or phone and a last name or a company
 *     (name_missing). An unusable e-mail or phone beside a usable other one
 *     is a warning (email_unusable, phone_unusable, phone_damaged_unusable):
 *     the lead is kept without it, its text moves to the custom fields
 *     (« E-mail non reconnu », « Téléphone non reconnu »), never to a key
 *     field. With no usable one, the unusable value is the row's error
 *     (email_invalid, phone_invalid, phone_precision_lost), and nothing at
 *     all is contact_missing;
 *   - a national phone number is read in its row's country, else in the
 *     file's region (li_validate_opts.region), never re-read elsewhere;
 *   - warnings only (the value is imported): an e-mail domain that looks
 *     like a typo of a common one (email_domain_typo), an unknown country
 *     (country_unknown, kept as written), a postal code that does not fit
 *     the row's country (postal_code_invalid) or a French one that lost its
 *     leading zero (postal_code_fixed, completed);
 *   - normalisation: the country to its ISO 3166 alpha-2 code ("FR"), a
 *     name or city written in capitals to title case ("DE VILLIERS" ->
 *     "de Villiers"), a national phone number read in the row's country.
 *     Every normaliser is idempotent: a normalised lead validates unchanged.
 */
#ifndef LEADIMPORT_VALIDATE_H
#define LEADIMPORT_VALIDATE_H

#include <stddef.h>

#include "leadimport/error.h"
#include "leadimport/field.h"
#include "leadimport/mapping.h"
#include "leadimport/slice.h"

#define LI_LEAD_MAX_ISSUES 8

typedef struct li_issue {
    li_msg code;     /* catalogue entry; its severity says error or warning */
    li_field field;  /* the field concerned, or LI_FIELD_NONE */
    char text[256];  /* formatted French message */
} li_issue;

/* What kind of line a valid phone number is, from its numbering plan. */
typedef enum li_phone_type {
    LI_PHONE_UNKNOWN = 0, /* not a valid number */
    LI_PHONE_MOBILE,      /* French 06, 07 */
    LI_PHONE_FIXED,       /* French 01 to 05, and 09 (VoIP: internet boxes) */
    LI_PHONE_OTHER,       /* toll-free, premium, shared cost (French 08), or
                             a plan that cannot tell fixed from mobile (+1) */
} li_phone_type;

typedef struct li_lead {
    /*
     * Normalised values; an empty slice for an absent value. Borrowed from
     * the validator: valid until the next li_validate_row() call.
     */
    li_slice value[LI_FIELD__COUNT];
    /* Custom fields as a JSON object ("{}" if none); same lifetime. */
    li_slice custom_json;
    /*
     * The text of the assignment column (LI_FIELD_ASSIGNEE), trimmed; empty
     * without one. Not a value of the lead: the user the import may assign
     * it to. Same lifetime.
     */
    li_slice assignee;
    li_phone_type phone_type; /* of the normalised phone; LI_PHONE_UNKNOWN without one */
    size_t nissues;
    li_issue issues[LI_LEAD_MAX_ISSUES];
    int nerrors;   /* issues of severity error: the row is invalid if > 0 */
} li_lead;

typedef struct li_validator li_validator;

typedef struct li_validate_opts {
    const char *region; /* default phone region, ISO alpha-2; NULL = "FR" */
} li_validate_opts;

/* The mapping must outlive the validator. Free with li_validator_free(). */
li_status li_validator_new(const li_mapping *m, const li_validate_opts *opts,
                           li_validator **out, li_error *err);

/*
 * Validates and normalises one row. fields/nfields are the row's fields in
 * file order (nfields may differ from the mapping's column count: missing
 * columns read as empty). Always fills *out; returns LI_OK, or LI_ENOMEM.
 */
li_status li_validate_row(li_validator *v, const li_slice *fields, size_t nfields,
                          li_lead *out);

void li_validator_free(li_validator *v);

/* --- the normalisers, exposed for tests and for other modules ------------ */

/*
 * Normalises an e-mail address: trimmed, lower-cased, syntax checked.
 * Writes a NUL-terminated result to out. Returns LI_MSG_NONE on success or
 * LI_MSG_EMAIL_INVALID.
 */
li_msg li_norm_email(const char *in, size_t len, char *out, size_t cap);


/*
 * Bytes li_norm_phone_typed() needs for its output: an E.164 number (at
 * most "+" and 15 digits), ";ext=" and an extension of at most
 * LI_PHONE_EXT_MAX digits, and the NUL.
 */
#define LI_PHONE_EXT_MAX 10
#define LI_PHONE_CAP 32

/*
 * Normalises a phone number to E.164 ("+33612345678") and checks it against
 * the real numbering plans (libphonenumber; the usual French shapes by an
 * exact fast path that gives the same answers). region is the country of
 * national numbers: ISO 3166 alpha-2, any case ("FR", "be"; "UK" = "GB";
 * NULL = "FR"); with an unknown region only international numbers are
 * accepted. Accepts spaces, dots, dashes, slashes, parentheses, "(0)", the
 * 00 and + international prefixes, the country code without "+"
 * ("33612345678"), a national number that lost its leading 0 ("612345678"),
 * and Excel's scientific notation when no digit was lost ("3,3612345678E+10").
 * An extension at the end — "x123", "x. 123", "ext 12", "ext. 12",
 * "extn 12", "extension 12", "poste 12", "#12", ";ext=12", any case, at
 * most LI_PHONE_EXT_MAX digits — is kept: the result is the E.164 number
 * followed by ";ext=NN" (RFC 3966), "+33123456789;ext=12", which reads
 * back to itself. The number is only ever read in region: a national
 * number that is not valid there is invalid (never re-read as French);
 * "+CC..." and "00CC..." are read under their own code, whatever region.
 * French overseas numbers dialled as French ("0262 12 34 56", "+33 262...")
 * get their own code (+262, +590, +594, +596). A number of the right shape
 * in an unassigned range ("+33 7 01...") is invalid.
 *
 * out needs LI_PHONE_CAP bytes (17 are enough without extension; a
 * result that does not fit is PHONE_INVALID). Returns LI_MSG_NONE
 * (out = E.164, NUL-terminated; *type set), LI_MSG_PHONE_INVALID or
 * LI_MSG_PHONE_PRECISION_LOST (out = "", *type = LI_PHONE_UNKNOWN). type may
 * be NULL. Thread-safe; no allocation on the usual French shapes.
 */
li_msg li_norm_phone_typed(const char *in, size_t len, const char *region, char *out, size_t cap,
                           li_phone_type *type);

/* li_norm_phone_typed() without the type. */
li_msg li_norm_phone(const char *in, size_t len, const char *region, char *out, size_t cap);

/*
 * The stable key of a phone type, as stored and exported (French, like the
 * rest of what users read): "mobile", "fixe", "autre"; "" for
 * LI_PHONE_UNKNOWN or an out-of-range value. A static string.
 */
const char *li_phone_type_key(li_phone_type t);

/*
 * Trims leading and trailing whitespace (ASCII and Unicode spaces such as
 * U+00A0) and, if collapse is set, turns inner runs of whitespace into one
 * space; removes control characters (except newlines when keep_newlines).
 * Writes to out (not NUL-terminated); returns the length written. out must
 * hold at least len bytes.
 */
size_t li_norm_text(const char *in, size_t len, char *out, int collapse, int keep_newlines);

#endif
