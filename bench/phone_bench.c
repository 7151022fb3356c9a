/*
 * phone_bench.c — what checking a phone number costs, per value, on each
 * path of phone.c: the exact French fast path alone (pre-processing
 * included), libphonenumber alone, and li_norm_phone_typed() (fast path,
 * libphonenumber when unsure) — the one the validator pays.
 *
 * The sample mimics the phone column of ../shared/bench/gen_leads.py
 * (re-implemented here: no file, no Python at run time): 92 % French
 * numbers drawn like phone_digits() (06/07 mobiles, 01/03/04/05 lines) in
 * the ten shapes of format_fr_phone() with its weights, 8 % foreign
 * mobiles as format_foreign_phone() writes them, 2 % of BAD_PHONES.
 *
 * Built by CMake as target phone_bench (not a test):
 *   cmake --build build --target phone_bench && build/phone_bench [values] [rounds]
 * Prints ns per value for each path and the share of the fast path.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lead/phonelib.h"
#include "leadimport/validate.h"

static uint64_t rng_state = 1;

static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double uniform(void) {
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static char pick(const char *s) {
    return s[rnd() % strlen(s)];
}

static void digits(char *d, size_t n) {
    for (size_t i = 0; i < n; i++)
        d[i] = (char)('0' + rnd() % 10);
    d[n] = '\0';
}

/* gen_leads.py phone_digits(None): 10 digits with the trunk 0. */
static void fr_digits(char d[11]) {
    double x = uniform();
    d[0] = '0';
    if (x < 0.45) {
        d[1] = '6', d[2] = pick("01245678");
    } else if (x < 0.70) {
        d[1] = '7', d[2] = pick("3456789");
    } else if (x < 0.80) {
        d[1] = '1', d[2] = pick("0123456789");
    } else if (x < 0.88) {
        d[1] = '3', d[2] = pick("0123456789");
    } else if (x < 0.95) {
        d[1] = '4', d[2] = pick("123456789");
    } else {
        d[1] = '5', d[2] = pick("012345678");
    }
    digits(d + 3, 7);
}

/* gen_leads.py format_fr_phone(d). */
static void fr_format(const char *d, char *out, size_t cap) {
    double x = uniform();
    const char *p = d; /* pairs: p, p+2, ... p+8 */
#define PAIRS(sep)                                                                                 \
    snprintf(out, cap, "%.2s" sep "%.2s" sep "%.2s" sep "%.2s" sep "%.2s", p, p + 2, p + 4, p + 6, \
             p + 8)
    if (x < 0.35)
        PAIRS(" ");
    else if (x < 0.55)
        snprintf(out, cap, "%s", d);
    else if (x < 0.67)
        snprintf(out, cap, "+33 %c %.2s %.2s %.2s %.2s", d[1], p + 2, p + 4, p + 6, p + 8);
    else if (x < 0.75)
        PAIRS(".");
    else if (x < 0.80)
        PAIRS("-");
    else if (x < 0.87)
        snprintf(out, cap, "+33%s", d + 1);
    else if (x < 0.91)
        snprintf(out, cap, "0033 %c %.2s %.2s %.2s %.2s", d[1], p + 2, p + 4, p + 6, p + 8);
    else if (x < 0.95)
        snprintf(out, cap, "+33 (0)%c %.2s %.2s %.2s %.2s", d[1], p + 2, p + 4, p + 6, p + 8);
    else if (x < 0.98)
        snprintf(out, cap, "33%s", d + 1);
    else
        snprintf(out, cap, "%s", d + 1);
#undef PAIRS
}

/* gen_leads.py phone_digits(cc) and format_foreign_phone(cc, d). */
static void foreign(char *out, size_t cap) {
    char d[16];
    switch (rnd() % 5) {
    case 0:
        d[0] = '4', d[1] = pick("56789");
        digits(d + 2, 7);
        snprintf(out, cap, "+32 %.3s %.2s %.2s %s", d, d + 3, d + 5, d + 7);
        break;
    case 1:
        d[0] = '7', d[1] = pick("56789");
        digits(d + 2, 7);
        snprintf(out, cap, "+41 %.2s %.3s %.2s %s", d, d + 2, d + 5, d + 7);
        break;
    case 2:
        memcpy(d, (const char *[]){"621", "661", "691"}[rnd() % 3], 3);
        digits(d + 3, 6);
        snprintf(out, cap, "+352 %.3s %.3s %s", d, d + 3, d + 6);
        break;
    case 3:
        memcpy(d, "514", 3);
        d[3] = pick("2345689"), d[4] = pick("02345689");
        digits(d + 5, 5);
        snprintf(out, cap, "+1 (%.3s) %.3s-%s", d, d + 3, d + 6);
        break;
    default:
        d[0] = '7', d[1] = '7', d[2] = pick("1234567");
        digits(d + 3, 7);
        snprintf(out, cap, "+44 %.4s %s", d, d + 4);
        break;
    }
}

