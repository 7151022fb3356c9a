/*
 * encoding.c — detection of a file's text encoding and block conversion of
 * Windows-1252 and UTF-16 to UTF-8 (see encoding.h).
 *
 * Hand-written rather than iconv: the Windows-1252 table and the UTF-16
 * decoder are a few lines each, need no allocation or per-call state, and
 * are several times faster on the short runs the parser hands over. The
 * five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D)
 * map to the C1 code points of the same value, as WHATWG's decoder does,
 * so that no byte is ever lost.
 */
#include "encoding.h"

#include <string.h>
#include <strings.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Windows-1252 bytes 0x80..0x9F; 0xA0..0xFF are the same as Latin-1. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 80 */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, /* 88 */
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90 */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, /* 98 */
};

#define SNIFF_CONTROL_BYTES (64u * 1024u) /* bytes examined for NULs and controls */
#define SNIFF_UTF16_BYTES 4096u           /* bytes examined for a UTF-16 NUL pattern */
#define SNIFF_CP1252_BYTES (64u * 1024u)  /* bytes judged by li__cp1252_plausible */
#define CP1252_MIN_EVIDENCE 8u            /* high bytes needed to call text implausible */

const char *li__enc_name(li__enc e) {
    switch (e) {
    case LI__ENC_UTF8:
        return "utf-8";
    case LI__ENC_CP1252:
        return "windows-1252";
    case LI__ENC_UTF16LE:
        return "utf-16le";
    case LI__ENC_UTF16BE:
        return "utf-16be";
    }
    return "utf-8";
}

int li__enc_parse(const char *name, li__enc *out) {
    static const struct {
        const char *alias;
        li__enc enc;
    } names[] = {
        {"utf-8", LI__ENC_UTF8},          {"utf8", LI__ENC_UTF8},
        {"windows-1252", LI__ENC_CP1252}, {"cp1252", LI__ENC_CP1252},
        {"win1252", LI__ENC_CP1252},      {"latin1", LI__ENC_CP1252},
        {"latin-1", LI__ENC_CP1252},      {"iso-8859-1", LI__ENC_CP1252},
        {"iso-8859-15", LI__ENC_CP1252},  {"utf-16le", LI__ENC_UTF16LE},
        {"utf16le", LI__ENC_UTF16LE},     {"utf-16be", LI__ENC_UTF16BE},
        {"utf16be", LI__ENC_UTF16BE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].alias) == 0) {
            *out = names[i].enc;
            return 0;
        }
    }
    return -1;
}

size_t li__enc_bom_len(li__enc e, const unsigned char *p, size_t n) {
    switch (e) {
    case LI__ENC_UTF8:
        return n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF ? 3 : 0;
    case LI__ENC_UTF16LE:
        return n >= 2 && p[0] == 0xFF && p[1] == 0xFE ? 2 : 0;
    case LI__ENC_UTF16BE:
        return n >= 2 && p[0] == 0xFE && p[1] == 0xFF ? 2 : 0;
    case LI__ENC_CP1252:
        return 0;
    }
    return 0;
}

static size_t utf8_seq(const unsigned char *p, size_t n);
static size_t skip_ascii(const unsigned char *p, size_t i, size_t n);

/*
 * 1 if the code point of the valid UTF-8 sequence p[0..k) is one that Latin
 * text uses: an accented letter (U+00A0-U+017F, Romanian U+0218-U+021B,
 * Vietnamese U+1E00-U+1EFF) or typographic punctuation (U+2010-U+203A, the
 * euro sign). Windows-1252 text rarely forms such a sequence by chance: it
 * takes "Ã", "Â", "Ä" or "Å" followed by a symbol, or "â" followed by two.
 */
static int latin_seq(const unsigned char *p, size_t k) {
    unsigned cp = k == 2   ? ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu)
                  : k == 3 ? ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu)
                           : 0;
    return (cp >= 0xA0 && cp <= 0x17F) || (cp >= 0x218 && cp <= 0x21B) ||
           (cp >= 0x1E00 && cp <= 0x1EFF) || (cp >= 0x2010 && cp <= 0x203A) || cp == 0x20AC;
}

