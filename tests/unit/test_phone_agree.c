/*
 * test_phone_agree.c — the fast path of phone.c gives libphonenumber's
 * answers, exactly.
 *
 * li_norm_phone_typed() answers the usual French shapes from the French
 * plan written out in C (li__phone_fast) and sends the rest to
 * libphonenumber (li__phone_lib). That is only right if the fast path,
 * wherever it answers, says what libphonenumber would have said: the same
 * status, the same E.164, the same type. This test generates a large
 * deterministic sample (fixed seed, no file) of what imports receive —
 * French numbers of every block, valid or not, in every way people and
 * Excel write them, damaged numbers, foreign and overseas numbers, in
 * several regions — and compares the two paths on every value. It also
 * checks that the fast path does answer most of the sample (else the
 * comparison proves nothing) and that li_norm_phone_typed() equals
 * libphonenumber on every value.
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

/* The same comparisons under AddressSanitizer, on a fifth of the random
 * sample: its memory checks need every path, not every number, and the
 * plain build runs them all (the suite's time is bounded). */
#if defined(__SANITIZE_ADDRESS__)
enum { SAMPLE = 60000, MAX_REPORTED = 20 };
#else
enum { SAMPLE = 300000, MAX_REPORTED = 20 };
#endif

/* splitmix64: small, fast, the same sequence everywhere. */
static uint64_t rng_state;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(unsigned n) {
    return (unsigned)(rnd() % n);
}

static char digit(void) {
    return (char)('0' + below(10));
}

/* A buffer being written; never overflows (values are short). */
typedef struct text {
    char s[160];
    size_t n;
} text;

static void put(text *t, const char *s) {
    size_t k = strlen(s);
    if (t->n + k >= sizeof t->s)
        k = sizeof t->s - 1 - t->n;
    memcpy(t->s + t->n, s, k);
    t->n += k;
    t->s[t->n] = '\0';
}

static void putn(text *t, const char *s, size_t k) {
    if (t->n + k >= sizeof t->s)
        k = sizeof t->s - 1 - t->n;
    memcpy(t->s + t->n, s, k);
    t->n += k;
    t->s[t->n] = '\0';
}

/* Blocks worth more than their share of random draws: edges of the plan. */
static const char *const edges[] = {
    "639", "6390", "6391", "690",  "691",  "692",  "693",  "694", "695", "696", "697",
    "698", "699",  "262", "263",   "269",  "590",  "594",  "596", "700", "701", "710",
    "720", "73",   "40",  "41",    "836",  "8360", "8364", "8365", "840", "841", "842",
    "84",  "87",   "80",  "806",   "976",  "97",   "9",    "63",   "638", "2",   "5",
};

/* 9 digits of the French plan: any block, the edges more often. */
static void french_nsn(char nsn[10]) {
    size_t k = 0;
    unsigned x = below(100);
    if (x < 30) {
        const char *e = edges[below(N(edges))];
        k = strlen(e);
        memcpy(nsn, e, k);
    } else if (x < 60) {
        nsn[k++] = below(2) ? '6' : '7';
    } else {
        nsn[k++] = (char)('1' + below(9));
    }
    while (k < 9)
        nsn[k++] = digit();
    nsn[9] = '\0';
}

/* d (digits) in pairs, or in another grouping, with separator sep. */
static void grouped(text *t, const char *d, const char *sep, int pairs_from_start) {
    size_t n = strlen(d);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && ((pairs_from_start && i % 2 == 0) || (!pairs_from_start && (n - i) % 2 == 0)))
            put(t, sep);
        putn(t, d + i, 1);
    }
}

/* Excel's scientific notation of the integer d: mantissa of keep digits. */
static void scientific(text *t, const char *d, size_t keep) {
    size_t n = strlen(d);
    char buf[40];
    if (keep > n)
        keep = n;
    while (keep > 1 && d[keep - 1] == '0')
        keep--; /* Excel writes no trailing zeros */
    putn(t, d, 1);
    if (keep > 1) {
        put(t, below(2) ? "," : ".");
        putn(t, d + 1, keep - 1);
    }
    snprintf(buf, sizeof buf, "%s%s%02u", below(4) ? "E" : "e", below(5) ? "+" : "",
             (unsigned)(n - 1));
    put(t, buf);
}

