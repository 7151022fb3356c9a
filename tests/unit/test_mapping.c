/*
 * test_mapping.c — from a header row (and --map overrides) to a mapping.
 *
 * Promises tested: the gen_leads header and English headers map every
 * field; unmapped columns are kept as custom fields under their header;
 * overrides name a field by key or synonym and a column by header, folded
 * header or number; an override takes its column from the field it matched
 * automatically; unknown fields and columns are usage errors with French
 * messages; two columns for one field: the first wins, with a warning; no
 * contact column: a warning; without header the columns are "Colonne N";
 * the JSON description.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "leadimport/date.h"
#include "leadimport/field.h"
#include "leadimport/mapping.h"

enum { MAXCOLS = 32 };

/* Builds a mapping from a NULL-terminated list of headers; fails the test on error. */
static li_mapping *map_of(const char *const *names, const li_map_override *ov, size_t nov) {
    li_slice h[MAXCOLS];
    size_t n = 0;
    while (names[n]) {
        h[n] = li_slice_of(names[n]);
        n++;
    }
    li_mapping *m = NULL;
    li_error err = {0};
    li_status st = li_mapping_new(h, n, ov, nov, &m, &err);
    if (st != LI_OK)
        fail_msg("li_mapping_new: %s", err.message);
    return m;
}

/* The status of a mapping that should fail; err gets the message. */
static li_status map_error(const char *const *names, const li_map_override *ov, size_t nov,
                           li_error *err) {
    li_slice h[MAXCOLS];
    size_t n = 0;
    while (names[n]) {
        h[n] = li_slice_of(names[n]);
        n++;
    }
    li_mapping *m = (li_mapping *)1;
    li_status st = li_mapping_new(h, n, ov, nov, &m, err);
    assert_null(m);
    return st;
}

static const char *const gen_header[] = {
    "Prénom", "Nom",  "Email",  "Téléphone", "Société",    "Poste",      "Adresse", "Code postal",
    "Ville",  "Pays", "Source", "Notes",     "ID externe", "Commercial", NULL};

static void test_gen_leads_header_maps_every_field(void **state) {
    (void)state;
    li_mapping *m = map_of(gen_header, NULL, 0);
    assert_int_equal(m->ncols, LI_FIELD__COUNT);
    for (int f = 0; f < LI_FIELD__COUNT; f++) {
        assert_int_equal(m->field_col[f], f);
        assert_int_equal(m->col_field[f], f);
    }
    assert_string_equal(m->col_name[0], "Prénom");
    assert_int_equal(m->nwarnings, 0);
    li_mapping_free(m);
}

static void test_english_headers_map_every_field(void **state) {
    (void)state;
    static const char *const h[] = {
        "First Name",  "Last Name",      "Email Address", "Phone Number", "Company Name",
        "Job Title",   "Address Line 1", "Zip Code",      "City",         "Country",
        "Lead Source", "Comments",       "External ID",   "Owner",        NULL};
    li_mapping *m = map_of(h, NULL, 0);
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        assert_int_equal(m->field_col[f], f);
    assert_int_equal(m->nwarnings, 0);
    li_mapping_free(m);
}

static void test_unmapped_columns_are_kept_as_custom_fields(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Chiffre d'affaires", "Email", "Effectif", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->col_field[1], LI_FIELD_NONE);
    assert_int_equal(m->col_field[3], LI_FIELD_NONE);
    assert_string_equal(m->col_name[1], "Chiffre d'affaires");
    assert_string_equal(m->col_name[3], "Effectif");
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 2);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], -1);
    li_mapping_free(m);
}

static void test_header_names_are_trimmed_and_empty_ones_named_by_number(void **state) {
    (void)state;
    static const char *const h[] = {"  Email\xC2\xA0", "", "Chiffre   d'affaires", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_string_equal(m->col_name[0], "Email");
    assert_string_equal(m->col_name[1], "Colonne 2");
    assert_string_equal(m->col_name[2], "Chiffre d'affaires");
    assert_int_equal(m->col_field[0], LI_FIELD_EMAIL);
    li_mapping_free(m);
}

static void test_override_by_field_key(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Adresse pro", NULL};
    li_map_override ov = {"email", "Adresse pro"};
    li_mapping *m = map_of(h, &ov, 1);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->col_field[1], LI_FIELD_EMAIL);
    assert_int_equal(m->nwarnings, 0); /* a contact column exists now */
    li_mapping_free(m);
}

static void test_override_by_field_synonym(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Contact pro", NULL};
    li_map_override ov = {"Courriel", "Contact pro"};
    li_mapping *m = map_of(h, &ov, 1);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    li_mapping_free(m);
}

static void test_override_column_matched_by_folding(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Adresse pro", NULL};
    li_map_override ov = {"email", "ADRESSE-PRO"};
    li_mapping *m = map_of(h, &ov, 1);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    li_mapping_free(m);
}

static void test_override_column_by_number(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "A", "B", NULL};
    li_map_override ov[] = {{"phone", "2"}, {"email", "#3"}};
    li_mapping *m = map_of(h, ov, 2);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], 1);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 2);
    li_mapping_free(m);
}

static void test_override_takes_the_field_from_the_automatic_column(void **state) {
    (void)state;
    /* both match company; the override picks the second, silently */
    static const char *const h[] = {"Société", "Entreprise", "Email", NULL};
    li_map_override ov = {"company", "Entreprise"};
    li_mapping *m = map_of(h, &ov, 1);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 1);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_int_equal(m->nwarnings, 0);
    li_mapping_free(m);
}