/*
 * 1 if p[0..n), not valid UTF-8, is still UTF-8 text with a few rows that
 * are not (rows pasted from a Windows-1252 file): such a file must be read
 * as UTF-8, those rows repaired one by one (encoding_fixed), never the
 * whole file turned into mojibake ("HÃ©lÃ¨ne"). Either test suffices:
 *   - sequences: at least 8 multi-byte sequences, and four times more of
 *     them than bytes that start none (stray bytes scattered thinly);
 *   - lines: at least as many lines that are UTF-8 text (no stray byte,
 *     and a Latin letter or sign as UTF-8, or two sequences of any script)
 *     as lines with a stray byte. One 1252 row full of accents is one
 *     line, however many bytes; one UTF-8 name against one 1252 row is a
 *     tie, read as UTF-8, which keeps both right (the 1252 row repaired).
 * Windows-1252 (or Latin-1, Mac) text hardly ever holds a valid sequence,
 * and its accented lines are lines with stray bytes: it is not taken for
 * UTF-8.
 */
static int mostly_utf8(const unsigned char *p, size_t n) {
    size_t good = 0, bad = 0, utf8_lines = 0, bad_lines = 0;
    size_t line_good = 0, line_latin = 0, line_bad = 0;
    for (size_t i = 0;;) {
        size_t h = skip_ascii(p, i, n);
        /* lines that ended between i and h */
        const unsigned char *nl = h > i ? memchr(p + i, '\n', h - i) : NULL;
        if (nl || h == n) {
            utf8_lines += line_bad == 0 && (line_latin > 0 || line_good >= 2);
            bad_lines += line_bad > 0;
            line_good = line_latin = line_bad = 0;
        }
        if (h == n)
            break;
        size_t k = utf8_seq(p + h, n - h);
        good += k > 0;
        bad += k == 0;
        line_good += k > 0;
        line_latin += k > 0 && latin_seq(p + h, k);
        line_bad += k == 0;
        i = h + (k ? k : 1);
    }
    return (good >= 8 && bad * 4 <= good) || (utf8_lines > 0 && utf8_lines >= bad_lines);
}

void li__enc_detect(const unsigned char *p, size_t n, int whole_file, li__enc_guess *g) {
    memset(g, 0, sizeof *g);
    static const li__enc with_bom[] = {LI__ENC_UTF8, LI__ENC_UTF16LE, LI__ENC_UTF16BE};
    for (size_t i = 0; i < sizeof with_bom / sizeof with_bom[0]; i++) {
        if ((g->bom_len = li__enc_bom_len(with_bom[i], p, n)) > 0) {
            g->enc = with_bom[i];
            return;
        }
    }

    /*
     * UTF-16 without a BOM: text in a Latin script is mostly ASCII, whose
     * UTF-16 code units have one NUL byte, always on the same side.
     */
    size_t m = n < SNIFF_UTF16_BYTES ? n : SNIFF_UTF16_BYTES;
    size_t pairs = m / 2, nul_even = 0, nul_odd = 0;
    for (size_t i = 0; i + 1 < m; i += 2) {
        nul_even += p[i] == 0;
        nul_odd += p[i + 1] == 0;
    }
    if (pairs > 0 && nul_odd * 10 >= pairs * 4 && nul_even * 10 <= pairs) {
        g->enc = LI__ENC_UTF16LE;
        return;
    }
    if (pairs > 0 && nul_even * 10 >= pairs * 4 && nul_odd * 10 <= pairs) {
        g->enc = LI__ENC_UTF16BE;
        return;
    }

    /*
     * Binary: a text file has no NUL and hardly any C0 control other than
     * TAB, LF, VT, FF, CR (and the old SUB end-of-file mark, ESC); random or
     * compressed data has about 11 % of them.
     */
    m = n < SNIFF_CONTROL_BYTES ? n : SNIFF_CONTROL_BYTES;
    size_t nul = 0, ctl = 0;
    for (size_t i = 0; i < m; i++) {
        unsigned char c = p[i];
        if (c < 0x20) {
            nul += c == 0;
            ctl += c != '\t' && c != '\n' && c != '\v' && c != '\f' && c != '\r' && c != 0x1A &&
                   c != 0x1B;
        }
    }
    if (nul * 1000 > m || ctl * 100 > m) {
        g->enc = LI__ENC_UTF8;
        g->binary = 1;
        return;
    }

    size_t ok = li__utf8_valid_prefix(p, n);
    int valid = ok == n;
    if (!valid && !whole_file && n - ok < 4) {
        /* a sequence cut by the end of the sample: a lead byte and continuations */
        unsigned char lead = p[ok];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        valid = lead >= 0xC2 && lead <= 0xF4 && n - ok < need;
        for (size_t i = ok + 1; valid && i < n; i++)
            valid = (p[i] & 0xC0) == 0x80;
    }
    if (!valid && mostly_utf8(p, n))
        valid = g->mixed = 1; /* a few stray rows: repaired one by one (encoding_fixed) */
    g->enc = valid ? LI__ENC_UTF8 : LI__ENC_CP1252;
    g->doubtful = !valid && !li__cp1252_plausible(p, n < SNIFF_CP1252_BYTES ? n : SNIFF_CP1252_BYTES);
}