static const char *const seps[] = {" ", ".", "-", "/", "", "  ", "\xC2\xA0", "\xE2\x80\xAF", "\t"};

/* A French number written some way. */
static void french(text *t) {
    char nsn[10], d10[11], d11[12];
    french_nsn(nsn);
    d10[0] = '0';
    memcpy(d10 + 1, nsn, 10);
    d11[0] = '3';
    d11[1] = '3';
    memcpy(d11 + 2, nsn, 10);
    switch (below(26)) {
    case 0: grouped(t, d10, " ", 1); break;                    /* 06 12 34 56 78 */
    case 1: put(t, d10); break;                                /* 0612345678 */
    case 2: put(t, "+33 "); putn(t, nsn, 1); put(t, " "); grouped(t, nsn + 1, " ", 1); break;
    case 3: grouped(t, d10, ".", 1); break;
    case 4: grouped(t, d10, "-", 1); break;
    case 5: put(t, "+33"); put(t, nsn); break;
    case 6: put(t, "0033 "); putn(t, nsn, 1); put(t, " "); grouped(t, nsn + 1, " ", 1); break;
    case 7: put(t, "+33 (0)"); putn(t, nsn, 1); put(t, " "); grouped(t, nsn + 1, " ", 1); break;
    case 8: put(t, d11); break;                                /* 33612345678 */
    case 9: put(t, nsn); break;                                /* 612345678: lost 0 */
    case 10: put(t, "330"); put(t, nsn); break;                /* 330612345678 */
    case 11: put(t, "+33 0"); put(t, nsn); break;              /* stray trunk 0 */
    case 12: put(t, "+330"); put(t, nsn); break;
    case 13: scientific(t, d11, 11); break;                    /* 3,3612345678E+10 */
    case 14: scientific(t, nsn, 9); break;                     /* 6,12345678E+08 */
    case 15: scientific(t, below(2) ? d11 : nsn, 1 + below(8)); break; /* digits lost */
    case 16: put(t, "0033(0)"); put(t, nsn); break;
    case 17: put(t, "(0)"); putn(t, nsn, 1); put(t, " "); grouped(t, nsn + 1, " ", 1); break;
    case 18: grouped(t, d10, seps[below(N(seps))], 1); break;
    case 19: /* a random separator (or none) between any two digits */
        for (size_t i = 0; i < 10; i++) {
            if (i > 0 && below(3) == 0)
                put(t, seps[below(N(seps))]);
            putn(t, d10 + i, 1);
        }
        break;
    case 20: put(t, "00 33 "); grouped(t, nsn, " ", 0); break;
    case 21: put(t, below(2) ? "  " : "\t"); grouped(t, d10, " ", 1); put(t, " "); break;
    case 22: put(t, "+33 ( 0 ) "); put(t, nsn); break;
    case 23: put(t, "(+33) "); grouped(t, nsn, " ", 0); break;
    case 24: put(t, "33 "); grouped(t, nsn, " ", 0); break;
    default: put(t, "+0033 "); put(t, nsn); break;
    }
}

