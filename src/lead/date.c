/*
 * date.c — dates of any usual shape to ISO 8601, day and month never swapped.
 *
 * One parser serves both the column analyser and the normaliser, so that a
 * value counts as a date in the probe exactly when li_norm_date() reads it
 * (bare numbers aside: the probe wants a header hint for those). The parser
 * only recognises shapes (parse()); deciding which number is the day, and
 * checking the calendar and the year range, is resolve()'s job, done in
 * one place for both.
 *
 * No allocation, no locale, no libc time function (mktime, strptime and
 * friends depend on the locale or the time zone, and strptime is not in
 * C11): the calendar is Howard Hinnant's civil_from_days algorithm, which
 * is exact for the proleptic Gregorian calendar over any year range.
 * Everything is const or on the stack: thread-safe.
 */
#include <string.h>

#include "leadimport/date.h"
#include "leadimport/field.h"

enum {
    YEAR_MIN = 1900,
    YEAR_MAX = 2100,
    /* Two-digit years below the pivot are 20xx: Excel's and Windows' rule. */
    YEAR_PIVOT = 30,
    /* Enough digits for any number we read; longer runs are not dates. */
    NUM_MAX_DIGITS = 9,
    /* Folded letters of the longest month or weekday name, and then some. */
    WORD_MAX = 16,
};

/* The shapes parse() recognises. */
enum shape {
    S_EMPTY,  /* nothing but spaces */
    S_NONE,   /* not a date we know */
    S_FIXED,  /* year, month and day known: ISO, month name, basic ISO */
    S_DM,     /* a/b/year: which of a and b is the day is the order's call */
    S_SERIAL, /* a bare number, Excel's days since its epoch */
};

typedef struct dt {
    int shape;
    int numeric; /* digits only (serial, "20240307"): needs a hint in a probe */
    int y, a, b; /* S_FIXED: a = month, b = day. S_DM: as written */
    long serial; /* S_SERIAL: the integer part */
    int serial_digits;
    long frac_secs; /* S_SERIAL: the fraction as seconds, rounded (0..86400) */
    int has_time, hh, mi, ss;
    int has_tz, tz; /* tz: minutes east of UTC */
} dt;

typedef struct cur {
    const unsigned char *p;
    size_t i, n;
} cur;

/* --- the calendar -------------------------------------------------------- */

