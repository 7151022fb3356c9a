/*
 * text.c — text from outside made safe to print on a terminal (text.h).
 *
 * One pass over the bytes with utf8proc's decoder; no allocation. Called
 * on what the command line prints (a few hundred values at most), never on
 * the import's hot path.
 */
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

#include "leadimport/text.h"

/* 1 for a code point a terminal would act on, or that reorders the line. */
static int escaped_cp(utf8proc_int32_t cp) {
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

int li_text_needs_escape(const char *s, size_t len) {
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0 || escaped_cp(cp))
            return 1;
        i += (size_t)n;
    }
    return 0;
}

size_t li_text_for_terminal(const char *s, size_t len, char *out, size_t cap) {
    static const char ellipsis[] = "\xE2\x80\xA6";
    size_t o = 0;
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
        char piece[8];
        size_t plen;
        if (n <= 0) { /* not UTF-8: this byte alone, shown */
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", (unsigned char)s[i]);
            n = 1;
        } else if (cp < 0x80 && escaped_cp(cp)) {
            plen = (size_t)snprintf(piece, sizeof piece, "\\x%02x", (unsigned)cp);
        } else if (escaped_cp(cp)) {
            plen = (size_t)snprintf(piece, sizeof piece, "\\u%04x", (unsigned)cp);
        } else {
            memcpy(piece, s + i, (size_t)n);
            plen = (size_t)n;
        }
        /* Room for this piece, and for "…" if anything is still to come. */
        size_t need = plen + (i + (size_t)n < len ? sizeof ellipsis - 1 : 0);
        if (o + need + 1 > cap) {
            if (o + sizeof ellipsis <= cap) {
                memcpy(out + o, ellipsis, sizeof ellipsis - 1);
                o += sizeof ellipsis - 1;
            }
            break;
        }
        memcpy(out + o, piece, plen);
        o += plen;
        i += (size_t)n;
    }
    out[o] = '\0';
    return o;
}

const char *li_text_fr_count(char *buf, size_t cap, unsigned long long v) {
    char raw[32];
    int n = snprintf(raw, sizeof raw, "%llu", v);
    size_t k = 0;
    if (!cap)
        return buf;
    for (int i = 0; i < n && k + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[k++] = ' ';
        buf[k++] = raw[i];
    }
    buf[k] = '\0';
    return buf;
}

int li_text_hex_digit(int c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
