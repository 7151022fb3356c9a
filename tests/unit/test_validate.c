/*
 * test_validate.c — normalisers and row validation (validate.h).
 *
 * Table-driven where the cases are data: realistic valid and invalid
 * e-mails and phones, including every BAD_EMAILS / BAD_PHONES value of
 * /work/shared/bench/gen_leads.py and every shape its format_fr_phone() and
 * format_foreign_phone() write (re-implemented here so that the test does
 * not need the generator). Then text trimming, the row rules, the issue
 * messages and custom_json.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lead/leadInt.h"
#include "leadimport/validate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* --- helpers ------------------------------------------------------------- */

static int failures;

static void check_email(const char *in, const char *want) {
    char out[300];
    li_msg got = li_norm_email(in, strlen(in), out, sizeof out);
    if (want && (got != LI_MSG_NONE || strcmp(out, want) != 0)) {
        print_error("e-mail \"%s\": got %s \"%s\", want \"%s\"\n", in, li_msg_code(got), out, want);
        failures++;
    } else if (!want && got != LI_MSG_EMAIL_INVALID) {
        print_error("e-mail \"%s\": accepted as \"%s\", want email_invalid\n", in, out);
        failures++;
    }
}

static void check_phone_in(const char *region, const char *in, li_msg want_code, const char *want) {
    char out[32];
    li_msg got = li_norm_phone(in, strlen(in), region, out, sizeof out);
    if (got != want_code || (want && strcmp(out, want) != 0)) {
        print_error("phone \"%s\" (%s): got %s \"%s\", want %s \"%s\"\n", in,
                    region ? region : "FR", li_msg_code(got), out, li_msg_code(want_code),
                    want ? want : "");
        failures++;
    }
}

static void check_phone(const char *in, const char *want) {
    check_phone_in(NULL, in, want ? LI_MSG_NONE : LI_MSG_PHONE_INVALID, want);
}

static void expect_no_failures(void) {
    int n = failures;
    failures = 0;
    assert_int_equal(n, 0);
}

static const char *norm(const char *in, int collapse, int keep_newlines) {
    static char out[512];
    size_t n = li_norm_text(in, strlen(in), out, collapse, keep_newlines);
    out[n] = '\0';
    return out;
}

/* --- e-mail -------------------------------------------------------------- */

/* Python's str.capitalize(): first character upper-cased, the rest lower. */
static void capitalize(char *s) {
    for (size_t i = 0; s[i]; i++)
        s[i] = (char)(i == 0 ? (s[i] >= 'a' && s[i] <= 'z' ? s[i] - 32 : s[i])
                             : (s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]));
}

/* The i-th e-mail shaped as gen_leads.py email_for() writes them; 0 when i is past the end. */
static int gen_email(size_t i, char *email, size_t cap, char *local, char *domain) {
    /* slug() forms of gen_leads names, its domains and company domains */
    static const char *const firsts[] = {"jean", "jean-baptiste", "marie-helene", "loic", "mael",
                                         "zoe",  "contact",       "anne-sophie",  "james"};
    static const char *const lasts[] = {"martin",    "legoff", "dosantos",       "saint-exupery",
                                        "dalembert", "ndiaye", "lefevre-dupuis", "x",
                                        "oconnor",   "bensaid"};
    static const char *const domains[] = {"gmail.com",
                                          "orange.fr",
                                          "free.fr",
                                          "wanadoo.fr",
                                          "laposte.net",
                                          "hotmail.fr",
                                          "yahoo.co.uk",
                                          "skynet.be",
                                          "bluewin.ch",
                                          "videotron.ca",
                                          "protonmail.com",
                                          "boulangerie-martin.fr",
                                          "auto-ecolemartin-lacroix.eu",
                                          "creditagricolecentre-est.com",
                                          "societegeneraledequipementsain.io",
                                          "lepetitcafe.net",
                                          "novahorizon.fr",
                                          "entreprise.fr"};
    size_t f = i / N(lasts), l = i % N(lasts);
    if (f >= N(firsts))
        return 0;
    const char *d = domains[(f * 7 + l) % N(domains)];
    switch ((f + l) % 6) {
    case 0:
        snprintf(local, 64, "%s.%s", firsts[f], lasts[l]);
        break;
    case 1:
        snprintf(local, 64, "%c.%s", firsts[f][0], lasts[l]);
        break;
    case 2:
        snprintf(local, 64, "%s%s", firsts[f], lasts[l]);
        break;
    case 3:
        snprintf(local, 64, "%s_%s%zu", firsts[f], lasts[l], l + 1);
        break;
    case 4:
        snprintf(local, 64, "%s.%s%zu", lasts[l], firsts[f], 1950 + f);
        break;
    default:
        snprintf(local, 64, "%s%zu", firsts[f], 1000 * l + f);
        break;
    }
    snprintf(domain, 64, "%s", d);
    snprintf(email, cap, "%s@%s", local, domain);
    return 1;
}

static void test_generated_emails_are_accepted_and_lower_cased(void **state) {
    (void)state;
    char local[64], domain[64], email[160], deco[200];
    int n = 0;
    for (size_t i = 0; gen_email(i, email, sizeof email, local, domain); i++) {
        check_email(email, email);
        for (size_t k = 0; email[k]; k++) /* upper-cased */
            deco[k] = (char)(email[k] >= 'a' && email[k] <= 'z' ? email[k] - 32 : email[k]),
            deco[k + 1] = '\0';
        check_email(deco, email);
        capitalize(local); /* capitalised, each side */
        capitalize(domain);
        snprintf(deco, sizeof deco, "%s@%s", local, domain);
        check_email(deco, email);
        snprintf(deco, sizeof deco, " %s ", email); /* padded */
        check_email(deco, email);
        snprintf(deco, sizeof deco, "%s ", email);
        check_email(deco, email);
        snprintf(deco, sizeof deco, "  %s", email);
        check_email(deco, email);
        n += 6;
    }
    assert_true(n >= 500);
    expect_no_failures();
}

static void test_corrupted_generated_emails_are_rejected(void **state) {
    (void)state;
    char local[64], domain[64], email[160], bad[200];
    int n = 0;
    for (size_t i = 0; gen_email(i, email, sizeof email, local, domain); i++) {
        const char *tld = strrchr(domain, '.');
        snprintf(bad, sizeof bad, "%s%s", local, domain); /* @ lost */
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%s@@%s", local, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%.1s %s@%s", local, local + 1, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%s@%s.", local, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, ".%s@%s", local, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%s..x@%s", local, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%s,%s", local, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%s@%.*s%.2s", local, (int)(tld - domain), domain, tld);
        check_email(bad, NULL); /* one-letter TLD */
        snprintf(bad, sizeof bad, "%sé@%s", local, domain);
        check_email(bad, NULL);
        snprintf(bad, sizeof bad, "%s@%.*s_%s", local, (int)(tld - domain), domain, tld);
        check_email(bad, NULL);
        n += 10;
    }
    assert_true(n >= 900);
    expect_no_failures();
}

