/*
 * xlsx_num.c — numeric cells as text: what a user who exported the sheet
 * to CSV would expect to read, without the display's damage.
 *
 * A spreadsheet stores numbers as doubles written in decimal (<v>6.12E8</v>,
 * <v>33612345678</v>) and shows them through a number format. Lead files
 * carry phone numbers, postal codes and dates in such cells, so:
 *   - general numbers are written in full, never with an exponent: integral
 *     values as integers, others as the shortest decimal that reads back as
 *     the same double (2.3199999999999998 gives 2.32);
 *   - a date format (built-in 14-22, 45, 47 and the East Asian ones, or a
 *     custom code with d, m, y, h or s tokens) gives an ISO date;
 *   - an elapsed-time format ([h]:mm:ss, built-in 46, or any code with
 *     [h], [m] or [s]) is a duration, not a date: 1.5208333 days shown
 *     [h]:mm is "36:30:00", the total hours, minutes and seconds (whatever
 *     units the code shows: one text for every duration of the column);
 *   - a custom code made only of zeros ("00000", Excel's French postal
 *     code format) pads integers with zeros, as the sheet shows them.
 * The text is read and written in the C locale, whatever the process's.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leadimport/text.h"
#include "xlsxInt.h"

int li__xlsx_builtin_kind(unsigned id) {
    if (id == 46) /* [h]:mm:ss */
        return LI__NUMFMT_DURATION;
    if ((id >= 14 && id <= 22) || (id >= 27 && id <= 36) || (id >= 45 && id <= 47) ||
        (id >= 50 && id <= 58))
        return LI__NUMFMT_DATE;
    return LI__NUMFMT_GENERAL;
}

int li__xlsx_format_kind(const char *code, unsigned *pad) {
    unsigned zeros = 0, others = 0;
    int is_date = 0;
    *pad = 0;
    for (const char *p = code; *p && *p != ';'; p++) {
        switch (*p) {
        case '"': /* quoted text */
            p++;
            while (*p && *p != '"')
                p++;
            if (!*p)
                return is_date ? LI__NUMFMT_DATE : LI__NUMFMT_GENERAL;
            others++;
            continue;
        case '[': /* [Red], [$€-40C], [h] (elapsed time: a duration, [h]:mm is no clock) */
            if ((p[1] == 'h' || p[1] == 'H' || p[1] == 'm' || p[1] == 'M' || p[1] == 's' ||
                 p[1] == 'S') &&
                (p[2] == ']' || p[2] == p[1]))
                return LI__NUMFMT_DURATION;
            while (*p && *p != ']')
                p++;
            if (!*p)
                return is_date ? LI__NUMFMT_DATE : LI__NUMFMT_GENERAL;
            continue;
        case '\\': /* escaped character */
        case '_':  /* space as wide as the next character */
        case '*':  /* fill with the next character */
            if (!p[1])
                return is_date ? LI__NUMFMT_DATE : LI__NUMFMT_GENERAL;
            p++;
            others++;
            continue;
        case 'd':
        case 'D':
        case 'm':
        case 'M':
        case 'y':
        case 'Y':
        case 'h':
        case 'H':
        case 's':
        case 'S':
            is_date = 1; /* unless an elapsed-time token follows ("mm:[ss]" is rare, not wrong) */
            continue;
        case '0':
            zeros++;
            continue;
        default:
            others++;
            continue;
        }
    }
    if (is_date)
        return LI__NUMFMT_DATE;
    if (zeros >= 2 && others == 0 && zeros <= 30) {
        *pad = zeros;
        return LI__NUMFMT_ZEROPAD;
    }
    return LI__NUMFMT_GENERAL;
}