static void test_override_takes_the_column_from_its_automatic_field(void **state) {
    (void)state;
    /* "Email" goes to notes; "Courriel" then feeds the e-mail, no duplicate */
    static const char *const h[] = {"Email", "Courriel", "Nom", NULL};
    li_map_override ov = {"notes", "Email"};
    li_mapping *m = map_of(h, &ov, 1);
    assert_int_equal(m->col_field[0], LI_FIELD_NOTES);
    assert_int_equal(m->field_col[LI_FIELD_NOTES], 0);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->nwarnings, 0);
    li_mapping_free(m);
}

static void test_later_override_of_a_field_wins(void **state) {
    (void)state;
    static const char *const h[] = {"A", "B", "Tél", NULL};
    li_map_override ov[] = {{"email", "A"}, {"email", "B"}};
    li_mapping *m = map_of(h, ov, 2);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], 2);
    li_mapping_free(m);
}

static void test_unknown_override_field_is_a_usage_error(void **state) {
    (void)state;
    li_map_override ov = {"age", "Nom"};
    li_error err = {0};
    assert_int_equal(map_error(gen_header, &ov, 1, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_MAP_FIELD_UNKNOWN);
    assert_non_null(strstr(err.message, "« age »"));
    assert_non_null(strstr(err.message, "first_name, last_name, email, phone"));
    assert_non_null(strstr(err.message, "owner)"));
}

static void test_unknown_override_column_is_a_usage_error(void **state) {
    (void)state;
    li_map_override ov = {"email", "Courriel pro"};
    li_error err = {0};
    assert_int_equal(map_error(gen_header, &ov, 1, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_MAP_COLUMN_UNKNOWN);
    assert_non_null(strstr(err.message, "« Courriel pro »"));
    assert_non_null(strstr(err.message, "email=Courriel pro"));
    li_map_override past = {"email", "15"};
    assert_int_equal(map_error(gen_header, &past, 1, &err), LI_EUSAGE);
    li_map_override zero = {"email", "#0"};
    assert_int_equal(map_error(gen_header, &zero, 1, &err), LI_EUSAGE);
}

static void test_override_without_field_or_column_is_a_syntax_error(void **state) {
    (void)state;
    li_map_override ov = {"email", ""};
    li_error err = {0};
    assert_int_equal(map_error(gen_header, &ov, 1, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_MAP_SYNTAX);
    li_map_override none = {NULL, "Nom"};
    assert_int_equal(map_error(gen_header, &none, 1, &err), LI_EUSAGE);
}

static void test_two_columns_for_one_field_first_wins_with_a_warning(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Email", "Ville", "Commune", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_CITY], 2);
    assert_int_equal(m->col_field[3], LI_FIELD_NONE);
    assert_int_equal(m->nwarnings, 1);
    assert_string_equal(m->warnings[0], "Les colonnes « Ville » et « Commune » correspondent "
                                        "toutes deux au champ Ville : seule la première est "
                                        "utilisée");
    li_mapping_free(m);
    /* a second e-mail column is the fallback of the first, row by row (validate.c) */
    static const char *const e[] = {"Nom", "Email", "Courriel", NULL};
    m = map_of(e, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->col_field[2], LI_FIELD_NONE);
    assert_int_equal(m->nwarnings, 1);
    assert_non_null(strstr(m->warnings[0], "et la seconde pour les lignes où la première est "
                                           "vide ou inutilisable"));
    li_mapping_free(m);
}

static void test_no_contact_column_warns(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Société", "Ville", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->nwarnings, 1);
    assert_non_null(strstr(m->warnings[0], "Aucune colonne e-mail ni téléphone"));
    li_mapping_free(m);
}

static void test_warnings_are_capped_at_six(void **state) {
    (void)state;
    static const char *const h[] = {"Nom",      "Nom de famille", "Surname", "Last name",
                                    "Family name", "Lastname",    "Nom d'usage", "Last", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->nwarnings, 6);
    li_mapping_free(m);
}

static void test_without_header_columns_are_numbered_and_only_overrides_map(void **state) {
    (void)state;
    li_mapping *m = NULL;
    li_error err = {0};
    assert_int_equal(li_mapping_new(NULL, 3, NULL, 0, &m, &err), LI_OK);
    assert_string_equal(m->col_name[0], "Colonne 1");
    assert_string_equal(m->col_name[2], "Colonne 3");
    for (int f = 0; f < LI_FIELD__COUNT; f++)
        assert_int_equal(m->field_col[f], -1);
    assert_int_equal(m->nwarnings, 2); /* no contact, no name */
    li_mapping_free(m);

    li_map_override ov[] = {{"email", "2"}, {"last_name", "Colonne 1"}};
    assert_int_equal(li_mapping_new(NULL, 3, ov, 2, &m, &err), LI_OK);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->field_col[LI_FIELD_LAST_NAME], 0);
    assert_int_equal(m->col_field[2], LI_FIELD_NONE);
    assert_int_equal(m->nwarnings, 0);
    li_mapping_free(m);
}

static void test_mapping_to_json_lists_each_header(void **state) {
    (void)state;
    static const char *const h[] = {"Prénom", "Email", "Chiffre \"CA\"", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    char *json = li_mapping_to_json(m);
    assert_string_equal(json, "{\"Prénom\":\"first_name\",\"Email\":\"email\","
                              "\"Chiffre \\\"CA\\\"\":null}");
    free(json);
    li_mapping_free(m);

    li_mapping *empty = NULL;
    assert_int_equal(li_mapping_new(NULL, 0, NULL, 0, &empty, NULL), LI_OK);
    json = li_mapping_to_json(empty);
    assert_string_equal(json, "{}");
    free(json);
    li_mapping_free(empty);
}

static void test_mapping_free_accepts_null(void **state) {
    (void)state;
    li_mapping_free(NULL);
}


/* --- reasons, typos, values, saved mappings, full name ------------------- */

static li_mapping *map_spec(const char *const *names, const char *saved, li_map_reason why,
                            const li_map_override *ov, size_t nov) {
    li_slice h[MAXCOLS];
    size_t n = 0;
    while (names[n]) {
        h[n] = li_slice_of(names[n]);
        n++;
    }
    li_mapping_spec spec = {.header = h, .ncols = n, .ov = ov, .nov = nov, .saved_json = saved,
                            .saved_reason = why, .saved_name = "modele"};
    li_mapping *m = NULL;
    li_error err = {0};
    if (li_mapping_build(&spec, &m, &err) != LI_OK)
        fail_msg("li_mapping_build: %s", err.message);
    return m;
}

/* Observes rows given as NULL-terminated lists of values, then guesses. */
static void observe(li_mapping *m, const char *const *const *rows) {
    for (size_t r = 0; rows[r]; r++) {
        li_slice f[MAXCOLS];
        size_t n = 0;
        while (rows[r][n]) {
            f[n] = li_slice_of(rows[r][n]);
            n++;
        }
        assert_int_equal(li_mapping_observe(m, f, n), LI_OK);
    }
    li_mapping_guess(m);
}

static void test_each_column_says_why_it_has_its_field(void **state) {
    (void)state;
    static const char *const h[] = {"Prénom", "Telefone", "Autre", "Courriel", NULL};
    li_map_override ov[] = {{"email", "Courriel"}};
    li_mapping *m = map_spec(h, NULL, LI_MAP_CUSTOM, ov, 1);
    assert_int_equal(m->col_reason[0], LI_MAP_HEADER);
    assert_int_equal(m->col_reason[1], LI_MAP_FUZZY);
    assert_int_equal(m->col_field[1], LI_FIELD_PHONE);
    assert_non_null(m->col_detail[1]);
    assert_non_null(strstr(m->col_detail[1], "« Telefone » ressemble à"));
    assert_int_equal(m->col_reason[2], LI_MAP_CUSTOM);
    assert_int_equal(m->col_reason[3], LI_MAP_OVERRIDE);
    assert_string_equal(li_map_reason_key(LI_MAP_FUZZY), "fuzzy");
    assert_string_equal(li_map_reason_key(LI_MAP_VALUES), "values");
    assert_string_equal(li_map_reason_key(LI_MAP_CUSTOM), "custom");
    li_mapping_free(m);
}

static void test_misspelt_headers_map_within_the_threshold(void **state) {
    (void)state;
    static const struct {
        const char *header;
        li_field want;
    } cases[] = {
        {"Emial", LI_FIELD_EMAIL},            /* swap: 1 */
        {"E-mial", LI_FIELD_EMAIL},
        {"Courriell", LI_FIELD_EMAIL},        /* insertion */
        {"Téléphnoe", LI_FIELD_PHONE},        /* swap */
        {"Telephon", LI_FIELD_PHONE},         /* deletion */
        {"Telefone", LI_FIELD_PHONE},         /* 8 letters: 2 allowed */
        {"Prenon", LI_FIELD_FIRST_NAME},      /* substitution */
        {"Code postl", LI_FIELD_POSTAL_CODE},
        {"Cod postale", LI_FIELD_POSTAL_CODE}, /* 2 edits, 10 letters */
        {"Sociéte", LI_FIELD_COMPANY},        /* accents do not count */
        {"Entrprise", LI_FIELD_COMPANY},
        {"Vile", LI_FIELD_NONE},              /* 4 letters: no typo allowed */
        {"Pays2", LI_FIELD_NONE},             /* synonyms under 5 letters ("pays") are never fuzzy */
        {"Emails", LI_FIELD_EMAIL},
        {"Adresse mail perso", LI_FIELD_NONE}, /* too far */
        {"Montant", LI_FIELD_NONE},
        {"Statut", LI_FIELD_NONE},
        {"Date", LI_FIELD_NONE},
        {"Commentaire interne", LI_FIELD_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned d = 99;
        const char *syn = NULL;
        li_field f = li_field_by_header_fuzzy(cases[i].header, strlen(cases[i].header), &d, &syn);
        if (f != cases[i].want)
            fail_msg("%s: got %s, want %s", cases[i].header, li_field_key(f),
                     li_field_key(cases[i].want));
        char folded[256];
        size_t n = li_fold(cases[i].header, strlen(cases[i].header), folded, sizeof folded);
        if (f != LI_FIELD_NONE)
            assert_true(d <= li_field_fuzzy_threshold(n));
    }
    assert_int_equal(li_field_fuzzy_threshold(4), 0);
    assert_int_equal(li_field_fuzzy_threshold(5), 1);
    assert_int_equal(li_field_fuzzy_threshold(7), 1);
    assert_int_equal(li_field_fuzzy_threshold(8), 2);
}

static void test_a_typo_never_steals_a_field_a_real_header_has(void **state) {
    (void)state;
    static const char *const h[] = {"Emial", "Email", "Prénom 2", "Prénom", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_int_equal(m->field_col[LI_FIELD_FIRST_NAME], 3);
    assert_int_equal(m->col_field[2], LI_FIELD_NONE);
    assert_int_equal(m->nwarnings, 1); /* a typo beside the real header is no duplicate */
    assert_non_null(strstr(m->warnings[0], "Aucune colonne n'est reconnue comme nom"));
    li_mapping_free(m);
}

static void test_a_column_of_emails_is_the_email_whatever_its_header(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Col A", "Col B", "Col C", NULL};
    static const char *const r1[] = {"Roux", "anne@example.fr", "06 12 34 56 78", "France", NULL};
    static const char *const r2[] = {"Blanc", "luc@example.com", "+33 6 12 34 56 79", "Belgique", NULL};
    static const char *const r3[] = {"Petit", "", "0612345680", "FR", NULL};
    static const char *const r4[] = {"Durand", "zoe@example.org", "01.23.45.67.89", "Suisse", NULL};
    static const char *const r5[] = {"Moreau", "paul@example.net", "06-12-34-56-81", "France", NULL};
    static const char *const r6[] = {"Simon", "pas une adresse", "06 12 34 56 82", "France", NULL};
    static const char *const r7[] = {"Laurent", "eve@example.fr", "06 12 34 56 83", "Espagne", NULL};
    static const char *const r8[] = {"Michel", "max@example.fr", "06 12 34 56 84", "Italie", NULL};
    static const char *const r9[] = {"Garcia", "ines@example.fr", "06 12 34 56 85", "France", NULL};
    static const char *const *const rows[] = {r1, r2, r3, r4, r5, r6, r7, r8, r9, NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->nwarnings, 1); /* no contact column, before the values are seen */
    observe(m, rows);
    assert_int_equal(m->col_field[1], LI_FIELD_EMAIL); /* 7 of 8 non-empty: 87 % */
    assert_int_equal(m->col_reason[1], LI_MAP_VALUES);
    assert_string_equal(m->col_detail[1], "7 valeurs sur 8 ressemblent à un champ E-mail");
    assert_int_equal(m->col_field[2], LI_FIELD_PHONE);
    assert_int_equal(m->col_field[3], LI_FIELD_COUNTRY);
    assert_int_equal(m->nwarnings, 0); /* the contact warning is gone */
    li_mapping_free(m);
}

static void test_values_never_override_a_header_nor_take_a_field_twice(void **state) {
    (void)state;
    static const char *const h[] = {"Email", "Autre", "Montant", NULL};
    static const char *const r[] = {"a@example.fr", "b@example.fr", "1200", NULL};
    static const char *const *const rows[] = {r, r, r, r, r, r, NULL};
    li_mapping *m = map_of(h, NULL, 0);
    observe(m, rows);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 0);
    assert_int_equal(m->col_field[1], LI_FIELD_NONE); /* e-mails too, but the field is taken */
    assert_int_equal(m->col_field[2], LI_FIELD_NONE); /* plain numbers are not phones */
    li_mapping_free(m);
}

static void test_too_few_values_or_a_weak_majority_guess_nothing(void **state) {
    (void)state;
    static const char *const h[] = {"X", "Y", NULL};
    static const char *const a[] = {"a@example.fr", "a@example.fr", NULL};
    static const char *const b[] = {"a@example.fr", "texte", NULL};
    static const char *const *const few[] = {a, a, a, a, NULL}; /* 4 values: too few */
    static const char *const *const weak[] = {a, a, a, b, b, NULL}; /* Y: 3 of 5 = 60 % */
    li_mapping *m = map_of(h, NULL, 0);
    observe(m, few);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    li_mapping_free(m);
    m = map_of(h, NULL, 0);
    observe(m, weak);
    assert_int_equal(m->col_field[0], LI_FIELD_EMAIL); /* 5 of 5 */
    assert_int_equal(m->col_field[1], LI_FIELD_NONE);
    li_mapping_free(m);
}

static void test_a_saved_mapping_decides_the_columns_it_names(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Mail perso", "Ville", "Entreprise", NULL};
    const char *saved = "{\"nom\":\"company\",\"MAIL PERSO\":\"email\",\"Entreprise\":null}";
    li_mapping *m = map_spec(h, saved, LI_MAP_TEMPLATE, NULL, 0);
    assert_int_equal(m->col_field[0], LI_FIELD_COMPANY); /* folded header equality */
    assert_int_equal(m->col_reason[0], LI_MAP_TEMPLATE);
    assert_int_equal(m->col_field[1], LI_FIELD_EMAIL);
    assert_int_equal(m->col_field[2], LI_FIELD_CITY); /* not named: matched as usual */
    assert_int_equal(m->col_reason[2], LI_MAP_HEADER);
    assert_int_equal(m->col_field[3], LI_FIELD_NONE); /* null: custom on purpose */
    assert_int_equal(m->col_reason[3], LI_MAP_TEMPLATE);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 0);
    li_mapping_free(m);
}

static void test_an_override_beats_a_saved_mapping(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Société", "Email", NULL};
    li_map_override ov[] = {{"company", "Société"}};
    li_mapping *m = map_spec(h, "{\"Nom\":\"company\"}", LI_MAP_REMEMBERED, ov, 1);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 1);
    assert_int_equal(m->col_reason[1], LI_MAP_OVERRIDE);
    assert_int_equal(m->col_field[0], LI_FIELD_LAST_NAME); /* the saved entry lost its field */
    li_mapping_free(m);
}

static void test_a_corrupt_saved_mapping_is_refused(void **state) {
    (void)state;
    static const char *const bad[] = {"[1,2]", "{\"Nom\":\"nope\"}", "{\"Nom\":3}", "{", NULL};
    li_slice h[] = {li_slice_of("Nom")};
    for (size_t i = 0; bad[i]; i++) {
        li_mapping_spec spec = {.header = h, .ncols = 1, .saved_json = bad[i],
                                .saved_reason = LI_MAP_TEMPLATE, .saved_name = "x"};
        li_mapping *m = (li_mapping *)1;
        li_error err = {0};
        assert_int_equal(li_mapping_build(&spec, &m, &err), LI_EFORMAT);
        assert_null(m);
        assert_non_null(strstr(err.message, "« x » est illisible"));
    }
}

static void test_full_name_column_is_recognised_and_round_trips_as_json(void **state) {
    (void)state;
    static const char *const h[] = {"Nom complet", "Email", "Full name", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->full_name_col, 0);
    assert_int_equal(m->col_field[0], LI_FIELD_FULL_NAME);
    assert_int_equal(m->col_field[2], LI_FIELD_NONE); /* the second one is a duplicate */
    assert_int_equal(m->nwarnings, 1);
    char *json = li_mapping_to_json(m);
    assert_string_equal(json, "{\"Nom complet\":\"full_name\",\"Email\":\"email\",\"Full name\":null}");
    li_mapping *again = map_spec(h, json, LI_MAP_REMEMBERED, NULL, 0);
    assert_int_equal(again->full_name_col, 0);
    assert_int_equal(again->col_field[2], LI_FIELD_NONE);
    free(json);
    li_mapping_free(again);
    li_mapping_free(m);
    li_map_override ov[] = {{"full_name", "Nom complet"}};
    static const char *const h2[] = {"Nom complet", "Tel", NULL};
    m = map_of(h2, ov, 1);
    assert_int_equal(m->col_reason[0], LI_MAP_OVERRIDE);
    assert_int_equal(m->full_name_col, 0);
    li_mapping_free(m);
}

/* --- issue 10: values against headers, names, ids, exports, reports ------ */

/* Builds from headers, observes rows of values (NULL-terminated lists), guesses. */
static li_mapping *map_rows(const char *const *names, const char *const *const *rows) {
    li_mapping *m = map_of(names, NULL, 0);
    observe(m, rows);
    return m;
}

/* 1 if some warning of m contains text. */
static int warns(const li_mapping *m, const char *text) {
    for (size_t i = 0; i < m->nwarnings; i++)
        if (strstr(m->warnings[i], text))
            return 1;
    return 0;
}

static void test_a_yes_no_column_a_few_edits_from_a_synonym_is_no_external_id(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Email", "Contacté", NULL};
    static const char *const r1[] = {"Roux", "a@example.fr", "oui", NULL};
    static const char *const r2[] = {"Blanc", "b@example.fr", "non", NULL};
    static const char *const *const rows[] = {r1, r2, r1, NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->col_field[2], LI_FIELD_EXTERNAL_ID); /* the header alone: a typo */
    observe(m, rows);
    assert_int_equal(m->col_field[2], LI_FIELD_NONE);
    assert_int_equal(m->field_col[LI_FIELD_EXTERNAL_ID], -1);
    assert_string_equal(m->col_detail[2], "l'en-tête évoque le champ ID externe, mais 3 valeurs "
                                          "sur 3 sont des oui/non");
    li_mapping_free(m);
}

static void test_id_columns_holding_small_integers_are_never_company_nor_source(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Email", "company_id", "source_id", "OwnerId", NULL};
    static const char *const r1[] = {"Roux", "a@example.fr", "1", "4", "7", NULL};
    static const char *const r2[] = {"Blanc", "b@example.fr", "2", "5", "8", NULL};
    static const char *const *const rows[] = {r1, r2, NULL};
    li_mapping *m = map_of(h, NULL, 0); /* even before the values */
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], -1);
    assert_int_equal(m->field_col[LI_FIELD_SOURCE], -1);
    assert_int_equal(m->field_col[LI_FIELD_OWNER], -1);
    li_mapping_free(m);
    m = map_rows(h, rows);
    for (int c = 2; c < 5; c++) {
        assert_int_equal(m->col_field[c], LI_FIELD_NONE);
        assert_non_null(strstr(m->col_detail[c], "colonne d'identifiant"));
    }
    assert_int_equal(m->field_col[LI_FIELD_EXTERNAL_ID], -1);
    li_mapping_free(m);
}

