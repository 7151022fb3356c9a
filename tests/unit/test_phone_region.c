/*
 * test_phone_region.c — a number is read in its region and no other, every
 * region has a plan, and extensions are kept.
 *
 *   - li_norm_phone_typed() normalises a national number in the region it
 *     is given, never in France instead: a Swiss "044 668 18 00" is
 *     +41 44 668 18 00 in CH (and would be +33 4 46 68 18 00 in FR: both
 *     plans accept it, which is why the region matters), a French mobile
 *     written nationally is invalid in CH, a Kazakh "8 701..." is +7 in KZ
 *     and invalid in FR; "+CC" and "00CC" numbers are read under their
 *     own code in any region. Checked against libphonenumber itself.
 *   - li__country_by_iso() knows every region libphonenumber has a plan
 *     for (a row whose country is Kazakhstan or Uruguay gets its plan and
 *     trunk prefix), not only the few of phone.c's detailed table.
 *   - Extensions: "x123", "ext. 12", "poste 12", "#12"... come back as
 *     E.164 + ";ext=NN", which normalises to itself; libphonenumber reads
 *     the same extension from the forms it knows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lead/leadInt.h"
#include "lead/phonelib.h"
#include "leadimport/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int failures;

/* want NULL: PHONE_INVALID. */
static void check(const char *region, const char *in, const char *want) {
    char out[LI_PHONE_CAP];
    li_phone_type t;
    li_msg got = li_norm_phone_typed(in, strlen(in), region, out, sizeof out, &t);
    li_msg code = want ? LI_MSG_NONE : LI_MSG_PHONE_INVALID;
    if (got != code || strcmp(out, want ? want : "") != 0) {
        print_error("\"%s\" (%s): got %s \"%s\", want %s \"%s\"\n", in, region ? region : "NULL",
                    li_msg_code(got), out, li_msg_code(code), want ? want : "");
        failures++;
    }
}

static void expect_no_failures(void) {
    int n = failures;
    failures = 0;
    assert_int_equal(n, 0);
}

/* --- point 2: the region given, and no other ---------------------------------- */

static const struct {
    const char *region, *in, *want; /* want NULL: invalid in that region */
} in_region[] = {
    /* Swiss local numbers are well-formed French ones: the region decides */
    {"CH", "044 668 18 00", "+41446681800"},
    {"FR", "044 668 18 00", "+33446681800"},
    {"CH", "079 123 45 67", "+41791234567"},
    {"CH", "022 123 45 67", "+41221234567"},
    /* a French mobile written nationally is no Swiss, Belgian, Kazakh number
     * (or, for "06 12...", a Basel one: +41 61 234 56 78 exists) */
    {"CH", "06 98 76 54 32", NULL},
    {"FR", "06 98 76 54 32", "+33698765432"},
    {"BE", "06 98 76 54 32", NULL},
    {"KZ", "06 12 34 56 78", NULL},
    {"CH", "698765432", NULL},
    {"CH", "06 12 34 56 78", "+41612345678"},
    /* Kazakhstan: trunk prefix 8 */
    {"KZ", "8 701 123 45 67", "+77011234567"},
    {"KZ", "8 (727) 250 12 34", "+77272501234"},
    {"FR", "8 701 123 45 67", NULL},
    /* Italy keeps its leading 0: "06..." is Rome there, a mobile in France */
    {"IT", "06 1234 5678", "+390612345678"},
    {"FR", "06 1234 5678", "+33612345678"},
    /* Uruguay, Bolivia: regions the files had */
    {"UY", "099 123 456", "+59899123456"},
    {"FR", "099 123 456", NULL},
    {"BO", "7123 4567", "+59171234567"},
    /* international numbers are read as such, whatever the region */
    {"CH", "+33 6 12 34 56 78", "+33612345678"},
    {"KZ", "0033 6 12 34 56 78", "+33612345678"},
    {"UY", "+41 44 668 18 00", "+41446681800"},
    {"CH", "+7 701 123 45 67", "+77011234567"},
    {"ZZ", "+41 79 123 45 67", "+41791234567"},
    {"ZZ", "079 123 45 67", NULL},
};

static void test_number_is_read_in_its_region_only(void **state) {
    (void)state;
    for (size_t i = 0; i < N(in_region); i++)
        check(in_region[i].region, in_region[i].in, in_region[i].want);
    expect_no_failures();
}

