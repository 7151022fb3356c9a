/*
 * buf.h — a growable byte buffer with a hard maximum.
 *
 * Every buffer that grows with its input has a limit (curl's dynbuf idea):
 * appending past max fails with LI_ELIMIT instead of eating memory.
 * The bytes are always NUL-terminated so that data can be used as a C string.
 */
#ifndef LEADIMPORT_BUF_H
#define LEADIMPORT_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "leadimport/error.h"

typedef struct li_buf {
    char *data;   /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max;   /* 0 = no limit other than memory */
} li_buf;

/* Initialises an empty buffer that refuses to grow beyond max bytes. */
void li_buf_init(li_buf *b, size_t max);
/* Frees the bytes and resets to empty. Accepts NULL. */
void li_buf_free(li_buf *b);
/* Empties the buffer, keeping its memory. */
static inline void li_buf_reset(li_buf *b) {
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

li_status li_buf_reserve(li_buf *b, size_t extra);
li_status li_buf_append(li_buf *b, const void *p, size_t n);
li_status li_buf_putc(li_buf *b, char c);
li_status li_buf_puts(li_buf *b, const char *s);
li_status li_buf_printf(li_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Appends s as a JSON string literal, quotes included. Control characters
 * are escaped; a byte that is not part of valid UTF-8 is written as the
 * Latin-1 character it would be ("\u00e9"), so the result is always valid
 * JSON.
 */
li_status li_buf_json_str(li_buf *b, const char *s, size_t n);

/*
 * Appends one CSV field (RFC 4180 quoting with delim). When neutralise is
 * set, a value starting with = + - @ (or a tab / carriage return) gets a
 * leading apostrophe so that a spreadsheet shows it as text instead of
 * running it as a formula.
 */
li_status li_buf_csv_field(li_buf *b, const char *s, size_t n, char delim, int neutralise);

#endif
