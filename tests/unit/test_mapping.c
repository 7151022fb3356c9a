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
    static const char *const h[] = {"Nom", "Email", "Courriel", NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->field_col[LI_FIELD_EMAIL], 1);
    assert_int_equal(m->col_field[2], LI_FIELD_NONE);
    assert_int_equal(m->nwarnings, 1);
    assert_string_equal(m->warnings[0], "Les colonnes « Email » et « Courriel » correspondent "
                                        "toutes deux au champ E-mail : seule la première est "
                                        "utilisée");
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

static void test_warnings_are_capped_at_four(void **state) {
    (void)state;
    static const char *const h[] = {"Nom",         "Nom de famille", "Surname", "Last name",
                                    "Family name", "Lastname",       NULL};
    li_mapping *m = map_of(h, NULL, 0);
    assert_int_equal(m->nwarnings, 4);
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
    assert_int_equal(m->nwarnings, 1); /* no contact */
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
        cmocka_unit_test(test_warnings_are_capped_at_four),
        cmocka_unit_test(test_without_header_columns_are_numbered_and_only_overrides_map),
        cmocka_unit_test(test_mapping_to_json_lists_each_header),
        cmocka_unit_test(test_mapping_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