/* libphonenumber, asked directly, agrees with every line above. */
static void test_regions_agree_with_libphonenumber(void **state) {
    (void)state;
    for (size_t i = 0; i < N(in_region); i++) {
        char lib[LI_PHONE_CAP], ours[LI_PHONE_CAP];
        li_phone_type t;
        const char *in = in_region[i].in, *r = in_region[i].region;
        char digits[64];
        size_t n = 0;
        for (const char *p = in; *p && n < sizeof digits - 1; p++)
            if ((*p >= '0' && *p <= '9') || *p == '+')
                digits[n++] = *p;
        digits[n] = '\0';
        if (n >= 2 && digits[0] == '0' && digits[1] == '0') { /* 00CC: Parse wants "+" */
            digits[0] = '+';
            memmove(digits + 1, digits + 2, n - 1);
            n--;
        }
        li_msg lm = li__phonelib_norm(digits, n, r, lib, sizeof lib, &t, NULL);
        li_msg om = li_norm_phone_typed(in, strlen(in), r, ours, sizeof ours, &t);
        if (lm != om || strcmp(lib, ours) != 0) {
            print_error("\"%s\" (%s): libphonenumber %s \"%s\", ours %s \"%s\"\n", in, r,
                        li_msg_code(lm), lib, li_msg_code(om), ours);
            failures++;
        }
    }
    expect_no_failures();
}

/* Every region with a plan in libphonenumber is a region validate.c can use. */
static void test_every_country_has_its_plan(void **state) {
    (void)state;
    const li__country *kz = li__country_by_iso("KZ");
    assert_non_null(kz);
    assert_int_equal(kz->cc, 7);
    assert_int_equal(kz->trunk, '8');
    const li__country *uy = li__country_by_iso("uy");
    assert_non_null(uy);
    assert_int_equal(uy->cc, 598);
    assert_int_equal(uy->trunk, '0');
    const li__country *bo = li__country_by_iso("BO");
    assert_non_null(bo);
    assert_int_equal(bo->cc, 591);
    assert_string_equal(li__country_by_iso("FR")->iso, "FR");
    assert_int_equal(li__country_by_iso("UK")->cc, 44);
    assert_null(li__country_by_iso("ZZ"));
    assert_null(li__country_by_iso("AQ")); /* Antarctica: no numbering plan */
    assert_null(li__country_by_iso("F1"));
    assert_null(li__country_by_iso("FRA"));
    /* every country of the name table but a handful of uninhabited ones */
    size_t with = 0, without = 0;
    unsigned char seen[26 * 26] = {0};
    for (size_t i = 0; i < li__country_count(); i++) {
        const char *iso;
        li__country_key(i, &iso);
        if (seen[(iso[0] - 'A') * 26 + (iso[1] - 'A')]++)
            continue;
        const li__country *c = li__country_by_iso(iso);
        if (c) {
            with++;
            assert_string_equal(c->iso, iso);
            assert_true(li__cc_assigned(c->cc));
        } else {
            without++;
        }
    }
    print_message("%zu regions with a plan, %zu without\n", with, without);
    assert_true(with >= 240); /* of 249 ISO countries */
    assert_true(without <= 9);
}

/* --- point 3: extensions ---------------------------------------------------------- */

static void test_extensions_are_kept(void **state) {
    (void)state;
    static const struct {
        const char *region, *in, *want;
    } cases[] = {
        {"FR", "01 23 45 67 89 x123", "+33123456789;ext=123"},
        {"FR", "01 23 45 67 89 x 123", "+33123456789;ext=123"},
        {"FR", "01 23 45 67 89 X. 123", "+33123456789;ext=123"},
        {"FR", "0123456789x123", "+33123456789;ext=123"},
        {"FR", "01 23 45 67 89 ext. 12", "+33123456789;ext=12"},
        {"FR", "01 23 45 67 89 ext 12", "+33123456789;ext=12"},
        {"FR", "01 23 45 67 89 EXT:12", "+33123456789;ext=12"},
        {"FR", "01 23 45 67 89 extn 12", "+33123456789;ext=12"},
        {"FR", "01 23 45 67 89 extension 12", "+33123456789;ext=12"},
        {"FR", "01 23 45 67 89 poste 12", "+33123456789;ext=12"},
        {"FR", "01.23.45.67.89 Poste : 4521", "+33123456789;ext=4521"},
        {"FR", "01 23 45 67 89 #12", "+33123456789;ext=12"},
        {"FR", "0123456789#12", "+33123456789;ext=12"},
        {"FR", "+33 1 23 45 67 89;ext=12", "+33123456789;ext=12"},
        {"FR", "+33123456789;ext=12", "+33123456789;ext=12"},
        {"FR", "+33 (0)1 23 45 67 89 poste 7", "+33123456789;ext=7"},
        {"FR", "06 12 34 56 78 x 1234567890", "+33612345678;ext=1234567890"},
        {"CH", "044 668 18 00 Poste 12", "+41446681800;ext=12"},
        {"US", "(212) 555-0100 ext. 42", "+12125550100;ext=42"},
        {"FR", "0262 12 34 56 poste 3", "+262262123456;ext=3"},
        {NULL, "+44 20 7946 0958 x 204", "+442079460958;ext=204"},
        /* what is not an extension */
        {"FR", "01 23 45 67 89 x", NULL},
        {"FR", "01 23 45 67 89 ext", NULL},
        {"FR", "01 23 45 67 89 x 12345678901", NULL}, /* 11 digits: too long */
        {"FR", "01 23 45 67 89 fax 12", NULL},
        {"FR", "01 23 45 67 89 box12", NULL},
        {"FR", "poste 12", NULL},
        {"FR", "x12", NULL},
        {"FR", "01 23 45 67 8 poste 12", NULL}, /* the number itself is wrong */
        {"CH", "06 98 76 54 32 poste 12", NULL},
    };
    for (size_t i = 0; i < N(cases); i++)
        check(cases[i].region, cases[i].in, cases[i].want);
    expect_no_failures();
}

