/*
 * buf.c — growable byte buffer with a hard maximum (see buf.h), and the two
 * encoders every output path needs: JSON string literals and CSV fields.
 */
#include "leadimport/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void li_buf_init(li_buf *b, size_t max) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void li_buf_free(li_buf *b) {
    if (!b)
        return;
    free(b->data);
    li_buf_init(b, b->max);
}

li_status li_buf_reserve(li_buf *b, size_t extra) {
    size_t need = b->len + extra + 1; /* + NUL */
    if (need <= b->cap)
        return LI_OK;
    if (b->max && need > b->max + 1)
        return LI_ELIMIT;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    if (b->max && cap > b->max + 1)
        cap = b->max + 1;
    char *p = realloc(b->data, cap);
    if (!p)
        return LI_ENOMEM;
    b->data = p;
    b->cap = cap;
    return LI_OK;
}

li_status li_buf_append(li_buf *b, const void *p, size_t n) {
    li_status st = li_buf_reserve(b, n);
    if (st != LI_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return LI_OK;
}

li_status li_buf_putc(li_buf *b, char c) {
    return li_buf_append(b, &c, 1);
}

li_status li_buf_puts(li_buf *b, const char *s) {
    return li_buf_append(b, s, strlen(s));
}

li_status li_buf_printf(li_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return LI_EINTERNAL;
    li_status st = li_buf_reserve(b, (size_t)n);
    if (st != LI_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return LI_OK;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n) (lead byte >= 0x80), or 0
 * if it is not one (overlong forms, surrogates and values past U+10FFFF
 * included).
 */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (len == 0 || s[0] > 0xF4 || len > n)
        return 0;
    for (size_t k = 1; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return len;
}

li_status li_buf_json_str(li_buf *b, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    li_status st = li_buf_reserve(b, n + 2);
    if (st != LI_OK)
        return st;
    b->data[b->len++] = '"';
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            /* Valid UTF-8 goes as is; a stray byte (a Latin-1 file name)
             * would make the whole document invalid JSON: it is written
             * as the character it is in Latin-1, "\u00e9". */
            size_t len = utf8_seq((const unsigned char *)s + i, n - i);
            if (len) {
                i += len - 1;
                continue;
            }
        } else if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        if ((st = li_buf_append(b, s + start, i - start)) != LI_OK)
            return st;
        char esc[7] = {'\\', 0, 0, 0, 0, 0, 0};
        size_t elen = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if ((st = li_buf_append(b, esc, elen)) != LI_OK)
            return st;
        start = i + 1;
    }
    if ((st = li_buf_append(b, s + start, n - start)) != LI_OK)
        return st;
    return li_buf_putc(b, '"');
}

li_status li_buf_csv_field(li_buf *b, const char *s, size_t n, char delim, int neutralise) {
    int risky = neutralise && n > 0 &&
                (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' ||
                 s[0] == '\r');
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    li_status st;
    if (!quote && !risky)
        return li_buf_append(b, s, n);
    if (quote && (st = li_buf_putc(b, '"')) != LI_OK)
        return st;
    if (risky && (st = li_buf_putc(b, '\'')) != LI_OK)
        return st;
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '"')
            continue;
        if ((st = li_buf_append(b, s + start, i + 1 - start)) != LI_OK) /* the quote... */
            return st;
        if ((st = li_buf_putc(b, '"')) != LI_OK) /* ...doubled */
            return st;
        start = i + 1;
    }
    if ((st = li_buf_append(b, s + start, n - start)) != LI_OK)
        return st;
    return quote ? li_buf_putc(b, '"') : LI_OK;
}
