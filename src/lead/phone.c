/*
 * phone.c — phone numbers to E.164 ("+33612345678") and their type (mobile,
 * fixed...), checked against the real numbering plans, France first.
 *
 * What it promises (li_norm_phone_typed, validate.h), and how (phonelib.h):
 *   - pre-processing, the same for every number (li__phone_prep): trimmed;
 *     separators ignored: spaces (ASCII and Unicode), dots, dashes (also
 *     Unicode dashes), slashes, parentheses; "(0)" after a country code is
 *     dropped ("+33 (0)6 12 34 56 78"); "+" or "00" starts an international
 *     number; Excel's scientific notation ("3,3612345678E+10") is read only
 *     when the mantissa holds every digit ("6,12E+08" is
 *     PHONE_PRECISION_LOST); letters, other symbols, more than one "+" are
 *     PHONE_INVALID. Extensions are not supported;
 *   - then libphonenumber (phonelib.cc) reads the digits in the region and
 *     checks them with IsValidNumber: real plans, not only lengths. It
 *     accepts a national number with its trunk prefix ("06 12 34 56 78"),
 *     without it (a spreadsheet ate the 0: "612345678"), or preceded by
 *     the region's code without "+" ("33612345678", "330612345678"), and a
 *     stray trunk prefix after a code ("+33 06...", "+1 1 514...");
 *   - one rule on top of libphonenumber: France and its overseas
 *     departments share one national plan (0 + 9 digits) but not one
 *     country code, so a number of that plan (national in FR, RE, YT, GP,
 *     BL, MF, GF, MQ, or written "+33") gets the code of its block and is
 *     checked under it: "0262 12 34 56" dialled in France is
 *     +262 262 12 34 56, "06 12 34 56 78" read in Réunion is
 *     +33 6 12 34 56 78;
 *   - libphonenumber costs 10 to 15 us a number (Parse alone is 7 us), ten
 *     times a whole row's validation; so a fast path
 *     (li__phone_fast_digits) answers the usual shapes — French numbers
 *     (+33 / 0033 / 0 / no 0 / 33 + 9 digits) from the French plan of
 *     libphonenumber 8.12.57 written out below, and the common Belgian,
 *     Swiss, Luxembourg, British mobiles and Québec numbers — in about
 *     50 ns, and only when it is sure to give libphonenumber's exact
 *     answer; tests/unit/test_phone_agree.c checks that on every block and
 *     on a large generated sample. bench/phone_bench.c measures both.
 *
 * A number is read in the region given and no other: no French fallback
 * (phone_region() in validate.c decides the region of a row).
 *
 * li__country (the table below, then every other region libphonenumber
 * knows, looked up once each) gives validate.c the regions it accepts and their
 * trunk prefixes; li__cc_assigned() the ITU-T codes.
 * No allocation on the fast path; all tables are const, every function is
 * thread-safe.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "lead/leadInt.h"
#include "lead/phonelib.h"
#include "leadimport/validate.h"

/* Regions we know the trunk prefix of (validate.c). NSN excludes it. */
static const li__country countries[] = {
    {"FR", 33, 9, 9, "123456789", '0'},  {"BE", 32, 8, 9, "123456789", '0'},
    {"CH", 41, 9, 9, "123456789", '0'},  {"LU", 352, 4, 11, "123456789", 0},
    {"DE", 49, 6, 13, "123456789", '0'}, {"AT", 43, 4, 13, "123456789", '0'},
    {"ES", 34, 9, 9, "56789", 0},        {"IT", 39, 6, 11, NULL, 0},
    {"GB", 44, 9, 10, "123456789", '0'}, {"UK", 44, 9, 10, "123456789", '0'},
    {"IE", 353, 7, 9, "123456789", '0'}, {"NL", 31, 9, 9, "123456789", '0'},
    {"PT", 351, 9, 9, "23456789", 0},    {"MC", 377, 8, 9, "3456789", 0},
    {"US", 1, 10, 10, "23456789", '1'},  {"CA", 1, 10, 10, "23456789", '1'},
    {"MA", 212, 9, 9, "5678", '0'},      {"DZ", 213, 8, 9, "123456789", '0'},
    {"TN", 216, 8, 8, "123456789", 0},   {"SN", 221, 9, 9, "378", 0},
    {"RE", 262, 6, 9, "123456789", '0'}, {"YT", 262, 6, 9, "123456789", '0'},
    {"KM", 269, 6, 9, "123456789", 0},   {"GP", 590, 6, 9, "123456789", '0'},
    {"BL", 590, 6, 9, "123456789", '0'}, {"MF", 590, 6, 9, "123456789", '0'},
    {"GF", 594, 6, 9, "123456789", '0'}, {"MQ", 596, 6, 9, "123456789", '0'},
    {"NC", 687, 6, 9, "123456789", 0},   {"PF", 689, 6, 9, "123456789", 0},
    {"PM", 508, 6, 6, "3456789", 0},     {"WF", 681, 6, 6, "123456789", 0},
};

