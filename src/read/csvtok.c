/*
 * csvtok.c — the CSV tokenizer: splits one record of the buffer into
 * fields, RFC 4180 style (delimiters, doubled quotes and line breaks inside
 * quotes; LF, CRLF or CR ends a record), and keeps going on what RFC 4180
 * forbids:
 *   - a quote inside an unquoted field is kept as text (warning);
 *   - spaces after a closing quote are padding: "Curie"  , gives Curie,
 *     as the relaxed readers do;
 *   - other text after a closing quote shows the quote was not a closing
 *     one: "ab"c gives ab"c (warning);
 *   - in a file that escapes quotes with a backslash (c->esc, decided by
 *     li__sniff_escape), \" inside a quoted field is a quote and \\ a
 *     backslash; "" is a quote too. Any other backslash is text;
 *   - past max_columns, fields are counted but dropped (error);
 *   - a record that needs more than max_row bytes, or a quote that does
 *     not close, is reported to csv.c, which decides what the row becomes.
 *
 * Unquoted text is scanned sixteen bytes at a time (SSE2) for the four
 * bytes that can end it. A field is a slice of the buffer unless its value
 * differs from its bytes (doubled quotes, text after a closing quote): then
 * it is copied into the scratch area.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "csvInt.h"

/* --- problems ------------------------------------------------------------ */

/* Gravity of a row problem: only the gravest one is kept. */
static int problem_rank(li_msg m) {
    switch (m) {
    case LI_MSG_ROW_UNTERMINATED_QUOTE:
        return 60;
    case LI_MSG_ROW_TOO_LONG:
        return 50;
    case LI_MSG_ROW_TOO_MANY_COLUMNS:
        return 40;
    case LI_MSG_ROW_FIELD_TOO_LONG:
        return 30;
    case LI_MSG_ROW_FIELD_COUNT:
        return 20;
    case LI_MSG_ROW_STRAY_QUOTE:
        return 2;
    case LI_MSG_ROW_ENCODING_FIXED:
        return 1;
    default:
        return 0;
    }
}

/* See csvInt.h. */
void li__csv_set_problem(li__csv *c, li_msg m, size_t a, size_t b) {
    int k = problem_rank(m);
    if (k <= c->rank)
        return;
    c->rank = k;
    c->row.problem = m;
    /* Every row problem takes at most two size_t (row_* in messages.def). */
    li_msg_format_unchecked(c->row.problem_text, sizeof c->row.problem_text, m, a, b);
}

void li__csv_reset_record(li__csv *c) {
    c->nf = 0;
    c->ncol = 0;
    c->slen = 0;
    c->rank = 0;
    c->row.problem = LI_MSG_NONE;
    c->row.problem_text[0] = '\0';
}

/* See csvInt.h. */
int li__csv_scratch_reserve(li__csv *c, size_t n) {
    if (c->scratch && c->scap - c->slen >= n)
        return 0;
    size_t cap = c->scap ? c->scap : 4096;
    while (cap - c->slen < n)
        cap *= 2;
    char *p = realloc(c->scratch, cap);
    if (!p)
        return -1;
    c->scratch = p;
    c->scap = cap;
    return 0;
}

/* --- fields -------------------------------------------------------------- */

/* 1 while fields of the current record are kept (not past max_columns). */
static int keeping(const li__csv *c) {
    return c->nf < c->r->max_columns;
}

/* Makes room for one more field, or notes the field past max_columns. 1 if it fits, 0 if not, -1.
 */
static int field_room(li__csv *c) {
    if (!keeping(c)) {
        li__csv_set_problem(c, LI_MSG_ROW_TOO_MANY_COLUMNS, c->r->max_columns, 0);
        return 0;
    }
    size_t cap = c->fcap * 2;
    if (cap > c->r->max_columns)
        cap = c->r->max_columns;
    li__csv_field *f = realloc(c->f, cap * sizeof *f);
    if (!f)
        return -1;
    c->f = f;
    c->fcap = cap;
    return 1;
}

/* Appends a field; past max_columns, counts it and sets the problem instead. 0 or -1. */
static inline int add_field(li__csv *c, size_t off, size_t len, int in_scratch) {
    c->ncol++;
    if (c->nf == c->fcap) {
        int room = field_room(c);
        if (room <= 0)
            return room;
    }
    c->f[c->nf].off = off;
    c->f[c->nf].len = len;
    c->f[c->nf].in_scratch = in_scratch;
    c->nf++;
    return 0;
}