static const char *const bad_phones[] = {
    "06 12 34 56", "12345",   "téléphone", "+33 6 12 34 56 78 90", "0012",
    "00 00 00 00 00", "06-XX-XX-XX-XX", "N/A", "0", "#ERROR!", "6,12E+08", "3,3612E+10",
    "ne pas appeler", "+33 0 6 12 34 56 78 9"};

typedef struct value {
    char s[40];
    size_t n;
} value;

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

enum { FAST, LIB, BOTH };

/* ns per value of one path over the sample, best of rounds. */
static double measure(int path, const value *v, size_t n, int rounds, size_t *answered) {
    double best = 0;
    unsigned long sum = 0;
    for (int r = 0; r < rounds; r++) {
        size_t sure = 0;
        double t0 = now_ns();
        for (size_t i = 0; i < n; i++) {
            char out[LI_PHONE_CAP];
            li_phone_type type = LI_PHONE_UNKNOWN;
            li_msg m = LI_MSG_NONE;
            if (path == FAST)
                sure += (size_t)li__phone_fast(v[i].s, v[i].n, "FR", out, &type, &m);
            else if (path == LIB)
                m = li__phone_lib(v[i].s, v[i].n, "FR", out, &type);
            else
                m = li_norm_phone_typed(v[i].s, v[i].n, "FR", out, sizeof out, &type);
            sum += (unsigned long)m + (unsigned long)type + (unsigned char)out[3];
        }
        double ns = (now_ns() - t0) / (double)n;
        if (r == 0 || ns < best)
            best = ns;
        if (answered)
            *answered = sure;
    }
    if (sum == 42)
        fputc(' ', stderr); /* keeps the loop from being optimised away */
    return best;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 200000;
    int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    if (n == 0 || rounds <= 0) {
        fprintf(stderr, "usage: %s [values] [rounds]\n", argv[0]);
        return 2;
    }
    value *v = calloc(n, sizeof *v);
    if (!v)
        return 1;
    for (size_t i = 0; i < n; i++) {
        double x = uniform();
        if (x < 0.02) {
            snprintf(v[i].s, sizeof v[i].s, "%s", bad_phones[rnd() % 14]);
        } else if (x < 0.10) {
            foreign(v[i].s, sizeof v[i].s);
        } else {
            char d[11];
            fr_digits(d);
            fr_format(d, v[i].s, sizeof v[i].s);
        }
        v[i].n = strlen(v[i].s);
    }
    char warm[LI_PHONE_CAP];
    li_norm_phone_typed("+32 470 12 34 56", 16, "FR", warm, sizeof warm, NULL); /* metadata */

    size_t answered = 0;
    double fast = measure(FAST, v, n, rounds, &answered);
    double lib = measure(LIB, v, n, rounds, NULL);
    double both = measure(BOTH, v, n, rounds, NULL);
    const double row_ns = 900.0; /* validation cost of a whole row, measured before */
    printf("phone_bench: %zu values like gen_leads.py's phone column, best of %d rounds\n", n,
           rounds);
    printf("  fast path alone (pre-processing included)  %8.1f ns/value  (sure of %.1f %%)\n",
           fast, 100.0 * (double)answered / (double)n);
    printf("  libphonenumber alone                       %8.1f ns/value  = %5.1f %% of a %.1f us row\n",
           lib, 100.0 * lib / row_ns, row_ns / 1000);
    printf("  li_norm_phone_typed (fast, else lib)       %8.1f ns/value  = %5.1f %% of a %.1f us row\n",
           both, 100.0 * both / row_ns, row_ns / 1000);
    free(v);
    return 0;
}
