/*
 * test_region.c — the region of a file's national numbers, decided by the
 * probe on the sample rows (region.h), without the binary:
 *
 *   - a Swiss file without e-mails nor country column (four-digit postal
 *     codes, numbers that are well-formed French numbers too) is Swiss:
 *     the usual regions of a French-speaking CRM are tried, and the
 *     Austrian reading of some numbers does not silence them;
 *   - the same numbers with five-digit postal codes stay French: a number
 *     France can read never votes against France while the codes may be
 *     French; a file that says nothing stays French and says nothing;
 *   - too few signals are reported as such, not as a missing majority;
 *   - --region takes a country's code, alpha-3 code or name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "leadimport/mapping.h"
#include "leadimport/region.h"

enum { NCOLS = 5 };

/* The decision on rows of "Prénom;Nom;E-mail;Téléphone;Code postal". */
static void decide(const char *const rows[][NCOLS], size_t nrows, li_region_guess *g) {
    static const char *const names[NCOLS] = {"Prénom", "Nom", "E-mail", "Téléphone",
                                             "Code postal"};
    li_slice h[NCOLS];
    for (size_t c = 0; c < NCOLS; c++)
        h[c] = li_slice_of(names[c]);
    li_mapping *m = NULL;
    li_region_probe *p = NULL;
    li_error err;
    assert_int_equal(li_mapping_new(h, NCOLS, NULL, 0, &m, &err), LI_OK);
    assert_int_equal(li_region_probe_new(m, &p, &err), LI_OK);
    for (size_t r = 0; r < nrows; r++) {
        li_slice f[NCOLS];
        for (size_t c = 0; c < NCOLS; c++)
            f[c] = li_slice_of(rows[r][c]);
        li_region_probe_row(p, f, NCOLS);
    }
    li_region_probe_decide(p, g);
    li_region_probe_free(p);
    li_mapping_free(m);
}

static const char *const swiss[][NCOLS] = {
    {"Pierre", "Favre", "", "022 310 11 22", "1201"},
    {"Anne", "Rochat", "", "079 123 45 67", "1003"},
    {"Luc", "Meier", "", "078 765 43 21", "8001"},
    {"Eva", "Blanc", "", "032 725 11 11", "2000"},
    {"Marc", "Roy", "", "021 312 11 11", "1005"},
    {"Olivier", "Jaquet", "", "026 322 11 11", "1700"},
};

static void test_swiss_file_without_e_mails_stays_french_and_names_switzerland(void **state) {
    (void)state;
    li_region_guess g;
    decide(swiss, 6, &g);
    /* its numbers are French ones too, and four-digit codes may be French
       codes Excel cut: nothing names Switzerland, France stays */
    assert_string_equal(g.iso, "FR");
    assert_int_equal(g.source, LI_REGION_DEFAULT);
    assert_non_null(strstr(g.reason, "Suisse (CH)"));
}

static void test_same_numbers_with_french_codes_stay_french(void **state) {
    (void)state;
    const char *rows[6][NCOLS];
    static const char *const codes[6] = {"01201", "75003", "69001", "13002", "59000", "35000"};
    for (size_t r = 0; r < 6; r++) {
        memcpy(rows[r], swiss[r], sizeof rows[r]);
        rows[r][4] = codes[r];
    }
    li_region_guess g;
    decide((const char *const(*)[NCOLS])rows, 6, &g);
    assert_string_equal(g.iso, "FR");
    /* and without any postal code: nothing says another country */
    for (size_t r = 0; r < 6; r++)
        rows[r][4] = "";
    decide((const char *const(*)[NCOLS])rows, 6, &g);
    assert_string_equal(g.iso, "FR");
    assert_int_equal(g.source, LI_REGION_DEFAULT);
    assert_string_equal(g.reason, "");
}

static void test_too_few_signals_are_said(void **state) {
    (void)state;
    static const char *const rows[][NCOLS] = {
        {"Ann", "Lee", "ann@firm.co.uk", "020 7946 0001", ""},
        {"Bob", "Ray", "bob@shop.co.uk", "020 7946 0002", ""},
    };
    li_region_guess g;
    decide(rows, 2, &g);
    assert_string_equal(g.iso, "FR");
    assert_int_equal(g.source, LI_REGION_DEFAULT);
    assert_string_equal(g.reason, "trop peu d'indices (4, il en faut 5) pour Royaume-Uni (GB)");
}

static void test_region_option_takes_names(void **state) {
    (void)state;
    static const struct {
        const char *in, *iso;
    } ok[] = {{"BE", "BE"},       {"be", "BE"},          {"Belgique", "BE"},
              {"uk", "GB"},       {"Royaume-Uni", "GB"}, {"CHE", "CH"},
              {"suisse", "CH"},   {"Côte d'Ivoire", "CI"}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        li_region_guess g;
        li_error err;
        assert_int_equal(li_region_option(ok[i].in, &g, &err), LI_OK);
        assert_string_equal(g.iso, ok[i].iso);
        assert_int_equal(g.source, LI_REGION_OPTION);
    }
    li_region_guess g;
    li_error err;
    assert_int_equal(li_region_option("Atlantide", &g, &err), LI_EUSAGE);
    assert_int_equal(err.msg, LI_MSG_PHONE_REGION_UNKNOWN);
    assert_int_equal(li_region_option("XX", &g, &err), LI_EUSAGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_swiss_file_without_e_mails_stays_french_and_names_switzerland),
        cmocka_unit_test(test_same_numbers_with_french_codes_stay_french),
        cmocka_unit_test(test_too_few_signals_are_said),
        cmocka_unit_test(test_region_option_takes_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
