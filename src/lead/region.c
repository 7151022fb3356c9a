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

enum { NSLOT = 26 * 26, MAX_PHONES = LI_MAPPING_SAMPLE_ROWS, MAX_CAND = 7 };

struct li_region_probe {
    const li_mapping *m;
    unsigned country[NSLOT], ncountry; /* recognised values of the country column */
    unsigned email[NSLOT], nemail;     /* country domains of e-mails; e-mails with a domain */
    unsigned web[NSLOT], nweb;         /* the same for website addresses */
    unsigned postal[6];                /* postal codes of 4 and 5 digits */
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
    if (p)
        p->phones = calloc(MAX_PHONES, sizeof *p->phones);
    if (!p || !p->phones) {
        li_region_probe_free(p);
        *out = NULL;
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    p->m = m;
    *out = p;
    return LI_OK;
}

void li_region_probe_free(li_region_probe *p) {
    if (p)
        free(p->phones);
    free(p);
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
    if (v.len == 4 || v.len == 5) {
        size_t d = 0;
        while (d < v.len && v.ptr[d] >= '0' && v.ptr[d] <= '9')
            d++;
        if (d == v.len)
            p->postal[d]++;
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

/* Appends ", " and a formatted catalogue entry to reason. */
static void add_reason(char *reason, size_t cap, li_msg msg, ...) {
    size_t n = strlen(reason);
    if (n && n + 2 < cap) {
        memcpy(reason + n, ", ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, msg);
    li_msg_formatv(reason + n, cap - n, msg, ap);
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

void li_region_probe_decide(const li_region_probe *p, li_region_guess *out) {
    memcpy(out->iso, "FR", 3);
    out->source = LI_REGION_DEFAULT;
    out->reason[0] = '\0';
    const int fr = slot_of("FR");

    /* 1. The country column's dominant value. */
    int top = -1;
    for (int s = 0; s < NSLOT; s++)
        if (p->country[s] && (top < 0 || p->country[s] > p->country[top]))
            top = s;
    if (p->ncountry >= LI_REGION_MIN_SIGNALS &&
        p->country[top] * 100 >= (unsigned)LI_REGION_MAJORITY * p->ncountry) {
        iso_of(top, out->iso);
        out->source = LI_REGION_INFERRED;
        int c = p->m->field_col[LI_FIELD_COUNTRY];
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_COUNTRY,
                   pct(p->country[top], p->ncountry), p->m->col_name[c]);
        return;
    }

    /* 2. The other signals, between France and the regions the file names. */
    int cand[MAX_CAND] = {0};
    size_t ncand = 0;
    add_cand(cand, &ncand, fr);
    add_top(cand, &ncand, p->email, p->web, 3);
    add_top(cand, &ncand, p->country, NULL, 3);
    unsigned votes[MAX_CAND] = {0}, postal_votes[MAX_CAND] = {0}, phone_votes[MAX_CAND] = {0};
    unsigned total = 0;
    for (int s = 0; s < NSLOT; s++)
        total += p->email[s] + p->web[s];
    for (size_t i = 0; i < ncand; i++)
        votes[i] = p->email[cand[i]] + p->web[cand[i]];
    for (unsigned len = 4; len <= 5; len++) {
        /* a shape speaks only when one candidate has it */
        size_t who = ncand, k = 0;
        for (size_t i = 0; i < ncand; i++) {
            char iso[3];
            iso_of(cand[i], iso);
            if (li__postal_digits(iso) == (int)len)
                who = i, k++;
        }
        if (k == 1 && p->postal[len]) {
            postal_votes[who] += p->postal[len];
            votes[who] += p->postal[len];
            total += p->postal[len];
        }
    }
    if (ncand > 1) {
        for (size_t n = 0; n < p->nphones; n++) {
            /* one reading among the candidates: "044 668 18 00" has two (+41, +33) */
            size_t who = ncand;
            int readings = 0;
            char first[LI_PHONE_CAP] = "";
            for (size_t i = 0; i < ncand && readings < 2; i++) {
                char e164[LI_PHONE_CAP];
                if (!valid_in(&p->phones[n], cand[i], e164))
                    continue;
                if (who == ncand) {
                    who = i;
                    memcpy(first, e164, sizeof first);
                    readings = 1;
                } else if (strcmp(e164, first) != 0) {
                    readings = 2;
                }
            }
            if (readings == 1) {
                phone_votes[who]++;
                votes[who]++;
                total++;
            }
        }
    }
    size_t w = 0;
    for (size_t i = 1; i < ncand; i++)
        if (votes[i] > votes[w])
            w = i;
    if (votes[w] >= LI_REGION_MIN_SIGNALS &&
        votes[w] * 100 >= (unsigned)LI_REGION_MAJORITY * total) {
        char tld[3], iso[3];
        int s = cand[w];
        tld_of(s, tld);
        iso_of(s, iso);
        memcpy(out->iso, iso, 3);
        out->source = LI_REGION_INFERRED;
        if (p->email[s])
            add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_EMAIL,
                       pct(p->email[s], p->nemail), tld);
        if (p->web[s])
            add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_WEBSITE,
                       pct(p->web[s], p->nweb), tld);
        if (postal_votes[w])
            add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_POSTAL, postal_votes[w],
                       p->postal[4] + p->postal[5], li__postal_digits(iso));
        if (phone_votes[w])
            add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_PHONE, phone_votes[w],
                       iso);
        return;
    }
    /* No clear majority: France, and the share of the most named other region. */
    size_t o = ncand;
    for (size_t i = 0; i < ncand; i++)
        if (cand[i] != fr && votes[i] && (o == ncand || votes[i] > votes[o]))
            o = i;
    if (o < ncand) {
        char iso[3], who[96];
        iso_of(cand[o], iso);
        const char *name = li_country_name(iso);
        snprintf(who, sizeof who, "%s (%s)", name ? name : iso, iso);
        add_reason(out->reason, sizeof out->reason, LI_MSG_REGION_WHY_SHARE, who,
                   pct(votes[o], total));
    }
}

li_status li_region_option(const char *value, li_region_guess *out, li_error *err) {
    const li__country *c = li__country_by_iso(value);
    if (!c)
        return li_error_set(err, LI_EUSAGE, LI_MSG_PHONE_REGION_UNKNOWN, value ? value : "");
    memcpy(out->iso, strcmp(c->iso, "UK") == 0 ? "GB" : c->iso, 3);
    out->source = LI_REGION_OPTION;
    out->reason[0] = '\0';
    return LI_OK;
}
