/*
 * test_phone.c — li_norm_phone_typed(): the E.164 form and the type of the
 * numbers imports receive, against real numbering plans.
 *
 * Table-driven. Each French-plan number of the first table is checked in
 * the sixteen shapes people and Excel give it (spaces, dots, dashes, +33,
 * 0033, "(0)", the 0 eaten, "33" without "+", scientific notation, NBSP...),
 * so that the few dozen lines below are several hundred checks; the other
 * tables hold foreign numbers, numbers read in other regions, what Excel
 * destroys, and what is not a phone number at all. Expectations come from
 * the plans (ARCEP for France and its overseas departments, libphonenumber
 * 8.12.57's metadata elsewhere), not from running the code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "leadimport/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int failures;

static const char *type_name(li_phone_type t) {
    return t == LI_PHONE_UNKNOWN ? "-" : li_phone_type_key(t);
}

/* want NULL: invalid (or code). */
static void check(const char *region, const char *in, li_msg code, const char *want,
                  li_phone_type type) {
    char out[17];
    li_phone_type got_t = (li_phone_type)99;
    li_msg got = li_norm_phone_typed(in, strlen(in), region, out, sizeof out, &got_t);
    if (got != code || strcmp(out, want ? want : "") != 0 || got_t != type) {
        print_error("\"%s\" (%s): got %s \"%s\" %s, want %s \"%s\" %s\n", in,
                    region ? region : "NULL", li_msg_code(got), out, type_name(got_t),
                    li_msg_code(code), want ? want : "", type_name(type));
        failures++;
    }
}

static void expect_no_failures(void) {
    int n = failures;
    failures = 0;
    assert_int_equal(n, 0);
}

/* --- the French plan, in every shape ---------------------------------------- */

#define MOBILE LI_PHONE_MOBILE
#define FIXE LI_PHONE_FIXED
#define AUTRE LI_PHONE_OTHER

static const struct {
    const char *d; /* as dialled in France: 0 + 9 digits */
    const char *e164;
    li_phone_type type;
} french[] = {
    /* mobiles: 06, 07 */
    {"0612345678", "+33612345678", MOBILE},
    {"0601020304", "+33601020304", MOBILE},
    {"0638123456", "+33638123456", MOBILE}, /* 638: last metropolitan 63x */
    {"0695123456", "+33695123456", MOBILE}, /* 69[589] are metropolitan */
    {"0698765432", "+33698765432", MOBILE},
    {"0699000000", "+33699000000", MOBILE},
    {"0700123456", "+33700123456", MOBILE}, /* 700 */
    {"0734567890", "+33734567890", MOBILE},
    {"0756000001", "+33756000001", MOBILE},
    {"0799999999", "+33799999999", MOBILE},
    /* geographic: 01 to 05 */
    {"0144556677", "+33144556677", FIXE},
    {"0100000000", "+33100000000", FIXE},
    {"0298765432", "+33298765432", FIXE},
    {"0387654321", "+33387654321", FIXE},
    {"0412345678", "+33412345678", FIXE},
    {"0493123456", "+33493123456", FIXE},
    {"0556789012", "+33556789012", FIXE},
    {"0561000000", "+33561000000", FIXE},
    /* 09: VoIP, the lines of internet boxes: "fixe" */
    {"0972123456", "+33972123456", FIXE},
    {"0912345678", "+33912345678", FIXE},
    {"0950000000", "+33950000000", FIXE},
    /* 08: toll-free, shared cost, premium, UAN: "autre" */
    {"0800123456", "+33800123456", AUTRE},
    {"0805123456", "+33805123456", AUTRE},
    {"0806123456", "+33806123456", AUTRE},
    {"0810123456", "+33810123456", AUTRE},
    {"0820123456", "+33820123456", AUTRE},
    {"0825123456", "+33825123456", AUTRE},
    {"0836123456", "+33836123456", AUTRE},
    {"0836001234", "+33836001234", AUTRE},
    {"0840123456", "+33840123456", AUTRE},
    {"0842123456", "+33842123456", AUTRE},
    {"0884123456", "+33884123456", AUTRE},
    {"0892123456", "+33892123456", AUTRE},
    {"0899123456", "+33899123456", AUTRE},
    /* overseas departments, dialled as French numbers: their own code */
    {"0262123456", "+262262123456", FIXE},   /* Réunion */
    {"0263001234", "+262263001234", FIXE},
    {"0692123456", "+262692123456", MOBILE},
    {"0693001234", "+262693001234", MOBILE},
    {"0269601234", "+262269601234", FIXE},   /* Mayotte */
    {"0639012345", "+262639012345", MOBILE},
    {"0590201234", "+590590201234", FIXE},   /* Guadeloupe */
    {"0690001234", "+590690001234", MOBILE},
    {"0691221234", "+590691221234", MOBILE},
    {"0594101234", "+594594101234", FIXE},   /* Guyane */
    {"0694201234", "+594694201234", MOBILE},
    {"0596301234", "+596596301234", FIXE},   /* Martinique */
    {"0696201234", "+596696201234", MOBILE},
    {"0697271234", "+596697271234", MOBILE},
    /* unassigned blocks: invalid however written */
    {"0701234567", NULL, LI_PHONE_UNKNOWN},
    {"0712345678", NULL, LI_PHONE_UNKNOWN},
    {"0723456789", NULL, LI_PHONE_UNKNOWN},
    {"0401234567", NULL, LI_PHONE_UNKNOWN},
    {"0836041234", NULL, LI_PHONE_UNKNOWN},
    {"0836051234", NULL, LI_PHONE_UNKNOWN},
    {"0841123456", NULL, LI_PHONE_UNKNOWN},
    {"0871234567", NULL, LI_PHONE_UNKNOWN},
    {"0639123456", NULL, LI_PHONE_UNKNOWN}, /* Mayotte, not allocated */
    {"0691001234", NULL, LI_PHONE_UNKNOWN}, /* Guadeloupe, not allocated */
    {"0263991234", NULL, LI_PHONE_UNKNOWN}, /* Réunion, not allocated */
    {"0694391234", NULL, LI_PHONE_UNKNOWN}, /* Guyane, not allocated */
};