static void test_realistic_emails_are_accepted(void **state) {
    (void)state;
    static const char *const ok[][2] = {
        {"jean.dupont@gmail.com", "jean.dupont@gmail.com"},
        {"Jean.Dupont@Orange.FR", "jean.dupont@orange.fr"},
        {"\xC2\xA0jean@free.fr\xC2\xA0", "jean@free.fr"},
        {"\tjean@free.fr\r\n", "jean@free.fr"},
        {"jean+crm@gmail.com", "jean+crm@gmail.com"},
        {"marie-claire.o'neil@example.ie", "marie-claire.o'neil@example.ie"},
        {"contact@sub.domain.example.fr", "contact@sub.domain.example.fr"},
        {"a@b.co", "a@b.co"},
        {"1234@numbers.fr", "1234@numbers.fr"},
        {"info@123.example.com", "info@123.example.com"},
        {"x_y-z@my-company.museum", "x_y-z@my-company.museum"},
        {"!#$%&'*+/=?^_`{|}~-@example.org", "!#$%&'*+/=?^_`{|}~-@example.org"},
        {"jean@société.fr", "jean@société.fr"},
        {"JEAN@SOCIÉTÉ.FR", "jean@sociÉtÉ.fr"},
        {"jean@xn--socit-esab.fr", "jean@xn--socit-esab.fr"},
        {"user@example.xn--p1ai", "user@example.xn--p1ai"},
        {"user@пример.рф", "user@пример.рф"},
        {"first.last@a.b.c.d.e.fr", "first.last@a.b.c.d.e.fr"},
        {"prenom.nom@mairie-saint-etienne.fr", "prenom.nom@mairie-saint-etienne.fr"},
        {"o.connor@x.io", "o.connor@x.io"},
        {"j\xE2\x80\x8B"
         "ean@free.fr",
         "jean@free.fr"}, /* zero-width space dropped */
    };
    for (size_t i = 0; i < N(ok); i++)
        check_email(ok[i][0], ok[i][1]);
    expect_no_failures();
}

static void test_bad_emails_of_gen_leads_are_rejected(void **state) {
    (void)state;
    static const char *const bad[] = {"n/a",
                                      "-",
                                      "pas d'email",
                                      "jean.dupont@",
                                      "@orange.fr",
                                      "contact@@free.fr",
                                      "marie dupont@gmail.com",
                                      "martin.gmail.com",
                                      "jean.martin@gmail",
                                      "jean.martin@gmail..com",
                                      "jean,martin@free.fr",
                                      "info@société",
                                      "x@y",
                                      "..@..",
                                      "test@test",
                                      "NULL",
                                      "0",
                                      "aucun"};
    for (size_t i = 0; i < N(bad); i++)
        check_email(bad[i], NULL);
    expect_no_failures();
}

static void test_invalid_email_shapes_are_rejected(void **state) {
    (void)state;
    static const char *const bad[] = {"",
                                      " ",
                                      "@",
                                      "a@",
                                      "@b.fr",
                                      "a@b",
                                      "a@b.",
                                      "a@.fr",
                                      "a@b..fr",
                                      ".jean@free.fr",
                                      "jean.@free.fr",
                                      "je..an@free.fr",
                                      "jean@free.f",
                                      "jean@free.123",
                                      "jean@-free.fr",
                                      "jean@free-.fr",
                                      "jean@fr ee.fr",
                                      "jean @free.fr",
                                      "jean@ free.fr",
                                      "jean@free.fr.",
                                      "jean@@free.fr",
                                      "jean@free@fr.fr",
                                      "\"jean\"@free.fr",
                                      "jean(x)@free.fr",
                                      "jean<@free.fr",
                                      "<jean@free.fr>",
                                      "Jean Dupont <jean@free.fr>",
                                      "mailto:jean@free.fr",
                                      "jean;marie@free.fr",
                                      "jean@free.fr;marie@free.fr",
                                      "jean@free.fr, marie@free.fr",
                                      "jean@free_fr.com",
                                      "jean@free!.fr",
                                      "jean@[192.168.0.1]",
                                      "jean@192.168.0.1",
                                      "jéan@free.fr",
                                      "jean@fr€e.fr",
                                      "jean@free.f1",
                                      "jean\x01@free.fr",
                                      "jean@free.fr\x7f",
                                      "jean\\@free.fr",
                                      "jean@free.fr/",
                                      "http://free.fr",
                                      "www.free.fr",
                                      "jean.dupont",
                                      "jean.dupont@gmail,com",
                                      "jean.dupont@gmail.c0m",
                                      "a@b.c",
                                      "jean@xn--.fr",
                                      "?",
                                      "#N/A",
                                      "non renseigné",
                                      "inconnu@",
                                      "-@-.--"};
    for (size_t i = 0; i < N(bad); i++)
        check_email(bad[i], NULL);
    expect_no_failures();
}