/* Copies s[0..e) to o undoing \" \\ and "" (backslash-escaped files); returns the end of o. */
static char *unescape(char *o, const unsigned char *s, const unsigned char *e) {
    while (s < e) {
        if ((*s == '\\' || *s == '"') && s + 1 < e && (s[1] == '"' || (*s == '\\' && s[1] == '\\'))) {
            *o++ = (char)s[1];
            s += 2;
        } else {
            *o++ = (char)*s++;
        }
    }
    return o;
}

/*
 * Appends a quoted field: its text buf[a, b) (doubled quotes, or escapes
 * in a backslash-escaped file, undone if doubled is set) followed by the
 * bytes buf[ja, jb) that came after the closing quote. Without doubled
 * quotes, escapes or such bytes, the field is a slice of the buffer. 0 or -1.
 */
static int add_quoted(li__csv *c, size_t a, size_t b, int doubled, size_t ja, size_t jb) {
    if (c->esc && !doubled && memchr(c->buf + a, '\\', b - a))
        doubled = 1; /* a \\ to undo */
    if (!doubled && ja == jb)
        return add_field(c, a, b - a, 0);
    if (!keeping(c))
        return add_field(c, 0, 0, 0);
    if (li__csv_scratch_reserve(c, (b - a) + (jb - ja)) != 0)
        return -1;
    char *o = c->scratch + c->slen, *start = o;
    const unsigned char *s = c->buf + a, *e = c->buf + b;
    if (c->esc && doubled) {
        o = unescape(o, s, e);
        s = e;
    }
    while (s < e) {
        const unsigned char *q = doubled ? memchr(s, '"', (size_t)(e - s)) : NULL;
        if (!q) {
            memcpy(o, s, (size_t)(e - s));
            o += e - s;
            break;
        }
        memcpy(o, s, (size_t)(q + 1 - s)); /* up to and with the first quote of the pair */
        o += q + 1 - s;
        s = q + 2;
    }
    memcpy(o, c->buf + ja, jb - ja);
    o += jb - ja;
    size_t off = c->slen;
    c->slen += (size_t)(o - start);
    return add_field(c, off, (size_t)(o - start), 1);
}

/* Warns about a quote where none may be (column of the field being read). */
static void stray_quote(li__csv *c) {
    li__csv_set_problem(c, LI_MSG_ROW_STRAY_QUOTE, c->ncol + 1, 0);
}

/*
 * Index of the first byte of b[q, w) that ends a run of unquoted text (the
 * delimiter, CR, LF or a quote), or w. Sixteen bytes at a time with SSE2.
 */
static inline size_t scan_text(const li__csv *c, const unsigned char *b, size_t q, size_t w) {
#if defined(__SSE2__)
    const __m128i d = _mm_set1_epi8((char)c->delim), lf = _mm_set1_epi8('\n'),
                  cr = _mm_set1_epi8('\r'), qu = _mm_set1_epi8('"');
    while (q + 16 <= w) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + q));
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, lf)),
                                 _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, qu)));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return q + (size_t)__builtin_ctz(mask);
        q += 16;
    }
#endif
    while (q < w && !c->stop[b[q]])
        q++;
    return q;
}

/*
 * 1 if the quote at b[i] is escaped: an odd run of backslashes before it,
 * counted back to from (the start of the quoted text, or the byte after
 * the last quote seen, which is no backslash). Sets *escaped_some.
 */
__attribute__((noinline, cold)) static int escaped(const unsigned char *b, size_t from, size_t i,
                                                  int *escaped_some) {
    size_t k = i;
    while (k > from && b[k - 1] == '\\')
        k--;
    if (((i - k) & 1) == 0)
        return 0;
    *escaped_some = 1;
    return 1;
}

/* 1 if b[p, q) is only spaces (and tabs, unless TAB is the delimiter). */
__attribute__((noinline, cold)) static int blanks(const li__csv *c, const unsigned char *b,
                                                 size_t p, size_t q) {
    for (; p < q; p++)
        if (b[p] != ' ' && (b[p] != '\t' || c->delim == '\t'))
            return 0;
    return 1;
}