/* Another country's number, or a national number of another shape. */
static void foreign(text *t) {
    char buf[24];
    static const char *const real[] = {
        "+32 470 12 34 56", "+32 2 234 56 78",   "+41 79 123 45 67",  "+352 621 123 456",
        "+1 (514) 555-1234", "+44 7712 345678",   "+49 30 1234567",    "+34 612 34 56 78",
        "+39 06 1234 5678", "+212 6 12 34 56 78", "+262 692 12 34 56", "+590 690 12 34 56",
        "+596 696 12 34 56", "+594 694 12 34 56", "+687 28 12 34",    "+86 138 0013 8000",
        "+225 07 07 12 34 56", "0470 12 34 56",   "079 123 45 67",    "(514) 555-1234",
    };
    /* the plans of the fast path's foreign blocks, near misses included */
    static const struct {
        const char *cc, *first;
        unsigned len;
    } near[] = {
        {"32", "4", 9},  {"32", "45", 9},  {"41", "7", 9},   {"41", "74", 9},  {"352", "6", 9},
        {"352", "62", 9}, {"352", "65", 9}, {"352", "67", 9}, {"352", "68", 9}, {"44", "7", 10},
        {"44", "75", 10}, {"44", "77", 10}, {"44", "78", 10}, {"44", "79", 10}, {"44", "76", 10},
        {"1", "514", 10}, {"1", "438", 10}, {"1", "450", 10}, {"1", "418", 10}, {"1", "581", 10},
        {"1", "819", 10}, {"1", "5", 10},   {"1", "4", 10},   {"1", "8", 10},   {"44", "1", 10},
    };
    unsigned x = below(10);
    if (x < 2) {
        put(t, real[below(N(real))]);
        return;
    }
    if (x < 6) {
        size_t k = below(N(near));
        unsigned y = below(20), len = near[k].len + (y == 0) - (y == 1); /* 10 %: wrong length */
        put(t, below(4) ? "+" : "00");
        put(t, near[k].cc);
        put(t, " ");
        put(t, near[k].first);
        for (size_t i = strlen(near[k].first); i < len; i++) {
            char c = digit();
            putn(t, &c, 1);
            if (i % 2 == 1 && below(2))
                put(t, " ");
        }
        return;
    }
    size_t ncc;
    const unsigned short *cc = li__cc_list(&ncc);
    snprintf(buf, sizeof buf, "%u", (unsigned)cc[below((unsigned)ncc)]);
    switch (below(5)) {
    case 0: put(t, "+"); break;
    case 1: put(t, "00"); break;
    case 2: put(t, "+"); break;
    default: break; /* the code without "+": read as national */
    }
    put(t, buf);
    put(t, below(3) ? " " : below(2) ? " (0)" : "");
    size_t n = 4 + below(10);
    for (size_t i = 0; i < n; i++) {
        char c = digit();
        putn(t, &c, 1);
        if (below(4) == 0)
            put(t, " ");
    }
}

/* A value damaged in one of the ways values get damaged. */
/* An extension, in one of the ways people write it (phone.c's split_ext). */
static void extension(text *t) {
    static const char *const marks[] = {" x",     " x.",     "x",        " X ",    " ext ",
                                        " ext. ", " Ext.",   " extn ",   " EXT:",  " extension ",
                                        " poste ", " Poste : ", " #",     "#",      ";ext="};
    put(t, marks[below(N(marks))]);
    for (unsigned k = 1 + below(6); k > 0; k--) {
        char d[2] = {digit(), 0};
        put(t, d);
    }
}

static void damage(text *t) {
    static const char *const junk[] = {"O", "X", "a", "+", "#", "E", ",", "*", "'", "é", "00"};
    if (t->n == 0)
        return;
    size_t at = below((unsigned)t->n);
    switch (below(6)) {
    case 0: /* a character dropped */
        memmove(t->s + at, t->s + at + 1, t->n - at);
        t->n--;
        break;
    case 1: { /* a digit added */
        char c = digit();
        memmove(t->s + at + 1, t->s + at, t->n - at + 1);
        t->s[at] = c;
        t->n++;
        break;
    }
    case 2: /* a character replaced */
        t->s[at] = junk[below(N(junk))][0];
        break;
    case 3:
        put(t, below(2) ? " poste 12" : " x12");
        break;
    case 4: {
        text u = {{0}, 0};
        put(&u, below(2) ? "Tel: " : "'");
        put(&u, t->s);
        *t = u;
        break;
    }
    default: /* truncated */
        t->n = at;
        t->s[at] = '\0';
        break;
    }
}

static const char *region(void) {
    static const char *const others[] = {"RE", "GP", "YT", "MQ", "GF", "BL", "BE", "CH",
                                         "GB", "US", "ZZ", "fr", "UK", "XX", "MA", "LU"};
    unsigned x = below(100);
    if (x < 80)
        return "FR";
    if (x < 85)
        return NULL;
    return others[below(N(others))];
}