static void test_email_length_limits(void **state) {
    (void)state;
    char buf[400], want[400];
    /* local part: 64 bytes accepted, 65 refused */
    snprintf(buf, sizeof buf, "%s@x.fr",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    check_email(buf, buf);
    snprintf(buf, sizeof buf, "%s@x.fr",
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    check_email(buf, NULL);
    /* a label: 63 bytes accepted, 64 refused */
    snprintf(buf, sizeof buf, "a@%s.fr",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    check_email(buf, buf);
    snprintf(buf, sizeof buf, "a@%s.fr",
             "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    check_email(buf, NULL);
    /* the whole address: 254 accepted, 255 refused (domain of 245 bytes) */
    char domain[246];
    memset(domain, 'c', 245);
    domain[63] = domain[127] = domain[191] = '.';
    memcpy(domain + 242, ".fr", 4);
    snprintf(buf, sizeof buf, "aaaaaaaa@%s", domain);
    assert_int_equal(strlen(buf), 254);
    snprintf(want, sizeof want, "%s", buf);
    check_email(buf, want);
    snprintf(buf, sizeof buf, "aaaaaaaaa@%s", domain);
    check_email(buf, NULL);
    char small[8];
    assert_int_equal(li_norm_email("a@b.fr", 6, small, 6), LI_MSG_EMAIL_INVALID); /* no room */
    assert_int_equal(li_norm_email("a@b.fr", 6, small, 7), LI_MSG_NONE);
    expect_no_failures();
}

/* --- phones -------------------------------------------------------------- */

/* The ten shapes of gen_leads.py format_fr_phone(); d is 10 digits. */
static void fr_formats(const char *d, char out[10][40]) {
    char p[5][3];
    for (int i = 0; i < 5; i++)
        snprintf(p[i], 3, "%.2s", d + 2 * i);
    snprintf(out[0], 40, "%s %s %s %s %s", p[0], p[1], p[2], p[3], p[4]);
    snprintf(out[1], 40, "%s", d);
    snprintf(out[2], 40, "+33 %c %s %s %s %s", d[1], p[1], p[2], p[3], p[4]);
    snprintf(out[3], 40, "%s.%s.%s.%s.%s", p[0], p[1], p[2], p[3], p[4]);
    snprintf(out[4], 40, "%s-%s-%s-%s-%s", p[0], p[1], p[2], p[3], p[4]);
    snprintf(out[5], 40, "+33%s", d + 1);
    snprintf(out[6], 40, "0033 %c %s %s %s %s", d[1], p[1], p[2], p[3], p[4]);
    snprintf(out[7], 40, "+33 (0)%c %s %s %s %s", d[1], p[1], p[2], p[3], p[4]);
    snprintf(out[8], 40, "33%s", d + 1);
    snprintf(out[9], 40, "%s", d + 1);
}

static void test_every_gen_leads_french_format_is_accepted(void **state) {
    (void)state;
    /* every prefix phone_digits() draws: 06[01245678], 07[3-9], 01, 03, 04[1-9], 05[0-8] */
    static const char *const numbers[] = {
        "0601234567", "0612345678", "0623456789", "0640000001", "0654321098", "0665432109",
        "0676543210", "0687654321", "0730000000", "0741234567", "0752345678", "0763456789",
        "0774567890", "0785678901", "0799999999", "0100000000", "0144556677", "0199887766",
        "0300000001", "0388123456", "0411111111", "0422334455", "0491234567", "0499999999",
        "0500000000", "0512345678", "0556789012", "0581234567", "0600000000", "0109090909"};
    char shapes[10][40], want[20];
    for (size_t i = 0; i < N(numbers); i++) {
        fr_formats(numbers[i], shapes);
        snprintf(want, sizeof want, "+33%s", numbers[i] + 1);
        for (int k = 0; k < 10; k++)
            check_phone(shapes[k], want);
    }
    expect_no_failures();
}

static void test_corrupted_french_formats_are_rejected(void **state) {
    (void)state;
    /* a digit lost, a digit too many or a letter: every shape becomes invalid */
    static const char *const numbers[] = {"0612345678", "0741234567", "0144556677", "0388123456",
                                          "0491234567", "0556789012", "0687654321", "0799999999",
                                          "0109090909", "0300000001"};
    char shapes[10][40], bad[48];
    for (size_t i = 0; i < N(numbers); i++) {
        fr_formats(numbers[i], shapes);
        for (int k = 0; k < 10; k++) {
            size_t len = strlen(shapes[k]);
            snprintf(bad, sizeof bad, "%.*s", (int)(len - 1), shapes[k]);
            check_phone(bad, NULL);
            snprintf(bad, sizeof bad, "%s5", shapes[k]);
            check_phone(bad, NULL);
            snprintf(bad, sizeof bad, "%sA", shapes[k]);
            check_phone(bad, NULL);
        }
    }
    expect_no_failures();
}

static void test_every_gen_leads_foreign_format_is_accepted(void **state) {
    (void)state;
    static const char *const ok[][2] = {/* "+32 4xx xx xx xx": Belgian mobiles */
                                        {"+32 456 12 34 56", "+32456123456"},
                                        {"+32 470 00 00 00", "+32470000000"},
                                        {"+32 499 99 99 99", "+32499999999"},
                                        {"+32 485 10 20 30", "+32485102030"},
                                        /* "+41 7x xxx xx xx": Swiss mobiles */
                                        {"+41 75 123 45 67", "+41751234567"},
                                        {"+41 79 000 00 00", "+41790000000"},
                                        {"+41 76 987 65 43", "+41769876543"},
                                        {"+41 78 555 12 12", "+41785551212"},
                                        /* "+352 6x1 xxx xxx": Luxembourg mobiles */
                                        {"+352 621 123 456", "+352621123456"},
                                        {"+352 661 000 000", "+352661000000"},
                                        {"+352 691 999 999", "+352691999999"},
                                        /* "+1 (514) xxx-xxxx": Montréal */
                                        {"+1 (514) 234-5678", "+15142345678"},
                                        {"+1 (514) 987-6543", "+15149876543"},
                                        {"+1 (514) 600-0000", "+15146000000"},
                                        {"+1 (514) 399-1234", "+15143991234"},
                                        /* "+44 77xx xxxxxx": UK mobiles */
                                        {"+44 7712 345678", "+447712345678"},
                                        {"+44 7770 000000", "+447770000000"},
                                        {"+44 7799 999999", "+447799999999"}};
    for (size_t i = 0; i < N(ok); i++)
        check_phone(ok[i][0], ok[i][1]);
    expect_no_failures();
}

static void test_realistic_phone_shapes_are_normalised(void **state) {
    (void)state;
    static const char *const ok[][2] = {
        {"06\xC2\xA0"
         "12\xC2\xA0"
         "34\xC2\xA0"
         "56\xC2\xA0"
         "78",
         "+33612345678"}, /* NBSP */
        {"06\xE2\x80\xAF"
         "12\xE2\x80\xAF"
         "34\xE2\x80\xAF"
         "56\xE2\x80\xAF"
         "78",
         "+33612345678"}, /* narrow NBSP */
        {"  06 12 34 56 78  ", "+33612345678"},
        {"\t06 12 34 56 78\t", "+33612345678"},
        {"06/12/34/56/78", "+33612345678"},
        {"06 12 34 56 78 ", "+33612345678"},
        {"(06) 12 34 56 78", "+33612345678"},
        {"06 \xE2\x80\x93 12 \xE2\x80\x93 34 \xE2\x80\x93 56 \xE2\x80\x93 78", "+33612345678"},
        {"+33(0)612345678", "+33612345678"},
        {"+33 ( 0 ) 6 12 34 56 78", "+33612345678"},
        {"0033 (0)6 12 34 56 78", "+33612345678"},
        {"(+33) 6 12 34 56 78", "+33612345678"},
        {"+33 06 12 34 56 78", "+33612345678"}, /* stray trunk 0 after +33 */
        {"+33.6.12.34.56.78", "+33612345678"},
        {"+33-6-12-34-56-78", "+33612345678"},
        {"01 44 55 66 77", "+33144556677"},
        {"0 800 123 456", "+33800123456"},
        {"09 72 12 34 56", "+33972123456"},
        {"+32 2 234 56 78", "+3222345678"}, /* Brussels landline, 8 digits (2 1xx: unassigned) */
        {"0032 470 12 34 56", "+32470123456"},
        {"+41 22 123 45 67", "+41221234567"}, /* Geneva */
        {"+41 (0)22 123 45 67", "+41221234567"},
        {"+352 26 12 34", "+352261234"}, /* 4..11 digits: short LU landline */
        {"+352 26 12 34 56", "+35226123456"},
        {"+49 30 1234567", "+49301234567"},
        {"+49 (0)89 123456", "+4989123456"},
        {"+34 612 34 56 78", "+34612345678"},
        {"+39 06 1234 5678", "+390612345678"}, /* Italy keeps its 0 */
        {"+39 347 123 4567", "+393471234567"},
        {"+31 6 12345678", "+31612345678"},
        {"+351 912 345 678", "+351912345678"},
        {"+1 514 555 1234", "+15145551234"},
        {"+1-212-555-0123", "+12125550123"},
        {"+212 6 12 34 56 78", "+212612345678"},
        {"+213 5 51 23 45 67", "+213551234567"},
        {"+216 20 123 456", "+21620123456"},
        {"+262 692 12 34 56", "+262692123456"},
        {"+590 690 12 34 56", "+590690123456"},
        {"+594 694 12 34 56", "+594694123456"},
        {"+596 696 12 34 56", "+596696123456"},
        {"+687 28 12 34", "+687281234"},
        {"+689 87 12 34 56", "+68987123456"},
        {"+377 99 99 99 99", "+37799999999"},
        {"+81 3 1234 5678", "+81312345678"}, /* generic rule: 8..15 digits */
        {"+86 138 0013 8000", "+8613800138000"},
        {"+7 495 123 45 67", "+74951234567"},
        {"+971 50 123 4567", "+971501234567"},
        {"+971 050 123 4567", "+971501234567"},    /* stray trunk 0 dropped... */
        {"+225 07 07 12 34 56", "+2250707123456"}, /* ...but not where 0 is part of it */
        {"+1 1 514 555 1234", "+15145551234"},     /* NANP trunk 1 after +1 */
        {"330612345678", "+33612345678"},          /* 33, then the trunk 0 */
        {"+0033 6 12 34 56 78", "+33612345678"},
        /* French overseas numbers dialled from France get their own code */
        {"0692 12 34 56", "+262692123456"},
        {"0262 12 34 56", "+262262123456"},
        {"0639 01 23 45", "+262639012345"}, /* Mayotte (0639 12: unassigned) */
        {"0590 12 34 56", "+590590123456"},
        {"0690 12 34 56", "+590690123456"},
        {"0594 12 34 56", "+594594123456"},
        {"0696 12 34 56", "+596696123456"},
        {"+33 6 92 12 34 56", "+262692123456"},
    };
    for (size_t i = 0; i < N(ok); i++)
        check_phone(ok[i][0], ok[i][1]);
    expect_no_failures();
}

static void test_bad_phones_of_gen_leads_are_rejected(void **state) {
    (void)state;
    static const struct {
        const char *in;
        li_msg code;
    } bad[] = {
        {"06 12 34 56", LI_MSG_PHONE_INVALID},
        {"12345", LI_MSG_PHONE_INVALID},
        {"téléphone", LI_MSG_PHONE_INVALID},
        {"+33 6 12 34 56 78 90", LI_MSG_PHONE_INVALID},
        {"0012", LI_MSG_PHONE_INVALID},
        {"00 00 00 00 00", LI_MSG_PHONE_INVALID},
        {"06-XX-XX-XX-XX", LI_MSG_PHONE_INVALID},
        {"N/A", LI_MSG_PHONE_INVALID},
        {"0", LI_MSG_PHONE_INVALID},
        {"#ERROR!", LI_MSG_PHONE_INVALID},
        {"6,12E+08", LI_MSG_PHONE_PRECISION_LOST},
        {"3,3612E+10", LI_MSG_PHONE_PRECISION_LOST},
        {"ne pas appeler", LI_MSG_PHONE_INVALID},
        {"+33 0 6 12 34 56 78 9", LI_MSG_PHONE_INVALID},
    };
    for (size_t i = 0; i < N(bad); i++)
        check_phone_in(NULL, bad[i].in, bad[i].code, NULL);
    expect_no_failures();
}

static void test_invalid_phone_shapes_are_rejected(void **state) {
    (void)state;
    static const char *const bad[] = {
        "",
        " ",
        "+",
        "00",
        "+33",
        "+33 1 23",
        "+33 6 12 34 56 7",
        "06 12 34 56 78 9",
        "0612345678901",
        "1234567890",
        "6123456789",
        "3361234567",
        "336123456789",
        "06 12 34 56 78 ext",              /* an extension needs digits, */
        "06 12 34 56 78 poste 12345678901", /* at most 10 (phone.c) */
        "06 12 34 56 78 / 06 98 76 54 32",
        "06 12 34 56 78a",
        "tel: 06 12 34 56 78",
        "Tél. 06 12 34 56 78",
        "++33612345678",
        "+33+612345678",
        "06 12 +34 56 78",
        "+0 6 12 34 56 78",
        "+999 12345678",
        "+1 (123) 456-7890",
        "+1 (514) 123-4567",
        "+1 514 555 123",
        "+44 0",
        "+44 12345678",
        "+32 1234567",
        "+41 12 34 56 78",
        "+352 123",
        "+34 412 34 56 78",
        "+351 112 345 678",
        "+81 1234",
        "+86 1380013800012345",
        "0000000000",
        "00 33 0",
        "0033",
        "06_12_34_56_78",
        "06,12,34,56,78",
        "06;12;34;56;78",
        "06*12*34*56*78",
        "06 12 34 56 78 #",
        "\xD9\xA0\xD9\xA6\xD9\xA1\xD9\xA2\xD9\xA3\xD9\xA4\xD9\xA5\xD9\xA6\xD9\xA7\xD9\xA8",
        "=0612345678",
        "'+33612345678",
        "06.12.34.56.78.90",
        "+33 (0)",
        "(0)6 12 34 56 78 00",
        "-",
        "x",
        "NULL",
        "inconnu",
        "00 33 6 12 34 56 78 90 12 34 56"};
    for (size_t i = 0; i < N(bad); i++)
        check_phone(bad[i], NULL);
    expect_no_failures();
}

static void test_excel_scientific_notation_is_read_only_without_lost_digits(void **state) {
    (void)state;
    check_phone("3,3612345678E+10", "+33612345678");
    check_phone("3.3612345678E+10", "+33612345678");
    check_phone("3,3612345678e+10", "+33612345678");
    check_phone("3,3612345678E10", "+33612345678");
    check_phone(" 3,3612345678E+10 ", "+33612345678");
    check_phone("6,12345678E+08", "+33612345678"); /* lost its 0 as well */
    check_phone("1,44556677E+08", "+33144556677");
    check_phone("3,3144556670E+10", "+33144556670"); /* trailing zero written */
    check_phone_in(NULL, "6,12E+08", LI_MSG_PHONE_PRECISION_LOST, NULL);
    check_phone_in(NULL, "3,3612E+10", LI_MSG_PHONE_PRECISION_LOST, NULL);
    check_phone_in(NULL, "3.36E+10", LI_MSG_PHONE_PRECISION_LOST, NULL);
    check_phone_in(NULL, "3,314455667E+10", LI_MSG_PHONE_PRECISION_LOST, NULL);
    check_phone_in(NULL, "6E+08", LI_MSG_PHONE_PRECISION_LOST, NULL);
    check_phone_in(NULL, "6,1234567891E+08", LI_MSG_PHONE_INVALID, NULL); /* not an integer */
    check_phone_in(NULL, "6,12E+", LI_MSG_PHONE_INVALID, NULL);
    check_phone_in(NULL, "6,12E-08", LI_MSG_PHONE_INVALID, NULL);
    expect_no_failures();
}

static void test_region_sets_the_plan_of_national_numbers(void **state) {
    (void)state;
    check_phone_in("BE", "0470 12 34 56", LI_MSG_NONE, "+32470123456");
    check_phone_in("be", "02 234 56 78", LI_MSG_NONE, "+3222345678");
    check_phone_in("CH", "079 123 45 67", LI_MSG_NONE, "+41791234567");
    check_phone_in("US", "(514) 555-1234", LI_MSG_NONE, "+15145551234");
    check_phone_in("CA", "1 514 555 1234", LI_MSG_NONE, "+15145551234");
    check_phone_in("ES", "612 34 56 78", LI_MSG_NONE, "+34612345678");
    check_phone_in("IT", "06 1234 5678", LI_MSG_NONE, "+390612345678");
    check_phone_in("GB", "07911 123456", LI_MSG_NONE, "+447911123456");
    check_phone_in("GB", "07700 900123", LI_MSG_PHONE_INVALID, NULL); /* Ofcom: for drama */
    check_phone_in("UK", "020 7946 0018", LI_MSG_NONE, "+442079460018");
    check_phone_in("BE", "+33 6 12 34 56 78", LI_MSG_NONE, "+33612345678");
    check_phone_in("BE", "12 34", LI_MSG_PHONE_INVALID, NULL);
    check_phone_in("CH", "079 123 45 6", LI_MSG_PHONE_INVALID, NULL);
    /* an unknown region: only international numbers */
    check_phone_in("XX", "+33 6 12 34 56 78", LI_MSG_NONE, "+33612345678");
    check_phone_in("XX", "06 12 34 56 78", LI_MSG_PHONE_INVALID, NULL);
    check_phone_in("FRA", "06 12 34 56 78", LI_MSG_PHONE_INVALID, NULL);
    expect_no_failures();
}

static void test_phone_output_needs_17_bytes(void **state) {
    (void)state;
    char out[17];
    assert_int_equal(li_norm_phone("+86 138 0013 8000", 17, "FR", out, 16), LI_MSG_PHONE_INVALID);
    assert_int_equal(li_norm_phone("+86 138 0013 8000", 17, "FR", out, 17), LI_MSG_NONE);
    assert_string_equal(out, "+8613800138000");
}

static void test_country_codes_are_sorted_and_prefix_free(void **state) {
    (void)state;
    size_t n;
    const unsigned short *cc = li__cc_list(&n);
    assert_true(n > 200);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            assert_true(cc[i - 1] < cc[i]);
        for (unsigned p = cc[i] / 10; p > 0; p /= 10)
            if (li__cc_assigned(p))
                fail_msg("%u is a prefix of %u", p, cc[i]);
    }
    static const unsigned known[] = {1,   7,   33,  32,  41,  352, 49,  34,  39,  44,  31,
                                     351, 212, 213, 216, 262, 590, 594, 596, 269, 687, 689};
    for (size_t i = 0; i < N(known); i++)
        assert_true(li__cc_assigned(known[i]));
    assert_false(li__cc_assigned(21));
    assert_false(li__cc_assigned(999));
}

/* --- text ---------------------------------------------------------------- */

static void test_text_trims_ascii_and_unicode_spaces(void **state) {
    (void)state;
    assert_string_equal(norm("  Jean  ", 1, 0), "Jean");
    assert_string_equal(norm("\xC2\xA0Jean\xC2\xA0", 1, 0), "Jean");         /* NBSP */
    assert_string_equal(norm("\xE2\x80\xAFJean\xE2\x80\xAF", 1, 0), "Jean"); /* U+202F */
    assert_string_equal(norm("\xE2\x80\x87Jean\xE2\x80\x89", 1, 0), "Jean"); /* figure, thin */
    assert_string_equal(norm("\xE2\x80\x8BJean\xE2\x80\x8B", 1, 0), "Jean"); /* zero width */
    assert_string_equal(norm("\xEF\xBB\xBFJean\xEF\xBB\xBF", 1, 0), "Jean"); /* BOM */
    assert_string_equal(norm("\xE3\x80\x80Jean\t\r\n", 1, 0), "Jean");
    assert_string_equal(norm(" \xC2\xA0 Notes \xC2\xA0 ", 0, 1), "Notes");
    assert_string_equal(norm("   ", 1, 0), "");
    assert_string_equal(norm("", 1, 0), "");
    assert_string_equal(norm("Jérôme", 1, 0), "Jérôme");
}

static void test_text_collapses_inner_whitespace_for_names(void **state) {
    (void)state;
    assert_string_equal(norm("Jean   Pierre", 1, 0), "Jean Pierre");
    assert_string_equal(norm("Jean\t\xC2\xA0 Pierre", 1, 0), "Jean Pierre");
    assert_string_equal(norm("Jean\nPierre", 1, 0), "Jean Pierre");
    assert_string_equal(norm("Dupont,  Durand  et  Associés", 1, 0), "Dupont, Durand et Associés");
    assert_string_equal(norm("Le\xE2\x80\x8B"
                             "Goff",
                             1, 0),
                        "LeGoff"); /* invisible, not a space */
    assert_string_equal(norm("Budget 15\xC2\xA0"
                             "000\xC2\xA0€",
                             1, 0),
                        "Budget 15 000 €");
}

static void test_text_keeps_line_breaks_in_notes_and_address(void **state) {
    (void)state;
    /* address: collapse + keep_newlines */
    assert_string_equal(norm("12 rue  de la Paix \r\n ZI des Vignes", 1, 1),
                        "12 rue de la Paix\nZI des Vignes");
    assert_string_equal(norm("a\n\n\n\nb", 1, 1), "a\n\nb");
    assert_string_equal(norm("a\rb", 1, 1), "a\nb");
    /* notes: kept as written, CR LF turned into LF */
    assert_string_equal(norm("Rappeler lundi\r\nDemande un devis.", 0, 1),
                        "Rappeler lundi\nDemande un devis.");
    assert_string_equal(norm("15\xC2\xA0"
                             "000 €  HT",
                             0, 1),
                        "15\xC2\xA0"
                        "000 €  HT");
    assert_string_equal(norm("a\tb", 0, 1), "a\tb");
    assert_string_equal(norm("\r\n\r\nnote\r\n\r\n", 0, 1), "note");
    assert_string_equal(norm("a\nb", 0, 0), "a b");
}

static void test_text_removes_control_characters(void **state) {
    (void)state;
    int ctrl = 0;
    char out[64];
    size_t n = li__norm_text("Je\x01"
                             "an\x7f",
                             6, out, 1, 0, &ctrl);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "Jean", 4);
    assert_int_equal(ctrl, 1);
    ctrl = 0;
    n = li__norm_text("Jean\xC2\x80\xC2\x9F", 8, out, 1, 0, &ctrl); /* C1 controls */
    assert_int_equal(n, 4);
    assert_int_equal(ctrl, 1);
    ctrl = 0;
    n = li__norm_text("Jean\r\n\t", 7, out, 0, 1, &ctrl); /* whitespace is not control */
    assert_int_equal(n, 4);
    assert_int_equal(ctrl, 0);
    assert_string_equal(norm("a\x00"
                             "b",
                             1, 0),
                        "a"); /* strlen stops: the API takes len */
    n = li_norm_text("a\0b", 3, out, 1, 0);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "ab", 2);
}

static void test_text_never_grows_and_is_idempotent(void **state) {
    (void)state;
    static const char *const pieces[] = {" ",    "\t",       "\n",           "\r",
                                         "\r\n", "\xC2\xA0", "\xE2\x80\xAF", "\xE2\x80\x8B",
                                         "\x01", "\xC2\x85", "\xEF\xBB\xBF", "é",
                                         "a",    "Z",        "\xE2\x82\xAC", "\xE2\x80\xA8",
                                         "\x7f"};
    unsigned seed = 12345;
    char in[256], once[256], twice[256];
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        int k = (int)(seed % 12);
        for (int j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *p = pieces[(seed >> 16) % N(pieces)];
            memcpy(in + len, p, strlen(p));
            len += strlen(p);
        }
        seed = seed * 1103515245u + 12345u;
        int collapse = (int)(seed >> 20) & 1, keep = (int)(seed >> 21) & 1;
        int ctrl = 0;
        size_t n1 = li__norm_text(in, len, once, collapse, keep, &ctrl);
        assert_true(n1 <= len);
        size_t n2 = li__norm_text(once, n1, twice, collapse, keep, &ctrl);
        assert_int_equal(n1, n2);
        assert_memory_equal(once, twice, n1);
        memcpy(twice, in, len); /* in place gives the same */
        assert_int_equal(li__norm_text(twice, len, twice, collapse, keep, &ctrl), n1);
        assert_memory_equal(twice, once, n1);
    }
}