/*
 * Every assigned country calling code (ITU-T E.164 list, including the
 * global services 800, 808, 870, 878, 881-883, 888, 979). Sorted.
 */
static const unsigned short assigned[] = {
    1,   7,   20,  27,  30,  31,  32,  33,  34,  36,  39,  40,  41,  43,  44,  45,  46,  47,
    48,  49,  51,  52,  53,  54,  55,  56,  57,  58,  60,  61,  62,  63,  64,  65,  66,  81,
    82,  84,  86,  90,  91,  92,  93,  94,  95,  98,  211, 212, 213, 216, 218, 220, 221, 222,
    223, 224, 225, 226, 227, 228, 229, 230, 231, 232, 233, 234, 235, 236, 237, 238, 239, 240,
    241, 242, 243, 244, 245, 246, 247, 248, 249, 250, 251, 252, 253, 254, 255, 256, 257, 258,
    260, 261, 262, 263, 264, 265, 266, 267, 268, 269, 290, 291, 297, 298, 299, 350, 351, 352,
    353, 354, 355, 356, 357, 358, 359, 370, 371, 372, 373, 374, 375, 376, 377, 378, 379, 380,
    381, 382, 383, 385, 386, 387, 389, 420, 421, 423, 500, 501, 502, 503, 504, 505, 506, 507,
    508, 509, 590, 591, 592, 593, 594, 595, 596, 597, 598, 599, 670, 672, 673, 674, 675, 676,
    677, 678, 679, 680, 681, 682, 683, 685, 686, 687, 688, 689, 690, 691, 692, 800, 808, 850,
    852, 853, 855, 856, 870, 878, 880, 881, 882, 883, 886, 888, 960, 961, 962, 963, 964, 965,
    966, 967, 968, 970, 971, 972, 973, 974, 975, 976, 977, 979, 992, 993, 994, 995, 996, 998,
};

#define NASSIGNED (sizeof assigned / sizeof assigned[0])


/*
 * Every other region libphonenumber has a plan for (Kazakhstan, Uruguay...),
 * indexed by its two letters: its code and trunk prefix from the metadata
 * (no lengths: libphonenumber checks those). Each is looked up the first
 * time it is asked for, under a lock, then read without one: a row whose
 * country is Kazakhstan costs a load after the first.
 */
static li__country plans[26 * 26];
static char plan_iso[26 * 26][3];
static _Atomic unsigned char plan_state[26 * 26]; /* 0 not looked up, 1 known, 2 no plan */
static pthread_mutex_t plans_mu = PTHREAD_MUTEX_INITIALIZER;

static const li__country *plan_of(const char up[3]) {
    int i = (up[0] - 'A') * 26 + (up[1] - 'A');
    unsigned char st = atomic_load_explicit(&plan_state[i], memory_order_acquire);
    if (st == 0) {
        pthread_mutex_lock(&plans_mu);
        st = atomic_load_explicit(&plan_state[i], memory_order_relaxed);
        if (st == 0) {
            unsigned cc;
            char trunk;
            memcpy(plan_iso[i], up, 3);
            st = li__phonelib_region(plan_iso[i], &cc, &trunk) ? 1 : 2;
            if (st == 1)
                plans[i] = (li__country){plan_iso[i], (unsigned short)cc, 0, 0, NULL, trunk};
            atomic_store_explicit(&plan_state[i], st, memory_order_release);
        }
        pthread_mutex_unlock(&plans_mu);
    }
    return st == 1 ? &plans[i] : NULL;
}

