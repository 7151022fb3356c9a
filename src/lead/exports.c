/*
 * exports.c — the CSV exports of the tools users come from.
 *
 * What it promises:
 *   - each known export (Google Contacts, Outlook in English and in French,
 *     HubSpot, Salesforce, Zoho CRM, Pipedrive, Brevo, Mailchimp) has a
 *     signature: headers that all must be present ("all"), and headers of
 *     which at least "min" must be (distinctive ones, that a hand-made file
 *     rarely has all together: "Phone 1 - Value", "Business Postal Code",
 *     "Lifecycle Stage", "OPTIN_TIME"...). li__export_detect() returns the
 *     export with the most distinctive headers present, the first of the
 *     table on a tie;
 *   - each export maps its own columns: a field, or none (a column of the
 *     export kept custom on purpose: Outlook's "Title" is a civility, not
 *     a job title). Columns an export does not know are matched as in any
 *     file. A field fed by several columns of the export lists
 *     them in priority order (phones: mobile, then work, then main, then
 *     home; e-mails: the first one); mapping.c takes the first present
 *     that has values and keeps the others as custom fields.
 * Headers are written folded (li_fold(): lower case, no accents, letters
 * and digits only), as they are compared. Everything is const.
 */
#include <string.h>

#include "lead/leadInt.h"

typedef struct export_col {
    const char *folded;
    li_field field; /* LI_FIELD_NONE: known, kept custom */
} export_col;

struct li__export {
    const char *name;
    const char *const *all;  /* every one must be present (NULL-terminated) */
    const char *const *some; /* at least min of them */
    unsigned min;
    const export_col *cols;  /* in priority order within a field; ends with {NULL} */
};

#define F(x) LI_FIELD_##x

/* --- Google Contacts (the old format, and the one of 2023 on) ------------ */
static const char *const google_some[] = {
    "email1value", "email1type", "email1label", "phone1value", "phone1type", "phone1label",
    "organization1name", "organization1title", "address1formatted", "address1street",
    "address1city", "groupmembership", "website1value", "phoneticfirstname", NULL};
static const export_col google_cols[] = {
    {"givenname", F(FIRST_NAME)},   {"firstname", F(FIRST_NAME)},
    {"familyname", F(LAST_NAME)},   {"lastname", F(LAST_NAME)},
    {"name", LI_FIELD_FULL_NAME},
    {"email1value", F(EMAIL)},      {"email2value", F(EMAIL)},     {"email3value", F(EMAIL)},
    {"phone1value", F(PHONE)},      {"phone2value", F(PHONE)},     {"phone3value", F(PHONE)},
    {"phone4value", F(PHONE)},
    {"organization1name", F(COMPANY)}, {"organizationname", F(COMPANY)},
    {"organization1title", F(JOB_TITLE)}, {"organizationtitle", F(JOB_TITLE)},
    {"address1street", F(ADDRESS)}, {"address1formatted", F(ADDRESS)},
    {"address1postalcode", F(POSTAL_CODE)},
    {"address1city", F(CITY)},
    {"address1country", F(COUNTRY)},
    {"notes", F(NOTES)},
    {"email1type", F(NONE)}, {"email1label", F(NONE)}, {"phone1type", F(NONE)},
    {"phone1label", F(NONE)}, {"address1type", F(NONE)}, {"address1label", F(NONE)},
    {"organization1type", F(NONE)}, {"organization1department", F(NONE)},
    {"organizationdepartment", F(NONE)}, {"groupmembership", F(NONE)}, {"labels", F(NONE)},
    {"nameprefix", F(NONE)}, {"namesuffix", F(NONE)}, {"nickname", F(NONE)},
    {"additionalname", F(NONE)}, {"middlename", F(NONE)}, {"fileas", F(NONE)},
    {"location", F(NONE)}, {"occupation", F(NONE)}, {"subject", F(NONE)},
    {NULL, F(NONE)}};

/* --- Outlook, English -------------------------------------------------------- */
static const char *const outlook_some[] = {
    "businessphone", "businesscity", "businessstreet", "businesspostalcode",
    "businesscountryregion", "emaildisplayname", "emailtype", "homephone", "businessfax",
    "primaryphone", "companymainphone", "homestreet", "homecity", "email2address",
    "otherphone", "assistantsphone", "carphone", "webpage", "officelocation", NULL};