static const char *type_name(li_phone_type t) {
    return t == LI_PHONE_UNKNOWN ? "unknown" : li_phone_type_key(t);
}

static void test_fast_path_agrees_with_libphonenumber(void **state) {
    (void)state;
    rng_state = 20261129;
    size_t answered = 0, fast_valid = 0, fast_invalid = 0, mismatches = 0;
    size_t fast_type[4] = {0};
    for (size_t i = 0; i < SAMPLE; i++) {
        text t = {{0}, 0};
        unsigned x = below(100);
        if (x < 75)
            french(&t);
        else
            foreign(&t);
        if (below(100) < 6)
            extension(&t);
        if (below(100) < 12)
            damage(&t);
        const char *r = region();

        char lib_out[LI_PHONE_CAP], fast_out[LI_PHONE_CAP] = "", all_out[LI_PHONE_CAP];
        li_phone_type lib_t, fast_t = LI_PHONE_UNKNOWN, all_t;
        li_msg fast_m = LI_MSG_NONE;
        li_msg lib_m = li__phone_lib(t.s, t.n, r, lib_out, &lib_t);
        li_msg all_m = li_norm_phone_typed(t.s, t.n, r, all_out, sizeof all_out, &all_t);
        int sure = li__phone_fast(t.s, t.n, r, fast_out, &fast_t, &fast_m);
        int bad = all_m != lib_m || strcmp(all_out, lib_out) != 0 || all_t != lib_t;
        if (sure) {
            answered++;
            if (fast_m == LI_MSG_NONE)
                fast_valid++;
            else
                fast_invalid++;
            fast_type[fast_t]++;
            bad |= fast_m != lib_m || strcmp(fast_out, lib_out) != 0 || fast_t != lib_t;
        }
        if (bad && mismatches++ < MAX_REPORTED)
            print_error("\"%s\" (%s): libphonenumber %s \"%s\" %s; fast %s %s \"%s\" %s; "
                        "li_norm_phone_typed %s \"%s\" %s\n",
                        t.s, r ? r : "NULL", li_msg_code(lib_m), lib_out, type_name(lib_t),
                        sure ? "sure" : "unsure", li_msg_code(fast_m), fast_out,
                        type_name(fast_t), li_msg_code(all_m), all_out, type_name(all_t));
    }
    print_message("%d values: fast path sure of %zu (%zu valid: %zu mobile, %zu fixed, "
                  "%zu other; %zu refused), %zu disagreements\n",
                  SAMPLE, answered, fast_valid, fast_type[LI_PHONE_MOBILE],
                  fast_type[LI_PHONE_FIXED], fast_type[LI_PHONE_OTHER], fast_invalid,
                  mismatches);
    assert_int_equal(mismatches, 0);
    /* The comparison means something only if the fast path took part. */
    assert_true(answered > SAMPLE / 2);
    assert_true(fast_invalid > 1000);
    for (int k = LI_PHONE_MOBILE; k <= LI_PHONE_OTHER; k++)
        assert_true(fast_type[k] > 1000);
}

/* Compares the two paths on one value; counts what the fast path answered. */
static void compare(const char *in, const char *region, size_t *answered, size_t *mismatches) {
    char lib_out[LI_PHONE_CAP], fast_out[LI_PHONE_CAP] = "";
    li_phone_type lib_t, fast_t = LI_PHONE_UNKNOWN;
    li_msg fast_m = LI_MSG_NONE;
    li_msg lib_m = li__phone_lib(in, strlen(in), region, lib_out, &lib_t);
    if (!li__phone_fast(in, strlen(in), region, fast_out, &fast_t, &fast_m))
        return;
    (*answered)++;
    if ((fast_m != lib_m || strcmp(fast_out, lib_out) != 0 || fast_t != lib_t) &&
        (*mismatches)++ < MAX_REPORTED)
        print_error("\"%s\" (%s): libphonenumber %s \"%s\" %s, fast %s \"%s\" %s\n", in, region,
                    li_msg_code(lib_m), lib_out, type_name(lib_t), li_msg_code(fast_m), fast_out,
                    type_name(fast_t));
}