/* 1 if the n bytes at s start with one of the sequences the rules call whitespace or invisible. */
static size_t blank_at(const char *s, size_t n) {
    static const char *const blanks[] = {" ",            "\t",           "\n",
                                         "\r",           "\xC2\xA0",     "\xC2\x85",
                                         "\xE2\x80\x80", "\xE2\x80\x8A", "\xE2\x80\xAF",
                                         "\xE2\x80\x8B", "\xE2\x80\xA8", "\xEF\xBB\xBF"};
    for (size_t b = 0; b < N(blanks); b++) {
        size_t k = strlen(blanks[b]);
        if (k <= n && memcmp(s, blanks[b], k) == 0)
            return k;
    }
    return 0;
}

/*
 * What every normalised text is, whatever path made it: long plain runs of
 * ASCII and accents (the cells most files hold) cut by every kind of blank,
 * at every offset against the 8-byte words the plain path reads.
 */
static void test_text_rules_hold_at_every_length(void **state) {
    (void)state;
    static const char *const pieces[] = {
        "a",  "b",  "Z",  "0",  "@", ".", "-", "~", " ", " ", "  ", "\t", "é", "ç",
        "\xC2\xA0", "\xE2\x80\x8B", "\xEF\xBB\xBF", "\x7f", "\x01", "\n", "\xC2\x9F", "\xE2\x80\xAF"};
    unsigned seed = 4242;
    char in[256], out[256];
    int plain_seen = 0;
    for (int iter = 0; iter < 200000; iter++) {
        size_t len = 0;
        seed = seed * 1103515245u + 12345u;
        size_t want = (seed >> 16) % 40;
        int plain_only = (seed >> 8) & 1; /* half the time, nothing but letters and single spaces */
        while (len < want) {
            seed = seed * 1103515245u + 12345u;
            static const size_t plain[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13};
            size_t pick = plain_only ? plain[(seed >> 16) % N(plain)] : (seed >> 16) % N(pieces);
            const char *p = pieces[pick];
            memcpy(in + len, p, strlen(p));
            len += strlen(p);
        }
        seed = seed * 1103515245u + 12345u;
        int collapse = (int)(seed >> 20) & 1, keep = (int)(seed >> 21) & 1;
        int ctrl = 0;
        size_t n = li__norm_text(in, len, out, collapse, keep, &ctrl);
        assert_true(n <= len);
        if (n) { /* trimmed at both ends */
            assert_int_equal(blank_at(out, n), 0);
            for (size_t k = 1; k <= 3 && k <= n; k++)
                assert_true(blank_at(out + n - k, k) != k);
        }
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];
            assert_true(c != 0x7f && c != 0x01); /* controls removed */
            assert_false(c == 0xC2 && i + 1 < n && (unsigned char)out[i + 1] == 0x9F);
            assert_false(i + 2 < n && memcmp(out + i, "\xEF\xBB\xBF", 3) == 0); /* invisibles */
            assert_false(i + 2 < n && memcmp(out + i, "\xE2\x80\x8B", 3) == 0);
            if (collapse && c == ' ')
                assert_true(i + 1 < n && out[i + 1] != ' '); /* one space between words */
            if (collapse)
                assert_true(c != '\t' && !(c == 0xC2 && i + 1 < n && (unsigned char)out[i + 1] == 0xA0));
        }
        /* A text already in its normal form is its own normal form. */
        int normal = len > 0 && in[0] != ' ' && in[len - 1] != ' ';
        for (size_t i = 0; normal && i < len; i++) {
            unsigned char c = (unsigned char)in[i];
            normal = (c >= 0x20 && c < 0x7f) || c == 0xC3 || c == 0xA9 || c == 0xA7;
            if (collapse && c == ' ' && i + 1 < len && in[i + 1] == ' ')
                normal = 0;
        }
        if (normal) {
            plain_seen++;
            assert_int_equal(n, len);
            assert_memory_equal(out, in, len);
        }
    }
    assert_true(plain_seen > 10000);
}

