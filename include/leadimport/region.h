/*
 * region.h — the country a file's national phone numbers belong to, decided
 * once for the whole file, like the order of its dates.
 *
 * A row's own country decides for its phone (validate.c). This is the
 * region of the rows without one: --region when given; else inferred from
 * the sample of rows the mapping looks at (LI_MAPPING_SAMPLE_ROWS):
 *   1. the country column's dominant value, when at least
 *      LI_REGION_MIN_SIGNALS recognised countries and LI_REGION_MAJORITY %
 *      of them agree (the column a header named, or the one its values
 *      make the country column);
 *   2. else the signals of the other columns, each row's saying one thing
 *      or nothing: e-mail and website country domains (.ch, .be, .co.uk;
 *      .com, .net, .org, .eu and the domains sold worldwide such as .io,
 *      .co, .me say nothing), postal code shapes (four digits: Swiss,
 *      Belgian...; five: French...) between the candidate regions (France
 *      and those the domains or the country column name), and the phone
 *      numbers written without international prefix that read one way
 *      only among the candidates (valid in one, or giving the same number
 *      in each). A Swiss "044 668 18 00" is a well-formed French number
 *      too: it says nothing, the other signals decide. (Phones alone
 *      cannot name a region: a national number is valid in many plans —
 *      "8 701 123 45 67" is Kazakh and German — so only the candidates
 *      the other signals name are tried.)
 *      A region that gathers at least LI_REGION_MIN_SIGNALS signals and
 *      LI_REGION_MAJORITY % of all of them wins;
 *   3. else, when the postal codes are mostly not French-shaped (4 digits,
 *      letters) or most numbers are not valid in France, the same count
 *      between the regions usual for a French-speaking CRM (CH, BE, LU,
 *      MC, CA, DE, AT, IT, ES, GB, NL, MA, TN, DZ, SN, CI) whose postal
 *      shape is the file's and in which LI_REGION_MAJORITY % of the
 *      numbers are valid, plus those step 2 named; France stays a
 *      candidate while the postal codes can be French or something names
 *      it, so that a number valid in France and elsewhere never votes
 *      against France in a file that may be French;
 *   4. else France, the default, with why: no clear majority, or too few
 *      signals.
 * The decision and its reason (French, from the catalogue) are reported by
 * sniff and the import summary, and stored with a job's options so that a
 * resumed or queued import reads its numbers in the same region.
 */
#ifndef LEADIMPORT_REGION_H
#define LEADIMPORT_REGION_H

#include <stddef.h>

#include "leadimport/error.h"
#include "leadimport/mapping.h"
#include "leadimport/slice.h"

#define LI_REGION_MIN_SIGNALS 5
#define LI_REGION_MAJORITY 60 /* percent */

typedef enum li_region_source {
    LI_REGION_DEFAULT = 0, /* France: nothing in the file says otherwise */
    LI_REGION_OPTION,      /* --region */
    LI_REGION_INFERRED,    /* the file's values decided */
} li_region_source;

/* "default", "option", "inferred". */
const char *li_region_source_key(li_region_source s);

typedef struct li_region_guess {
    char iso[3];             /* ISO 3166 alpha-2, upper-case: "CH" */
    li_region_source source;
    /*
     * French: why ("87 % des e-mails en .ch, 40 codes postaux sur 40 à 4
     * chiffres"); for the default, why the signals did not decide, a
     * whole clause ("trop peu d'indices (4, il en faut 5) pour ..."), or
     * "" when the file gave none.
     */
    char reason[256];
} li_region_guess;

/* What the sample says; opaque. */
typedef struct li_region_probe li_region_probe;

/*
 * A probe for the columns of m (the mapping must outlive it). LI_ENOMEM is
 * the only error.
 */
li_status li_region_probe_new(const li_mapping *m, li_region_probe **out, li_error *err);

/* Looks at one data row of the sample (fields in file order). */
void li_region_probe_row(li_region_probe *p, const li_slice *fields, size_t nfields);

/* The decision on the rows seen. Costs a few libphonenumber calls per phone seen. */
void li_region_probe_decide(const li_region_probe *p, li_region_guess *out);

void li_region_probe_free(li_region_probe *p);

/*
 * The guess for --region value: source OPTION, from an ISO code, upper-
 * cased ("uk" gives "GB"), or any name or alpha-3 code the country table
 * knows ("Belgique", "Royaume-Uni", "CHE"). LI_EUSAGE
 * (PHONE_REGION_UNKNOWN) for an unknown country or one without a
 * numbering plan.
 */
li_status li_region_option(const char *value, li_region_guess *out, li_error *err);

/*
 * The French name of a country by its ISO alpha-2 code ("CH" -> "Suisse"),
 * a static string, or NULL for an unknown code.
 */
const char *li_country_name(const char *iso);

#endif