const li__country *li__country_by_iso(const char *iso) {
    if (!iso || !iso[0] || !iso[1] || iso[2])
        return NULL;
    char up[3] = {(char)(iso[0] & ~0x20), (char)(iso[1] & ~0x20), 0};
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (strcmp(countries[i].iso, up) == 0)
            return &countries[i];
    if (up[0] < 'A' || up[0] > 'Z' || up[1] < 'A' || up[1] > 'Z')
        return NULL;
    return plan_of(up);
}

const li__country *li__country_by_cc(unsigned cc) {
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (countries[i].cc == cc)
            return &countries[i];
    return NULL;
}

int li__cc_assigned(unsigned cc) {
    size_t lo = 0, hi = NASSIGNED;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (assigned[mid] == cc)
            return 1;
        if (assigned[mid] < cc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

const unsigned short *li__cc_list(size_t *n) {
    *n = NASSIGNED;
    return assigned;
}


/* Reads 1 space-like UTF-8 sequence or Unicode dash at p; its length, or 0. */
static size_t unicode_separator(const unsigned char *p, size_t left) {
    if (left >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2; /* NBSP */
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x80 &&
        ((p[2] >= 0x80 && p[2] <= 0x95) || p[2] == 0xAF))
        return 3; /* U+2000..U+200B spaces, U+2010..U+2015 dashes, U+202F */
    if (left >= 3 && p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92)
        return 3; /* U+2212 minus sign */
    if (left >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        return 3; /* BOM */
    if (left >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3; /* ideographic space */
    return 0;
}

/* Narrows [*b, *e) so that it neither starts nor ends with a separator. */
static void trim(const char *s, size_t *b, size_t *e) {
    const unsigned char *p = (const unsigned char *)s;
    size_t k;
    while (*b < *e) {
        if (p[*b] == ' ' || (p[*b] >= '\t' && p[*b] <= '\r'))
            (*b)++;
        else if (p[*b] >= 0x80 && (k = unicode_separator(p + *b, *e - *b)) > 0)
            *b += k;
        else
            break;
    }
    while (*e > *b) {
        if (p[*e - 1] == ' ' || (p[*e - 1] >= '\t' && p[*e - 1] <= '\r'))
            (*e)--;
        else if (*e - *b >= 2 && unicode_separator(p + *e - 2, 2) == 2)
            *e -= 2;
        else if (*e - *b >= 3 && unicode_separator(p + *e - 3, 3) == 3)
            *e -= 3;
        else
            break;
    }
}

/*
 * Excel's scientific notation: digits [.,] digits [eE] [+] digits, nothing
 * else. Returns 0 if s is not in that shape, 1 if it is and dg holds the
 * number, or a message when the shape is right but the digits are not.
 */
static int scientific(const char *s, size_t len, li__phone_digits *dg, li_msg *why) {
    size_t i = 0, mant = 0, frac = 0;
    char m[LI__PHONE_MAX_DIGITS + 1];
    int seen_sep = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (mant == 0 && c == '0')
                continue; /* leading zeros carry nothing */
            if (mant >= LI__PHONE_MAX_DIGITS)
                return 0;
            m[mant++] = c;
            frac += (size_t)seen_sep;
        } else if ((c == ',' || c == '.') && !seen_sep) {
            seen_sep = 1;
        } else {
            break;
        }
    }
    if (i == len || mant == 0 || (s[i] != 'E' && s[i] != 'e'))
        return 0;
    i++;
    if (i < len && s[i] == '+')
        i++;
    size_t exp = 0, ndig = 0;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++, ndig++)
        exp = exp * 10 + (size_t)(s[i] - '0');
    if (i != len || ndig == 0 || ndig > 2)
        return 0;
    size_t int_digits = mant - frac; /* digits before the separator */
    size_t total = int_digits + exp; /* digits of the integer written */
    if (frac > exp) {
        *why = LI_MSG_PHONE_INVALID; /* not an integer */
        return 2;
    }
    if (mant < total || total > LI__PHONE_MAX_DIGITS) {
        *why = LI_MSG_PHONE_PRECISION_LOST; /* 6,12E+08: the digits are gone */
        return 2;
    }
    memcpy(dg->d, m, mant);
    dg->n = mant;
    dg->d[mant] = '\0';
    dg->intl = 0;
    return 1;
}

/* Reads the digits of a written number; PHONE_INVALID on any stray byte. */
static li_msg scan(const char *s, size_t len, li__phone_digits *dg) {
    const unsigned char *p = (const unsigned char *)s;
    int plus = 0;
    dg->n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c >= '0' && c <= '9') {
            if (dg->n >= LI__PHONE_MAX_DIGITS)
                return LI_MSG_PHONE_INVALID;
            dg->d[dg->n++] = (char)c;
            i++;
        } else if (c == '+') {
            if (plus || dg->n > 0)
                return LI_MSG_PHONE_INVALID;
            plus = 1;
            i++;
        } else if (c == '(') {
            /* "(0)" after a country code: the trunk 0 that must not be dialled */
            size_t j = i + 1;
            while (j < len && p[j] == ' ')
                j++;
            int after_cc = plus ? dg->n > 0 : (dg->n > 2 && dg->d[0] == '0' && dg->d[1] == '0');
            if (after_cc && j + 1 < len && p[j] == '0') {
                size_t k = j + 1;
                while (k < len && p[k] == ' ')
                    k++;
                if (k < len && p[k] == ')') {
                    i = k + 1;
                    continue;
                }
            }
            i++;
        } else if (c == ' ' || c == '\t' || c == '.' || c == '-' || c == '/' || c == ')') {
            i++;
        } else {
            size_t k = c >= 0x80 ? unicode_separator(p + i, len - i) : 0;
            if (k == 0)
                return LI_MSG_PHONE_INVALID;
            i += k;
        }
    }
    dg->d[dg->n] = '\0';
    dg->intl = plus;
    if (dg->n >= 2 && dg->d[0] == '0' && dg->d[1] == '0') {
        memmove(dg->d, dg->d + 2, dg->n - 1); /* "0033 6 ...", also "+0033 6 ..." */
        dg->n -= 2;
        dg->intl = 1;
    }
    return dg->n > 0 ? LI_MSG_NONE : LI_MSG_PHONE_INVALID;
}