/*
 * Excel's scientific notation of the integer digits, every digit written
 * (a cell formatted "0.0000000000E+00"). With fewer digits, zeros or not,
 * the value is PRECISION_LOST: "3,3699E+10" may have been 33699123456.
 */
static void sci(char *out, size_t cap, const char *digits, char sep) {
    size_t n = strlen(digits);
    snprintf(out, cap, "%c%c%sE+%02zu", digits[0], sep, digits + 1, n - 1);
}

static void test_french_plan_in_every_shape(void **state) {
    (void)state;
    for (size_t i = 0; i < N(french); i++) {
        const char *d = french[i].d, *nsn = d + 1;
        char s[16][64], cc33[16];
        snprintf(cc33, sizeof cc33, "33%s", nsn);
#define P(k, ...) snprintf(s[k], sizeof s[k], __VA_ARGS__)
        P(0, "%.2s %.2s %.2s %.2s %.2s", d, d + 2, d + 4, d + 6, d + 8);
        P(1, "%s", d);
        P(2, "%.2s.%.2s.%.2s.%.2s.%.2s", d, d + 2, d + 4, d + 6, d + 8);
        P(3, "%.2s-%.2s-%.2s-%.2s-%.2s", d, d + 2, d + 4, d + 6, d + 8);
        P(4, "+33 %.1s %.2s %.2s %.2s %.2s", nsn, nsn + 1, nsn + 3, nsn + 5, nsn + 7);
        P(5, "+33%s", nsn);
        P(6, "0033 %.1s %.2s %.2s %.2s %.2s", nsn, nsn + 1, nsn + 3, nsn + 5, nsn + 7);
        P(7, "+33 (0)%.1s %.2s %.2s %.2s %.2s", nsn, nsn + 1, nsn + 3, nsn + 5, nsn + 7);
        P(8, "%s", cc33);                       /* the "+" lost */
        P(9, "%s", nsn);                        /* the 0 eaten */
        P(10, "(0)%.1s %.2s %.2s %.2s %.2s", nsn, nsn + 1, nsn + 3, nsn + 5, nsn + 7);
        sci(s[11], sizeof s[11], cc33, ',');    /* 3,3612345678E+10 */
        sci(s[12], sizeof s[12], nsn, '.');     /* 6.12345678E+08 */
        P(13, "+33 0%.1s %.2s %.2s %.2s %.2s", nsn, nsn + 1, nsn + 3, nsn + 5, nsn + 7);
        P(14, "330%s", nsn);
        P(15, "%.2s\xC2\xA0%.2s\xC2\xA0%.2s\xC2\xA0%.2s\xC2\xA0%.2s", d, d + 2, d + 4, d + 6,
          d + 8);
#undef P
        for (size_t k = 0; k < N(s); k++) {
            li_msg code = french[i].e164 ? LI_MSG_NONE : LI_MSG_PHONE_INVALID;
            check("FR", s[k], code, french[i].e164, french[i].type);
            if (k < 8)
                check(NULL, s[k], code, french[i].e164, french[i].type);
        }
    }
    expect_no_failures();
}