/*
 * Every block the fast path may answer for, to 5 digits: the plans it
 * copies (libphonenumber 8.12.57's FR, BE, CH, LU, GB, CA) never look
 * further than the 5th digit of the NSN (836 04, 7457 8, 7911 1...), then
 * take any digits; so one number per 5-digit prefix checks every branch.
 * French prefixes in two shapes, and in all seven at 4 digits.
 */
static void test_fast_path_agrees_on_every_block(void **state) {
    (void)state;
    static const char *const shapes[] = {"0%s", "+33%s", "%s", "+330%s", "33%s", "330%s",
                                         "0033%s"};
    static const struct {
        const char *cc, *stem;
        unsigned len;
    } foreign_stems[] = {
        {"32", "4", 9},    {"41", "7", 9},    {"352", "6", 9},   {"44", "7", 10},
        {"1", "514", 10},  {"1", "438", 10},  {"1", "450", 10},  {"1", "418", 10},
        {"1", "581", 10},  {"1", "819", 10},
    };
    size_t mismatches = 0, answered = 0;
    char nsn[16], in[40];
    for (unsigned p = 10000; p <= 99999; p++) {
        unsigned tail = (p * 7919u) % 10000u;
        snprintf(nsn, sizeof nsn, "%05u%04u", p, tail);
        for (size_t k = 0; k < (p % 10 == 0 ? N(shapes) : 2); k++) {
            snprintf(in, sizeof in, shapes[k], nsn);
            compare(in, "FR", &answered, &mismatches);
        }
    }
    for (size_t i = 0; i < N(foreign_stems); i++) {
        size_t stem = strlen(foreign_stems[i].stem);
        unsigned span = 1;
        for (size_t k = stem; k < 5; k++)
            span *= 10;
        for (unsigned p = 0; p < span; p++) {
            int m = snprintf(nsn, sizeof nsn, "%s%0*u", foreign_stems[i].stem, (int)(5 - stem), p);
            for (size_t k = (size_t)m; k < foreign_stems[i].len; k++)
                nsn[k] = (char)('0' + (p * 31u + k * 7u) % 10u);
            nsn[foreign_stems[i].len] = '\0';
            snprintf(in, sizeof in, "+%s %s", foreign_stems[i].cc, nsn);
            compare(in, "FR", &answered, &mismatches);
        }
    }
    assert_int_equal(mismatches, 0);
    assert_true(answered > 200000);
}

/*
 * Digit strings of every length after every French prefix: the fast path
 * says "invalid" to all the lengths it does not read, which is right only
 * if libphonenumber can make nothing valid of them either.
 */
static void test_fast_path_agrees_on_every_length(void **state) {
    (void)state;
    static const char *const prefixes[] = {"",      "0",     "33",   "330",  "3300",
                                           "+33",   "+330",  "+3300", "0033", "00330",
                                           "+33 0", "06",    "+",     "+0",   "+1",
                                           "+49",   "+4",    "+2",    "+8",   "00"};
    static const char *const regions[] = {"FR", "RE"};
    size_t mismatches = 0, answered = 0;
    rng_state = 42;
    for (size_t p = 0; p < N(prefixes); p++)
        for (size_t len = 0; len <= 16; len++)
            for (size_t k = 0; k < 200; k++) {
                text t = {{0}, 0};
                put(&t, prefixes[p]);
                for (size_t i = 0; i < len; i++) {
                    /* mostly digits that make French-looking numbers */
                    char c = i == 0 && below(2) ? (char)('1' + below(9)) : digit();
                    putn(&t, &c, 1);
                }
                compare(t.s, regions[k % N(regions)], &answered, &mismatches);
            }
    assert_int_equal(mismatches, 0);
    assert_true(answered > 10000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_path_agrees_with_libphonenumber),
        cmocka_unit_test(test_fast_path_agrees_on_every_block),
        cmocka_unit_test(test_fast_path_agrees_on_every_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