/*
 * Words that announce an extension, lower-case: libphonenumber's own
 * ("ext", "extn", "extension", "x", "#", RFC 3966's ";ext=") and the
 * French "poste". "ext." and "x." are these with the dot skipped.
 */
static const char *const ext_marks[] = {";ext", "extension", "extn", "ext", "poste", "x", "#"};

static int ascii_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/*
 * Sets apart an extension at the end of s (len bytes, trimmed): a marker,
 * optional spaces, dots, ':' or '=', then 1 to LI_PHONE_EXT_MAX digits that
 * end the text, after a number that has digits. Returns the length of the
 * number before the marker (len when there is no extension) and fills
 * dg->ext. A number without extension costs a look at its last bytes.
 */
static size_t split_ext(const char *s, size_t len, li__phone_digits *dg) {
    size_t e = len, m;
    dg->next = 0;
    dg->ext[0] = '\0';
    while (e > 0 && len - e <= LI_PHONE_EXT_MAX && s[e - 1] >= '0' && s[e - 1] <= '9')
        e--;
    if (e == 0 || e == len || len - e > LI_PHONE_EXT_MAX)
        return len;
    for (m = e; m > 0 && (s[m - 1] == ' ' || s[m - 1] == '.' || s[m - 1] == ':' ||
                          s[m - 1] == '=' || s[m - 1] == '\t');
         m--)
        ;
    if (m == 0 || !(ascii_letter(s[m - 1]) || s[m - 1] == '#'))
        return len; /* the usual number: its last group follows a digit or a space */
    for (size_t i = 0; i < sizeof ext_marks / sizeof ext_marks[0]; i++) {
        size_t k = strlen(ext_marks[i]), j;
        if (m < k)
            continue;
        for (j = 0; j < k && (s[m - k + j] | (ascii_letter(s[m - k + j]) ? 0x20 : 0)) ==
                                 ext_marks[i][j];
             j++)
            ;
        if (j < k)
            continue;
        size_t b = m - k; /* the number ends here */
        if (ascii_letter(ext_marks[i][k - 1]) && b > 0 && ascii_letter(s[b - 1]))
            continue;     /* part of a word: "fax 12" has no extension "x 12" */
        size_t digits = 0;
        for (j = 0; j < b; j++)
            digits += s[j] >= '0' && s[j] <= '9';
        if (digits == 0)
            return len;
        dg->next = len - e;
        memcpy(dg->ext, s + e, dg->next);
        dg->ext[dg->next] = '\0';
        return b;
    }
    return len;
}

