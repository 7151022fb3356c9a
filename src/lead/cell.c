/*
 * cell.c — one value out of a cell that holds more than one.
 *
 * People put two numbers in one phone cell ("06 12 34 56 78 / 01 23 45 67
 * 89"), a label or a note beside a number ("Tél. : 01 23 45 67 90",
 * "01.23.45.67.81 (standard)"), a display name around an address ("Jean
 * Valjean <jean@exemple.fr>", "mailto:jean@exemple.fr"), two addresses in
 * one cell, and Google Contacts joins several values with " ::: ". When a
 * cell does not read as one value, the validator asks li__cell_pieces() for
 * its first piece, cleaned, and takes it when it is a valid value: a value
 * that was in the cell, never a guess (the whole text is kept beside the
 * lead, see validate.c). Only called for cells that failed, so the
 * usual row pays nothing.
 */
#include <string.h>

#include "lead/leadInt.h"

static int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_alpha(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int prefix_fold(const char *s, size_t n, const char *p) {
    size_t k = strlen(p);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != p[i])
            return 0;
    }
    return 1;
}

/*
 * Length of the separator between two values that starts at s[i], or 0:
 * ";", ", ", "|", a line break, ":::", and " / ", " ou ", " or ", " et ",
 * " and ", " - ". A "/" or "-" inside a number ("06-12-34", "01/23") has no
 * spaces around it, and a comma inside a damaged address ("jean,martin@")
 * none after it: neither is one.
 */
static size_t separator(const char *s, size_t n, size_t i, int email) {
    char c = s[i];
    if (c == ';' || c == '|' || c == '\n' || c == '\r')
        return 1;
    if (c == ',' && (i + 1 >= n || s[i + 1] == ' '))
        return 1;
    if (n - i >= 3 && memcmp(s + i, ":::", 3) == 0)
        return 3;
    if (c != ' ' || i + 2 >= n)
        return 0;
    static const char *const words[] = {" / ", " - ", " ou ", " or ", " et ", " and "};
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        if (prefix_fold(s + i, n - i, words[w]))
            return strlen(words[w]);
    (void)email;
    return 0;
}

/*
 * Cleans one piece in place and returns its new length: spaces trimmed; for
 * an e-mail, "mailto:" dropped, the inside of "<...>" taken, quotes
 * dropped; for a phone, a leading label ("Tél. :", "tel", "phone",
 * "mobile", "portable", "fixe", "standard") and words in parentheses
 * ("(standard)", "(Pierre)") dropped, and the ".0" a float leaves
 * ("+33612345681.0") cut.
 */
static size_t clean(char *p, size_t n, int email) {
    while (n && is_space(p[n - 1]))
        n--;
    size_t b = 0;
    while (b < n && is_space(p[b]))
        b++;
    memmove(p, p + b, n - b);
    n -= b;
    if (email) {
        char *lt = memchr(p, '<', n), *gt = lt ? memchr(lt, '>', n - (size_t)(lt - p)) : NULL;
        if (lt && gt) {
            n = (size_t)(gt - lt - 1);
            memmove(p, lt + 1, n);
        }
        if (prefix_fold(p, n, "mailto:")) {
            memmove(p, p + 7, n - 7);
            n -= 7;
        }
        while (n && (p[0] == '"' || p[0] == '\'')) {
            memmove(p, p + 1, --n);
        }
        while (n && (p[n - 1] == '"' || p[n - 1] == '\''))
            n--;
        return n;
    }
    /* words in parentheses: "(standard)"; "(0)" of "+33 (0)1" stays */
    for (size_t i = 0; i < n; i++) {
        if (p[i] != '(')
            continue;
        char *close = memchr(p + i, ')', n - i);
        if (!close)
            break;
        size_t j = (size_t)(close - p) + 1, letters = 0;
        for (size_t k = i; k < j; k++)
            letters += is_alpha((unsigned char)p[k]);
        if (letters) {
            memmove(p + i, p + j, n - j);
            n -= j - i;
            i--;
        }
    }
    /* a leading label: letters, dots, spaces and a colon before the first digit or '+' */
    size_t d = 0;
    while (d < n && !(p[d] >= '0' && p[d] <= '9') && p[d] != '+' && p[d] != '(')
        d++;
    if (d > 0 && d < n) {
        int label = 1;
        for (size_t k = 0; k < d; k++)
            if (!is_alpha((unsigned char)p[k]) && p[k] != '.' && p[k] != ':' && !is_space(p[k]))
                label = 0;
        if (label) {
            memmove(p, p + d, n - d);
            n -= d;
        }
    }
    while (n && is_space(p[n - 1]))
        n--;
    /* "+33612345681.0": the text of a float */
    if (n > 2 && p[n - 2] == '.' && p[n - 1] == '0') {
        int digits = 1;
        for (size_t k = (p[0] == '+'); k < n - 2; k++)
            digits &= p[k] >= '0' && p[k] <= '9';
        if (digits)
            n -= 2;
    }
    return n;
}

int li__cell_pieces(const char *s, size_t n, int email, char *buf, li__piece_fn fn, void *ctx) {
    /*
     * Only the first piece is offered: "jean;martin@free.fr" or "marie
     * dupont@gmail.com" hold one damaged address, and a later piece that
     * happens to be valid ("martin@free.fr") would be an invented one.
     */
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        size_t sep = i < n ? separator(s, n, i, email) : 1;
        if (!sep)
            continue;
        size_t len = i - start;
        memcpy(buf, s + start, len);
        len = clean(buf, len, email);
        start = i + sep;
        i = start - 1;
        if (len > 0)
            return fn(buf, len, ctx);
    }
    return 0;
}