static void test_one_record_id_column_is_the_external_id_two_are_none(void **state) {
    (void)state;
    static const char *const one[] = {"ID", "Nom", "Email", "account_id", NULL};
    li_mapping *m = map_of(one, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_EXTERNAL_ID], 0);
    assert_int_equal(m->col_field[3], LI_FIELD_NONE);
    li_mapping_free(m);
    static const char *const two[] = {"Contact ID", "Nom", "Email", "Lead ID", NULL};
    m = map_of(two, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_EXTERNAL_ID], -1);
    assert_true(warns(m, "Plusieurs colonnes d'identifiant (« Contact ID », « Lead ID »)"));
    li_mapping_free(m);
    /* "Email ID", as some exports call the address: its values say it is no id */
    static const char *const h[] = {"Nom", "Email ID", NULL};
    static const char *const r1[] = {"Roux", "a@example.fr", NULL};
    static const char *const *const rows[] = {r1, r1, r1, r1, r1, NULL};
    m = map_rows(h, rows);
    assert_int_equal(m->col_field[1], LI_FIELD_EMAIL);
    li_mapping_free(m);
}

static void test_a_last_contact_date_never_takes_the_name_of_the_real_contact_column(void **state) {
    (void)state;
    static const char *const h[] = {"Last contact", "Email", "Nom du contact", NULL};
    static const char *const r1[] = {"2024-01-02", "a@example.fr", "Roux", NULL};
    static const char *const r2[] = {"12/03/2024", "b@example.fr", "Blanc", NULL};
    static const char *const *const rows[] = {r1, r2, r1, NULL};
    li_mapping *m = map_rows(h, rows);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_non_null(strstr(m->col_detail[0], "sont des dates"));
    assert_int_equal(m->col_date[0], 1 + LI_DATE_DMY); /* a custom column of dates */
    assert_int_equal(m->field_col[LI_FIELD_LAST_NAME], 2);
    li_mapping_free(m);
}