/* --- rows ---------------------------------------------------------------- */

static const char *const gen_header[] = {"Prénom", "Nom",     "Email",       "Téléphone", "Société",
                                         "Poste",  "Adresse", "Code postal", "Ville",     "Pays",
                                         "Source", "Notes",   "ID externe",  "Commercial"};

typedef struct fixture {
    li_mapping *m;
    li_validator *v;
    li_lead lead;
} fixture;

static fixture *fixture_new(const char *const *header, size_t n, const char *region) {
    fixture *fx = calloc(1, sizeof *fx);
    li_slice h[32];
    for (size_t i = 0; i < n; i++)
        h[i] = li_slice_of(header[i]);
    assert_int_equal(li_mapping_new(h, n, NULL, 0, &fx->m, NULL), LI_OK);
    li_validate_opts opts = {region};
    assert_int_equal(li_validator_new(fx->m, &opts, &fx->v, NULL), LI_OK);
    return fx;
}

static int setup_gen(void **state) {
    *state = fixture_new(gen_header, N(gen_header), NULL);
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    li_validator_free(fx->v);
    li_mapping_free(fx->m);
    free(fx);
    return 0;
}

/* Validates the row given as up to 16 strings (NULL ends it). */
static li_lead *row(fixture *fx, const char *const *cells) {
    li_slice f[16];
    size_t n = 0;
    while (n < 16 && cells[n]) {
        f[n] = li_slice_of(cells[n]);
        n++;
    }
    assert_int_equal(li_validate_row(fx->v, f, n, &fx->lead), LI_OK);
    return &fx->lead;
}