/*
 * Bytes 0x80-0x9F that Latin text in Windows-1252 uses: the euro sign,
 * "…", curly quotes and apostrophes, the bullet, dashes, "œ". The others
 * of that range (‚ ƒ „ † ‡ ˆ ‰ Š ‹ Œ Ž ˜ ™ š › ž Ÿ and the five undefined
 * bytes) are rare in it, and are the commonest lead bytes of Shift-JIS.
 */
static int cp1252_common_c1(unsigned char c) {
    return c == 0x80 || c == 0x85 || (c >= 0x91 && c <= 0x97) || c == 0x9C;
}

int li__cp1252_plausible(const unsigned char *p, size_t n) {
    size_t high = 0, in_runs = 0, rare = 0, run = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] >= 0x80) {
            high++;
            run++;
            rare += p[i] < 0xA0 && !cp1252_common_c1(p[i]);
            continue;
        }
        if (run >= 3) /* three high bytes in a row: a word of non-Latin letters */
            in_runs += run;
        run = 0;
    }
    if (high < CP1252_MIN_EVIDENCE)
        return 1;
    return in_runs * 3 <= high && rare * 4 <= high;
}

/*
 * Length of the valid UTF-8 sequence at p[0..n) (1 to 4), or 0 if the bytes
 * there do not start one. p[0] must be >= 0x80.
 */
static size_t utf8_seq(const unsigned char *p, size_t n) {
    unsigned char c = p[0];
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0; /* overlong, or a UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0; /* overlong, or beyond U+10FFFF */
        return 4;
    }
    return 0;
}

/* Index of the first byte >= 0x80 in p[i..n), or n; sixteen bytes at a time with SSE2. */
static size_t skip_ascii(const unsigned char *p, size_t i, size_t n) {
#if defined(__SSE2__)
    while (i + 16 <= n) {
        unsigned mask =
            (unsigned)_mm_movemask_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)));
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        if (w & UINT64_C(0x8080808080808080))
            break;
        i += 8;
    }
    while (i < n && p[i] < 0x80)
        i++;
    return i;
}

size_t li__utf8_valid_prefix(const unsigned char *p, size_t n) {
    size_t i = 0;
    for (;;) {
        i = skip_ascii(p, i, n);
        if (i == n)
            return n;
        size_t k = utf8_seq(p + i, n - i);
        if (k == 0)
            return i;
        i += k;
    }
}

int li__utf8_valid(const unsigned char *p, size_t n) {
    return li__utf8_valid_prefix(p, n) == n;
}

int li__has_high_bytes(const unsigned char *p, size_t n) {
    return skip_ascii(p, 0, n) < n;
}