/* --- other countries ---------------------------------------------------------- */

static const struct {
    const char *in, *e164;
    li_phone_type type;
} foreign[] = {
    {"+32 470 12 34 56", "+32470123456", MOBILE},
    {"0032 499 12 34 56", "+32499123456", MOBILE},
    {"+32 2 234 56 78", "+3222345678", FIXE},
    {"+32 (0)2 234 56 78", "+3222345678", FIXE},
    {"+41 79 123 45 67", "+41791234567", MOBILE},
    {"+41 76 123 45 67", "+41761234567", MOBILE},
    {"+41 22 123 45 67", "+41221234567", FIXE},
    {"+41 (0)22 123 45 67", "+41221234567", FIXE},
    {"+352 621 123 456", "+352621123456", MOBILE},
    {"+352 661 123 456", "+352661123456", MOBILE},
    {"+352 691 123 456", "+352691123456", MOBILE},
    {"+352 26 12 34 56", "+35226123456", FIXE},
    {"+44 7712 345678", "+447712345678", MOBILE},
    {"+44 7911 123456", "+447911123456", MOBILE},
    {"+44 (0)7911 123456", "+447911123456", MOBILE},
    {"+44 20 7946 0018", "+442079460018", FIXE},
    {"+44 7700 900123", NULL, LI_PHONE_UNKNOWN}, /* Ofcom: reserved for drama */
    {"+1 (514) 555-1234", "+15145551234", AUTRE}, /* +1: fixed or mobile, unknown */
    {"+1 438 555 1234", "+14385551234", AUTRE},
    {"+1-212-555-0123", "+12125550123", AUTRE},
    {"+1 1 514 555 1234", "+15145551234", AUTRE},
    {"+1 (514) 055-1234", NULL, LI_PHONE_UNKNOWN}, /* exchange cannot start with 0 */
    {"+49 30 1234567", "+49301234567", FIXE},
    {"+49 (0)89 123456", "+4989123456", FIXE},
    {"+34 612 34 56 78", "+34612345678", MOBILE},
    {"+39 06 1234 5678", "+390612345678", FIXE},
    {"+39 347 123 4567", "+393471234567", MOBILE},
    {"+31 6 12345678", "+31612345678", MOBILE},
    {"+351 912 345 678", "+351912345678", MOBILE},
    {"+212 6 12 34 56 78", "+212612345678", MOBILE},
    {"+86 138 0013 8000", "+8613800138000", MOBILE},
    {"+225 07 07 12 34 56", "+2250707123456", MOBILE},
    {"+262 692 12 34 56", "+262692123456", MOBILE},
    {"+262 262 12 34 56", "+262262123456", FIXE},
    {"+590 690 00 12 34", "+590690001234", MOBILE},
    {"+33 2 62 12 34 56", "+262262123456", FIXE}, /* +33 then an overseas block */
    {"+33 6 92 12 34 56", "+262692123456", MOBILE},
    {"+33 6 96 20 12 34", "+596696201234", MOBILE},
    {"+262 6 12 34 56 78", NULL, LI_PHONE_UNKNOWN}, /* written +262: taken as written */
    {"+999 1234 5678", NULL, LI_PHONE_UNKNOWN},      /* no such code */
    {"+0033 6 12 34 56 78", "+33612345678", MOBILE},
    {"00 33 6 12 34 56 78", "+33612345678", MOBILE},
    {"(+33) 6 12 34 56 78", "+33612345678", MOBILE},
    {"+33 ( 0 ) 6 12 34 56 78", "+33612345678", MOBILE},
    {"0033 (0)6 12 34 56 78", "+33612345678", MOBILE},
};

static void test_foreign_numbers(void **state) {
    (void)state;
    for (size_t i = 0; i < N(foreign); i++)
        check("FR", foreign[i].in, foreign[i].e164 ? LI_MSG_NONE : LI_MSG_PHONE_INVALID,
              foreign[i].e164, foreign[i].type);
    expect_no_failures();
}