static int has_issue(const li_lead *l, li_msg code) {
    for (size_t i = 0; i < l->nissues; i++)
        if (l->issues[i].code == code)
            return 1;
    return 0;
}

#define VALUE_EQ(l, f, s) assert_true(li_slice_eq((l)->value[f], s))

static void test_valid_row_is_normalised(void **state) {
    fixture *fx = *state;
    const char *cells[] = {" Jean ",
                           "DUPONT",
                           " Jean.Dupont@Orange.FR ",
                           "06 12 34 56 78",
                           "Boulangerie  Dupont SARL",
                           "Gérant",
                           "12 bis rue de la Paix\r\nBât. A",
                           "75008",
                           "Paris",
                           "France",
                           "Salon Vivatech 2024",
                           "Rappeler lundi\r\nBudget 15\xC2\xA0"
                           "000 €",
                           "CRM-0000001",
                           "Sophie Martin",
                           NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 0);
    assert_int_equal(l->nissues, 0);
    VALUE_EQ(l, LI_FIELD_FIRST_NAME, "Jean");
    VALUE_EQ(l, LI_FIELD_LAST_NAME, "Dupont"); /* all capitals: title case */
    VALUE_EQ(l, LI_FIELD_EMAIL, "jean.dupont@orange.fr");
    VALUE_EQ(l, LI_FIELD_PHONE, "+33612345678");
    VALUE_EQ(l, LI_FIELD_COMPANY, "Boulangerie Dupont SARL");
    VALUE_EQ(l, LI_FIELD_ADDRESS, "12 bis rue de la Paix\nBât. A");
    VALUE_EQ(l, LI_FIELD_NOTES,
             "Rappeler lundi\nBudget 15\xC2\xA0"
             "000 €");
    VALUE_EQ(l, LI_FIELD_POSTAL_CODE, "75008");
    VALUE_EQ(l, LI_FIELD_COUNTRY, "FR");
    VALUE_EQ(l, LI_FIELD_OWNER, "Sophie Martin");
    assert_true(li_slice_eq(l->custom_json, "{}"));
}

static void test_row_without_email_nor_phone_is_contact_missing(void **state) {
    fixture *fx = *state;
    const char *cells[] = {"Jean", "Dupont", " ", "\xC2\xA0", "", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_CONTACT_MISSING);
    assert_string_equal(l->issues[0].text, "Ni e-mail ni téléphone : il faut au moins l'un des "
                                           "deux pour joindre ce contact");
}