static const export_col outlook_cols[] = {
    {"firstname", F(FIRST_NAME)},
    {"lastname", F(LAST_NAME)},
    {"emailaddress", F(EMAIL)}, {"email2address", F(EMAIL)}, {"email3address", F(EMAIL)},
    {"mobilephone", F(PHONE)}, {"businessphone", F(PHONE)}, {"primaryphone", F(PHONE)},
    {"companymainphone", F(PHONE)}, {"businessphone2", F(PHONE)}, {"homephone", F(PHONE)},
    {"homephone2", F(PHONE)}, {"otherphone", F(PHONE)}, {"carphone", F(PHONE)},
    {"company", F(COMPANY)},
    {"jobtitle", F(JOB_TITLE)},
    {"businessstreet", F(ADDRESS)}, {"homestreet", F(ADDRESS)},
    {"businesspostalcode", F(POSTAL_CODE)}, {"homepostalcode", F(POSTAL_CODE)},
    {"businesscity", F(CITY)}, {"homecity", F(CITY)},
    {"businesscountryregion", F(COUNTRY)}, {"homecountryregion", F(COUNTRY)},
    {"notes", F(NOTES)},
    {"title", F(NONE)}, {"middlename", F(NONE)}, {"suffix", F(NONE)}, {"department", F(NONE)},
    {"account", F(NONE)}, {"emailtype", F(NONE)}, {"emaildisplayname", F(NONE)},
    {"businessstreet2", F(NONE)}, {"businessstreet3", F(NONE)}, {"businessstate", F(NONE)},
    {"homestate", F(NONE)}, {"categories", F(NONE)}, {"webpage", F(NONE)},
    {"initials", F(NONE)}, {"location", F(NONE)}, {"profession", F(NONE)},
    {"priority", F(NONE)}, {"private", F(NONE)}, {"sensitivity", F(NONE)},
    {NULL, F(NONE)}};

/* --- Outlook, French ------------------------------------------------------------ */
static const char *const outlookfr_some[] = {
    "adressedemessagerie", "telephonebureau", "villebureau", "ruebureau", "codepostalbureau",
    "paysregionbureau", "telmobile", "typedemessagerie", "nomcompletdeladressedemessagerie",
    "telecopiebureau", "telephonedomicile", "telephoneprincipal", "telephonesociete",
    "ruedomicile", "villedomicile", "deuxiemeprenom", NULL};
static const export_col outlookfr_cols[] = {
    {"prenom", F(FIRST_NAME)},
    {"nom", F(LAST_NAME)},
    {"adressedemessagerie", F(EMAIL)}, {"adressedemessagerie2", F(EMAIL)},
    {"adressedemessagerie3", F(EMAIL)},
    {"telmobile", F(PHONE)}, {"telephonebureau", F(PHONE)}, {"telephoneprincipal", F(PHONE)},
    {"telephonesociete", F(PHONE)}, {"telephone2bureau", F(PHONE)},
    {"telephonedomicile", F(PHONE)}, {"telephone2domicile", F(PHONE)},
    {"telephoneautre", F(PHONE)}, {"telephonevoiture", F(PHONE)},
    {"societe", F(COMPANY)},
    {"fonction", F(JOB_TITLE)},
    {"ruebureau", F(ADDRESS)}, {"ruedomicile", F(ADDRESS)},
    {"codepostalbureau", F(POSTAL_CODE)}, {"codepostaldomicile", F(POSTAL_CODE)},
    {"villebureau", F(CITY)}, {"villedomicile", F(CITY)},
    {"paysregionbureau", F(COUNTRY)}, {"paysregiondomicile", F(COUNTRY)},
    {"notes", F(NOTES)},
    {"titre", F(NONE)}, {"deuxiemeprenom", F(NONE)}, {"suffixe", F(NONE)}, {"service", F(NONE)},
    {"typedemessagerie", F(NONE)}, {"nomcompletdeladressedemessagerie", F(NONE)},
    {"ruebureau2", F(NONE)}, {"ruebureau3", F(NONE)}, {"depregionbureau", F(NONE)},
    {"depregiondomicile", F(NONE)}, {"categories", F(NONE)}, {"pageweb", F(NONE)},
    {NULL, F(NONE)}};

/* --- HubSpot --------------------------------------------------------------------- */
static const char *const hubspot_some[] = {
    "lifecyclestage", "contactowner", "associatedcompany", "createdate", "lastactivitydate",
    "hubspotscore", "recordid", "marketingcontactstatus", NULL};
static const export_col hubspot_cols[] = {
    {"firstname", F(FIRST_NAME)},
    {"lastname", F(LAST_NAME)},
    {"email", F(EMAIL)},
    {"mobilephonenumber", F(PHONE)}, {"phonenumber", F(PHONE)},
    {"companyname", F(COMPANY)}, {"associatedcompany", F(COMPANY)},
    {"jobtitle", F(JOB_TITLE)},
    {"streetaddress", F(ADDRESS)},
    {"postalcode", F(POSTAL_CODE)},
    {"city", F(CITY)},
    {"countryregion", F(COUNTRY)}, {"country", F(COUNTRY)},
    {"recordid", F(EXTERNAL_ID)},
    {"contactowner", F(OWNER)},
    {"lifecyclestage", F(NONE)}, {"leadstatus", F(NONE)}, {"createdate", F(NONE)},
    {"lastactivitydate", F(NONE)}, {"stateregion", F(NONE)},
    {NULL, F(NONE)}};