/* Appends the extension of dg to the E.164 number in out (cap bytes). */
static li_msg with_ext(const li__phone_digits *dg, char *out, size_t cap, li_phone_type *type,
                       li_msg m) {
    if (m != LI_MSG_NONE || dg->next == 0)
        return m;
    size_t n = strlen(out);
    if (n + 5 + dg->next + 1 > cap) {
        out[0] = '\0';
        *type = LI_PHONE_UNKNOWN;
        return LI_MSG_PHONE_INVALID;
    }
    memcpy(out + n, ";ext=", 5);
    memcpy(out + n + 5, dg->ext, dg->next + 1);
    return m;
}

/* --- step 1: what Excel and people did to the number ----------------------- */

li_msg li__phone_prep(const char *in, size_t len, li__phone_digits *dg) {
    li_msg why = LI_MSG_NONE;
    size_t b = 0, e = len;
    trim(in, &b, &e);
    size_t n = split_ext(in + b, e - b, dg);
    if (n != e - b) {
        e = b + n;
        trim(in, &b, &e); /* the spaces before "poste" */
    }
    int sci = scientific(in + b, e - b, dg, &why);
    if (sci == 2)
        return why;
    if (sci == 0)
        return scan(in + b, e - b, dg);
    return LI_MSG_NONE;
}

/* The region as libphonenumber wants it: "FR"; NULL = "FR"; "UK" = "GB"; junk = "ZZ". */
static void region_code(const char *region, char code[3]) {
    if (!region)
        region = "FR";
    code[0] = code[1] = 'Z';
    code[2] = '\0';
    for (int i = 0; i < 2; i++) {
        char c = region[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c < 'A' || c > 'Z')
            return;
    }
    if (region[2] != '\0')
        return;
    code[0] = (char)(region[0] & ~0x20);
    code[1] = (char)(region[1] & ~0x20);
    if (code[0] == 'U' && code[1] == 'K')
        code[0] = 'G', code[1] = 'B';
}

/* --- step 2: the fast path, the French plan written out --------------------- */

/*
 * The French plan of libphonenumber 8.12.57 (resources/PhoneNumberMetadata.xml,
 * territory FR), for a 9-digit NSN not starting with 0:
 *   fixedLine   (?:[1-35]\d|4[1-9])\d{7}
 *   mobile      (?:6(?:[0-24-8]\d|3[0-8]|9[589])|7(?:00|[3-9]\d))\d{6}
 *   tollFree    80[0-5]\d{6}                      uan  80[6-9]\d{6}
 *   premiumRate 836(?:0[0-36-9]|[1-9]\d)\d{4}|8(?:1[2-9]|2[2-47-9]|3[0-57-9]|[569]\d|8[0-35-9])\d{6}
 *   sharedCost  8(?:1[01]|2[0156]|4[02]|84)\d{6}
 *   voip        9\d{8}
 * and the types as phonelib.cc maps them (VoIP is "fixed").
 */
static li_phone_type fr_type(const char *s) {
    char b = s[1], c = s[2];
    switch (s[0]) {
    case '1':
    case '2':
    case '3':
    case '5':
    case '9': /* VoIP */
        return LI_PHONE_FIXED;
    case '4':
        return b != '0' ? LI_PHONE_FIXED : LI_PHONE_UNKNOWN;
    case '6':
        if (b == '3')
            return c != '9' ? LI_PHONE_MOBILE : LI_PHONE_UNKNOWN; /* 639: Mayotte */
        if (b == '9')
            return c == '5' || c == '8' || c == '9' ? LI_PHONE_MOBILE : LI_PHONE_UNKNOWN;
        return LI_PHONE_MOBILE;
    case '7':
        if (b == '0')
            return c == '0' ? LI_PHONE_MOBILE : LI_PHONE_UNKNOWN;
        return b >= '3' ? LI_PHONE_MOBILE : LI_PHONE_UNKNOWN;
    case '8':
        switch (b) {
        case '3': /* 836 04, 836 05 are not assigned */
            return c == '6' && s[3] == '0' && (s[4] == '4' || s[4] == '5') ? LI_PHONE_UNKNOWN
                                                                          : LI_PHONE_OTHER;
        case '4':
            return c == '0' || c == '2' ? LI_PHONE_OTHER : LI_PHONE_UNKNOWN;
        case '7':
            return LI_PHONE_UNKNOWN;
        default:
            return LI_PHONE_OTHER;
        }
    default:
        return LI_PHONE_UNKNOWN;
    }
}

