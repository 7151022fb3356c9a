/*
 * region.c — the region of a file's national phone numbers, inferred once
 * from the sample of rows (region.h says the rules).
 *
 * Each signal is counted per region in a 26 x 26 table indexed by the two
 * letters of its ISO code. Only the sample is looked at (the mapping's
 * LI_MAPPING_SAMPLE_ROWS rows), so nothing here is on the per-row path:
 * the phones kept are checked in a few candidate regions once, at the end.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lead/leadInt.h"
#include "lead/phonelib.h"
#include "leadimport/region.h"

enum { NSLOT = 26 * 26, MAX_PHONES = LI_MAPPING_SAMPLE_ROWS, MAX_CAND = 24 };

/* The shapes of postal codes the probe tells apart. */
enum { SHAPE_NONE = 0, SHAPE_ALNUM = 1, SHAPE_4 = 4, SHAPE_5 = 5, NSHAPE = 6 };

/*
 * The regions a French-speaking CRM's leads usually come from besides
 * France, tried when the file's postal codes are not French-shaped or its
 * numbers are not French (region.h, step 3), with the shape of their
 * postal codes: 4 or 5 digits, letters and digits (SW1A 1AA, H2X 1Y4,
 * 1011 AB), or none in use (Côte d'Ivoire).
 */
static const struct {
    char iso[3];
    unsigned char shape;
} nearby[] = {
    {"CH", SHAPE_4},     {"BE", SHAPE_4},     {"LU", SHAPE_4},     {"AT", SHAPE_4},
    {"TN", SHAPE_4},     {"MC", SHAPE_5},     {"DE", SHAPE_5},     {"IT", SHAPE_5},
    {"ES", SHAPE_5},     {"MA", SHAPE_5},     {"DZ", SHAPE_5},     {"SN", SHAPE_5},
    {"CA", SHAPE_ALNUM}, {"GB", SHAPE_ALNUM}, {"NL", SHAPE_ALNUM}, {"CI", SHAPE_NONE},
};

struct li_region_probe {
    const li_mapping *m;
    unsigned country[NSLOT], ncountry; /* recognised values of the country column */
    /*
     * [ncols], each NULL or [NSLOT] (owned): recognised countries of the
     * columns no header made a field yet, for the one the values will make
     * the country column (li_mapping_guess runs after the sample).
     */
    unsigned **colcountry;
    unsigned email[NSLOT], nemail;     /* country domains of e-mails; e-mails with a domain */
    unsigned web[NSLOT], nweb;         /* the same for website addresses */
    unsigned postal[NSHAPE];           /* postal codes by shape (SHAPE_*) */
    li__phone_digits *phones;          /* [MAX_PHONES], owned: national numbers seen */
    size_t nphones;
};

const char *li_region_source_key(li_region_source s) {
    switch (s) {
    case LI_REGION_OPTION:
        return "option";
    case LI_REGION_INFERRED:
        return "inferred";
    default:
        return "default";
    }
}

static int slot_of(const char *iso) {
    return (iso[0] - 'A') * 26 + (iso[1] - 'A');
}

static void iso_of(int slot, char iso[3]) {
    iso[0] = (char)('A' + slot / 26);
    iso[1] = (char)('A' + slot % 26);
    iso[2] = '\0';
}

/* The domain of a country, as written: "ch", "uk" for GB. */
static void tld_of(int slot, char tld[3]) {
    char iso[3];
    iso_of(slot, iso);
    if (strcmp(iso, "GB") == 0) {
        memcpy(tld, "uk", 3);
        return;
    }
    tld[0] = (char)(iso[0] | 0x20);
    tld[1] = (char)(iso[1] | 0x20);
    tld[2] = '\0';
}

/*
 * The region slot of a domain's last label (s, n bytes: "foo.co.uk"), or
 * -1: not a country domain, or one sold worldwide (.io, .co, .me, .tv...)
 * that says nothing about where the lead is.
 */