/* --- regions ------------------------------------------------------------------ */

static void test_region_reads_national_numbers(void **state) {
    (void)state;
    static const struct {
        const char *region, *in, *e164;
        li_phone_type type;
    } cases[] = {
        {"BE", "0470 12 34 56", "+32470123456", MOBILE},
        {"be", "02 234 56 78", "+3222345678", FIXE},
        {"CH", "079 123 45 67", "+41791234567", MOBILE},
        {"LU", "621 123 456", "+352621123456", MOBILE},
        {"GB", "07911 123456", "+447911123456", MOBILE},
        {"UK", "020 7946 0018", "+442079460018", FIXE},
        {"uk", "07911 123456", "+447911123456", MOBILE},
        {"CA", "(514) 555-1234", "+15145551234", AUTRE},
        {"CA", "1 514 555 1234", "+15145551234", AUTRE},
        {"US", "(212) 555-0123", "+12125550123", AUTRE},
        {"MA", "06 12 34 56 78", "+212612345678", MOBILE},
        {"ES", "612 34 56 78", "+34612345678", MOBILE},
        {"IT", "06 1234 5678", "+390612345678", FIXE},
        /* France and its overseas departments share one national plan */
        {"RE", "0692 12 34 56", "+262692123456", MOBILE},
        {"RE", "06 12 34 56 78", "+33612345678", MOBILE},
        {"RE", "0590 20 12 34", "+590590201234", FIXE},
        {"GP", "0590 20 12 34", "+590590201234", FIXE},
        {"GP", "01 44 55 66 77", "+33144556677", FIXE},
        {"YT", "0639 01 23 45", "+262639012345", MOBILE},
        {"MQ", "0696 20 12 34", "+596696201234", MOBILE},
        /* international numbers do not depend on the region */
        {"BE", "+33 6 12 34 56 78", "+33612345678", MOBILE},
        {"US", "+33 6 12 34 56 78", "+33612345678", MOBILE},
        {"XX", "+33 6 12 34 56 78", "+33612345678", MOBILE},
        {"ZZ", "0033 6 12 34 56 78", "+33612345678", MOBILE},
        /* an unknown region reads no national number */
        {"XX", "06 12 34 56 78", NULL, LI_PHONE_UNKNOWN},
        {"FRA", "06 12 34 56 78", NULL, LI_PHONE_UNKNOWN},
        {"", "06 12 34 56 78", NULL, LI_PHONE_UNKNOWN},
        /* a French number is not Belgian */
        {"BE", "06 12 34 56 78", NULL, LI_PHONE_UNKNOWN},
        {"CH", "079 123 45 6", NULL, LI_PHONE_UNKNOWN},
    };
    for (size_t i = 0; i < N(cases); i++)
        check(cases[i].region, cases[i].in, cases[i].e164 ? LI_MSG_NONE : LI_MSG_PHONE_INVALID,
              cases[i].e164, cases[i].type);
    expect_no_failures();
}

/* --- what Excel destroys, what is no number ---------------------------------- */