/*
 * End of a record at the line terminator buf[q] ('\n' or '\r'): sets
 * *rec_end after it (CR LF is one terminator).
 */
static inline int terminate(const li__csv *c, size_t q, size_t end, int eof, size_t *rec_end) {
    if (c->buf[q] == '\n' || q + 1 < end) {
        *rec_end = q + 1 + (c->buf[q] == '\r' && q + 1 < end && c->buf[q + 1] == '\n');
        return LI__TK_DONE;
    }
    if (!eof)
        return LI__TK_MORE; /* a CR: is it followed by a LF? */
    *rec_end = q + 1;
    return LI__TK_DONE;
}

/* See csvInt.h. */
int li__csv_tokenize(li__csv *c, size_t s, size_t end, int eof, size_t limit, size_t *rec_end) {
    const unsigned char *b = c->buf;
    const size_t w = end < limit ? end : limit; /* field content lies below w */
    size_t p = s;
    for (;;) {
        /* p is the start of a field */
        size_t a = p, close = p, text = p;
        int quoted = p < w && b[p] == '"', doubled = 0;
        if (quoted) {
            c->qopen = p; /* where a field over max_row started (csv.c, long_quoted) */
            size_t q = a = p + 1;
            for (;;) {
                const unsigned char *x = q < w ? memchr(b + q, '"', w - q) : NULL;
                if (!x) {
                    if (w == end && !eof && w < limit)
                        return LI__TK_MORE;
                    if (add_quoted(c, a, w, doubled, w, w))
                        return LI__TK_NOMEM;
                    return w == end && eof ? LI__TK_EOF_QUOTED : LI__TK_LIMIT_QUOTED;
                }
                size_t i = (size_t)(x - b);
                if (c->esc && escaped(b, q, i, &doubled)) {
                    q = i + 1; /* \" is a quote of the text */
                    continue;
                }
                if (i + 1 >= end) {
                    if (!eof)
                        return LI__TK_MORE;
                    if (add_quoted(c, a, i, doubled, i, i))
                        return LI__TK_NOMEM;
                    *rec_end = end; /* closing quote at the end of the file */
                    return LI__TK_DONE;
                }
                if (b[i + 1] != '"') {
                    close = i;
                    break;
                }
                if (i + 1 >= limit) {
                    if (add_quoted(c, a, i, doubled, i, i))
                        return LI__TK_NOMEM;
                    return LI__TK_LIMIT_QUOTED;
                }
                doubled = 1;
                q = i + 2;
            }
            text = close + 1; /* < end, <= limit */
        }

        /* unquoted text: up to a delimiter or a line end; quotes in it are kept */
        size_t q = text;
        int saw_quote = 0;
        for (;;) {
            q = scan_text(c, b, q, w);
            if (q < w && b[q] == '"') {
                saw_quote = 1;
                q++;
                continue;
            }
            break;
        }
        if (q == w && q == end && !eof)
            return LI__TK_MORE;
        if (quoted ? q > text : saw_quote) {
            if (quoted && !saw_quote && blanks(c, b, text, q))
                text = q; /* "Curie"  , : spaces after the closing quote are padding */
            else
                stray_quote(c);
        }
        /* after a closing quote, text shows the quote was not closing: it is kept */
        if (quoted ? add_quoted(c, a, close, doubled, q > text ? close : q, q)
                   : add_field(c, p, q - p, 0))
            return LI__TK_NOMEM;
        if (q == w) {
            if (q == end) {
                *rec_end = end; /* last record, without a final line break */
                return LI__TK_DONE;
            }
            /* q == limit: only a line terminator may come now */
            if (b[q] == '\n' || b[q] == '\r')
                return terminate(c, q, end, eof, rec_end);
            return LI__TK_LIMIT_FIELD;
        }
        if (b[q] == c->delim) {
            p = q + 1;
            if (p >= limit && !(p < end && (b[p] == '\n' || b[p] == '\r')) && !(p == end && eof)) {
                if (p == end && p <= limit)
                    return LI__TK_MORE;
                return LI__TK_LIMIT_START;
            }
            continue;
        }
        return terminate(c, q, end, eof, rec_end);
    }
}
