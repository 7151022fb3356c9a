/*
 * mapping.h — which column of the file feeds which lead field.
 *
 * Each column gets its field from the first of these that says something,
 * and the mapping remembers which one did (li_map_reason), so that sniff
 * and the review can say why:
 *   1. --map overrides;
 *   2. a saved mapping: a named template (--mapping NAME) or the mapping
 *      remembered from the last import of a file with the same headers;
 *   3. the columns "Ligne", "Erreurs", "Statut" of a corrected error
 *      report are ignored (LI_FIELD_IGNORE);
 *   4. the headers of a known export (Google Contacts, Outlook, HubSpot,
 *      Salesforce, Zoho CRM, Pipedrive, Brevo, Mailchimp), recognised by a
 *      few distinctive headers: its whole mapping applies;
 *   5. id columns: "company_id", "Skype ID" are kept custom; a single
 *      column named like the record's id ("ID", "Record ID") is the
 *      external id;
 *   6. the header, through the French and English synonyms (field.h);
 *      then, for fields still free, a synonym once filler words are dropped
 *      ("Nom du contact"), a name-like header ("Name", "Nom" alone,
 *      "Contact", "Client", "Account name") decided by its values, and the
 *      header with a typo (li_field_by_header_fuzzy()). An exact synonym
 *      always beats the others for its field, across all columns; a
 *      partial or misspelt match must agree with the values (a column of
 *      yes/no, small integers or dates is no name, id, company...);
 *   7. the values: a column whose sampled values are mostly e-mail
 *      addresses is the e-mail, whatever its header (li_mapping_observe(),
 *      li_mapping_guess()).
 * Steps 3 to 6 run at li_mapping_build() on the headers alone, and again
 * at li_mapping_guess() with the values. A column that maps to no field is
 * kept as a custom field under its header name. When two columns match
 * the same field, the first wins and a warning says so. A "Nom complet"
 * column (LI_FIELD_FULL_NAME) feeds first and last name when the file has
 * no column of its own for them.
 */
#ifndef LEADIMPORT_MAPPING_H
#define LEADIMPORT_MAPPING_H

#include "leadimport/error.h"
#include "leadimport/field.h"
#include "leadimport/slice.h"

typedef struct li_map_override {
    const char *field;  /* field key or a header synonym ("email", "Courriel") */
    const char *column; /* header text, or a 1-based column number "3" / "#3" */
} li_map_override;

/* At most this many --map overrides for one file (a job stores them). */
#define LI_MAP_MAX_OVERRIDES 64

/* Why a column has its field. */
typedef enum li_map_reason {
    LI_MAP_CUSTOM = 0, /* nothing matched: a custom field */
    LI_MAP_OVERRIDE,   /* --map */
    LI_MAP_TEMPLATE,   /* a named mapping (--mapping NAME) */
    LI_MAP_REMEMBERED, /* the mapping of the last import with the same headers */
    LI_MAP_HEADER,     /* the header is a synonym of the field */
    LI_MAP_FUZZY,      /* the header is a misspelt synonym */
    LI_MAP_VALUES,     /* the values look like the field's */
    LI_MAP_NAMES,      /* a name-like header, the values said whose: person or organisation */
    LI_MAP_EXPORT,     /* a column of a recognised export */
    LI_MAP_REPORT,     /* a column of an error report: ignored */
} li_map_reason;

/*
 * "custom", "override", "template", "remembered", "header", "fuzzy",
 * "values", "names", "export", "report".
 */
const char *li_map_reason_key(li_map_reason r);

