/*
 * email_domain.c — typos in the domain of an e-mail address.
 *
 * What it promises: li__email_domain_typo() flags a domain that is not one
 * of the well-known consumer domains below but is one edit away from one of
 * them (Damerau-Levenshtein distance 1: a letter missing, added, replaced,
 * or two neighbours swapped: "gmial.com", "gmai.com", "hotmail.frr",
 * "gmail.con", "yahooo.fr", "fre.fr"), and returns the domain meant. For
 * the short names (fewer than 4 bytes before the dot: "sfr.fr", "aol.com",
 * "gmx.fr", "msn.com") only an edit in the top-level domain counts
 * ("sfr.frr", "aol.con"), since one edit away
 * from a short name is often a real company's domain. One two-letter
 * country TLD for another is not a typo either ("yahoo.de", "live.ca"). Real domains that
 * look like typos ("gmail.fr", "laposte.fr", "mail.com") are in the list,
 * so they are never flagged.
 *
 * Cost: one binary search, then a linear distance-1 test against each
 * entry whose length is within one: no allocation, no utf8proc.
 */
#include <string.h>

#include "lead/leadInt.h"

/* Sorted (strcmp); len and the length of the name before the first dot. */
typedef struct known_domain {
    const char *d;
    unsigned char len, name, tld; /* tld: bytes after the last dot */
} known_domain;

static const known_domain domains[] = {
    {"aol.com", 7, 3, 3},
    {"aol.fr", 6, 3, 2},
    {"bbox.fr", 7, 4, 2},
    {"bluewin.ch", 10, 7, 2},
    {"club-internet.fr", 16, 13, 2},
    {"free.fr", 7, 4, 2},
    {"gmail.com", 9, 5, 3},
    {"gmail.fr", 8, 5, 2},
    {"gmx.com", 7, 3, 3},
    {"gmx.de", 6, 3, 2},
    {"gmx.fr", 6, 3, 2},
    {"gmx.net", 7, 3, 3},
    {"googlemail.com", 14, 10, 3},
    {"hotmail.be", 10, 7, 2},
    {"hotmail.co.uk", 13, 7, 2},
    {"hotmail.com", 11, 7, 3},
    {"hotmail.fr", 10, 7, 2},
    {"icloud.com", 10, 6, 3},
    {"laposte.fr", 10, 7, 2},
    {"laposte.net", 11, 7, 3},
    {"live.be", 7, 4, 2},
    {"live.com", 8, 4, 3},
    {"live.fr", 7, 4, 2},
    {"mac.com", 7, 3, 3},
    {"mail.com", 8, 4, 3},
    {"me.com", 6, 2, 3},
    {"msn.com", 7, 3, 3},
    {"neuf.fr", 7, 4, 2},
    {"numericable.fr", 14, 11, 2},
    {"orange.fr", 9, 6, 2},
    {"outlook.be", 10, 7, 2},
    {"outlook.com", 11, 7, 3},
    {"outlook.fr", 10, 7, 2},
    {"proton.me", 9, 6, 2},
    {"protonmail.com", 14, 10, 3},
    {"sfr.fr", 6, 3, 2},
    {"skynet.be", 9, 6, 2},
    {"voila.fr", 8, 5, 2},
    {"wanadoo.fr", 10, 7, 2},
    {"yahoo.be", 8, 5, 2},
    {"yahoo.ca", 8, 5, 2},
    {"yahoo.co.uk", 11, 5, 2},
    {"yahoo.com", 9, 5, 3},
    {"yahoo.fr", 8, 5, 2},
    {"ymail.com", 9, 5, 3},
};

enum { LONGEST = 16 }; /* bytes of the longest known domain */

size_t li__email_domain_count(void) {
    return sizeof domains / sizeof domains[0];
}

const char *li__email_domain(size_t i) {
    return domains[i].d;
}

/* 1 if a and b are exactly one Damerau-Levenshtein edit apart. */
static int one_edit(const char *a, size_t na, const char *b, size_t nb, size_t *at) {
    if (na < nb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tn = na;
        na = nb;
        nb = tn;
    }
    size_t i = 0;
    while (i < nb && a[i] == b[i])
        i++;
    *at = i;
    if (na == nb + 1) /* one byte more in a */
        return memcmp(a + i + 1, b + i, nb - i) == 0;
    if (na != nb || i == na)
        return 0;
    if (memcmp(a + i + 1, b + i + 1, na - i - 1) == 0)
        return 1; /* replaced */
    return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
           memcmp(a + i + 2, b + i + 2, na - i - 2) == 0; /* swapped */
}

const char *li__email_domain_typo(const char *d, size_t n) {
    size_t count = sizeof domains / sizeof domains[0];
    if (n > LONGEST + 1)
        return NULL; /* most company domains: too long to be one edit away */
    size_t lo = 0, hi = count;
    while (lo < hi) { /* a known domain is fine */
        size_t mid = lo + (hi - lo) / 2;
        const char *m = domains[mid].d;
        size_t ml = domains[mid].len, i = 0;
        while (i < n && i < ml && d[i] == m[i])
            i++;
        int c = i < n && i < ml ? (unsigned char)d[i] - (unsigned char)m[i] : (n > ml) - (n < ml);
        if (c == 0)
            return NULL;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    const char *dot = memrchr(d, '.', n);
    size_t tld = dot ? n - (size_t)(dot - d) - 1 : 0;
    for (size_t k = 0; k < count; k++) {
        const char *kd = domains[k].d;
        size_t kl = domains[k].len, at;
        if (kl + 1 < n || n + 1 < kl || !one_edit(d, n, kd, kl, &at))
            continue;
        size_t name = domains[k].name;
        if (name < 4 && at <= name)
            continue; /* short name: only an edit after its dot counts */
        if (tld == 2 && domains[k].tld == 2 && at > kl - 3)
            continue; /* another country's domain: yahoo.de is not yahoo.be */
        return kd;
    }
    return NULL;
}