static void test_an_exact_synonym_beats_a_typo_and_a_partial_match_across_columns(void **state) {
    (void)state;
    /* "Emial" and "Email contact" come first: the exact "Courriel" still wins */
    static const char *const h[] = {"Emial", "Email contact", "Nom", "Courriel", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 3);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_int_equal(m->col_field[1], LI_FIELD_NONE);
    li_mapping_free(m);
}

static void test_small_integers_fit_a_postal_code_typo_but_no_name(void **state) {
    (void)state;
    static const char *const h[] = {"Nom", "Email", "Code postl", "Prenon", NULL};
    static const char *const r1[] = {"Roux", "a@example.fr", "75001", "12", NULL};
    static const char *const *const rows[] = {r1, r1, NULL};
    li_mapping *m = map_rows(h, rows);
    assert_int_equal(m->col_field[2], LI_FIELD_POSTAL_CODE);
    assert_int_equal(m->col_reason[2], LI_MAP_FUZZY);
    assert_int_equal(m->col_field[3], LI_FIELD_NONE);
    assert_non_null(strstr(m->col_detail[3], "de petits nombres"));
    li_mapping_free(m);
}

static void test_a_name_column_is_decided_by_its_values(void **state) {
    (void)state;
    static const char *const h[] = {"Name", "Email", NULL};
    static const char *const p1[] = {"Jane Martin", "a@example.fr", NULL};
    static const char *const p2[] = {"DUPONT Jean", "b@example.fr", NULL};
    static const char *const p3[] = {"Acme", "c@example.fr", NULL};
    static const char *const *const people[] = {p1, p2, p3, NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->full_name_col, 0); /* the header alone leans to a person */
    li_mapping_free(m);
    m = map_rows(h, people);
    assert_int_equal(m->full_name_col, 0);
    assert_int_equal(m->col_reason[0], LI_MAP_NAMES);
    assert_string_equal(m->col_detail[0], "2 valeurs sur 3 sont des noms de personnes "
                                          "(« Jane Martin ») : partagées en prénom et nom");
    assert_string_equal(li_map_reason_key(LI_MAP_NAMES), "names");
    li_mapping_free(m);
    static const char *const o1[] = {"Agence Riviera Immobilier", "a@example.fr", NULL};
    static const char *const o2[] = {"Le Comptoir", "b@example.fr", NULL};
    static const char *const o3[] = {"BTP", "c@example.fr", NULL};
    static const char *const *const orgs[] = {o1, o2, o3, p1, NULL};
    m = map_rows(h, orgs);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 0);
    assert_int_equal(m->full_name_col, -1);
    assert_string_equal(m->col_detail[0], "3 valeurs sur 4 sont des noms d'organisations "
                                          "(« Agence Riviera Immobilier »)");
    li_mapping_free(m);
    /* the company taken by its own column: organisations in "Name" stay a name */
    static const char *const hc[] = {"Name", "Email", "Société", NULL};
    static const char *const c1[] = {"Le Comptoir", "a@example.fr", "X", NULL};
    static const char *const *const taken[] = {c1, NULL};
    m = map_rows(hc, taken);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 2);
    assert_int_equal(m->full_name_col, 0);
    li_mapping_free(m);
}