/* --- Salesforce (contacts and leads) ----------------------------------------------- */
static const char *const salesforce_some[] = {
    "mailingzippostalcode", "mailingstreet", "mailingcity", "mailingcountry",
    "mailingstateprovince", "accountname", "contactid", "leadid", "accountid", "salutation",
    "zippostalcode", "stateprovince", NULL};
static const export_col salesforce_cols[] = {
    {"firstname", F(FIRST_NAME)},
    {"lastname", F(LAST_NAME)},
    {"email", F(EMAIL)},
    {"mobile", F(PHONE)}, {"phone", F(PHONE)}, {"homephone", F(PHONE)}, {"otherphone", F(PHONE)},
    {"accountname", F(COMPANY)}, {"company", F(COMPANY)},
    {"title", F(JOB_TITLE)},
    {"mailingstreet", F(ADDRESS)}, {"street", F(ADDRESS)},
    {"mailingzippostalcode", F(POSTAL_CODE)}, {"zippostalcode", F(POSTAL_CODE)},
    {"mailingcity", F(CITY)}, {"city", F(CITY)},
    {"mailingcountry", F(COUNTRY)}, {"country", F(COUNTRY)},
    {"leadsource", F(SOURCE)},
    {"contactid", F(EXTERNAL_ID)}, {"leadid", F(EXTERNAL_ID)},
    {"contactowner", F(OWNER)}, {"leadowner", F(OWNER)},
    {"salutation", F(NONE)}, {"accountid", F(NONE)}, {"mailingstateprovince", F(NONE)},
    {"stateprovince", F(NONE)}, {"leadstatus", F(NONE)},
    {NULL, F(NONE)}};

/* --- Zoho CRM (leads) ------------------------------------------------------------- */
static const char *const zoho_some[] = {
    "leadowner", "zipcode", "emailoptout", "skypeid", "secondaryemail", "noofemployees",
    "annualrevenue", "createdtime", "modifiedtime", "leadstatus", "recordid", "salutation",
    NULL};
static const export_col zoho_cols[] = {
    {"firstname", F(FIRST_NAME)},
    {"lastname", F(LAST_NAME)},
    {"email", F(EMAIL)}, {"secondaryemail", F(EMAIL)},
    {"mobile", F(PHONE)}, {"phone", F(PHONE)},
    {"company", F(COMPANY)},
    {"title", F(JOB_TITLE)}, {"designation", F(JOB_TITLE)},
    {"street", F(ADDRESS)},
    {"zipcode", F(POSTAL_CODE)},
    {"city", F(CITY)},
    {"country", F(COUNTRY)},
    {"leadsource", F(SOURCE)},
    {"description", F(NOTES)},
    {"recordid", F(EXTERNAL_ID)},
    {"leadowner", F(OWNER)},
    {"emailoptout", F(NONE)}, {"skypeid", F(NONE)}, {"noofemployees", F(NONE)},
    {"annualrevenue", F(NONE)}, {"salutation", F(NONE)}, {"fax", F(NONE)},
    {"website", F(NONE)}, {"leadstatus", F(NONE)}, {"industry", F(NONE)}, {"rating", F(NONE)},
    {"state", F(NONE)}, {"createdtime", F(NONE)}, {"modifiedtime", F(NONE)},
    {NULL, F(NONE)}};

/* --- Pipedrive (people) ------------------------------------------------------------ */
static const char *const pipedrive_some[] = {
    "personname", "personemail", "personphone", "organizationname", "personowner",
    "personorganization", "personlabel", "personemailwork", "personphonework",
    "personphonemobile", "personfirstname", "personlastname", "personid", NULL};
static const export_col pipedrive_cols[] = {
    {"personfirstname", F(FIRST_NAME)},
    {"personlastname", F(LAST_NAME)},
    {"personname", LI_FIELD_FULL_NAME},
    {"personemail", F(EMAIL)}, {"personemailwork", F(EMAIL)}, {"personemailhome", F(EMAIL)},
    {"personemailother", F(EMAIL)},
    {"personphone", F(PHONE)}, {"personphonemobile", F(PHONE)}, {"personphonework", F(PHONE)},
    {"personphonehome", F(PHONE)}, {"personphoneother", F(PHONE)},
    {"organizationname", F(COMPANY)}, {"personorganization", F(COMPANY)},
    {"personjobtitle", F(JOB_TITLE)},
    {"personid", F(EXTERNAL_ID)},
    {"personowner", F(OWNER)},
    {"personlabel", F(NONE)}, {"organizationid", F(NONE)},
    {NULL, F(NONE)}};