static int domain_slot(const char *s, size_t n) {
    static const char generic[] = "ac ag ai am bz cc cf co fm ga gg gl gq io la ly me ml nu sh "
                                  "st su tk to tv vc ws ";
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--; /* "example.ch." */
    if (n < 4 || s[n - 3] != '.')
        return -1;
    char t[3] = {(char)(s[n - 2] | 0x20), (char)(s[n - 1] | 0x20), 0};
    if (t[0] < 'a' || t[0] > 'z' || t[1] < 'a' || t[1] > 'z')
        return -1;
    for (const char *g = generic; *g; g += 3)
        if (g[0] == t[0] && g[1] == t[1])
            return -1;
    char iso[3] = {(char)(t[0] & ~0x20), (char)(t[1] & ~0x20), 0};
    if (strcmp(iso, "UK") == 0)
        memcpy(iso, "GB", 3);
    if (!li__country_by_iso(iso)) /* .eu, .su...: no country, no plan */
        return -1;
    return slot_of(iso);
}

/* The host of a website address ("https://www.x.ch/contact"), or n = 0. */
static const char *website_host(const char *s, size_t len, size_t *n) {
    static const char *const starts[] = {"https://", "http://", "www."};
    *n = 0;
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        size_t k = strlen(starts[i]);
        if (len < k || strncasecmp(s, starts[i], k) != 0)
            continue;
        const char *h = i < 2 ? s + k : s;
        size_t e = 0, left = len - (size_t)(h - s);
        while (e < left && h[e] != '/' && h[e] != ':' && h[e] != '?' && h[e] != '#')
            e++;
        *n = e;
        return h;
    }
    return s;
}

