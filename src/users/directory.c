/*
 * directory.c — which user a spreadsheet cell names (li_user_dir, users.h).
 *
 * An import asks once per row, so the users are loaded once and indexed by
 * comparison keys, in two sorted arrays searched by bisection:
 *   - exact: the folded e-mail and the folded name of every user
 *     ("jeandupontexemplefr", "jeandupont");
 *   - words: for names of two words or more, the folded words sorted and
 *     joined by a space ("dupont jean"), so that "Dupont Jean" or
 *     "DUPONT, Jean" find "Jean Dupont".
 * A lookup folds the cell the same way and finds the run of equal keys: one
 * user, several (ambiguous), or none. The words index is only asked when
 * the exact one has nothing, so that two people whose names are each
 * other's reverse ("Jean Martin", "Martin Jean") are told apart when the
 * cell is written as either name.
 *
 * The keys are built with li_fold(), as the column headers are, so "é" and
 * "E", a hyphen and a space, are the same everywhere in leadimport.
 * Nothing is written after li_user_dir_load(): lookups are thread-safe and
 * do not allocate.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "leadimport/field.h"
#include "leadimport/users.h"

/* A cell longer than this names nobody (a name is at most 200 bytes). */
#define TEXT_MAX 1000
/* Room for a folded text: NFKD may lengthen a few characters. */
#define FOLD_CAP 4096
/* A text of more words is not compared word by word. */
#define WORDS_MAX 32

typedef struct dir_key {
    const char *key; /* into d->arena, not NUL-terminated */
    size_t len;
    size_t user;     /* index in d->users */
} dir_key;

struct li_user_dir {
    li_user *users;
    size_t n, cap;
    char *arena; /* every key, end to end */
    dir_key *exact, *words;
    size_t nexact, nwords;
};

/*
 * Folds s into out (cap bytes). Returns the length, or 0 when s folds to
 * nothing or did not fit (then it cannot be compared safely: li_fold()
 * would have kept only a prefix).
 */