/* Parses v[0..n) as a decimal number in the C locale; 0 if it is not one. */
static int parse_double(const char *v, size_t n, double *out) {
    char buf[128];
    while (n > 0 && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\n' || v[n - 1] == '\r'))
        n--;
    if (n == 0 || n >= sizeof buf)
        return 0;
    /* strtod would accept "inf", "nan", hex and the locale's decimal point */
    for (size_t i = 0; i < n; i++) {
        char c = v[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
            return 0;
    }
    /* in a locale whose decimal point is ',', strtod wants ',' */
    struct lconv *lc = localeconv();
    char point = lc && lc->decimal_point && lc->decimal_point[0] ? lc->decimal_point[0] : '.';
    for (size_t i = 0; i < n; i++)
        buf[i] = v[i] == '.' ? point : v[i];
    buf[n] = '\0';
    char *end;
    double d = strtod(buf, &end);
    if (*end || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

/*
 * The significant digits and exponent of d printed with prec digits:
 * d = 0.DIGITS x 10^(exp+1). Locale-proof (the decimal point is skipped).
 */
static size_t sig_digits(double d, int prec, char *digits, int *exp) {
    char buf[64];
    snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    size_t nd = 0;
    const char *p = buf;
    if (*p == '-')
        p++;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    *exp = *p == 'e' ? (int)strtol(p + 1, NULL, 10) : 0;
    return nd;
}

/* Reads digits back as a double, to test the round trip. */
static double from_digits(int neg, const char *digits, size_t nd, int exp) {
    char buf[64];
    snprintf(buf, sizeof buf, "%s0.%.*se%d", neg ? "-" : "", (int)nd, digits, exp + 1);
    double d;
    return parse_double(buf, strlen(buf), &d) ? d : 0.0;
}

static size_t general(double d, char *out) {
    if (d == 0)
        return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "0");
    if (d == trunc(d) && fabs(d) < 1e21)
        return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "%.0f", d);
    char digits[32];
    size_t nd = 0;
    int exp = 0, neg = d < 0;
    for (int prec = 1; prec <= 17; prec++) {
        nd = sig_digits(d, prec, digits, &exp);
        if (from_digits(neg, digits, nd, exp) == d)
            break;
    }
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    size_t o = 0;
    if (neg)
        out[o++] = '-';
    if (exp > 20 || exp < -20) { /* too far for plain decimals: d.ddde±x */
        return (size_t)snprintf(out + o, LI__XLSX_NUM_MAX - o, "%c%s%.*se%d", digits[0],
                                nd > 1 ? "." : "", (int)nd - 1, digits + 1, exp) +
               o;
    }
    if (exp < 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = -1; i > exp; i--)
            out[o++] = '0';
        memcpy(out + o, digits, nd);
        o += nd;
    } else {
        for (int i = 0; i <= exp; i++)
            out[o++] = (size_t)i < nd ? digits[i] : '0';
        if (nd > (size_t)exp + 1) {
            out[o++] = '.';
            memcpy(out + o, digits + exp + 1, nd - (size_t)exp - 1);
            o += nd - (size_t)exp - 1;
        }
    }
    out[o] = '\0';
    return o;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void civil_from_days(long long z, long long *y, unsigned *m, unsigned *d) {
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long yy = (long long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

#define DAYS_1899_12_30 (-25569LL) /* days from 1970-01-01 */
#define DAYS_1904_01_01 (-24107LL)

/* 0 when the serial is not a date we can write (negative, past 9999). */
static size_t date(double v, int date1904, char *out) {
    if (v < 0 || v >= 2958466.0)
        return 0;
    double whole = floor(v);
    long long days = (long long)whole;
    long long secs = llround((v - whole) * 86400.0);
    if (secs >= 86400) {
        days++;
        secs -= 86400;
    }
    unsigned hh = (unsigned)(secs / 3600), mi = (unsigned)(secs / 60 % 60),
             ss = (unsigned)(secs % 60);
    if (days == 0)
        return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "%02u:%02u:%02u", hh, mi, ss);
    long long base = DAYS_1904_01_01;
    if (!date1904) {
        /* serials before Lotus 1-2-3's fictitious 1900-02-29 (60) are one day off */
        base = DAYS_1899_12_30 + (days < 60);
    }
    long long y;
    unsigned m, d;
    if (!date1904 && days == 60) { /* written as Excel shows it, though it never was */
        y = 1900;
        m = 2;
        d = 29;
    } else {
        civil_from_days(base + days, &y, &m, &d);
    }
    if (secs == 0)
        return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "%04lld-%02u-%02u", y, m, d);
    return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "%04lld-%02u-%02u %02u:%02u:%02u", y, m, d, hh,
                            mi, ss);
}

/* A duration in days as the total hours, minutes and seconds, "36:30:00"; 0 when too big. */
static size_t duration(double v, char *out) {
    double secs = fabs(v) * 86400.0;
    if (!(secs < 9.0e15)) /* exact in a double, and far beyond any real duration */
        return 0;
    long long t = llround(secs);
    return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "%s%02lld:%02lld:%02lld", v < 0 && t ? "-" : "",
                            t / 3600, t / 60 % 60, t % 60);
}

size_t li__xlsx_number(const char *v, size_t n, int kind, unsigned pad, int date1904, char *out) {
    double d;
    if (!parse_double(v, n, &d)) {
        if (n > LI__XLSX_NUM_MAX - 1)
            n = LI__XLSX_NUM_MAX - 1;
        memcpy(out, v, n);
        out[n] = '\0';
        return n;
    }
    if (kind == LI__NUMFMT_DATE) {
        size_t k = date(d, date1904, out);
        if (k)
            return k;
    }
    if (kind == LI__NUMFMT_DURATION) {
        size_t k = duration(d, out);
        if (k)
            return k;
    }
    if (kind == LI__NUMFMT_ZEROPAD && d >= 0 && d < 1e15 && d == trunc(d))
        return (size_t)snprintf(out, LI__XLSX_NUM_MAX, "%0*.0f", (int)pad, d);
    return general(d, out);
}

/* The code unit of the escape _xHHHH_ at s (7 bytes available), or -1. */
static long escape_at(const char *s) {
    if (s[0] != '_' || s[1] != 'x' || s[6] != '_')
        return -1;
    long u = 0;
    for (int i = 2; i < 6; i++) {
        int h = li_text_hex_digit((unsigned char)s[i]);
        if (h < 0)
            return -1;
        u = u << 4 | h;
    }
    return u;
}

/* 1 if s[0..n) has "_x" somewhere (memchr: most values have no '_' at all). */
static int has_escape(const char *s, size_t n) {
    for (const char *p = s, *e = s + n; (p = memchr(p, '_', (size_t)(e - p))) != NULL; p++)
        if (p + 1 < e && p[1] == 'x')
            return 1;
    return 0;
}

size_t li__xlsx_unescape(char *s, size_t n) {
    if (n < 7 || !has_escape(s, n))
        return n;
    size_t i = 0, o = 0;
    while (i < n) {
        long u = i + 7 <= n ? escape_at(s + i) : -1;
        if (u < 0) {
            s[o++] = s[i++];
            continue;
        }
        i += 7;
        unsigned long cp = (unsigned long)u;
        if (u >= 0xD800 && u <= 0xDBFF) {
            long lo = i + 7 <= n ? escape_at(s + i) : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + (((unsigned long)u - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                i += 7;
            } else {
                cp = 0xFFFD;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            cp = 0xFFFD;
        }
        o += li__utf8_put(s + o, (unsigned)cp); /* at most 4 bytes for 7 read: in place is safe */
    }
    return o;
}
