/*
 * phone.c — phone numbers to E.164 ("+33612345678"), France first.
 *
 * What it promises (li_norm_phone, validate.h):
 *   - separators are ignored: spaces (ASCII and Unicode), dots, dashes
 *     (also Unicode dashes), slashes, parentheses; "(0)" after a country
 *     code is dropped ("+33 (0)6 12 34 56 78");
 *   - "+" or "00" starts an international number: the country code is read
 *     against the full list of assigned ITU-T codes (1 to 3 digits, a
 *     prefix-free set);
 *   - without it, the number is national in the region (default "FR"):
 *     trunk prefix + NSN ("06 12 34 56 78"), the region's code without "+"
 *     ("33612345678", "330612345678"; only if the rest is a valid NSN), or
 *     the NSN alone (a French number whose leading 0 a spreadsheet ate:
 *     "612345678");
 *   - the national significant number (NSN) is checked against a table of
 *     common plans (length, first digit); a stray trunk prefix after the
 *     code is dropped ("+33 06...", "+1 1 514..."). Any other assigned code
 *     needs 8 to 15 digits in all, after dropping a stray leading 0 (kept
 *     for the few plans where 0 belongs to the number: Italy, Côte
 *     d'Ivoire...). This is a syntax check, not libphonenumber: a number
 *     of the right shape in an unassigned range passes;
 *   - French overseas numbers dialled from France (0262, 0590, 0692...) get
 *     their own country code (+262, +590, +594, +596), as E.164 wants;
 *   - Excel's scientific notation ("3,3612345678E+10") is read only when the
 *     mantissa holds every digit; "6,12E+08" is PHONE_PRECISION_LOST;
 *   - letters, other symbols, more than one "+", too few or too many digits
 *     are PHONE_INVALID. Extensions are not supported.
 *
 * No allocation; all tables are const, every function is thread-safe.
 */
#include <string.h>

#include "lead/leadInt.h"
#include "leadimport/validate.h"

enum { MAX_DIGITS = 24 };

/* Plans we check in detail. The NSN excludes the trunk prefix. */
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

/* French overseas numbers in the French plan: NSN prefix -> their own code. */
static const struct {
    char prefix[4];
    unsigned short cc;
} overseas[] = {
    {"262", 262}, {"263", 262}, {"269", 262}, {"639", 262}, {"692", 262},
    {"693", 262}, {"590", 590}, {"690", 590}, {"691", 590}, {"594", 594},
    {"694", 594}, {"596", 596}, {"696", 596}, {"697", 596},
};