static void test_a_client_column_of_codes_is_no_company(void **state) {
    (void)state;
    static const char *const h[] = {"Client", "Email", "Nom", NULL};
    static const char *const r1[] = {"C0042", "a@example.fr", "Roux", NULL};
    static const char *const r2[] = {"C0043", "b@example.fr", "Blanc", NULL};
    static const char *const *const rows[] = {r1, r2, NULL};
    li_mapping *m = map_rows(h, rows);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], -1);
    assert_non_null(strstr(m->col_detail[0], "l'en-tête évoque un nom, mais 2 valeurs sur 2"));
    li_mapping_free(m);
}

static void test_client_and_account_name_lean_to_the_company(void **state) {
    (void)state;
    static const char *const h[] = {"Client", "Email", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 0);
    li_mapping_free(m);
    static const char *const a[] = {"Account Name", "Email", NULL};
    static const char *const p1[] = {"Jane Martin", "a@example.fr", NULL};
    static const char *const *const people[] = {p1, p1, NULL};
    m = map_rows(a, people); /* but people's names are split */
    assert_int_equal(m->full_name_col, 0);
    li_mapping_free(m);
}

static void test_nom_is_the_last_name_beside_a_first_name_else_its_values_decide(void **state) {
    (void)state;
    static const char *const with[] = {"Prénom", "Nom", "Email", NULL};
    static const char *const alone[] = {"Nom", "Email", NULL};
    static const char *const w1[] = {"Jean", "Agence Dupont", "a@example.fr", NULL};
    static const char *const *const wrows[] = {w1, w1, NULL};
    li_mapping *m = map_rows(with, wrows);
    assert_int_equal(m->field_col[LI_FIELD_LAST_NAME], 1);
    assert_int_equal(m->col_reason[1], LI_MAP_HEADER);
    li_mapping_free(m);
    static const char *const f1[] = {"Jean Dupont", "a@example.fr", NULL};
    static const char *const f2[] = {"Marie Curie", "b@example.fr", NULL};
    static const char *const f3[] = {"Roux", "c@example.fr", NULL};
    static const char *const *const full[] = {f1, f2, f3, NULL};
    m = map_rows(alone, full);
    assert_int_equal(m->full_name_col, 0);
    li_mapping_free(m);
    static const char *const *const single[] = {f3, f3, f1, NULL};
    m = map_rows(alone, single);
    assert_int_equal(m->field_col[LI_FIELD_LAST_NAME], 0);
    assert_int_equal(m->col_reason[0], LI_MAP_HEADER);
    assert_null(m->col_detail[0]);
    li_mapping_free(m);
}