size_t li__utf8_put(char *out, unsigned cp) {
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned cp1252_decode(unsigned char c) {
    return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c;
}

size_t li__cp1252_to_utf8(const unsigned char *p, size_t n, char *out) {
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x80)
            out[o++] = (char)p[i];
        else
            o += li__utf8_put(out + o, cp1252_decode(p[i]));
    }
    return o;
}

size_t li__utf8_repair(const unsigned char *p, size_t n, char *out) {
    size_t i = 0, o = 0;
    while (i < n) {
        size_t a = skip_ascii(p, i, n);
        memcpy(out + o, p + i, a - i);
        o += a - i;
        i = a;
        if (i == n)
            break;
        size_t k = utf8_seq(p + i, n - i);
        if (k > 0) {
            memcpy(out + o, p + i, k);
            o += k;
            i += k;
        } else {
            o += li__utf8_put(out + o, cp1252_decode(p[i]));
            i++;
        }
    }
    return o;
}

size_t li__utf8_cut(const char *s, size_t len, size_t max) {
    if (len <= max)
        return len;
    size_t i = max;
    /* back up over continuation bytes to the start of the sequence cut by max */
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

size_t li__utf16_decode(li__utf16 *st, const unsigned char *src, size_t n, int final, char *out) {
    size_t i = 0, o = 0;
    unsigned hi = st->hi;
    for (;;) {
        unsigned u;
#if defined(__SSE2__)
        /* ASCII, eight code units at a time: most of a CSV file */
        if (!st->have_byte && !hi) {
            const __m128i high = _mm_set1_epi16((short)0xFF80), zero = _mm_setzero_si128();
            while (i + 16 <= n) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
                if (st->big_endian)
                    x = _mm_or_si128(_mm_slli_epi16(x, 8), _mm_srli_epi16(x, 8));
                if (_mm_movemask_epi8(_mm_cmpeq_epi16(_mm_and_si128(x, high), zero)) != 0xFFFF)
                    break;
                _mm_storel_epi64((__m128i *)(void *)(out + o), _mm_packus_epi16(x, x));
                i += 16;
                o += 8;
            }
        }
#endif
        if (st->have_byte) {
            if (i >= n)
                break;
            u = st->big_endian ? (unsigned)st->byte << 8 | src[i]
                               : (unsigned)src[i] << 8 | st->byte;
            st->have_byte = 0;
            i++;
        } else if (i + 1 < n) {
            u = st->big_endian ? (unsigned)src[i] << 8 | src[i + 1]
                               : (unsigned)src[i + 1] << 8 | src[i];
            i += 2;
        } else {
            if (i < n) {
                st->have_byte = 1;
                st->byte = src[i];
            }
            break;
        }
        if (hi) {
            if (u >= 0xDC00 && u <= 0xDFFF) {
                o += li__utf8_put(out + o, 0x10000 + ((hi - 0xD800) << 10) + (u - 0xDC00));
                hi = 0;
                continue;
            }
            o += li__utf8_put(out + o, 0xFFFD);
            hi = 0;
        }
        if (u < 0x80)
            out[o++] = (char)u;
        else if (u >= 0xD800 && u <= 0xDBFF)
            hi = u;
        else if (u >= 0xDC00 && u <= 0xDFFF)
            o += li__utf8_put(out + o, 0xFFFD);
        else
            o += li__utf8_put(out + o, u);
    }
    if (final) {
        if (hi)
            o += li__utf8_put(out + o, 0xFFFD);
        if (st->have_byte)
            o += li__utf8_put(out + o, 0xFFFD);
        hi = 0;
        st->have_byte = 0;
    }
    st->hi = hi;
    return o;
}

uint64_t li__utf16_source_len(const unsigned char *p, size_t n) {
    uint64_t len = 0;
    size_t i = 0;
    for (;;) {
        size_t a = skip_ascii(p, i, n);
        len += 2 * (uint64_t)(a - i); /* one code unit per ASCII byte */
        if (a == n)
            return len;
        unsigned char c = p[a];
        if ((c & 0xC0) != 0x80)
            len += c >= 0xF0 ? 4 : 2;
        i = a + 1;
    }
}