static void test_row_without_last_name_nor_company_is_name_missing(void **state) {
    fixture *fx = *state;
    const char *cells[] = {"Jean", "", "jean@free.fr", "", "  ", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_NAME_MISSING);
    const char *empty_row[] = {"", NULL};
    l = row(fx, empty_row);
    assert_int_equal(l->nerrors, 2);
    assert_true(has_issue(l, LI_MSG_CONTACT_MISSING));
    assert_true(has_issue(l, LI_MSG_NAME_MISSING));
}

static void test_one_contact_and_one_name_are_enough(void **state) {
    fixture *fx = *state;
    const char *company_and_phone[] = {"", "", "", "0612345678", "Garage Martin", NULL};
    assert_int_equal(row(fx, company_and_phone)->nerrors, 0);
    const char *name_and_email[] = {"", "Martin", "m@free.fr", NULL};
    assert_int_equal(row(fx, name_and_email)->nerrors, 0);
}

static void test_invalid_email_alone_is_an_error_quoting_the_value(void **state) {
    fixture *fx = *state;
    /* no other way to reach the lead: the row is invalid */
    const char *cells[] = {"Jean", "Dupont", "  jean@  ", "", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_EMAIL_INVALID);
    assert_int_equal(l->issues[0].field, LI_FIELD_EMAIL);
    assert_string_equal(l->issues[0].text, "Adresse e-mail invalide : « jean@ »");
    VALUE_EQ(l, LI_FIELD_EMAIL, "jean@"); /* the trimmed text, for the report */
    /* it is still a contact that was given: no contact_missing */
    assert_false(has_issue(l, LI_MSG_CONTACT_MISSING));
    /* nor is an unusable phone beside it a way to reach the lead */
    const char *both[] = {"Jean", "Dupont", "n/a", "06 12 34", NULL};
    l = row(fx, both);
    assert_int_equal(l->nerrors, 2);
    assert_true(has_issue(l, LI_MSG_EMAIL_INVALID));
    assert_true(has_issue(l, LI_MSG_PHONE_INVALID));
}

static void test_invalid_phone_alone_is_an_error_quoting_the_value(void **state) {
    fixture *fx = *state;
    const char *cells[] = {"Jean", "Dupont", "", " 06 12 34 56 ", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_PHONE_INVALID);
    assert_int_equal(l->issues[0].field, LI_FIELD_PHONE);
    assert_string_equal(l->issues[0].text, "Numéro de téléphone invalide : « 06 12 34 56 »");
    const char *excel[] = {"Jean", "Dupont", "", "6,12E+08", NULL};
    l = row(fx, excel);
    assert_int_equal(l->nerrors, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_PHONE_PRECISION_LOST);
    assert_non_null(strstr(l->issues[0].text, "« 6,12E+08 »"));
}

/*
 * A lead with another way to reach it is kept: the unusable value is a
 * warning, the key field stays empty (it can never match a duplicate) and
 * the text is kept in a custom field, JSON-escaped.
 */
static void test_unusable_contact_beside_a_good_one_keeps_the_lead(void **state) {
    fixture *fx = *state;
    const char *bad_email[] = {"Jean", "Dupont", "jean\"dupont@", "06 12 34 56 78", NULL};
    li_lead *l = row(fx, bad_email);
    assert_int_equal(l->nerrors, 0);
    assert_true(has_issue(l, LI_MSG_EMAIL_UNUSABLE));
    assert_int_equal(l->value[LI_FIELD_EMAIL].len, 0);
    VALUE_EQ(l, LI_FIELD_PHONE, "+33612345678");
    assert_int_equal(l->custom_json.len, strlen("{\"E-mail non reconnu\":\"jean\\\"dupont@\"}"));
    assert_memory_equal(l->custom_json.ptr, "{\"E-mail non reconnu\":\"jean\\\"dupont@\"}",
                        l->custom_json.len);

    const char *bad_phone[] = {"Jean", "Dupont", "jean@free.fr", "06 12 34 56", NULL};
    l = row(fx, bad_phone);
    assert_int_equal(l->nerrors, 0);
    assert_true(has_issue(l, LI_MSG_PHONE_UNUSABLE));
    assert_int_equal(l->value[LI_FIELD_PHONE].len, 0);
    assert_int_equal(l->phone_type, LI_PHONE_UNKNOWN);
    VALUE_EQ(l, LI_FIELD_EMAIL, "jean@free.fr");
    const char *want = "{\"Téléphone non reconnu\":\"06 12 34 56\"}";
    assert_int_equal(l->custom_json.len, strlen(want));
    assert_memory_equal(l->custom_json.ptr, want, l->custom_json.len);

    const char *excel[] = {"Jean", "Dupont", "jean@free.fr", "6,12E+08", NULL};
    l = row(fx, excel);
    assert_int_equal(l->nerrors, 0);
    assert_true(has_issue(l, LI_MSG_PHONE_DAMAGED_UNUSABLE));
    assert_int_equal(l->value[LI_FIELD_PHONE].len, 0);
}

static void test_huge_invalid_value_is_quoted_shortened(void **state) {
    fixture *fx = *state;
    char big[2000];
    memset(big, 'y', sizeof big - 1);
    memcpy(big + 70, "ééééééééé", 18);
    big[sizeof big - 1] = '\0';
    const char *cells[] = {"Jean", "Dupont", big, NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->issues[0].code, LI_MSG_EMAIL_INVALID);
    const char *t = l->issues[0].text;
    assert_true(strlen(t) < 140);
    assert_non_null(strstr(t, "… »"));
    assert_non_null(strstr(t, "yyé")); /* shortened on a character boundary */
}

static void test_value_longer_than_its_field_is_an_error(void **state) {
    fixture *fx = *state;
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    const char *cells[] = {longname, "Dupont", "jean@free.fr", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_VALUE_TOO_LONG);
    assert_int_equal(l->issues[0].field, LI_FIELD_FIRST_NAME);
    assert_string_equal(l->issues[0].text,
                        "Valeur trop longue pour le champ Prénom : 199 caractères, maximum 100");
}

static void test_control_characters_are_removed_with_a_warning(void **state) {
    fixture *fx = *state;
    const char *cells[] = {"Je\x01"
                           "an",
                           "Dupont", "jean@free.fr", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 0);
    assert_int_equal(l->nissues, 1);
    assert_int_equal(l->issues[0].code, LI_MSG_VALUE_CONTROL_CHARS);
    assert_string_equal(l->issues[0].text, "Caractères de contrôle supprimés du champ Prénom");
    VALUE_EQ(l, LI_FIELD_FIRST_NAME, "Jean");
    /* in an e-mail or a phone they make the value invalid instead */
    const char *bad[] = {"Jean", "Dupont", "jean\x02@free.fr", "06 12 34 56 78\x03", NULL};
    l = row(fx, bad);
    assert_int_equal(l->nerrors, 2);
    assert_true(has_issue(l, LI_MSG_EMAIL_INVALID));
    assert_true(has_issue(l, LI_MSG_PHONE_INVALID));
}

static void test_missing_trailing_columns_read_as_empty(void **state) {
    fixture *fx = *state;
    const char *cells[] = {"Jean", "Dupont", "jean@free.fr", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 0);
    for (int f = LI_FIELD_PHONE; f < LI_FIELD__COUNT; f++)
        assert_int_equal(l->value[f].len, 0);
    li_lead *none = row(fx, (const char *[]){NULL});
    assert_int_equal(none->nerrors, 2);
}