static void test_a_contact_column_of_emails_is_the_email_not_a_name(void **state) {
    (void)state;
    static const char *const h[] = {"Société", "Contact", NULL};
    static const char *const r1[] = {"Acme", "a@example.fr", NULL};
    static const char *const *const rows[] = {r1, r1, r1, r1, r1, NULL};
    li_mapping *m = map_rows(h, rows);
    assert_int_equal(m->col_field[1], LI_FIELD_EMAIL);
    assert_int_equal(m->col_reason[1], LI_MAP_VALUES);
    assert_int_equal(m->full_name_col, -1);
    li_mapping_free(m);
}

static void test_missing_name_or_contact_warns_with_the_column_to_map(void **state) {
    (void)state;
    static const char *const h[] = {"Prénom", "Divers", "Coordonnées", NULL};
    static const char *const r1[] = {"Jean", "Garage Martin", "j@example.fr", NULL};
    static const char *const r2[] = {"Ana", "Hôtel du Lac", "06 12 34 56 78", NULL};
    static const char *const *const rows[] = {r1, r2, NULL};
    li_mapping *m = map_rows(h, rows);
    assert_int_equal(m->nwarnings, 2);
    assert_string_equal(m->warnings[0],
                        "Aucune colonne e-mail ni téléphone n'a été reconnue : toutes les lignes "
                        "seront refusées ; si la colonne « Coordonnées » en contient, ajoutez "
                        "--map email=\"Coordonnées\"");
    assert_string_equal(m->warnings[1],
                        "Aucune colonne n'est reconnue comme nom ou société : si la colonne "
                        "« Divers » en contient, ajoutez --map company=\"Divers\"");
    li_mapping_free(m);
}

