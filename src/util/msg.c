/*
 * msg.c — the message catalogue (see msg.h and messages.def).
 */
#include "leadimport/msg.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

typedef struct msg_entry {
    const char *code;
    li_severity severity;
    const char *text;
} msg_entry;

static const msg_entry catalogue[LI_MSG__COUNT] = {
#define LI_MSG_X(id, code, sev, text) {code, sev, text},
#include "leadimport/messages.def"
#undef LI_MSG_X
};

static const msg_entry *entry(li_msg m) {
    if ((int)m < 0 || m >= LI_MSG__COUNT)
        return &catalogue[LI_MSG_INTERNAL];
    return &catalogue[m];
}

const char *li_msg_code(li_msg m) {
    return entry(m)->code;
}

const char *li_msg_text(li_msg m) {
    return entry(m)->text;
}

li_severity li_msg_severity(li_msg m) {
    return entry(m)->severity;
}

li_msg li_msg_by_code(const char *code) {
    for (int i = 0; i < LI_MSG__COUNT; i++)
        if (strcmp(catalogue[i].code, code) == 0)
            return (li_msg)i;
    return LI_MSG_NONE;
}

/* Cuts a string of length len back so that it does not end inside a UTF-8 sequence. */
static size_t utf8_boundary(const char *s, size_t len) {
    size_t i = len;
    while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return 0;
    unsigned char lead = (unsigned char)s[i - 1];
    size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return (len - (i - 1) >= need) ? len : i - 1;
}

size_t li__msg_vformat(char *out, size_t cap, const char *fmt, va_list ap) {
    if (cap == 0)
        return 0;
    int n = vsnprintf(out, cap, fmt, ap);
    if (n < 0) {
        out[0] = '\0';
        return 0;
    }
    size_t len = (size_t)n < cap ? (size_t)n : cap - 1;
    len = utf8_boundary(out, len);
    out[len] = '\0';
    return len;
}

size_t li_msg_formatv(char *out, size_t cap, li_msg m, va_list ap) {
    return li__msg_vformat(out, cap, entry(m)->text, ap);
}

size_t li__msg_format_fmt(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    size_t n = li__msg_vformat(out, cap, fmt, ap);
    va_end(ap);
    return n;
}

size_t li_msg_format_unchecked(char *out, size_t cap, li_msg m, ...) {
    va_list ap;
    va_start(ap, m);
    size_t n = li_msg_formatv(out, cap, m, ap);
    va_end(ap);
    return n;
}

const char *li_msg_errno(int errnum) {
    static _Thread_local char other[48];
    switch (errnum) {
#define LI_MSG_X(id, code, sev, text)
#define LI_ERRNO_X(e, text) \
    case e:                 \
        return text;
#include "leadimport/messages.def"
#undef LI_ERRNO_X
#undef LI_MSG_X
    default:
        snprintf(other, sizeof other, "erreur système n° %d", errnum);
        return other;
    }
}

const char *li_msg_sqlite(int code) {
    static _Thread_local char other[48];
    switch (code & 0xFF) {
#define LI_MSG_X(id, code, sev, text)
#define LI_SQLITE_X(c, text) \
    case c:                  \
        return text;
#include "leadimport/messages.def"
#undef LI_SQLITE_X
#undef LI_MSG_X
    default:
        snprintf(other, sizeof other, "erreur SQLite n° %d", code);
        return other;
    }
}