static size_t fold(const char *s, size_t len, char *out, size_t cap) {
    size_t n = li_fold(s, len, out, cap);
    return n + 4 >= cap ? 0 : n; /* li_fold never cuts a character: allow for one */
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The words key of s: its words folded one by one, sorted, joined by one
 * space. Words end where li_fold() would see a boundary: at anything but a
 * letter, a digit or a combining mark. Returns the length; 0 when s has
 * fewer than two words or more than WORDS_MAX, or does not fit.
 */
static size_t words_key(const char *s, size_t len, char *out, size_t cap) {
    char folded[FOLD_CAP];
    char *word[WORDS_MAX];
    size_t nword = 0, used = 0, i = 0;
    while (i < len) {
        size_t start = i, end = i;
        /* Find the next run of letters, digits and marks. */
        while (i < len) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                                  (utf8proc_ssize_t)(len - i), &cp);
            if (k <= 0) { /* invalid UTF-8: a boundary, as li_fold() sees it */
                i++;
                if (end > start)
                    break;
                start = end = i;
                continue;
            }
            utf8proc_category_t c = utf8proc_category(cp);
            int in_word = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                          (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
                          (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
            i += (size_t)k;
            if (in_word) {
                end = i;
            } else if (end > start) {
                break;
            } else {
                start = end = i;
            }
        }
        if (end == start)
            continue;
        size_t n = fold(s + start, end - start, folded + used, sizeof folded - used);
        if (n == 0)
            continue; /* marks alone, or no room: handled by the checks below */
        if (nword == WORDS_MAX)
            return 0;
        word[nword++] = folded + used;
        used += n + 1;
        if (used + 8 >= sizeof folded)
            return 0;
    }
    if (nword < 2)
        return 0;
    qsort(word, nword, sizeof word[0], cmp_str);
    size_t o = 0;
    for (size_t w = 0; w < nword; w++) {
        size_t n = strlen(word[w]);
        if (o + n + 2 > cap)
            return 0;
        if (w)
            out[o++] = ' ';
        memcpy(out + o, word[w], n);
        o += n;
    }
    return o;
}

static int cmp_key(const char *a, size_t alen, const char *b, size_t blen) {
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

static int cmp_dir_key(const void *pa, const void *pb) {
    const dir_key *a = pa, *b = pb;
    int c = cmp_key(a->key, a->len, b->key, b->len);
    return c ? c : (a->user > b->user) - (a->user < b->user);
}

static li_status add_user(const li_user *u, void *ctx) {
    li_user_dir *d = ctx;
    if (d->n == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 16;
        li_user *p = realloc(d->users, cap * sizeof *p);
        if (!p)
            return LI_ENOMEM;
        d->users = p;
        d->cap = cap;
    }
    d->users[d->n++] = *u;
    return LI_OK;
}

/*
 * The keys of user u, in order: folded e-mail, folded name (exact), words
 * of the name. Writes key k to buf and returns its length (0: no such key).
 */
static size_t user_key(const li_user *u, int k, char *buf, size_t cap) {
    const char *t = k == 0 ? u->email : u->name;
    return k < 2 ? fold(t, strlen(t), buf, cap) : words_key(t, strlen(t), buf, cap);
}

li_status li_user_dir_load(li_store *s, li_user_dir **out, li_error *err) {
    li_status st = LI_OK;
    char buf[FOLD_CAP];
    *out = NULL;
    li_user_dir *d = calloc(1, sizeof *d);
    if (!d)
        goto nomem;
    if ((st = li_users_each(s, add_user, d, err)) != LI_OK) {
        if (st == LI_ENOMEM) /* from add_user, which has no li_error */
            goto nomem;
        goto out;
    }
    /* Two passes over the keys: sizes, then copies into an arena that does
     * not move, so that the keys can point into it. Folding a few hundred
     * names twice costs nothing next to the import. */
    size_t total = 0;
    for (size_t i = 0; i < d->n; i++)
        for (int k = 0; k < 3; k++)
            total += user_key(&d->users[i], k, buf, sizeof buf);
    d->arena = malloc(total + 1);
    d->exact = malloc((2 * d->n + 1) * sizeof *d->exact);
    d->words = malloc((d->n + 1) * sizeof *d->words);
    if (!d->arena || !d->exact || !d->words)
        goto nomem;
    size_t used = 0;
    for (size_t i = 0; i < d->n; i++) {
        for (int k = 0; k < 3; k++) {
            size_t n = user_key(&d->users[i], k, buf, sizeof buf);
            if (n == 0)
                continue;
            memcpy(d->arena + used, buf, n);
            dir_key key = {d->arena + used, n, i};
            used += n;
            if (k < 2)
                d->exact[d->nexact++] = key;
            else
                d->words[d->nwords++] = key;
        }
    }
    qsort(d->exact, d->nexact, sizeof *d->exact, cmp_dir_key);
    qsort(d->words, d->nwords, sizeof *d->words, cmp_dir_key);
    *out = d;
    d = NULL;
    goto out;
nomem:
    st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
out:
    li_user_dir_free(d);
    return st;
}

void li_user_dir_free(li_user_dir *d) {
    if (!d)
        return;
    free(d->users);
    free(d->arena);
    free(d->exact);
    free(d->words);
    free(d);
}

size_t li_user_dir_count(const li_user_dir *d) {
    return d ? d->n : 0;
}

/*
 * Looks key up in keys[0..n). Returns the number of distinct users that
 * have it (capped at 2) and the first in *user.
 */
static int lookup(const dir_key *keys, size_t n, const char *key, size_t len, size_t *user) {
    size_t lo = 0, hi = n; /* the first entry >= key */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_key(keys[mid].key, keys[mid].len, key, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || cmp_key(keys[lo].key, keys[lo].len, key, len) != 0)
        return 0;
    *user = keys[lo].user;
    /* Equal keys are sorted by user: a second user shows right after the
     * first user's own entries (its e-mail may fold like its name). */
    for (size_t i = lo + 1; i < n && cmp_key(keys[i].key, keys[i].len, key, len) == 0; i++)
        if (keys[i].user != *user)
            return 2;
    return 1;
}

li_user_match li_user_dir_find(const li_user_dir *d, const char *text, size_t len,
                               const li_user **user) {
    char key[FOLD_CAP];
    size_t found = 0;
    int hits = 0;
    if (user)
        *user = NULL;
    if (!d || !text || len > TEXT_MAX)
        return LI_USER_UNKNOWN;
    size_t n = fold(text, len, key, sizeof key);
    if (n > 0)
        hits = lookup(d->exact, d->nexact, key, n, &found);
    if (hits == 0 && (n = words_key(text, len, key, sizeof key)) > 0)
        hits = lookup(d->words, d->nwords, key, n, &found);
    if (hits == 0)
        return LI_USER_UNKNOWN;
    if (hits > 1)
        return LI_USER_AMBIGUOUS;
    if (user)
        *user = &d->users[found];
    return d->users[found].active ? LI_USER_FOUND : LI_USER_DISABLED;
}