/*
 * The blocks of the French plan that belong to an overseas department with
 * its own code (ARCEP; the same list as libphonenumber's RE, YT, GP, GF, MQ
 * fixed and mobile ranges): "0262..." is +262 262..., never +33 262...
 * (libphonenumber's FR metadata would accept +33 262: its fixed-line
 * pattern is [1-35]\d{8}).
 */
static const struct {
    char prefix[4];
    unsigned short cc;
} overseas[] = {
    {"262", 262}, {"263", 262}, {"269", 262}, {"639", 262}, {"692", 262},
    {"693", 262}, {"590", 590}, {"690", 590}, {"691", 590}, {"594", 594},
    {"694", 594}, {"596", 596}, {"696", 596}, {"697", 596},
};

/* The code of a 9-digit NSN of the French plan: an overseas one, or 33. */
static unsigned french_plan_cc(const char *nsn) {
    for (size_t i = 0; i < sizeof overseas / sizeof overseas[0]; i++)
        if (memcmp(nsn, overseas[i].prefix, 3) == 0)
            return overseas[i].cc;
    return 33;
}

static int is33(const char *d) {
    return d[0] == '3' && d[1] == '3';
}

/*
 * Blocks of other plans where every number, written with "+" or "00", is
 * valid with one type in libphonenumber 8.12.57 (its metadata, checked by
 * test_phone_agree.c): the foreign numbers French lead files hold most.
 * pat: the first digits of the NSN, "[...]" a class; then any digits up to
 * len. None of them starts with its country's national prefix, so Parse
 * takes the digits after the code as they are.
 */
static const struct foreign_block {
    unsigned short cc;
    unsigned char len; /* NSN length */
    const char *pat;
    li_phone_type type;
} foreign_blocks[] = {
    {32, 9, "4[5-9]", LI_PHONE_MOBILE},       /* Belgium: 4[5-9]\d{7} */
    {41, 9, "7[35-9]", LI_PHONE_MOBILE},      /* Switzerland: 7[35-9]\d{7} */
    {352, 9, "6[269][18]", LI_PHONE_MOBILE},  /* Luxembourg: 6(?:[269][18]|5[1568]| */
    {352, 9, "65[1568]", LI_PHONE_MOBILE},    /*   7[189]|81)\d{6} */
    {352, 9, "67[189]", LI_PHONE_MOBILE},     /*   */
    {352, 9, "681", LI_PHONE_MOBILE},         /*   */
    {44, 10, "7[1-3]", LI_PHONE_MOBILE},      /* United Kingdom mobiles, the */
    {44, 10, "75[13-9]", LI_PHONE_MOBILE},    /*   blocks wholly mobile */
    {44, 10, "77[1-7]", LI_PHONE_MOBILE},     /*   */
    {44, 10, "78[014-9]", LI_PHONE_MOBILE},   /*   */
    {44, 10, "79[024-9]", LI_PHONE_MOBILE},   /*   */
    {1, 10, "514[2-9]", LI_PHONE_OTHER},      /* Québec (CA: fixed and mobile */
    {1, 10, "438[2-9]", LI_PHONE_OTHER},      /*   share one pattern, so the */
    {1, 10, "450[2-9]", LI_PHONE_OTHER},      /*   type is FIXED_LINE_OR_MOBILE) */
    {1, 10, "418[2-9]", LI_PHONE_OTHER},      /*   */
    {1, 10, "581[2-9]", LI_PHONE_OTHER},      /*   */
    {1, 10, "819[2-9]", LI_PHONE_OTHER},      /*   */
};

/* 1 if the digits s (at least as many as pat has positions) start with pat. */
static int block_match(const char *pat, const char *s) {
    for (; *pat; s++) {
        if (*pat != '[') {
            if (*pat++ != *s)
                return 0;
            continue;
        }
        int ok = 0;
        for (pat++; *pat != ']'; pat++) {
            char lo = *pat, hi = pat[1] == '-' ? pat[2] : lo;
            if (pat[1] == '-')
                pat += 2;
            ok |= *s >= lo && *s <= hi;
        }
        pat++;
        if (!ok)
            return 0;
    }
    return 1;
}