static void test_a_name_column_empty_on_every_row_warns_when_another_has_names(void **state) {
    (void)state;
    static const char *const h[] = {"Email", "Société", "Divers", NULL};
    static const char *const r1[] = {"a@example.fr", "", "Garage Martin", NULL};
    static const char *const *const rows[] = {r1, r1, NULL};
    li_mapping *m = map_rows(h, rows);
    assert_int_equal(m->nwarnings, 1);
    assert_non_null(strstr(m->warnings[0], "--map company=\"Divers\""));
    li_mapping_free(m);
    static const char *const r2[] = {"a@example.fr", "", "", NULL};
    static const char *const *const empty[] = {r2, NULL};
    m = map_rows(h, empty); /* nothing better to propose: no warning about a real column */
    assert_int_equal(m->nwarnings, 0);
    li_mapping_free(m);
}

static void test_a_known_export_applies_its_mapping_and_picks_a_phone_by_priority(void **state) {
    (void)state;
    static const char *const h[] = {"Title",         "First Name",     "Last Name",
                                    "Company",       "Business Phone", "Home Phone",
                                    "Mobile Phone",  "E-mail Address", "Business City",
                                    "Business Postal Code", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_non_null(m->export_name);
    assert_string_equal(m->export_name, "Outlook");
    assert_int_equal(m->col_field[0], LI_FIELD_NONE); /* a civility, not the job title */
    assert_int_equal(m->col_reason[0], LI_MAP_EXPORT);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], 6); /* mobile first */
    assert_string_equal(li_map_reason_key(LI_MAP_EXPORT), "export");
    li_mapping_free(m);
    /* a mobile number in one row of four: the well-filled business phone takes the field */
    static const char *const r1[] = {"Mr.", "Tom", "Baker", "Acme", "01 42 00 00 01", "", "",
                                     "t@example.fr", "Paris", "75001", NULL};
    static const char *const r2[] = {"Mr.", "Tom", "Baker", "Acme", "01 42 00 00 01", "",
                                     "06 12 34 56 78", "t@example.fr", "Paris", "75001", NULL};
    static const char *const *const rows[] = {r1, r2, r1, r1, NULL};
    m = map_rows(h, rows);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], 4);
    assert_non_null(strstr(m->col_detail[4], "Export Outlook reconnu : Téléphone pris dans "
                                             "« Business Phone » (ordre de priorité : « Mobile "
                                             "Phone », « Business Phone », « Home Phone », "
                                             "parmi les colonnes bien remplies)"));
    assert_int_equal(m->col_field[6], LI_FIELD_NONE);
    assert_int_equal(m->col_reason[6], LI_MAP_EXPORT);

    char *json = li_mapping_to_json_decided(m);
    assert_non_null(strstr(json, "\"Mobile Phone\":null"));
    free(json);
    li_mapping_free(m);
    /* mobiles in half the rows: the priority says the mobile */
    static const char *const *const half[] = {r1, r2, r2, r1, NULL};
    m = map_rows(h, half);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], 6);
    li_mapping_free(m);
}

static void test_google_contacts_is_recognised(void **state) {
    (void)state;
    static const char *const h[] = {"Name", "Given Name", "Family Name", "E-mail 1 - Type",
                                    "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value",
                                    "Organization 1 - Name", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_string_equal(m->export_name, "Google Contacts");
    assert_int_equal(m->full_name_col, 0);
    assert_int_equal(m->field_col[LI_FIELD_FIRST_NAME], 1);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 4);
    assert_int_equal(m->field_col[LI_FIELD_PHONE], 6);
    assert_int_equal(m->field_col[LI_FIELD_COMPANY], 7);
    assert_string_equal(m->col_detail[4], "Export Google Contacts reconnu");
    li_mapping_free(m);
    static const char *const plain[] = {"Prénom", "Nom", "Email", "Phone", NULL};
    m = map_of(plain, NULL, 0);
    assert_null(m->export_name);
    li_mapping_free(m);
    /* headers every tool has are no signature: not Brevo, not Mailchimp */
    static const char *const common[] = {"EMAIL", "FIRSTNAME", "LASTNAME", "Latitude",
                                         "Longitude", "Timezone", "Given name", NULL};
    m = map_of(common, NULL, 0);
    assert_null(m->export_name);
    li_mapping_free(m);
}