static int is_leap(long y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(long y, int m) {
    static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int valid_ymd(long y, int m, int d) {
    return m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/*
 * The civil date of a day counted from 1970-01-01 (Hinnant, "chrono-
 * compatible low-level date algorithms"); exact for any year.
 */
static void civil_from_days(long z, long *y, int *m, int *d) {
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* --- reading bytes ------------------------------------------------------- */

static int is_digit(int ch) {
    return ch >= '0' && ch <= '9';
}

static int is_alpha(int ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int peek(const cur *c) {
    return c->i < c->n ? c->p[c->i] : -1;
}

static int peek_at(const cur *c, size_t k) {
    return c->i + k < c->n ? c->p[c->i + k] : -1;
}

/*
 * Length of the space at s[i] (ASCII blanks, U+00A0, and U+202F which
 * French typography and Excel's French number formats put before ":" or
 * between thousands), 0 if none.
 */
static size_t space_at(const unsigned char *s, size_t i, size_t n) {
    if (i >= n)
        return 0;
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == '\v' || s[i] == '\f')
        return 1;
    if (s[i] == 0xC2 && i + 1 < n && s[i + 1] == 0xA0)
        return 2;
    if (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 && (s[i + 2] == 0xAF || s[i + 2] == 0x89))
        return 3; /* U+202F narrow no-break space, U+2009 thin space */
    return 0;
}

static size_t skip_spaces(cur *c) {
    size_t start = c->i, k;
    while ((k = space_at(c->p, c->i, c->n)) > 0)
        c->i += k;
    return c->i - start;
}

/* Skips what may sit between the words and numbers of "7 mars, 2024",
 * "07-mars-24", "Thu, 07 Mar": spaces and - . / , */
static size_t skip_gap(cur *c) {
    size_t start = c->i;
    for (;;) {
        int ch = peek(c);
        size_t k = space_at(c->p, c->i, c->n);
        if (k > 0)
            c->i += k;
        else if (ch == '-' || ch == '.' || ch == '/' || ch == ',')
            c->i++;
        else
            break;
    }
    return c->i - start;
}

/*
 * Reads a run of digits into *v; returns how many there were (0: none). A
 * run longer than NUM_MAX_DIGITS is consumed but *v is then meaningless:
 * every caller bounds the count first.
 */
static int read_num(cur *c, long *v) {
    int k = 0;
    long x = 0;
    while (is_digit(peek(c))) {
        if (k < NUM_MAX_DIGITS)
            x = x * 10 + (peek(c) - '0');
        k++;
        c->i++;
    }
    *v = x;
    return k;
}

/*
 * Reads a word of letters, folded to lower-case ASCII with the accents of
 * French month and weekday names removed (é è ê É È Ê -> e, û ù Û -> u).
 * Stops at any other byte. Returns the folded length (0: no letter); a
 * word too long for w is consumed and reported as WORD_MAX (no match).
 */
static size_t read_word(cur *c, char *w) {
    size_t k = 0;
    for (;;) {
        int ch = peek(c), fold = 0, len = 1;
        if (is_alpha(ch)) {
            fold = ch | 0x20;
        } else if (ch == 0xC3) {
            int nx = peek_at(c, 1);
            len = 2;
            if (nx == 0xA9 || nx == 0xA8 || nx == 0xAA || nx == 0x89 || nx == 0x88 || nx == 0x8A)
                fold = 'e';
            else if (nx == 0xBB || nx == 0xB9 || nx == 0x9B || nx == 0x99)
                fold = 'u';
        }
        if (!fold)
            break;
        c->i += (size_t)len;
        if (k < WORD_MAX)
            w[k] = (char)fold;
        k++;
    }
    if (k >= WORD_MAX)
        return WORD_MAX;
    w[k] = '\0';
    return k;
}

/* --- names --------------------------------------------------------------- */

typedef struct name_num {
    const char *name; /* folded: lower-case, no accents */
    int num;
} name_num;

/* French and English month names and their usual abbreviations. */
static const name_num months[] = {
    {"janvier", 1},  {"janv", 1},      {"jan", 1},       {"january", 1},   {"fevrier", 2},
    {"fevr", 2},     {"fev", 2},       {"feb", 2},       {"february", 2},  {"mars", 3},
    {"mar", 3},      {"march", 3},     {"avril", 4},     {"avr", 4},       {"apr", 4},
    {"april", 4},    {"mai", 5},       {"may", 5},       {"juin", 6},      {"jun", 6},
    {"june", 6},     {"juillet", 7},   {"juil", 7},      {"jul", 7},       {"july", 7},
    {"aout", 8},     {"aou", 8},       {"aug", 8},       {"august", 8},    {"septembre", 9},
    {"sept", 9},     {"sep", 9},       {"september", 9}, {"octobre", 10},  {"oct", 10},
    {"october", 10}, {"novembre", 11}, {"nov", 11},      {"november", 11}, {"decembre", 12},
    {"dec", 12},     {"december", 12},
};

/*
 * Weekdays, skipped in front of a date. The French "mar" (mardi) is left
 * out on purpose: "Mar 7, 2024" is March.
 */
static const char *const weekdays[] = {
    "lundi",    "mardi",  "mercredi", "jeudi",  "vendredi", "samedi", "dimanche", "lun",
    "mer",      "jeu",    "ven",      "sam",    "dim",      "monday", "tuesday",  "wednesday",
    "thursday", "friday", "saturday", "sunday", "mon",      "tue",    "tues",     "wed",
    "thu",      "thur",   "thurs",    "fri",    "sat",      "sun",
};

static int month_of(const char *w) {
    for (size_t i = 0; i < sizeof months / sizeof months[0]; i++)
        if (strcmp(months[i].name, w) == 0)
            return months[i].num;
    return 0;
}

static int is_weekday(const char *w) {
    for (size_t i = 0; i < sizeof weekdays / sizeof weekdays[0]; i++)
        if (strcmp(weekdays[i], w) == 0)
            return 1;
    return 0;
}

/* "1er mars", "21st March", "2nd", "3rd", "7th". */
static int is_ordinal(const char *w) {
    return strcmp(w, "er") == 0 || strcmp(w, "st") == 0 || strcmp(w, "nd") == 0 ||
           strcmp(w, "rd") == 0 || strcmp(w, "th") == 0;
}

/* --- parsing shapes ------------------------------------------------------ */

static int expand_year(long y, int digits) {
    if (digits == 2)
        return (int)(y < YEAR_PIVOT ? 2000 + y : 1900 + y);
    return (int)y;
}

/* Matches s (lower-case ASCII) case-insensitively at the cursor. */
static int take(cur *c, const char *s) {
    size_t n = strlen(s);
    if (c->n - c->i < n)
        return 0;
    for (size_t k = 0; k < n; k++) {
        int ch = c->p[c->i + k];
        if ((is_alpha(ch) ? ch | 0x20 : ch) != (unsigned char)s[k])
            return 0;
    }
    c->i += n;
    return 1;
}

/* A zone after a time: Z, UTC, GMT, +01:00, +0100, +01. */
static int parse_zone(cur *c, dt *d) {
    int ch = peek(c);
    if (ch == 'Z' || ch == 'z') {
        c->i++;
        d->has_tz = 1;
        d->tz = 0;
        return 1;
    }
    if (take(c, "utc") || take(c, "gmt")) {
        d->has_tz = 1;
        d->tz = 0;
        return 1;
    }
    if (ch != '+' && ch != '-')
        return 0;
    c->i++;
    long h, m = 0;
    int k = read_num(c, &h);
    if (k == 4) {
        m = h % 100;
        h /= 100;
    } else if (k == 2) {
        if (peek(c) == ':') {
            c->i++;
            if (read_num(c, &m) != 2)
                return 0;
        }
    } else {
        return 0;
    }
    if (h > 14 || m > 59)
        return 0;
    d->has_tz = 1;
    d->tz = (int)((ch == '-' ? -1 : 1) * (h * 60 + m));
    return 1;
}

/*
 * A time at the cursor: H:MM[:SS[.fff]], HhMM, Hh, then an optional AM/PM
 * and zone. Returns 1 if the rest of the value is exactly that.
 */
static int parse_time(cur *c, dt *d) {
    long h, m = 0, s = 0, x;
    int k = read_num(c, &h);
    if (k < 1 || k > 2)
        return 0;
    if (peek(c) == ':') {
        c->i++;
        if (read_num(c, &m) != 2)
            return 0;
        if (peek(c) == ':') {
            c->i++;
            if (read_num(c, &s) != 2)
                return 0;
            if ((peek(c) == '.' || peek(c) == ',') && is_digit(peek_at(c, 1))) {
                c->i++;
                read_num(c, &x); /* fractions of a second are dropped */
            }
        }
    } else if (peek(c) == 'h' || peek(c) == 'H') {
        c->i++;
        if (is_digit(peek(c)) && read_num(c, &m) != 2)
            return 0;
    } else {
        return 0;
    }
    size_t save = c->i;
    skip_spaces(c);
    int ampm = 0;
    if (take(c, "am") || take(c, "a.m."))
        ampm = 1;
    else if (take(c, "pm") || take(c, "p.m."))
        ampm = 2;
    if (!ampm)
        c->i = save;
    if (ampm) {
        if (h < 1 || h > 12)
            return 0;
        h = h % 12 + (ampm == 2 ? 12 : 0);
    }
    save = c->i;
    skip_spaces(c);
    if (!parse_zone(c, d))
        c->i = save;
    skip_spaces(c);
    if (c->i != c->n || h > 23 || m > 59 || s > 59)
        return 0;
    d->has_time = 1;
    d->hh = (int)h;
    d->mi = (int)m;
    d->ss = (int)s;
    return 1;
}

/*
 * What may follow a date: nothing, or a time set apart by "T" (right after
 * the date) or by spaces or ", " (then optionally "à" / "at"). Returns 1 if
 * the value ends well.
 */
static int parse_rest(cur *c, dt *d) {
    size_t gap = skip_spaces(c);
    if (c->i == c->n)
        return 1;
    if (gap == 0 && (peek(c) == 'T' || peek(c) == 't') && is_digit(peek_at(c, 1))) {
        c->i++;
        return parse_time(c, d);
    }
    if (peek(c) == ',') {
        c->i++;
        gap += 1 + skip_spaces(c);
    }
    if (gap == 0)
        return 0; /* "07/03/202410:20" */
    size_t save = c->i;
    /* "7 mars 2024 à 10h20", "March 7, 2024 at 10:20 AM" */
    if (!((take(c, "\xc3\xa0") || take(c, "at") || take(c, "a")) && skip_spaces(c) > 0))
        c->i = save;
    return parse_time(c, d);
}

/* A bare number: an Excel serial, or basic ISO "20240307". */
static int parse_number(cur *c, dt *d) {
    long ip;
    size_t start = c->i;
    int k = read_num(c, &ip);
    int frac = 0;
    long secs = 0;
    if ((peek(c) == '.' || peek(c) == ',') && is_digit(peek_at(c, 1))) {
        /*
         * The fraction as seconds, rounded, in integers: up to 12 digits
         * of it (n / 10^12 * 86400 fits in 64 bits); the rest cannot move
         * the result by a second.
         */
        c->i++;
        unsigned long long num = 0, den = 1;
        int fd = 0;
        while (is_digit(peek(c))) {
            if (fd < 12) {
                num = num * 10 + (unsigned long long)(peek(c) - '0');
                den *= 10;
            }
            fd++;
            c->i++;
        }
        secs = (long)((num * 86400ULL + den / 2) / den);
        frac = 1;
    }
    skip_spaces(c);
    if (c->i != c->n || k == 0 || k > 7 + (frac ? 0 : 1))
        return S_NONE;
    d->numeric = 1;
    if (k == 8) { /* basic ISO 8601: YYYYMMDD */
        d->y = (int)(ip / 10000);
        d->a = (int)(ip / 100 % 100);
        d->b = (int)(ip % 100);
        return S_FIXED;
    }
    d->serial = ip;
    d->serial_digits = k;
    d->frac_secs = secs;
    if (c->p[start] == '0' && k > 1)
        d->serial_digits = 0; /* "07531" is a code, not a serial */
    return S_SERIAL;
}

/* Day first: "07/03/2024", "7 mars 2024", "1er févr. 24", "07MAR2024". */
static int parse_day_first(cur *c, dt *d) {
    long n1, n2, n3;
    char w[WORD_MAX + 1];
    int k1 = read_num(c, &n1);
    int sep = peek(c);
    if (k1 == 4 && (sep == '-' || sep == '/' || sep == '.')) { /* 2024-03-07 */
        c->i++;
        int k2 = read_num(c, &n2);
        if (k2 < 1 || k2 > 2 || peek(c) != sep)
            return S_NONE;
        c->i++;
        int k3 = read_num(c, &n3);
        if (k3 < 1 || k3 > 2)
            return S_NONE;
        d->y = (int)n1;
        d->a = (int)n2;
        d->b = (int)n3;
        return parse_rest(c, d) ? S_FIXED : S_NONE;
    }
    if (k1 < 1 || k1 > 2)
        return S_NONE;
    if ((sep == '-' || sep == '/' || sep == '.') && is_digit(peek_at(c, 1))) {
        c->i++;
        int k2 = read_num(c, &n2);
        if (k2 < 1 || k2 > 2 || peek(c) != sep)
            return S_NONE;
        c->i++;
        int k3 = read_num(c, &n3);
        if (k3 != 2 && k3 != 4)
            return S_NONE;
        d->a = (int)n1;
        d->b = (int)n2;
        d->y = expand_year(n3, k3);
        return parse_rest(c, d) ? S_DM : S_NONE;
    }
    size_t wl = read_word(c, w);
    if (wl > 0 && wl < WORD_MAX && is_ordinal(w)) {
        skip_gap(c);
        wl = read_word(c, w);
    } else if (wl == 0) {
        skip_gap(c);
        wl = read_word(c, w);
    }
    int m = wl > 0 && wl < WORD_MAX ? month_of(w) : 0;
    if (!m)
        return S_NONE;
    skip_gap(c);
    int k3 = read_num(c, &n3);
    if (k3 != 2 && k3 != 4)
        return S_NONE;
    d->y = expand_year(n3, k3);
    d->a = m;
    d->b = (int)n1;
    return parse_rest(c, d) ? S_FIXED : S_NONE;
}

/* Month first: "March 7, 2024", "Mar 7th 2024". */
static int parse_month_first(cur *c, dt *d, int m) {
    long day, y;
    char w[WORD_MAX + 1];
    skip_gap(c);
    int k = read_num(c, &day);
    if (k < 1 || k > 2)
        return S_NONE;
    size_t save = c->i;
    size_t wl = read_word(c, w);
    if (!(wl > 0 && wl < WORD_MAX && is_ordinal(w)))
        c->i = save;
    if (skip_gap(c) == 0)
        return S_NONE;
    int ky = read_num(c, &y);
    if (ky != 2 && ky != 4)
        return S_NONE;
    d->y = expand_year(y, ky);
    d->a = m;
    d->b = (int)day;
    return parse_rest(c, d) ? S_FIXED : S_NONE;
}

static int word_ok(size_t wl) {
    return wl > 0 && wl < WORD_MAX;
}

/*
 * Recognises the shape of a value; fills d. Checks the form only (and the
 * time's fields); the calendar and the year range are resolve()'s.
 */
static int parse(const char *s, size_t n, dt *d) {
    memset(d, 0, sizeof *d);
    if (!s)
        return d->shape = S_EMPTY;
    cur c = {(const unsigned char *)s, 0, n};
    skip_spaces(&c);
    if (c.i == c.n)
        return d->shape = S_EMPTY;
    if (is_digit(peek(&c))) {
        /* a number alone (a serial, "20240307"), else a day or a year first */
        cur num = c;
        int sh = parse_number(&num, d);
        if (sh != S_NONE)
            return d->shape = sh;
        memset(d, 0, sizeof *d);
        return d->shape = parse_day_first(&c, d);
    }
    char w[WORD_MAX + 1];
    size_t wl = read_word(&c, w);
    if (!word_ok(wl))
        return d->shape = S_NONE;
    if (is_weekday(w)) { /* "jeudi 7 mars 2024", "Thu, 07 Mar 2024", "Thursday, March 7" */
        skip_gap(&c);
        if (is_digit(peek(&c)))
            return d->shape = parse_day_first(&c, d);
        wl = read_word(&c, w);
        if (!word_ok(wl))
            return d->shape = S_NONE;
    }
    int m = month_of(w);
    return d->shape = m ? parse_month_first(&c, d, m) : S_NONE;
}

/* --- resolving and writing ----------------------------------------------- */

static int year_ok(long y) {
    return y >= YEAR_MIN && y <= YEAR_MAX;
}

/*
 * The date d means, given the order: sets *y *m *day. Returns LI_MSG_NONE,
 * LI_MSG_DATE_ORDER_CONFLICT, LI_MSG_DATE_AMBIGUOUS (a reading is set), or
 * LI_MSG_DATE_INVALID, LI_MSG_DATE_OUT_OF_RANGE (none is).
 */
static li_msg resolve(const dt *d, li_date_order order, long *y, int *m, int *day) {
    *y = d->y;
    if (d->shape == S_FIXED) {
        if (!valid_ymd(d->y, d->a, d->b))
            return LI_MSG_DATE_INVALID;
        if (!year_ok(d->y))
            return LI_MSG_DATE_OUT_OF_RANGE;
        *m = d->a;
        *day = d->b;
        return LI_MSG_NONE;
    }
    if (d->shape != S_DM)
        return LI_MSG_DATE_INVALID;
    int dmy = valid_ymd(d->y, d->b, d->a), mdy = valid_ymd(d->y, d->a, d->b);
    if (!dmy && !mdy)
        return LI_MSG_DATE_INVALID;
    if (!year_ok(d->y))
        return LI_MSG_DATE_OUT_OF_RANGE;
    li_msg rc = LI_MSG_NONE;
    int read_dmy;
    if (dmy && mdy) {
        read_dmy = order != LI_DATE_MDY;
        if (order == LI_DATE_YMD && d->a != d->b)
            rc = LI_MSG_DATE_AMBIGUOUS;
    } else {
        read_dmy = dmy;
        /* the only reading goes against the column's proven order */
        if ((dmy && order == LI_DATE_MDY) || (mdy && order == LI_DATE_DMY))
            rc = LI_MSG_DATE_ORDER_CONFLICT;
    }
    *m = read_dmy ? d->b : d->a;
    *day = read_dmy ? d->a : d->b;
    return rc;
}

/*
 * An Excel serial to a date: days and fraction seconds. Returns LI_MSG_NONE
 * with *y *m *day and the time in d, or an error.
 */
static li_msg resolve_serial(dt *d, int date1904, long *y, int *m, int *day) {
    long s = d->serial, secs = d->frac_secs;
    if (secs >= 86400) { /* .9999999 rounds up to the next midnight */
        s++;
        secs -= 86400;
    }
    long unix_days;
    if (date1904) {
        unix_days = s - 24107; /* 1904 serial of 1970-01-01 */
    } else {
        if (s == 0 || s == 60)
            return LI_MSG_DATE_INVALID; /* 00/01/1900, and the 29/02/1900 Excel invents */
        unix_days = s < 60 ? s - 25568 : s - 25569;
    }
    civil_from_days(unix_days, y, m, day);
    if (!year_ok(*y))
        return LI_MSG_DATE_OUT_OF_RANGE;
    if (secs > 0) {
        d->has_time = 1;
        d->hh = (int)(secs / 3600);
        d->mi = (int)(secs / 60 % 60);
        d->ss = (int)(secs % 60);
    }
    return LI_MSG_NONE;
}

static char *put_digits(char *o, long v, int n) {
    for (int k = n - 1; k >= 0; k--) {
        o[k] = (char)('0' + v % 10);
        v /= 10;
    }
    return o + n;
}

/* Writes the ISO form; out has LI_DATE_CAP bytes. */
static void write_iso(char *out, long y, int m, int day, const dt *d) {
    char *o = out;
    o = put_digits(o, y, 4);
    *o++ = '-';
    o = put_digits(o, m, 2);
    *o++ = '-';
    o = put_digits(o, day, 2);
    if (d->has_time) {
        *o++ = ' ';
        o = put_digits(o, d->hh, 2);
        *o++ = ':';
        o = put_digits(o, d->mi, 2);
        *o++ = ':';
        o = put_digits(o, d->ss, 2);
        if (d->has_tz && d->tz == 0) {
            *o++ = 'Z';
        } else if (d->has_tz) {
            int tz = d->tz < 0 ? -d->tz : d->tz;
            *o++ = d->tz < 0 ? '-' : '+';
            o = put_digits(o, tz / 60, 2);
            *o++ = ':';
            o = put_digits(o, tz % 60, 2);
        }
    }
    *o = '\0';
}

static int is_error(li_msg rc) {
    return rc == LI_MSG_DATE_INVALID || rc == LI_MSG_DATE_OUT_OF_RANGE;
}

li_msg li_norm_date(const char *in, size_t len, li_date_order order, char *out, size_t cap) {
    if (!out || cap < LI_DATE_CAP) {
        if (out && cap > 0)
            out[0] = '\0';
        return LI_MSG_INTERNAL;
    }
    out[0] = '\0';
    dt d;
    int sh = parse(in, len, &d);
    long y = 0;
    int m = 0, day = 0;
    li_msg rc;
    if (sh == S_SERIAL) {
        /* in text, only a 5-digit number is a serial (1927-05-18 onwards):
         * "2024" is a year, "1500" an amount */
        if (d.serial_digits != 5)
            return LI_MSG_DATE_INVALID;
        rc = resolve_serial(&d, 0, &y, &m, &day);
    } else {
        rc = resolve(&d, order, &y, &m, &day);
    }
    if (is_error(rc))
        return rc;
    write_iso(out, y, m, day, &d);
    return rc;
}

li_msg li_norm_date_serial(const char *in, size_t len, int date1904, char *out, size_t cap) {
    if (!out || cap < LI_DATE_CAP) {
        if (out && cap > 0)
            out[0] = '\0';
        return LI_MSG_INTERNAL;
    }
    out[0] = '\0';
    dt d;
    if (parse(in, len, &d) != S_SERIAL || d.serial_digits == 0)
        return LI_MSG_DATE_INVALID;
    long y;
    int m, day;
    li_msg rc = resolve_serial(&d, date1904, &y, &m, &day);
    if (rc != LI_MSG_NONE)
        return rc;
    write_iso(out, y, m, day, &d);
    return LI_MSG_NONE;
}

const char *li_date_order_label(li_date_order o) {
    switch (o) {
    case LI_DATE_MDY:
        return "mois/jour";
    case LI_DATE_YMD:
        return "année-mois-jour";
    case LI_DATE_DMY:
    default:
        return "jour/mois";
    }
}

/* --- header hints -------------------------------------------------------- */

typedef struct hint_word {
    const char *stem; /* folded (li_fold) */
    int prefix;       /* 1: any word starting with stem */
} hint_word;

/*
 * Words of a header that say "date". Whole words, so that "candidate" or
 * "mandat" do not match; prefixes only where the word has many endings.
 */
static const hint_word hint_words[] = {
    {"date", 1},      {"ne", 0},      {"nee", 0},          {"naiss", 1},    {"birth", 1},
    {"born", 0},      {"dob", 0},     {"ddn", 0},          {"cree", 0},     {"creee", 0},
    {"crees", 0},     {"creees", 0},  {"creation", 1},     {"created", 1},  {"echeance", 1},
    {"expir", 1},     {"modifie", 1}, {"modification", 1}, {"modified", 1}, {"update", 1},
    {"maj", 0},       {"relance", 1}, {"rdv", 0},          {"anniv", 1},    {"horodat", 1},
    {"timestamp", 1}, {"due", 0},     {"deadline", 1},
};

static int hint_match(const char *w, size_t n) {
    for (size_t i = 0; i < sizeof hint_words / sizeof hint_words[0]; i++) {
        size_t sl = strlen(hint_words[i].stem);
        if (n == sl || (hint_words[i].prefix && n > sl))
            if (memcmp(w, hint_words[i].stem, sl) == 0)
                return 1;
    }
    return 0;
}

int li_date_header_hint(const char *header, size_t len) {
    if (!header)
        return 0;
    size_t i = 0;
    while (i < len) {
        /* a word: letters, digits and non-ASCII bytes, split at camelCase */
        size_t start = i;
        while (i < len) {
            unsigned char ch = (unsigned char)header[i];
            if (!(ch >= 0x80 || is_alpha(ch) || is_digit(ch)))
                break;
            if (i > start && ch >= 'A' && ch <= 'Z' && header[i - 1] >= 'a' && header[i - 1] <= 'z')
                break;
            i++;
        }
        if (i > start) {
            char w[64];
            size_t n = li_fold(header + start, i - start, w, sizeof w);
            if (n > 0 && hint_match(w, n))
                return 1;
        } else {
            i++;
        }
    }
    return 0;
}

/* --- the column analyser ------------------------------------------------- */

void li_date_col_init(li_date_col *c, int header_hint) {
    memset(c, 0, sizeof *c);
    c->hint = header_hint != 0;
}

/* Keeps the first example of a kind, trimmed, cut on a UTF-8 boundary. */
static void keep_sample(char *dst, const char *v, size_t len) {
    if (dst[0])
        return;
    cur c = {(const unsigned char *)v, 0, len};
    skip_spaces(&c);
    size_t start = c.i;
    size_t end = start;
    while (c.i < c.n) { /* the end of the last non-space */
        if (skip_spaces(&c) == 0)
            end = ++c.i;
    }
    size_t n = end - start;
    if (n >= LI_DATE_SAMPLE) {
        n = LI_DATE_SAMPLE - 1;
        while (n > 0 && (c.p[start + n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, v + start, n);
    dst[n] = '\0';
}

void li_date_col_feed(li_date_col *c, const char *value, size_t len) {
    dt d;
    int sh = parse(value, len, &d);
    if (sh == S_EMPTY)
        return;
    c->values++;
    if (d.numeric && !c->hint)
        return; /* a bare number, and nothing says the column holds dates */
    long y;
    int m, day;
    if (sh == S_SERIAL) {
        if (d.serial_digits == 5 && resolve_serial(&d, 0, &y, &m, &day) == LI_MSG_NONE)
            c->dates++;
        return;
    }
    if (sh == S_FIXED) {
        if (resolve(&d, LI_DATE_DMY, &y, &m, &day) == LI_MSG_NONE)
            c->dates++;
        return;
    }
    if (sh != S_DM || is_error(resolve(&d, LI_DATE_DMY, &y, &m, &day)))
        return;
    c->dates++;
    int dmy = valid_ymd(d.y, d.b, d.a), mdy = valid_ymd(d.y, d.a, d.b);
    if (d.a == d.b) {
        return; /* "05/05/2024": the same day in both orders */
    } else if (dmy && mdy) {
        c->ambiguous++;
        keep_sample(c->ambiguous_sample, value, len);
    } else if (dmy) {
        c->dmy++;
        keep_sample(c->dmy_sample, value, len);
    } else {
        c->mdy++;
        keep_sample(c->mdy_sample, value, len);
    }
}

static int col_is_date(const li_date_col *c) {
    uint64_t min = c->hint ? LI_DATE_COL_MIN_HINTED : LI_DATE_COL_MIN;
    uint64_t pct = c->hint ? LI_DATE_COL_PCT_HINTED : LI_DATE_COL_PCT;
    return c->values >= min && c->dates * 100 >= pct * c->values;
}

int li_date_col_settled(const li_date_col *c) {
    return col_is_date(c) && (c->dmy > 0) != (c->mdy > 0);
}

void li_date_col_verdict(const li_date_col *c, li_date_verdict *v) {
    memset(v, 0, sizeof *v);
    v->is_date = col_is_date(c);
    v->values = c->values;
    v->dates = c->dates;
    v->dmy = c->dmy;
    v->mdy = c->mdy;
    v->ambiguous = c->ambiguous;
    v->dmy_example = c->dmy_sample;
    v->mdy_example = c->mdy_sample;
    v->ambiguous_example = c->ambiguous_sample;
    v->warning = LI_MSG_NONE;
    if (c->dmy > 0 || c->mdy > 0) {
        /* the majority wins; a tie goes to the French order */
        v->order = c->mdy > c->dmy ? LI_DATE_MDY : LI_DATE_DMY;
        v->against = v->order == LI_DATE_MDY ? c->dmy : c->mdy;
        if (c->dmy > 0 && c->mdy > 0 && v->is_date)
            v->warning = LI_MSG_DATE_COLUMN_MIXED;
    } else if (c->ambiguous > 0) {
        v->order = LI_DATE_DMY;
        if (v->is_date)
            v->warning = LI_MSG_DATE_COLUMN_AMBIGUOUS;
    } else {
        v->order = LI_DATE_YMD;
    }
    if (c->ambiguous_sample[0])
        li_norm_date(c->ambiguous_sample, strlen(c->ambiguous_sample), v->order,
                     v->ambiguous_reading, sizeof v->ambiguous_reading);
}