static void test_values_are_reused_and_stay_right_across_rows(void **state) {
    fixture *fx = *state;
    char huge[5000];
    memset(huge, 'n', sizeof huge - 1);
    huge[sizeof huge - 1] = '\0';
    for (int i = 0; i < 3; i++) {
        const char *big[] = {"A", "B", "a@b.fr", "0612345678", "",   "",  "",
                             "",  "",  "",       "",           huge, NULL};
        li_lead *l = row(fx, big);
        assert_int_equal(l->value[LI_FIELD_NOTES].len, sizeof huge - 1);
        const char *small[] = {"C", "D", "c@d.fr", "0752345678", NULL};
        l = row(fx, small);
        VALUE_EQ(l, LI_FIELD_EMAIL, "c@d.fr");
        VALUE_EQ(l, LI_FIELD_PHONE, "+33752345678");
        VALUE_EQ(l, LI_FIELD_FIRST_NAME, "C");
        assert_int_equal(l->value[LI_FIELD_NOTES].len, 0);
    }
}

static void test_full_issue_list_keeps_the_errors(void **state) {
    fixture *fx = *state;
    /* 12 fields with a control character (warnings) and the name too long (error) */
    char longname[300] = "\x01";
    memset(longname + 1, 'a', 250);
    longname[251] = '\0';
    const char *cells[] = {"a\x01", longname, "a@b.fr", "",      "a\x01", "a\x01", "a\x01", "a\x01",
                           "a\x01", "a\x01",  "a\x01",  "a\x01", "a\x01", "a\x01", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nissues, LI_LEAD_MAX_ISSUES);
    assert_int_equal(l->nerrors, 1);
    assert_true(has_issue(l, LI_MSG_VALUE_TOO_LONG));
    int errors = 0;
    for (size_t i = 0; i < l->nissues; i++)
        errors += li_msg_severity(l->issues[i].code) == LI_SEV_ERROR;
    assert_int_equal(errors, l->nerrors);
}

static void test_custom_json_holds_unmapped_columns_escaped(void **state) {
    (void)state;
    static const char *const header[] = {"Nom",      "Email", "Chiffre \"CA\"", "Remarque\\interne",
                                         "Effectif", "Vide"};
    fixture *fx = fixture_new(header, N(header), NULL);
    const char *cells[] = {"Dupont",
                           "a@b.fr",
                           " 15 000 € \"HT\" ",
                           "ligne 1\r\nligne\t2",
                           "\x01"
                           "12",
                           "  ",
                           "colonne en trop",
                           NULL};
    li_lead *l = row(fx, cells);
    const char *want = "{\"Chiffre \\\"CA\\\"\":\"15 000 € \\\"HT\\\"\","
                       "\"Remarque\\\\interne\":\"ligne 1\\nligne\\t2\","
                       "\"Effectif\":\"12\",\"Colonne 7\":\"colonne en trop\"}";
    if (!li_slice_eq(l->custom_json, want))
        fail_msg("custom_json: %.*s", (int)l->custom_json.len, l->custom_json.ptr);
    assert_true(has_issue(l, LI_MSG_VALUE_CONTROL_CHARS)); /* from "Effectif" */
    assert_int_equal(l->nerrors, 0);
    const char *plain[] = {"Dupont", "a@b.fr", NULL};
    l = row(fx, plain);
    assert_true(li_slice_eq(l->custom_json, "{}"));
    const char *with_tab[] = {"Dupont", "a@b.fr", "a\x7f", NULL};
    l = row(fx, with_tab);
    assert_true(li_slice_eq(l->custom_json, "{\"Chiffre \\\"CA\\\"\":\"a\"}"));
    teardown((void **)&fx);
}

static void test_validator_uses_the_region_option(void **state) {
    (void)state;
    static const char *const header[] = {"Nom", "Tél"};
    fixture *fx = fixture_new(header, N(header), "BE");
    const char *cells[] = {"Peeters", "0470 12 34 56", NULL};
    li_lead *l = row(fx, cells);
    assert_int_equal(l->nerrors, 0);
    VALUE_EQ(l, LI_FIELD_PHONE, "+32470123456");
    teardown((void **)&fx);
}

static void test_validator_refuses_an_unknown_region(void **state) {
    (void)state;
    li_mapping *m = NULL;
    li_slice h = li_slice_of("Email");
    assert_int_equal(li_mapping_new(&h, 1, NULL, 0, &m, NULL), LI_OK);
    li_validator *v = (li_validator *)1;
    li_error err = {0};
    li_validate_opts opts = {"France"};
    assert_int_equal(li_validator_new(m, &opts, &v, &err), LI_EUSAGE);
    assert_null(v);
    assert_int_equal(err.msg, LI_MSG_PHONE_REGION_UNKNOWN);
    assert_non_null(strstr(err.message, "« France »"));
    li_validator_free(NULL);
    li_mapping_free(m);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_emails_are_accepted_and_lower_cased),
        cmocka_unit_test(test_corrupted_generated_emails_are_rejected),
        cmocka_unit_test(test_realistic_emails_are_accepted),
        cmocka_unit_test(test_bad_emails_of_gen_leads_are_rejected),
        cmocka_unit_test(test_invalid_email_shapes_are_rejected),
        cmocka_unit_test(test_email_length_limits),
        cmocka_unit_test(test_every_gen_leads_french_format_is_accepted),
        cmocka_unit_test(test_corrupted_french_formats_are_rejected),
        cmocka_unit_test(test_every_gen_leads_foreign_format_is_accepted),
        cmocka_unit_test(test_realistic_phone_shapes_are_normalised),
        cmocka_unit_test(test_bad_phones_of_gen_leads_are_rejected),
        cmocka_unit_test(test_invalid_phone_shapes_are_rejected),
        cmocka_unit_test(test_excel_scientific_notation_is_read_only_without_lost_digits),
        cmocka_unit_test(test_region_sets_the_plan_of_national_numbers),
        cmocka_unit_test(test_phone_output_needs_17_bytes),
        cmocka_unit_test(test_country_codes_are_sorted_and_prefix_free),
        cmocka_unit_test(test_text_trims_ascii_and_unicode_spaces),
        cmocka_unit_test(test_text_collapses_inner_whitespace_for_names),
        cmocka_unit_test(test_text_keeps_line_breaks_in_notes_and_address),
        cmocka_unit_test(test_text_removes_control_characters),
        cmocka_unit_test(test_text_never_grows_and_is_idempotent),
        cmocka_unit_test(test_text_rules_hold_at_every_length),
        cmocka_unit_test_setup_teardown(test_valid_row_is_normalised, setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_row_without_email_nor_phone_is_contact_missing,
                                        setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_row_without_last_name_nor_company_is_name_missing,
                                        setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_one_contact_and_one_name_are_enough, setup_gen,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_email_alone_is_an_error_quoting_the_value,
                                        setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_unusable_contact_beside_a_good_one_keeps_the_lead, setup_gen,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_invalid_phone_alone_is_an_error_quoting_the_value,
                                        setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_huge_invalid_value_is_quoted_shortened, setup_gen,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_value_longer_than_its_field_is_an_error, setup_gen,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_control_characters_are_removed_with_a_warning,
                                        setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_missing_trailing_columns_read_as_empty, setup_gen,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_values_are_reused_and_stay_right_across_rows,
                                        setup_gen, teardown),
        cmocka_unit_test_setup_teardown(test_full_issue_list_keeps_the_errors, setup_gen, teardown),
        cmocka_unit_test(test_custom_json_holds_unmapped_columns_escaped),
        cmocka_unit_test(test_validator_uses_the_region_option),
        cmocka_unit_test(test_validator_refuses_an_unknown_region),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