typedef struct li_mapping {
    size_t ncols;
    int has_header;                   /* built from a header row */
    li_field *col_field;              /* [ncols]: the field of each column, or LI_FIELD_NONE */
    char **col_name;                  /* [ncols]: header text (UTF-8, owned), "Colonne N" without header */
    li_map_reason *col_reason;        /* [ncols] */
    char **col_detail;                /* [ncols]: French detail of the reason, or NULL (owned) */
    int field_col[LI_FIELD__COUNT];   /* column feeding each field, or -1 */
    int full_name_col;                /* the LI_FIELD_FULL_NAME column, or -1 */
    int assignee_col;                 /* the LI_FIELD_ASSIGNEE column, or -1 */
    /*
     * [ncols]: 0, or 1 + the li_date_order of a custom column of dates
     * (decided by li_mapping_guess() from the whole column): the validator
     * writes its values as ISO 8601 dates.
     */
    unsigned char *col_date;
    size_t nwarnings;
    char warnings[6][256];            /* French warnings (MAP_NO_CONTACT, MAP_DUPLICATE...) */
    /* The known export the headers are, "Google Contacts"... (static), or NULL. */
    const char *export_name;
    /* What each header proposed, weighed again with the values (owned). */
    struct li_map_cand *cand;
    /* Value statistics gathered by li_mapping_observe() (owned, may be NULL). */
    struct li_map_stats *stats;
    size_t nobserved;
} li_mapping;

/* What a mapping is built from. */
typedef struct li_mapping_spec {
    const li_slice *header;     /* header row, or NULL: columns named "Colonne N" */
    size_t ncols;
    const li_map_override *ov;  /* --map */
    size_t nov;
    /*
     * A saved mapping: JSON object {"Header": "field_key" | null, ...} as
     * li_mapping_to_json() writes it; headers are compared folded. A
     * column it names gets that field (null: kept custom, on purpose);
     * other columns are matched as usual. NULL for none.
     */
    const char *saved_json;
    li_map_reason saved_reason; /* LI_MAP_TEMPLATE or LI_MAP_REMEMBERED */
    const char *saved_name;     /* the template's name, for messages */
} li_mapping_spec;

/*
 * Builds the mapping from spec (steps 1 to 4 above). On success *out is
 * owned by the caller: free it with li_mapping_free(). Errors: LI_EUSAGE for
 * an override naming an unknown field or column, LI_EFORMAT for a saved
 * mapping that is not a JSON object of strings.
 */
li_status li_mapping_build(const li_mapping_spec *spec, li_mapping **out, li_error *err);

/* li_mapping_build() with only a header and overrides. */
li_status li_mapping_new(const li_slice *header, size_t ncols, const li_map_override *ov,
                         size_t nov, li_mapping **out, li_error *err);

/* Rows li_mapping_observe() looks at; more are ignored. */
#define LI_MAPPING_SAMPLE_ROWS 200

/*
 * Looks at the values of one data row (the first LI_MAPPING_SAMPLE_ROWS
 * rows count): every column that no --map nor saved mapping decided.
 * LI_ENOMEM is the only error.
 */
li_status li_mapping_observe(li_mapping *m, const li_slice *fields, size_t nfields);

/*
 * Dates need the whole column when the sample did not tell day/month from
 * month/day: 1 while some custom column looks like dates, has values that
 * read both ways and none that proves an order. Feed such rows with
 * li_mapping_observe_dates() (past the sample) until it says 0 or the file
 * ends.
 */
int li_mapping_dates_pending(const li_mapping *m);
li_status li_mapping_observe_dates(li_mapping *m, const li_slice *fields, size_t nfields);

/*
 * Decides with the values: steps 3 to 6 again (name-like columns decided,
 * partial and misspelt matches checked against the values, an export's
 * column picked among several by its values), then step 7: a custom
 * column becomes the e-mail (or phone, or country) when at least 80 % of
 * its non-empty sampled values (at least 5 of them) are valid for that
 * field and no column has it yet. The custom columns left that hold dates
 * (date.h) get their order in col_date, with a warning when it had to be
 * assumed (day/month) or the column mixes both. Then the file-level
 * warnings: MAP_NO_CONTACT / MAP_NO_NAME, with the --map to use when an
 * unmapped column holds what is missing. Call once, after observing.
 */
void li_mapping_guess(li_mapping *m);

/*
 * A JSON object describing the mapping: {"Prénom":"first_name","Autre":null,...}.
 * Returned string is malloc'ed: the caller frees it with free().
 */
char *li_mapping_to_json(const li_mapping *m);

/*
 * The same, but only the columns something decided: a column left custom
 * because nothing matched is omitted, so that a mapping remembered from it
 * lets the next file's values still speak for that column.
 */
char *li_mapping_to_json_decided(const li_mapping *m);

void li_mapping_free(li_mapping *m);

#endif