/* Export then re-import: the stored form reads back to itself, in any region. */
static void test_extension_output_is_idempotent(void **state) {
    (void)state;
    static const char *const stored[] = {"+33123456789;ext=12", "+41446681800;ext=1",
                                         "+77011234567;ext=1234567890", "+12125550100;ext=42"};
    static const char *const regions[] = {"FR", "CH", "KZ", NULL};
    for (size_t i = 0; i < N(stored); i++)
        for (size_t r = 0; r < N(regions); r++)
            check(regions[r], stored[i], stored[i]);
    /* and the type is the number's */
    char out[LI_PHONE_CAP];
    li_phone_type t;
    assert_int_equal(li_norm_phone_typed("06 12 34 56 78 poste 3", 22, "FR", out, sizeof out, &t),
                     LI_MSG_NONE);
    assert_int_equal(t, LI_PHONE_MOBILE);
    expect_no_failures();
}

/* The room the result needs: LI_PHONE_CAP is enough, a short buffer is refused. */
static void test_extension_needs_room(void **state) {
    (void)state;
    char out[LI_PHONE_CAP];
    li_phone_type t;
    const char *in = "+86 138 0013 8000 x 1234567890"; /* 15 digits + 10 */
    assert_int_equal(li_norm_phone_typed(in, strlen(in), "FR", out, sizeof out, &t), LI_MSG_NONE);
    assert_string_equal(out, "+8613800138000;ext=1234567890");
    assert_true(strlen(out) < LI_PHONE_CAP);
    assert_int_equal(li_norm_phone_typed(in, strlen(in), "FR", out, 17, &t), LI_MSG_PHONE_INVALID);
    assert_string_equal(out, "");
    assert_int_equal(t, LI_PHONE_UNKNOWN);
    /* without extension, 17 bytes are still enough */
    assert_int_equal(li_norm_phone_typed("+86 138 0013 8000", 17, "FR", out, 17, &t), LI_MSG_NONE);
}

/* libphonenumber reads the same extension from the forms it knows. */
static void test_extensions_agree_with_libphonenumber(void **state) {
    (void)state;
    static const char *const forms[] = {
        "+33 1 23 45 67 89 x123",  "+33 1 23 45 67 89 ext. 12", "+33 1 23 45 67 89 ext 12",
        "+33 1 23 45 67 89 #12",   "+33 1 23 45 67 89;ext=12",  "+33 1 23 45 67 89 extn 4",
        "+41 44 668 18 00 x. 77",  "+1 212 555 0100 extension 42",
    };
    for (size_t i = 0; i < N(forms); i++) {
        char lib[LI_PHONE_CAP], ours[LI_PHONE_CAP], want[2 * LI_PHONE_CAP];
        li_phone_type t;
        li__phonelib_num num;
        assert_int_equal(
            li__phonelib_norm(forms[i], strlen(forms[i]), "ZZ", lib, sizeof lib, &t, &num),
            LI_MSG_NONE);
        assert_true(num.ext[0] != '\0');
        snprintf(want, sizeof want, "%s;ext=%s", lib, num.ext);
        assert_int_equal(li_norm_phone_typed(forms[i], strlen(forms[i]), "FR", ours, sizeof ours,
                                             &t),
                         LI_MSG_NONE);
        if (strcmp(ours, want) != 0) {
            print_error("\"%s\": libphonenumber \"%s\", ours \"%s\"\n", forms[i], want, ours);
            failures++;
        }
    }
    expect_no_failures();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_number_is_read_in_its_region_only),
        cmocka_unit_test(test_regions_agree_with_libphonenumber),
        cmocka_unit_test(test_every_country_has_its_plan),
        cmocka_unit_test(test_extensions_are_kept),
        cmocka_unit_test(test_extension_output_is_idempotent),
        cmocka_unit_test(test_extension_needs_room),
        cmocka_unit_test(test_extensions_agree_with_libphonenumber),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