li_status li_region_probe_new(const li_mapping *m, li_region_probe **out, li_error *err) {
    li_region_probe *p = calloc(1, sizeof *p);
    if (p) {
        p->phones = calloc(MAX_PHONES, sizeof *p->phones);
        p->colcountry = calloc(m->ncols ? m->ncols : 1, sizeof *p->colcountry);
    }
    if (!p || !p->phones || !p->colcountry) {
        li_region_probe_free(p);
        *out = NULL;
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    p->m = m;
    *out = p;
    return LI_OK;
}

void li_region_probe_free(li_region_probe *p) {
    if (!p)
        return;
    for (size_t c = 0; p->colcountry && c < p->m->ncols; c++)
        free(p->colcountry[c]);
    free(p->colcountry);
    free(p->phones);
    free(p);
}

/* The shape of a trimmed postal code: "1201", "75001", "L-1234" (4), "SW1A 1AA". */
static int postal_shape(li_slice v) {
    if (v.len > 2 && (v.ptr[0] == 'L' || v.ptr[0] == 'l') && (v.ptr[1] == '-' || v.ptr[1] == ' '))
        v.ptr += 2, v.len -= 2; /* Luxembourg's "L-1234" */
    size_t digits = 0, letters = 0;
    for (size_t i = 0; i < v.len; i++) {
        char c = v.ptr[i];
        if (c >= '0' && c <= '9')
            digits++;
        else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
            letters++;
        else if (c != ' ' && c != '-')
            return SHAPE_NONE;
    }
    if (!letters && digits == v.len && (digits == 4 || digits == 5))
        return (int)digits;
    return letters && digits && v.len <= 10 ? SHAPE_ALNUM : SHAPE_NONE;
}

/* The trimmed value of column c, or an empty slice. */
static li_slice cell(const li_slice *fields, size_t nfields, int c) {
    li_slice v = {NULL, 0};
    if (c < 0 || (size_t)c >= nfields)
        return v;
    v = fields[c];
    while (v.len && (v.ptr[0] == ' ' || v.ptr[0] == '\t'))
        v.ptr++, v.len--;
    while (v.len && (v.ptr[v.len - 1] == ' ' || v.ptr[v.len - 1] == '\t'))
        v.len--;
    return v;
}

void li_region_probe_row(li_region_probe *p, const li_slice *fields, size_t nfields) {
    const li_mapping *m = p->m;
    li_slice v = cell(fields, nfields, m->field_col[LI_FIELD_COUNTRY]);
    if (v.len) {
        const char *iso = li__country_iso(v.ptr, v.len);
        if (iso) {
            p->country[slot_of(iso)]++;
            p->ncountry++;
        }
    }
    /* a column the values will make the country (li_mapping_guess) is not one yet */
    for (size_t c = 0; m->field_col[LI_FIELD_COUNTRY] < 0 && c < m->ncols && c < nfields; c++) {
        if (m->col_field[c] != LI_FIELD_NONE || !fields[c].len)
            continue;
        v = cell(fields, nfields, (int)c);
        const char *iso = v.len ? li__country_iso(v.ptr, v.len) : NULL;
        if (!iso)
            continue;
        if (!p->colcountry[c] && !(p->colcountry[c] = calloc(NSLOT, sizeof(unsigned))))
            continue; /* out of memory: this column says nothing */
        p->colcountry[c][slot_of(iso)]++;
    }
    v = cell(fields, nfields, m->field_col[LI_FIELD_EMAIL]);
    /* a column the values will make the e-mail (li_mapping_guess) is not one yet */
    for (size_t c = 0; m->field_col[LI_FIELD_EMAIL] < 0 && !v.len && c < m->ncols; c++)
        if (c < nfields && m->col_field[c] == LI_FIELD_NONE && fields[c].len &&
            memchr(fields[c].ptr, '@', fields[c].len))
            v = cell(fields, nfields, (int)c);
    const char *at = v.len ? memchr(v.ptr, '@', v.len) : NULL;
    if (at) {
        size_t n = v.len - (size_t)(at + 1 - v.ptr);
        if (memchr(at + 1, '.', n)) {
            p->nemail++;
            int s = domain_slot(at + 1, n);
            if (s >= 0)
                p->email[s]++;
        }
    }
    v = cell(fields, nfields, m->field_col[LI_FIELD_POSTAL_CODE]);
    if (v.len) {
        int shape = postal_shape(v);
        if (shape != SHAPE_NONE)
            p->postal[shape]++;
    }
    v = cell(fields, nfields, m->field_col[LI_FIELD_PHONE]);
    if (v.len && p->nphones < MAX_PHONES) {
        li__phone_digits *dg = &p->phones[p->nphones];
        if (li__phone_prep(v.ptr, v.len, dg) == LI_MSG_NONE && !dg->intl)
            p->nphones++; /* "+41..." needs no region: it says nothing */
    }
    /* Website addresses: in the columns no field took (there is no website field). */
    for (size_t c = 0; c < m->ncols && c < nfields; c++) {
        if (m->col_field[c] != LI_FIELD_NONE)
            continue;
        v = cell(fields, nfields, (int)c);
        size_t n;
        const char *h = website_host(v.ptr, v.len, &n);
        if (n == 0 || !memchr(h, '.', n))
            continue;
        p->nweb++;
        int s = domain_slot(h, n);
        if (s >= 0)
            p->web[s]++;
        break; /* one website a row */
    }
}

static unsigned pct(unsigned k, unsigned n) {
    return n ? (k * 100 + n / 2) / n : 0;
}

/* Appends ", " and a formatted catalogue entry to reason (checked like li_msg_format()). */
#define add_reason(reason, cap, msg, ...) add_reason_fmt((reason), (cap), LI_MSG_FMT_##msg, ##__VA_ARGS__)
__attribute__((format(printf, 3, 4))) static void add_reason_fmt(char *reason, size_t cap,
                                                                 const char *fmt, ...) {
    size_t n = strlen(reason);
    if (n && n + 2 < cap) {
        memcpy(reason + n, ", ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    li__msg_vformat(reason + n, cap - n, fmt, ap);
    va_end(ap);
}

/* Adds the slot to the candidates if it is not there yet. */
static void add_cand(int *cand, size_t *n, int s) {
    for (size_t i = 0; i < *n; i++)
        if (cand[i] == s)
            return;
    if (*n < MAX_CAND)
        cand[(*n)++] = s;
}

/* The k slots with the most counts (> 0) of a, best first, into cand. */
static void add_top(int *cand, size_t *n, const unsigned *a, const unsigned *b, int k) {
    unsigned taken[NSLOT] = {0};
    for (int round = 0; round < k; round++) {
        int best = -1;
        unsigned bestv = 0;
        for (int s = 0; s < NSLOT; s++) {
            unsigned v = a[s] + (b ? b[s] : 0);
            if (!taken[s] && v > bestv)
                best = s, bestv = v;
        }
        if (best < 0)
            return;
        taken[best] = 1;
        add_cand(cand, n, best);
    }
}

/* 1 if dg is a valid national number of region slot s (e164 gets it). */
static int valid_in(const li__phone_digits *dg, int s, char e164[LI_PHONE_CAP]) {
    char iso[3];
    li_phone_type t;
    li_msg msg;
    iso_of(s, iso);
    if (!li__phone_fast_digits(dg, iso, e164, &t, &msg))
        msg = li__phone_lib_digits(dg, iso, e164, &t);
    return msg == LI_MSG_NONE;
}

/* One count of the signals between candidate regions (steps 2 and 3). */
typedef struct tally {
    int cand[MAX_CAND];
    size_t ncand;
    unsigned votes[MAX_CAND], postal_votes[MAX_CAND], phone_votes[MAX_CAND];
    unsigned total; /* every signal counted, the candidates' or not */
} tally;

/* The e-mail and website domains: each a signal, for its region if a candidate. */
static void count_domains(const li_region_probe *p, tally *t) {
    for (int s = 0; s < NSLOT; s++)
        t->total += p->email[s] + p->web[s];
    for (size_t i = 0; i < t->ncand; i++)
        t->votes[i] += p->email[t->cand[i]] + p->web[t->cand[i]];
}

/*
 * The numbers that read one way only among the candidates vote for it:
 * "044 668 18 00" has two readings between France and Switzerland (+33,
 * +41) and says nothing; valid in one candidate only, it says that one.
 */
static void count_phones(const li_region_probe *p, tally *t) {
    for (size_t n = 0; n < p->nphones; n++) {
        size_t who = t->ncand;
        int readings = 0;
        char first[LI_PHONE_CAP] = "";
        for (size_t i = 0; i < t->ncand && readings < 2; i++) {
            char e164[LI_PHONE_CAP];
            if (!valid_in(&p->phones[n], t->cand[i], e164))
                continue;
            if (who == t->ncand) {
                who = i;
                memcpy(first, e164, sizeof first);
                readings = 1;
            } else if (strcmp(e164, first) != 0) {
                readings = 2;
            }
        }
        if (readings == 1) {
            t->phone_votes[who]++;
            t->votes[who]++;
            t->total++;
        }
    }
}

/* The candidate with the most votes. */
static size_t leader(const tally *t) {
    size_t w = 0;
    for (size_t i = 1; i < t->ncand; i++)
        if (t->votes[i] > t->votes[w])
            w = i;
    return w;
}

static int wins(const tally *t, size_t w) {
    return t->ncand && t->votes[w] >= LI_REGION_MIN_SIGNALS &&
           t->votes[w] * 100 >= (unsigned)LI_REGION_MAJORITY * t->total;
}

/* The e-mail and website parts of the reason for region slot s. */
static void domain_reasons(const li_region_probe *p, int s, li_region_guess *out) {
    char tld[3];
    tld_of(s, tld);
    if (p->email[s])
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_EMAIL,
                   pct(p->email[s], p->nemail), tld);
    if (p->web[s])
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_WEBSITE,
                   pct(p->web[s], p->nweb), tld);
}

static void postal_reason(char *reason, size_t cap, unsigned k, unsigned n, int digits) {
    if (k == 1)
        add_reason(reason, cap, LI_MSG_REGION_WHY_POSTAL_ONE, k, n, (unsigned)digits);
    else
        add_reason(reason, cap, LI_MSG_REGION_WHY_POSTAL, k, n, (unsigned)digits);
}

/*
 * Why France stays when no candidate won: the most voted other region and
 * its share, or, when it has the share but not LI_REGION_MIN_SIGNALS
 * signals, that there were too few. "" when no other region has a vote.
 */
static void undecided_reason(const tally *t, li_region_guess *out) {
    const int fr = slot_of("FR");
    size_t o = t->ncand;
    for (size_t i = 0; i < t->ncand; i++)
        if (t->cand[i] != fr && t->votes[i] && (o == t->ncand || t->votes[i] > t->votes[o]))
            o = i;
    if (o == t->ncand)
        return;
    char iso[3], who[96];
    iso_of(t->cand[o], iso);
    const char *name = li_country_name(iso);
    snprintf(who, sizeof who, "%s (%s)", name ? name : iso, iso);
    if (t->votes[o] < LI_REGION_MIN_SIGNALS &&
        t->votes[o] * 100 >= (unsigned)LI_REGION_MAJORITY * t->total)
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_TOO_FEW, t->votes[o],
                   (unsigned)LI_REGION_MIN_SIGNALS, who);
    else
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_SHARE, who,
                   pct(t->votes[o], t->total));
}