static void test_excel_damage_and_garbage(void **state) {
    (void)state;
    static const struct {
        const char *in;
        li_msg code;
        const char *e164;
        li_phone_type type;
    } cases[] = {
        {"3,3612345678E+10", LI_MSG_NONE, "+33612345678", MOBILE},
        {"3.3612345678E+10", LI_MSG_NONE, "+33612345678", MOBILE},
        {"3,3612345678e+10", LI_MSG_NONE, "+33612345678", MOBILE},
        {"3,3612345678E10", LI_MSG_NONE, "+33612345678", MOBILE},
        {" 3,3612345678E+10 ", LI_MSG_NONE, "+33612345678", MOBILE},
        {"6,12345678E+08", LI_MSG_NONE, "+33612345678", MOBILE},
        {"1,44556677E+08", LI_MSG_NONE, "+33144556677", FIXE},
        {"3,314455667E+10", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"3,3144556670E+10", LI_MSG_NONE, "+33144556670", FIXE},
        {"3,314455667E+10", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"9,72123456E+08", LI_MSG_NONE, "+33972123456", FIXE},
        {"6,12E+08", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"3,3699E+10", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN}, /* 33699000000? */
        {"1,E+08", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"3,3612E+10", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"3.36E+10", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"6E+08", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"6,1234567E+08", LI_MSG_PHONE_PRECISION_LOST, NULL, LI_PHONE_UNKNOWN},
        {"6,1234567891E+08", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN}, /* not an integer */
        {"6,12E-08", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"6,12E+", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"612345678", LI_MSG_NONE, "+33612345678", MOBILE},
        {"144556677", LI_MSG_NONE, "+33144556677", FIXE},
        {"800123456", LI_MSG_NONE, "+33800123456", AUTRE},
        {"", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"   ", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"téléphone", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"N/A", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"#ERROR!", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"ne pas appeler", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"0", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"0012", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"12345", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"00 00 00 00 00", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06 12 34 56", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06 12 34 56 7", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06 12 34 56 78 9", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06-XX-XX-XX-XX", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06 12 34 56 7a", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"0612345678 poste 12", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06 12 34 56 78 / 07 52 34 56 78", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"++33 6 12 34 56 78", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"06 12 +34 56 78", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33 6 12 34 56 78 90", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33 0 6 12 34 56 78 9", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33 6 12 34 56", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33 7 01 23 45 67", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33 4 01 23 45 67", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"+33 6 39 12 34 56", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN},
        {"1-800-FLOWERS", LI_MSG_PHONE_INVALID, NULL, LI_PHONE_UNKNOWN}, /* no letters */
    };
    for (size_t i = 0; i < N(cases); i++)
        check("FR", cases[i].in, cases[i].code, cases[i].e164, cases[i].type);
    expect_no_failures();
}

/* --- the API's edges ------------------------------------------------------------- */

static void test_api_edges(void **state) {
    (void)state;
    char out[17];
    li_phone_type t = LI_PHONE_MOBILE;
    /* out needs 17 bytes: the longest E.164 number is "+" and 15 digits */
    assert_int_equal(li_norm_phone_typed("+86 138 0013 8000", 17, "FR", out, 16, &t),
                     LI_MSG_PHONE_INVALID);
    assert_int_equal(t, LI_PHONE_UNKNOWN);
    assert_string_equal(out, "");
    assert_int_equal(li_norm_phone_typed("+86 138 0013 8000", 17, "FR", out, 17, &t), LI_MSG_NONE);
    assert_string_equal(out, "+8613800138000");
    /* the type may be left out; li_norm_phone() is the same without it */
    assert_int_equal(li_norm_phone_typed("06 12 34 56 78", 14, NULL, out, sizeof out, NULL),
                     LI_MSG_NONE);
    assert_string_equal(out, "+33612345678");
    assert_int_equal(li_norm_phone("0262 12 34 56", 13, "FR", out, sizeof out), LI_MSG_NONE);
    assert_string_equal(out, "+262262123456");
    /* len is honoured: no NUL needed */
    assert_int_equal(li_norm_phone_typed("0612345678XYZ", 10, "FR", out, sizeof out, &t),
                     LI_MSG_NONE);
    assert_int_equal(t, LI_PHONE_MOBILE);
    /* the keys */
    assert_string_equal(li_phone_type_key(LI_PHONE_MOBILE), "mobile");
    assert_string_equal(li_phone_type_key(LI_PHONE_FIXED), "fixe");
    assert_string_equal(li_phone_type_key(LI_PHONE_OTHER), "autre");
    assert_string_equal(li_phone_type_key(LI_PHONE_UNKNOWN), "");
    assert_string_equal(li_phone_type_key((li_phone_type)42), "");
}

/* A normalised number reads back unchanged, with the same type. */
static void test_normalisation_is_idempotent(void **state) {
    (void)state;
    for (size_t i = 0; i < N(french); i++) {
        if (!french[i].e164)
            continue;
        check("FR", french[i].e164, LI_MSG_NONE, french[i].e164, french[i].type);
        check("BE", french[i].e164, LI_MSG_NONE, french[i].e164, french[i].type);
    }
    for (size_t i = 0; i < N(foreign); i++)
        if (foreign[i].e164)
            check("FR", foreign[i].e164, LI_MSG_NONE, foreign[i].e164, foreign[i].type);
    expect_no_failures();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french_plan_in_every_shape),
        cmocka_unit_test(test_foreign_numbers),
        cmocka_unit_test(test_region_reads_national_numbers),
        cmocka_unit_test(test_excel_damage_and_garbage),
        cmocka_unit_test(test_api_edges),
        cmocka_unit_test(test_normalisation_is_idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