/* --- Brevo (Sendinblue) ------------------------------------------------------------- */
static const char *const brevo_all[] = {"email", NULL};
static const char *const brevo_some[] = {"sms", "whatsapp", "landlinenumber", "extid",
                                         "doubleoptin", NULL};
static const export_col brevo_cols[] = {
    {"prenom", F(FIRST_NAME)}, {"firstname", F(FIRST_NAME)},
    {"nom", F(LAST_NAME)}, {"lastname", F(LAST_NAME)},
    {"email", F(EMAIL)},
    {"sms", F(PHONE)}, {"landlinenumber", F(PHONE)}, {"whatsapp", F(PHONE)},
    {"extid", F(EXTERNAL_ID)},
    {"doubleoptin", F(NONE)}, {"optin", F(NONE)},
    {NULL, F(NONE)}};

/* --- Mailchimp (audience) -------------------------------------------------------------- */
static const char *const mailchimp_some[] = {
    "memberrating", "optintime", "optinip", "confirmtime", "confirmip", "leid", "euid",
    "gmtoff", "dstoff", "lastchanged", NULL};
static const export_col mailchimp_cols[] = {
    {"emailaddress", F(EMAIL)},
    {"firstname", F(FIRST_NAME)},
    {"lastname", F(LAST_NAME)},
    {"address", F(ADDRESS)},
    {"phonenumber", F(PHONE)},
    {"memberrating", F(NONE)}, {"optintime", F(NONE)}, {"optinip", F(NONE)},
    {"confirmtime", F(NONE)}, {"confirmip", F(NONE)}, {"latitude", F(NONE)},
    {"longitude", F(NONE)}, {"gmtoff", F(NONE)}, {"dstoff", F(NONE)}, {"timezone", F(NONE)},
    {"cc", F(NONE)}, {"region", F(NONE)}, {"lastchanged", F(NONE)}, {"leid", F(NONE)},
    {"euid", F(NONE)}, {"tags", F(NONE)},
    {NULL, F(NONE)}};

#undef F

static const char *const none[] = {NULL};

static const li__export exports[] = {
    {"Google Contacts", none, google_some, 3, google_cols},
    {"Outlook", none, outlook_some, 3, outlook_cols},
    {"Outlook (français)", none, outlookfr_some, 3, outlookfr_cols},
    {"HubSpot", none, hubspot_some, 2, hubspot_cols},
    {"Salesforce", none, salesforce_some, 3, salesforce_cols},
    {"Zoho CRM", none, zoho_some, 3, zoho_cols},
    {"Pipedrive", none, pipedrive_some, 2, pipedrive_cols},
    {"Brevo", brevo_all, brevo_some, 1, brevo_cols},
    {"Mailchimp", none, mailchimp_some, 2, mailchimp_cols},
};

static int present(char *const *folded, size_t ncols, const char *h) {
    for (size_t c = 0; c < ncols; c++)
        if (strcmp(folded[c], h) == 0)
            return 1;
    return 0;
}

const li__export *li__export_detect(char *const *folded, size_t ncols) {
    const li__export *best = NULL;
    unsigned best_n = 0;
    for (size_t i = 0; i < sizeof exports / sizeof exports[0]; i++) {
        const li__export *e = &exports[i];
        int ok = 1;
        for (size_t k = 0; e->all[k] && ok; k++)
            ok = present(folded, ncols, e->all[k]);
        unsigned n = 0;
        for (size_t k = 0; e->some[k] && ok; k++)
            n += (unsigned)present(folded, ncols, e->some[k]);
        if (ok && n >= e->min && n > best_n) {
            best = e;
            best_n = n;
        }
    }
    return best;
}

const char *li__export_name(const li__export *e) {
    return e ? e->name : "";
}

int li__export_column(const li__export *e, const char *folded, li_field *field, unsigned *prio) {
    unsigned rank[LI_FIELD__COUNT + 4] = {0}; /* per field; NONE, FULL_NAME, IGNORE after */
    for (size_t i = 0; e && e->cols[i].folded; i++) {
        li_field f = e->cols[i].field;
        size_t slot = f >= 0 ? (size_t)f : (size_t)(LI_FIELD__COUNT - f);
        if (strcmp(e->cols[i].folded, folded) == 0) {
            *field = f;
            *prio = rank[slot];
            return 1;
        }
        rank[slot]++;
    }
    return 0;
}