static void test_the_columns_of_an_error_report_are_ignored(void **state) {
    (void)state;
    static const char *const h[] = {"Ligne", "Erreurs", "Nom", "Email", "Statut", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->col_field[0], LI_FIELD_IGNORE);
    assert_int_equal(m->col_field[1], LI_FIELD_IGNORE);
    assert_int_equal(m->col_field[4], LI_FIELD_IGNORE);
    assert_int_equal(m->col_reason[0], LI_MAP_REPORT);
    char *json = li_mapping_to_json(m);
    assert_string_equal(json, "{\"Ligne\":\"ignore\",\"Erreurs\":\"ignore\",\"Nom\":"
                              "\"last_name\",\"Email\":\"email\",\"Statut\":\"ignore\"}");
    li_mapping *again = map_spec(h, json, LI_MAP_REMEMBERED, NULL, 0); /* a resumed job */
    assert_int_equal(again->col_field[1], LI_FIELD_IGNORE);
    free(json);
    li_mapping_free(again);
    li_mapping_free(m);
    /* a "Statut" or "Ligne" column alone is an ordinary column */
    static const char *const own[] = {"Ligne", "Nom", "Email", "Statut", NULL};
    m = map_of(own, NULL, 0);
    assert_int_equal(m->col_field[0], LI_FIELD_NONE);
    assert_int_equal(m->col_field[3], LI_FIELD_NONE);
    li_mapping_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_leads_header_maps_every_field),
        cmocka_unit_test(test_english_headers_map_every_field),
        cmocka_unit_test(test_unmapped_columns_are_kept_as_custom_fields),
        cmocka_unit_test(test_header_names_are_trimmed_and_empty_ones_named_by_number),
        cmocka_unit_test(test_override_by_field_key),
        cmocka_unit_test(test_override_by_field_synonym),
        cmocka_unit_test(test_override_column_matched_by_folding),
        cmocka_unit_test(test_override_column_by_number),
        cmocka_unit_test(test_override_takes_the_field_from_the_automatic_column),
        cmocka_unit_test(test_override_takes_the_column_from_its_automatic_field),
        cmocka_unit_test(test_later_override_of_a_field_wins),
        cmocka_unit_test(test_unknown_override_field_is_a_usage_error),
        cmocka_unit_test(test_unknown_override_column_is_a_usage_error),
        cmocka_unit_test(test_override_without_field_or_column_is_a_syntax_error),
        cmocka_unit_test(test_two_columns_for_one_field_first_wins_with_a_warning),
        cmocka_unit_test(test_no_contact_column_warns),
        cmocka_unit_test(test_warnings_are_capped_at_six),
        cmocka_unit_test(test_without_header_columns_are_numbered_and_only_overrides_map),
        cmocka_unit_test(test_mapping_to_json_lists_each_header),
        cmocka_unit_test(test_mapping_free_accepts_null),
        cmocka_unit_test(test_each_column_says_why_it_has_its_field),
        cmocka_unit_test(test_misspelt_headers_map_within_the_threshold),
        cmocka_unit_test(test_a_typo_never_steals_a_field_a_real_header_has),
        cmocka_unit_test(test_a_column_of_emails_is_the_email_whatever_its_header),
        cmocka_unit_test(test_values_never_override_a_header_nor_take_a_field_twice),
        cmocka_unit_test(test_too_few_values_or_a_weak_majority_guess_nothing),
        cmocka_unit_test(test_a_saved_mapping_decides_the_columns_it_names),
        cmocka_unit_test(test_an_override_beats_a_saved_mapping),
        cmocka_unit_test(test_a_corrupt_saved_mapping_is_refused),
        cmocka_unit_test(test_full_name_column_is_recognised_and_round_trips_as_json),
        cmocka_unit_test(test_a_yes_no_column_a_few_edits_from_a_synonym_is_no_external_id),
        cmocka_unit_test(test_id_columns_holding_small_integers_are_never_company_nor_source),
        cmocka_unit_test(test_one_record_id_column_is_the_external_id_two_are_none),
        cmocka_unit_test(test_a_last_contact_date_never_takes_the_name_of_the_real_contact_column),
        cmocka_unit_test(test_an_exact_synonym_beats_a_typo_and_a_partial_match_across_columns),
        cmocka_unit_test(test_small_integers_fit_a_postal_code_typo_but_no_name),
        cmocka_unit_test(test_a_name_column_is_decided_by_its_values),
        cmocka_unit_test(test_a_client_column_of_codes_is_no_company),
        cmocka_unit_test(test_client_and_account_name_lean_to_the_company),
        cmocka_unit_test(test_nom_is_the_last_name_beside_a_first_name_else_its_values_decide),
        cmocka_unit_test(test_a_contact_column_of_emails_is_the_email_not_a_name),
        cmocka_unit_test(test_missing_name_or_contact_warns_with_the_column_to_map),
        cmocka_unit_test(test_a_name_column_empty_on_every_row_warns_when_another_has_names),
        cmocka_unit_test(test_a_known_export_applies_its_mapping_and_picks_a_phone_by_priority),
        cmocka_unit_test(test_google_contacts_is_recognised),
        cmocka_unit_test(test_the_columns_of_an_error_report_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