const li__country *li__country_by_iso(const char *iso) {
    if (!iso || !iso[0] || !iso[1] || iso[2])
        return NULL;
    char up[3] = {(char)(iso[0] & ~0x20), (char)(iso[1] & ~0x20), 0};
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (strcmp(countries[i].iso, up) == 0)
            return &countries[i];
    return NULL;
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

/* A number as digits, before it is given a country. */
typedef struct digits {
    char d[MAX_DIGITS + 1];
    size_t n;
    int intl; /* written with "+" or "00" (already removed from d) */
} digits;

/* 1 if nsn (n digits) fits the plan c. */
static int nsn_valid(const li__country *c, const char *nsn, size_t n) {
    if (n < c->min || n > c->max)
        return 0;
    if (c->first && !strchr(c->first, nsn[0]))
        return 0;
    if (c->trunk == '1' && (nsn[3] < '2' || nsn[3] > '9'))
        return 0; /* NANP: the exchange code starts with 2-9 too */
    return 1;
}

static size_t put_uint(char *out, unsigned v) {
    char tmp[8];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Writes "+<cc><nsn>" to out (cap >= 17 checked by the caller). */
static li_msg emit(unsigned cc, const char *nsn, size_t n, char *out) {
    if (cc == 33 && n == 9) {
        for (size_t i = 0; i < sizeof overseas / sizeof overseas[0]; i++)
            if (memcmp(nsn, overseas[i].prefix, 3) == 0)
                cc = overseas[i].cc;
    }
    size_t o = 0;
    out[o++] = '+';
    o += put_uint(out + o, cc);
    if (o + n > 16)
        return LI_MSG_PHONE_INVALID;
    memcpy(out + o, nsn, n);
    out[o + n] = '\0';
    return LI_MSG_NONE;
}

/* A country code and the rest: checked against its plan, or generically. */
/*
 * Codes whose national numbers begin with 0 even in international form
 * (Italy, San Marino, Vatican, Côte d'Ivoire, Gabon, Congo): their 0 is
 * part of the number, not a trunk prefix to drop.
 */
static int keeps_zero(unsigned cc) {
    return cc == 39 || cc == 378 || cc == 379 || cc == 225 || cc == 241 || cc == 242;
}

static li_msg with_cc(unsigned cc, size_t cclen, const char *nsn, size_t n, char *out) {
    const li__country *c = li__country_by_cc(cc);
    if (c) {
        if (nsn_valid(c, nsn, n))
            return emit(cc, nsn, n, out);
        if (c->trunk && n > 1 && nsn[0] == c->trunk && nsn_valid(c, nsn + 1, n - 1))
            return emit(cc, nsn + 1, n - 1, out); /* "+33 06 12 ...", "+1 1 514 ..." */
        return LI_MSG_PHONE_INVALID;
    }
    if (n > 1 && nsn[0] == '0' && !keeps_zero(cc)) { /* "+971 050 ...": a stray trunk 0 */
        nsn++;
        n--;
    }
    if (cclen + n < 8 || cclen + n > 15)
        return LI_MSG_PHONE_INVALID;
    return emit(cc, nsn, n, out);
}

static li_msg international(const digits *dg, char *out) {
    unsigned cc = 0;
    for (size_t len = 1; len <= 3 && len < dg->n; len++) {
        cc = cc * 10 + (unsigned)(dg->d[len - 1] - '0');
        if (dg->d[0] != '0' && li__cc_assigned(cc))
            return with_cc(cc, len, dg->d + len, dg->n - len, out);
    }
    return LI_MSG_PHONE_INVALID;
}

static li_msg national(const digits *dg, const li__country *r, char *out) {
    const char *d = dg->d;
    size_t n = dg->n;
    if (!r)
        return LI_MSG_PHONE_INVALID;
    if (r->trunk && d[0] == r->trunk && n > 1 && nsn_valid(r, d + 1, n - 1))
        return emit(r->cc, d + 1, n - 1, out); /* 06 12 34 56 78 */
    char ccs[8];
    size_t cclen = put_uint(ccs, r->cc);
    if (n > cclen + 1 && memcmp(d, ccs, cclen) == 0) {
        if (nsn_valid(r, d + cclen, n - cclen))
            return emit(r->cc, d + cclen, n - cclen, out); /* 33612345678 */
        if (r->trunk && d[cclen] == r->trunk && nsn_valid(r, d + cclen + 1, n - cclen - 1))
            return emit(r->cc, d + cclen + 1, n - cclen - 1, out); /* 330612345678 */
    }
    if ((r->trunk != '0' || d[0] != '0') && nsn_valid(r, d, n))
        return emit(r->cc, d, n, out); /* 612345678: the 0 was eaten */
    return LI_MSG_PHONE_INVALID;
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
static int scientific(const char *s, size_t len, digits *dg, li_msg *why) {
    size_t i = 0, mant = 0, frac = 0;
    char m[MAX_DIGITS + 1];
    int seen_sep = 0;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (mant == 0 && c == '0')
                continue; /* leading zeros carry nothing */
            if (mant >= MAX_DIGITS)
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
    if (mant < total || total > MAX_DIGITS) {
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
static li_msg scan(const char *s, size_t len, digits *dg) {
    const unsigned char *p = (const unsigned char *)s;
    int plus = 0;
    dg->n = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        if (c >= '0' && c <= '9') {
            if (dg->n >= MAX_DIGITS)
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

li_msg li__norm_phone(const char *in, size_t len, const li__country *region, char *out,
                      size_t cap) {
    digits dg;
    li_msg why = LI_MSG_NONE;
    if (cap > 0)
        out[0] = '\0';
    if (cap < 17)
        return LI_MSG_PHONE_INVALID;
    size_t b = 0, e = len;
    trim(in, &b, &e);
    int sci = scientific(in + b, e - b, &dg, &why);
    if (sci == 2)
        return why;
    if (sci == 0) {
        why = scan(in + b, e - b, &dg);
        if (why != LI_MSG_NONE)
            return why;
    }
    why = dg.intl ? international(&dg, out) : national(&dg, region, out);
    if (why != LI_MSG_NONE)
        out[0] = '\0';
    return why;
}

li_msg li_norm_phone(const char *in, size_t len, const char *region, char *out, size_t cap) {
    return li__norm_phone(in, len, li__country_by_iso(region ? region : "FR"), out, cap);
}