/* An international number in one of foreign_blocks: out, *type; else 0. */
static int foreign_fast(const li__phone_digits *dg, char out[17], li_phone_type *type) {
    for (size_t i = 0; i < sizeof foreign_blocks / sizeof foreign_blocks[0]; i++) {
        const struct foreign_block *b = &foreign_blocks[i];
        size_t cclen = b->cc >= 100 ? 3 : b->cc >= 10 ? 2 : 1;
        if (dg->n != cclen + b->len)
            continue;
        unsigned cc = 0;
        for (size_t k = 0; k < cclen; k++)
            cc = cc * 10 + (unsigned)(dg->d[k] - '0');
        if (cc != b->cc || !block_match(b->pat, dg->d + cclen))
            continue;
        out[0] = '+';
        memcpy(out + 1, dg->d, dg->n + 1);
        *type = b->type;
        return 1;
    }
    return 0;
}

/*
 * The shapes libphonenumber reads as +33 and a 9-digit NSN not starting
 * with 0 (PhoneNumberUtil::ParseHelper): "+33" or "+330" then 9 digits; in
 * region FR, "0" then 9 digits, 9 digits alone, and "33" or "330" then 9
 * digits (the whole is no French NSN and the rest is: the code is
 * stripped). Every other "+33..." or national digit string in region FR
 * leaves libphonenumber a +33 NSN of another length, or
 * one starting with 0 (kept as an "Italian leading zero"): invalid in the
 * French plan, whose numbers are [1-9]\d{8}, and out of reach of the
 * overseas rule, which needs 9 such digits; longer strings too, but for
 * "330..." (libphonenumber reads "33 00 6 12 34 56 78" as +33 6...):
 * unsure, like national numbers of other regions. Other codes:
 * foreign_blocks, else unsure.
 */
int li__phone_fast_digits(const li__phone_digits *dg, const char *region, char out[17],
                          li_phone_type *type, li_msg *msg) {
    const char *d = dg->d, *nsn = NULL;
    size_t n = dg->n;
    if (dg->intl && n <= 5) {
        /* no plan has fewer than 6 digits with its code (DE: 2 + 4) */
        out[0] = '\0';
        *type = LI_PHONE_UNKNOWN;
        *msg = LI_MSG_PHONE_INVALID;
        return 1;
    }
    if (dg->intl) {
        if (!is33(d)) {
            if (!foreign_fast(dg, out, type))
                return 0; /* another country, another block */
            *msg = LI_MSG_NONE;
            return 1;
        }
        if (n == 11 && d[2] != '0')
            nsn = d + 2; /* +33 6... */
        else if (n == 12 && d[2] == '0' && d[3] != '0')
            nsn = d + 3; /* +33 0 6... */
    } else {
        if (region[0] != 'F' || region[1] != 'R')
            return 0;
        if (n == 10 && d[0] == '0' && d[1] != '0')
            nsn = d + 1; /* 06... */
        else if (n == 10 && d[0] == '0')
            return 0;    /* "00..." is international: never here */
        else if (n == 9 && d[0] != '0')
            nsn = d; /* 6...: the 0 was eaten */
        else if (n == 11 && is33(d) && d[2] != '0')
            nsn = d + 2; /* 33 6... */
        else if (n == 12 && is33(d) && d[2] == '0' && d[3] != '0')
            nsn = d + 3; /* 33 0 6... */
    }
    if (!nsn && n > 12 && d[2] == '0' && is33(d))
        return 0; /* "33 00 6 12 34 56 78" is +33 6...: libphonenumber's turn */
    if (!nsn) {
        out[0] = '\0';
        *type = LI_PHONE_UNKNOWN;
        *msg = LI_MSG_PHONE_INVALID;
        return 1;
    }
    if (french_plan_cc(nsn) != 33)
        return 0; /* an overseas number: libphonenumber's turn */
    li_phone_type t = fr_type(nsn);
    if (t == LI_PHONE_UNKNOWN) {
        out[0] = '\0';
        *type = LI_PHONE_UNKNOWN;
        *msg = LI_MSG_PHONE_INVALID;
        return 1;
    }
    memcpy(out, "+33", 3);
    memcpy(out + 3, nsn, 9);
    out[12] = '\0';
    *type = t;
    *msg = LI_MSG_NONE;
    return 1;
}

/* --- step 3: libphonenumber ---------------------------------------------------- */

/* France and the overseas departments that share its plan. */
static int in_french_plan(unsigned cc) {
    return cc == 33 || cc == 262 || cc == 590 || cc == 594 || cc == 596;
}

