/*
 * decode.c — encodings: detection, and decoding to UTF-8 block by block.
 *
 * Windows-1252 and UTF-16 are decoded by hand: both are small, table-free
 * (but for 32 code points) and several times faster than going through
 * iconv for every block. Undefined Windows-1252 bytes (0x81, 0x8D, 0x8F,
 * 0x90, 0x9D) map to the C1 code point of the same value, as WHATWG does,
 * so no byte is ever lost.
 */
#include <string.h>
#include <strings.h>

#include "readerInt.h"

static const unsigned short cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
};

const char *li__enc_name(li__enc e) {
    switch (e) {
    case LI__ENC_CP1252:
        return "windows-1252";
    case LI__ENC_UTF16LE:
        return "utf-16le";
    case LI__ENC_UTF16BE:
        return "utf-16be";
    case LI__ENC_UTF8:
        break;
    }
    return "utf-8";
}

int li__enc_parse(const char *name) {
    if (!strcasecmp(name, "utf-8") || !strcasecmp(name, "utf8"))
        return LI__ENC_UTF8;
    if (!strcasecmp(name, "windows-1252") || !strcasecmp(name, "cp1252"))
        return LI__ENC_CP1252;
    if (!strcasecmp(name, "utf-16le"))
        return LI__ENC_UTF16LE;
    if (!strcasecmp(name, "utf-16be"))
        return LI__ENC_UTF16BE;
    return -1;
}

static size_t put_cp(char *d, unsigned cp) {
    if (cp < 0x80) {
        d[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        d[0] = (char)(0xC0 | (cp >> 6));
        d[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        d[0] = (char)(0xE0 | (cp >> 12));
        d[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        d[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    d[0] = (char)(0xF0 | (cp >> 18));
    d[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    d[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    d[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned cp1252(unsigned char c) {
    return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), or 0 if invalid / cut. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0; /* overlong, surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

int li__utf8_valid(const unsigned char *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        /* ASCII runs, 8 bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        size_t k = utf8_seq(p + i, n - i);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

li__enc li__enc_detect(const unsigned char *p, size_t n, size_t *bom) {
    *bom = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        *bom = 3;
        return LI__ENC_UTF8;
    }
    if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        *bom = 2;
        return LI__ENC_UTF16LE;
    }
    if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        *bom = 2;
        return LI__ENC_UTF16BE;
    }
    /* UTF-16 without BOM: text made mostly of Latin letters has a NUL in
     * every other byte. */
    size_t even = 0, odd = 0, m = n < 4096 ? n & ~(size_t)1 : 4096;
    for (size_t i = 0; i < m; i += 2) {
        even += p[i] == 0;
        odd += p[i + 1] == 0;
    }
    if (m >= 4 && odd * 10 >= m / 2 * 7 && even * 10 < m / 2)
        return LI__ENC_UTF16LE;
    if (m >= 4 && even * 10 >= m / 2 * 7 && odd * 10 < m / 2)
        return LI__ENC_UTF16BE;
    /* A multi-byte sequence cut by the end of the sample is not evidence. */
    size_t end = n;
    for (size_t back = 0; back < 3 && end > 0; back++) {
        unsigned char c = p[end - 1];
        if (c < 0x80)
            break;
        end--;
        if (c >= 0xC0)
            break;
    }
    if (end < n && utf8_seq(p + end, n - end) == n - end)
        end = n;
    return li__utf8_valid(p, end) ? LI__ENC_UTF8 : LI__ENC_CP1252;
}

size_t li__decode(li__enc e, const unsigned char *src, size_t n, char *dst, size_t *consumed) {
    size_t o = 0, i = 0;
    switch (e) {
    case LI__ENC_UTF8:
        memcpy(dst, src, n);
        *consumed = n;
        return n;
    case LI__ENC_CP1252:
        for (; i < n; i++) {
            unsigned char c = src[i];
            if (c < 0x80)
                dst[o++] = (char)c;
            else
                o += put_cp(dst + o, cp1252(c));
        }
        *consumed = n;
        return o;
    case LI__ENC_UTF16LE:
    case LI__ENC_UTF16BE: {
        int le = e == LI__ENC_UTF16LE;
        while (i + 2 <= n) {
            unsigned u = le ? (unsigned)src[i] | (unsigned)src[i + 1] << 8
                            : (unsigned)src[i] << 8 | (unsigned)src[i + 1];
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (i + 4 > n)
                    break; /* pair cut by the block: wait for more */
                unsigned v = le ? (unsigned)src[i + 2] | (unsigned)src[i + 3] << 8
                                : (unsigned)src[i + 2] << 8 | (unsigned)src[i + 3];
                if (v >= 0xDC00 && v <= 0xDFFF) {
                    o += put_cp(dst + o, 0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00));
                    i += 4;
                    continue;
                }
                u = 0xFFFD;
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                u = 0xFFFD;
            }
            o += put_cp(dst + o, u);
            i += 2;
        }
        *consumed = i;
        return o;
    }
    }
    *consumed = n;
    return 0;
}

uint64_t li__source_len(li__enc e, const char *p, size_t n) {
    uint64_t len = 0;
    const unsigned char *s = (const unsigned char *)p;
    switch (e) {
    case LI__ENC_UTF8:
        return n;
    case LI__ENC_CP1252: /* one byte per code point */
        for (size_t i = 0; i < n; i++)
            len += (s[i] & 0xC0) != 0x80;
        return len;
    case LI__ENC_UTF16LE:
    case LI__ENC_UTF16BE: /* two bytes per BMP code point, four beyond */
        for (size_t i = 0; i < n; i++)
            len += (s[i] & 0xC0) == 0x80 ? 0 : s[i] >= 0xF0 ? 4 : 2;
        return len;
    }
    return n;
}

size_t li__utf8_repair(const char *p, size_t n, char *out) {
    const unsigned char *s = (const unsigned char *)p;
    size_t o = 0, i = 0;
    while (i < n) {
        size_t k = utf8_seq(s + i, n - i);
        if (k) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            o += put_cp(out + o, cp1252(s[i]));
            i++;
        }
    }
    return o;
}