/* The shape most postal codes of the sample have (LI_REGION_MAJORITY %), or SHAPE_NONE. */
static int postal_shape_of(const li_region_probe *p, unsigned *npostal) {
    *npostal = p->postal[SHAPE_ALNUM] + p->postal[SHAPE_4] + p->postal[SHAPE_5];
    static const int shapes[] = {SHAPE_ALNUM, SHAPE_4, SHAPE_5};
    for (size_t i = 0; i < 3; i++)
        if (*npostal && p->postal[shapes[i]] * 100 >= (unsigned)LI_REGION_MAJORITY * *npostal)
            return shapes[i];
    return SHAPE_NONE;
}

/* How many of the national numbers seen are valid in region slot s. */
static unsigned valid_count(const li_region_probe *p, int s) {
    unsigned k = 0;
    char e164[LI_PHONE_CAP];
    for (size_t n = 0; n < p->nphones; n++)
        k += (unsigned)valid_in(&p->phones[n], s, e164);
    return k;
}

/*
 * Step 3 (region.h): the regions usual for a French-speaking CRM, tried
 * when the postal codes are not French-shaped or most numbers are no
 * French numbers. Candidates: the regions the file names (domains, country
 * column), France when its postal shape fits, something names it or most
 * numbers are French ones, and
 * the nearby regions whose postal shape fits and in which at least
 * LI_REGION_MAJORITY % of the numbers are valid (one where most are not
 * cannot be the file's: without that, the Austrian reading of a Swiss
 * "026 322 11 11" would silence it). Returns 1 and fills out if a region
 * wins.
 */