/* Regions whose national numbers are dialled in the French plan. */
static int french_region(const char *r) {
    static const char regions[][3] = {"FR", "RE", "YT", "GP", "BL", "MF", "GF", "MQ"};
    for (size_t i = 0; i < sizeof regions / sizeof regions[0]; i++)
        if (r[0] == regions[i][0] && r[1] == regions[i][1])
            return 1;
    return 0;
}

li_msg li__phone_lib_digits(const li__phone_digits *dg, const char *region, char out[17],
                            li_phone_type *type) {
    char buf[LI__PHONE_MAX_DIGITS + 8];
    size_t n = 0;
    if (dg->intl)
        buf[n++] = '+';
    memcpy(buf + n, dg->d, dg->n);
    n += dg->n;
    li__phonelib_num num;
    li_msg m = li__phonelib_norm(buf, n, region, out, 17, type, &num);
    /*
     * A number of the French plan ("+33 ...", or national in a region of
     * the plan) gets the code its block belongs to: "0262 12 34 56" read in
     * France is +262 262 12 34 56, "06 12 34 56 78" read in Réunion is +33.
     */
    int french = dg->intl ? is33(dg->d) : french_region(region);
    if (french && in_french_plan(num.cc) && strlen(num.nsn) == 9 && num.nsn[0] != '0') {
        unsigned cc = french_plan_cc(num.nsn);
        if (cc != num.cc) {
            int k = snprintf(buf, sizeof buf, "+%u%s", cc, num.nsn);
            m = li__phonelib_norm(buf, (size_t)k, "ZZ", out, 17, type, NULL);
        }
    }
    return m;
}

/* --- the two paths on raw values, for tests and the bench -------------------- */

int li__phone_fast(const char *in, size_t len, const char *region, char *out,
                   li_phone_type *type, li_msg *msg) {
    char r[3];
    li__phone_digits dg;
    region_code(region, r);
    li_msg m = li__phone_prep(in, len, &dg);
    if (m != LI_MSG_NONE) {
        out[0] = '\0';
        *type = LI_PHONE_UNKNOWN;
        *msg = m;
        return 1;
    }
    if (!li__phone_fast_digits(&dg, r, out, type, msg))
        return 0;
    *msg = with_ext(&dg, out, LI_PHONE_CAP, type, *msg);
    return 1;
}

li_msg li__phone_lib(const char *in, size_t len, const char *region, char *out,
                     li_phone_type *type) {
    char r[3];
    li__phone_digits dg;
    region_code(region, r);
    out[0] = '\0';
    *type = LI_PHONE_UNKNOWN;
    li_msg m = li__phone_prep(in, len, &dg);
    if (m != LI_MSG_NONE)
        return m;
    return with_ext(&dg, out, LI_PHONE_CAP, type, li__phone_lib_digits(&dg, r, out, type));
}

/* --- the API --------------------------------------------------------------------- */

li_msg li_norm_phone_typed(const char *in, size_t len, const char *region, char *out, size_t cap,
                           li_phone_type *type) {
    li_phone_type ignored;
    li__phone_digits dg;
    char r[3];
    li_msg m;
    if (!type)
        type = &ignored;
    *type = LI_PHONE_UNKNOWN;
    if (cap > 0)
        out[0] = '\0';
    if (cap < 17)
        return LI_MSG_PHONE_INVALID;
    m = li__phone_prep(in, len, &dg);
    if (m != LI_MSG_NONE)
        return m;
    region_code(region, r);
    if (!li__phone_fast_digits(&dg, r, out, type, &m))
        m = li__phone_lib_digits(&dg, r, out, type);
    return with_ext(&dg, out, cap, type, m);
}

li_msg li_norm_phone(const char *in, size_t len, const char *region, char *out, size_t cap) {
    return li_norm_phone_typed(in, len, region, out, cap, NULL);
}

li_msg li__norm_phone(const char *in, size_t len, const li__country *region, char *out,
                      size_t cap) {
    return li_norm_phone_typed(in, len, region ? region->iso : "ZZ", out, cap, NULL);
}

const char *li_phone_type_key(li_phone_type t) {
    switch (t) {
    case LI_PHONE_MOBILE:
        return "mobile";
    case LI_PHONE_FIXED:
        return "fixe";
    case LI_PHONE_OTHER:
        return "autre";
    default:
        return "";
    }
}