static int decide_nearby(const li_region_probe *p, const tally *named, tally *t,
                         li_region_guess *out) {
    const int fr = slot_of("FR");
    unsigned npostal;
    int shape = postal_shape_of(p, &npostal);
    unsigned fr_valid = valid_count(p, fr);
    int phones_not_french =
        p->nphones && (p->nphones - fr_valid) * 100 >= (unsigned)LI_REGION_MAJORITY * p->nphones;
    memset(t, 0, sizeof *t);
    if (!p->nphones || (!(shape != SHAPE_NONE && shape != SHAPE_5) && !phones_not_french))
        return 0;
    for (size_t i = 0; i < named->ncand; i++) {
        int s = named->cand[i];
        int said = p->email[s] || p->web[s] || p->country[s];
        /* France stays a candidate while most numbers are French ones: a
           French file whose codes all lost their leading 0 in Excel (Nice,
           "6000") has four-digit codes too, and its mobiles also read as
           Austrian or Swiss numbers; only a clue that names another
           country may then move it (a number valid in France never votes) */
        if (s != fr || said || shape == SHAPE_NONE || shape == SHAPE_5 ||
            fr_valid * 100 >= (unsigned)LI_REGION_MAJORITY * p->nphones)
            add_cand(t->cand, &t->ncand, s);
    }
    for (size_t i = 0; i < sizeof nearby / sizeof nearby[0]; i++) {
        if (shape != SHAPE_NONE && nearby[i].shape != shape)
            continue;
        int s = slot_of(nearby[i].iso);
        if (valid_count(p, s) * 100 >= (unsigned)LI_REGION_MAJORITY * p->nphones)
            add_cand(t->cand, &t->ncand, s);
    }
    count_domains(p, t);
    count_phones(p, t);
    size_t w = leader(t);
    if (!wins(t, w))
        return 0;
    char iso[3];
    int s = t->cand[w];
    iso_of(s, iso);
    memcpy(out->iso, iso, 3);
    out->source = LI_REGION_INFERRED;
    domain_reasons(p, s, out);
    if (shape == SHAPE_4 || shape == SHAPE_5)
        postal_reason(out->reason, sizeof out->reason, p->postal[shape], npostal, shape);
    if (t->phone_votes[w]) {
        unsigned k = t->phone_votes[w];
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_PHONE_NEAR, k,
                   k > 1 ? "s" : "", (unsigned)p->nphones, k > 1 ? "s" : "", iso);
    }
    return 1;
}

void li_region_probe_decide(const li_region_probe *p, li_region_guess *out) {
    memcpy(out->iso, "FR", 3);
    out->source = LI_REGION_DEFAULT;
    out->reason[0] = '\0';
    const int fr = slot_of("FR");

    /* 1. The country column's dominant value: the column a header named,
     *    else the one its values made the country column. */
    const unsigned *country = p->country;
    unsigned ncountry = p->ncountry;
    int c = p->m->field_col[LI_FIELD_COUNTRY];
    if (!ncountry && c >= 0 && (size_t)c < p->m->ncols && p->colcountry[c]) {
        country = p->colcountry[c];
        for (int s = 0; s < NSLOT; s++)
            ncountry += country[s];
    }
    int top = -1;
    for (int s = 0; s < NSLOT; s++)
        if (country[s] && (top < 0 || country[s] > country[top]))
            top = s;
    if (ncountry >= LI_REGION_MIN_SIGNALS &&
        country[top] * 100 >= (unsigned)LI_REGION_MAJORITY * ncountry) {
        iso_of(top, out->iso);
        out->source = LI_REGION_INFERRED;
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_COUNTRY,
                   pct(country[top], ncountry), p->m->col_name[c]);
        return;
    }

    /* 2. The other signals, between France and the regions the file names. */
    tally t = {{0}, 0, {0}, {0}, {0}, 0};
    add_cand(t.cand, &t.ncand, fr);
    add_top(t.cand, &t.ncand, p->email, p->web, 3);
    add_top(t.cand, &t.ncand, country, NULL, 3);
    count_domains(p, &t);
    for (int len = SHAPE_4; len <= SHAPE_5; len++) {
        /* a shape speaks only when one candidate has it */
        size_t who = t.ncand, k = 0;
        for (size_t i = 0; i < t.ncand; i++) {
            char iso[3];
            iso_of(t.cand[i], iso);
            if (li__postal_digits(iso) == len)
                who = i, k++;
        }
        if (k == 1 && p->postal[len]) {
            t.postal_votes[who] += p->postal[len];
            t.votes[who] += p->postal[len];
            t.total += p->postal[len];
        }
    }
    if (t.ncand > 1)
        count_phones(p, &t);
    size_t w = leader(&t);
    if (wins(&t, w)) {
        char iso[3];
        int s = t.cand[w];
        iso_of(s, iso);
        memcpy(out->iso, iso, 3);
        out->source = LI_REGION_INFERRED;
        domain_reasons(p, s, out);
        if (t.postal_votes[w])
            postal_reason(out->reason, sizeof out->reason, t.postal_votes[w],
                          p->postal[SHAPE_4] + p->postal[SHAPE_5], li__postal_digits(iso));
        if (t.phone_votes[w]) {
            unsigned k = t.phone_votes[w];
            add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_PHONE, k,
                       k > 1 ? "s" : "", k > 1 ? "s" : "", iso);
        }
        return;
    }

    /* 3. The usual regions, when the file does not look French. */
    tally near;
    if (decide_nearby(p, &t, &near, out))
        return;
    /* No clear majority: France, and why (the wider count when it was made). */
    undecided_reason(near.ncand && near.total >= t.total ? &near : &t, out);
}

/*
 * --region takes what a country cell takes: an ISO code ("BE", "uk"), an
 * alpha-3 code, or a name in French or English ("Belgique", "Suisse",
 * "Royaume-Uni"), through the same table (li__country_iso); the region
 * must have a numbering plan.
 */
li_status li_region_option(const char *value, li_region_guess *out, li_error *err) {
    const char *v = value ? value : "";
    const li__country *c = li__country_by_iso(v);
    if (!c) {
        const char *iso = li__country_iso(v, strlen(v));
        c = iso ? li__country_by_iso(iso) : NULL;
    }
    if (!c)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PHONE_REGION_UNKNOWN, v);
    memcpy(out->iso, strcmp(c->iso, "UK") == 0 ? "GB" : c->iso, 3);
    out->source = LI_REGION_OPTION;
    out->reason[0] = '\0';
    return LI_OK;
}
