/*
 * csv.c — the CSV backend of the row reader: a streaming RFC 4180 parser
 * that never lets one bad record end the import.
 *
 * Buffering. The file is read with read(2) into one buffer, in blocks
 * (UTF-16 is decoded to UTF-8 on the way in, block by block). Records are
 * parsed from the buffer one at a time; when a record is cut by the end of
 * the buffer, its start is moved to the front, more is read, and the
 * record is parsed again from its start. A record is at most max_row bytes
 * long, so the buffer never needs more than max_row plus one read: memory
 * is bounded by the limits, whatever the size of the file.
 *
 * Fields are handed out as slices into the buffer. A field is copied, into
 * a per-record scratch area, only when its value differs from its bytes:
 * doubled quotes to undo, text after a closing quote, Windows-1252 to
 * convert, bytes of a UTF-8 file that are not UTF-8 (read as Windows-1252,
 * with a warning). UTF-8 and Windows-1252 are parsed as raw bytes (every
 * byte the parser looks for is ASCII), so offsets are exact for free; for
 * UTF-16 they are recomputed from the decoded text at record boundaries.
 *
 * Determinism. Whether a record is complete, too long or unterminated
 * depends only on the bytes from its start (never on where a read ended),
 * so that reading again from any li_row.next_offset gives the same rows.
 *
 * Opening. The delimiter and the quote escape are guessed from the first
 * 64 KiB (sniff.c), then the first rows are read and only their shapes
 * kept, to find the header below a preamble (li__sniff_find_header);
 * reading starts again at the row chosen, so that the header and every
 * row after it are read the same way, with the field count known.
 *
 * The tokenizer (csvtok.c) splits a record; this file decides what the
 * row becomes. Problems (one per row, the gravest wins):
 *   - a quoted field still open max_row bytes after the record's start:
 *     field too long. The rest of the cell is skipped up to its closing
 *     quote (streaming, however many lines it holds: no line of a quoted
 *     cell ever becomes a row) and reading resumes after the record;
 *   - a quote still open at the end of the file: unterminated quote. The
 *     row shows the record's first line and reading resumes at the next
 *     line, so that one stray quote costs one row, not the rest of the
 *     file (a stray quote more than max_row bytes before the end of the
 *     file is found so by reading on to the end, then back: once at most);
 *   - a record over max_row bytes (outside quotes): row too long, the rest
 *     of the record is skipped (quote-aware, streaming);
 *   - more than max_columns fields: too many columns, the extra fields are
 *     dropped;
 *   - a field over max_field bytes (after decoding): truncated on a UTF-8
 *     boundary, field too long;
 *   - a field count other than the header's (or the first record's):
 *     wrong field count. Extra fields that are all empty are dropped
 *     silently (French Excel exports end rows with a stray ';');
 *   - a quote inside an unquoted field, or text after a closing quote
 *     ("ab"c gives ab"c: the quote was not a closing one): kept as text,
 *     warning (spaces alone after it are padding, dropped silently);
 *   - bytes that are not UTF-8 in a UTF-8 file: read as Windows-1252,
 *     warning.
 * A record whose fields are all empty (";;;", as spreadsheets write the
 * empty rows of their used range) is no row: like an empty line, it is
 * skipped but counted in the row numbers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvInt.h"

#define CSV_BLOCK (256u * 1024u)      /* bytes per read(2) */
#define CSV_SNIFF_BYTES (64u * 1024u) /* text the delimiter is guessed from */
#define CSV_HEADER_BYTES (512u * 1024u) /* read at most about this to find the header */
#define CSV_FIELDS_MIN 64u            /* initial room for fields */

/* State of skip(), which discards the rest of a record without keeping it. */
enum { SK_START, SK_FIELD, SK_QUOTED, SK_QUOTE_SEEN, SK_BLANKS, SK_ESCAPE, SK_LINE, SK_CR };

/* --- buffers ------------------------------------------------------------- */

/* Marks buf[cons, pos) as parsed, keeping the file offset in step. */
static void consume(li__csv *c, size_t pos) {
    if (c->utf16)
        c->cons_src += li__utf16_source_len(c->buf + c->cons, pos - c->cons);
    else
        c->cons_src += pos - c->cons;
    if (c->cons_src > c->r->info.size) /* a lone last byte of a UTF-16 file */
        c->cons_src = c->r->info.size;
    c->cons = pos;
}

/*
 * Moves the unparsed bytes to the front of the buffer and reads more after
 * them (growing the buffer up to max_cap). On return, end has grown or eof
 * is set. LI_OK, LI_EIO or LI_ENOMEM.
 */
static li_status fill(li__csv *c, li_error *err) {
    li_reader *r = c->r;
    if (c->cons > 0) {
        memmove(c->buf, c->buf + c->cons, c->end - c->cons);
        c->end -= c->cons;
        c->cons = 0;
    }
    size_t want = c->utf16 ? LI__UTF16_MAX_OUT(CSV_BLOCK) : CSV_BLOCK;
    if (c->cap - c->end < want && c->cap < c->max_cap) {
        size_t cap = c->cap * 2 > c->end + want ? c->cap * 2 : c->end + want;
        if (cap > c->max_cap)
            cap = c->max_cap;
        unsigned char *p = realloc(c->buf, cap);
        if (!p)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        c->buf = p;
        c->cap = cap;
    }
    if (c->cap - c->end < want)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "csv: buffer full");
    for (;;) {
        /* Never past the size the file had at open (the size hashed): bytes
         * appended since are not this import's. One lseek per block. */
        size_t room = c->utf16 ? CSV_BLOCK : c->cap - c->end;
        off_t at = lseek(r->fd, 0, SEEK_CUR);
        if (at >= 0 && (uint64_t)at + room > r->info.size)
            room = (uint64_t)at < r->info.size ? (size_t)(r->info.size - (uint64_t)at) : 0;
        ssize_t n = room == 0 ? 0 : c->utf16 ? read(r->fd, c->raw, room)
                                             : read(r->fd, c->buf + c->end, room);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, r->path, li_msg_errno(errno));
        if (n == 0)
            c->eof = 1;
        if (!c->utf16) {
            c->end += (size_t)n;
            return LI_OK;
        }
        size_t out = li__utf16_decode(&c->u16, c->raw, (size_t)n, n == 0, (char *)c->buf + c->end);
        c->end += out;
        if (out > 0 || c->eof)
            return LI_OK;
    }
}

/* Forgets the buffer and continues reading at file offset off. */
static li_status seek_to(li__csv *c, uint64_t off, li_error *err) {
    if (lseek(c->r->fd, (off_t)off, SEEK_SET) < 0)
        return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, c->r->path, li_msg_errno(errno));
    c->cons = c->end = 0;
    c->eof = 0;
    c->cons_src = off;
    int be = c->u16.big_endian;
    memset(&c->u16, 0, sizeof c->u16);
    c->u16.big_endian = be;
    return LI_OK;
}

/* --- records ------------------------------------------------------------- */

/*
 * Decodes the fields of the record whose bytes are buf[s, e) to UTF-8 where
 * needed and applies max_field. 0, or -1 when out of memory.
 */
static int finish_fields(li__csv *c, size_t s, size_t e) {
    const li_reader *r = c->r;
    const unsigned char *rec = c->buf + s;
    int utf8 = r->enc == LI__ENC_UTF8, fixed = 0;
    if ((utf8 && !li__utf8_valid(rec, e - s)) ||
        (r->enc == LI__ENC_CP1252 && li__has_high_bytes(rec, e - s))) {
        for (size_t i = 0; i < c->nf; i++) {
            li__csv_field *f = &c->f[i];
            const unsigned char *p = (const unsigned char *)li__csv_field_ptr(c, f);
            if (utf8 ? li__utf8_valid(p, f->len) : !li__has_high_bytes(p, f->len))
                continue;
            if (li__csv_scratch_reserve(c, 3 * f->len) != 0)
                return -1;
            p = (const unsigned char *)li__csv_field_ptr(c,
                                                         f); /* the scratch area may have moved */
            char *o = c->scratch + c->slen;
            size_t n = utf8 ? li__utf8_repair(p, f->len, o) : li__cp1252_to_utf8(p, f->len, o);
            f->off = c->slen;
            f->len = n;
            f->in_scratch = 1;
            c->slen += n;
            fixed |= utf8;
        }
    }
    if (fixed)
        li__csv_set_problem(c, LI_MSG_ROW_ENCODING_FIXED, 0, 0);
    for (size_t i = 0; i < c->nf; i++) {
        li__csv_field *f = &c->f[i];
        if (f->len > r->max_field) {
            f->len = li__utf8_cut(li__csv_field_ptr(c, f), f->len, r->max_field);
            li__csv_set_problem(c, LI_MSG_ROW_FIELD_TOO_LONG, i + 1, r->max_field);
        }
    }
    return 0;
}

/*
 * After a record was cut at max_row bytes: drops from its last field the
 * start of a UTF-8 sequence that the cut left incomplete.
 */
static void trim_cut_field(li__csv *c) {
    if (c->nf == 0 || c->r->enc == LI__ENC_CP1252)
        return;
    li__csv_field *f = &c->f[c->nf - 1];
    const unsigned char *p = (const unsigned char *)li__csv_field_ptr(c, f);
    size_t n = f->len, i = n;
    while (i > 0 && n - i < 3 && (p[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned char lead = p[i - 1];
    size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (need > n - (i - 1))
        f->len = i - 1;
}

/* Checks the field count against the expected one (see the file comment). */
static void check_count(li__csv *c) {
    size_t want = c->expected;
    if (want == 0 || c->nf == want)
        return;
    if (c->nf > want) {
        size_t i = want;
        while (i < c->nf && c->f[i].len == 0)
            i++;
        if (i == c->nf) {
            c->nf = want; /* only empty fields in excess */
            return;
        }
    }
    li__csv_set_problem(c, LI_MSG_ROW_FIELD_COUNT, c->nf, want);
}

/* Copies the fields that are still bytes of buf into the scratch area. 0 or -1. */
static int materialize(li__csv *c) {
    size_t total = 0;
    for (size_t i = 0; i < c->nf; i++)
        total += c->f[i].in_scratch ? 0 : c->f[i].len;
    if (li__csv_scratch_reserve(c, total) != 0)
        return -1;
    for (size_t i = 0; i < c->nf; i++) {
        li__csv_field *f = &c->f[i];
        if (f->in_scratch)
            continue;
        memcpy(c->scratch + c->slen, c->buf + f->off, f->len);
        f->off = c->slen;
        f->in_scratch = 1;
        c->slen += f->len;
    }
    return 0;
}

/* Points the row at the fields. 0 or -1. */
static int build_row(li__csv *c) {
    if (c->slcap < c->nf) {
        li_slice *sl = realloc(c->sl, c->fcap * sizeof *sl);
        if (!sl)
            return -1;
        c->sl = sl;
        c->slcap = c->fcap;
    }
    for (size_t i = 0; i < c->nf; i++) {
        c->sl[i].ptr = li__csv_field_ptr(c, &c->f[i]);
        c->sl[i].len = c->f[i].len;
    }
    c->row.fields = c->sl;
    c->row.nfields = c->nf;
    return 0;
}

/* File offset of buf[pos] (pos >= cons): exact for UTF-16 too. Cold paths only. */
static uint64_t src_at(const li__csv *c, size_t pos) {
    if (c->utf16)
        return c->cons_src + li__utf16_source_len(c->buf + c->cons, pos - c->cons);
    return c->cons_src + (pos - c->cons);
}

/*
 * What skip() met: a quoted field still open at the end of the file, and
 * how the first quoted field it saw close was closed.
 */
typedef struct skip_out {
    int unclosed;   /* the file ended inside a quoted field */
    uint64_t qopen; /* file offset of the opening quote of the last quoted field */
    /*
     * -1: no quoted field closed; 1: the first one closed properly (its
     * quote followed by the delimiter, a line end or the end of the file,
     * blanks allowed); 0: by a quote followed by text, i.e. by what was
     * the opening quote of a later field: the first quote was a stray one.
     */
    int close;
} skip_out;

/* Notes how a quoted field closed, if it is the first: ch follows the quote and its blanks. */
static void note_close(const li__csv *c, skip_out *o, unsigned char ch) {
    if (o->close < 0)
        o->close = ch == c->delim || ch == '\n' || ch == '\r';
}

/*
 * Discards the rest of a record from buf[cons], starting in state st,
 * reading more as needed: memory stays bounded however long the record.
 *
 * Quote-aware, without a length limit inside quotes: a quoted field ends
 * only at its closing quote, however many lines and bytes it holds, so
 * that no line of a quoted cell ever becomes a row. *o says whether the
 * file ended inside quotes and how the first quoted field closed (for
 * st SK_QUOTED, o->qopen must hold the offset of its opening quote); the
 * callers then decide whether the quote was a stray one. (A quote that
 * never closes is found at most once per file: every quote after it
 * comes in even runs, so every later quoted field closes.)
 */
static li_status skip(li__csv *c, int st, skip_out *o, li_error *err) {
    o->unclosed = 0;
    o->close = -1;
    for (;;) {
        const unsigned char *b = c->buf;
        size_t i = c->cons, end = c->end;
        int done = 0;
        while (i < end && !done) {
            unsigned char ch = b[i];
            switch (st) {
            case SK_CR:
                i += ch == '\n';
                done = 1;
                break;
            case SK_LINE: {
                size_t k = i;
                while (k < end && b[k] != '\n' && b[k] != '\r')
                    k++;
                i = k < end ? k + 1 : end;
                if (k < end && b[k] == '\r')
                    st = SK_CR;
                else
                    done = k < end;
                break;
            }
            case SK_QUOTED: {
                const unsigned char *x = memchr(b + i, '"', end - i);
                size_t k = x ? (size_t)(x - b) : end;
                if (c->esc) { /* a backslash before the quote escapes what follows it */
                    const unsigned char *bs = memchr(b + i, '\\', k - i);
                    if (bs)
                        x = bs, k = (size_t)(bs - b);
                }
                i = k;
                if (x) {
                    i++;
                    st = *x == '"' ? SK_QUOTE_SEEN : SK_ESCAPE;
                }
                break;
            }
            case SK_ESCAPE: /* the byte after a backslash, inside quotes: text */
                i++;
                st = SK_QUOTED;
                break;
            case SK_QUOTE_SEEN:
                if (ch == '"') { /* a doubled quote */
                    i++;
                    st = SK_QUOTED;
                } else if (ch == ' ' || (ch == '\t' && c->delim != '\t')) {
                    i++;
                    st = SK_BLANKS;
                } else {
                    note_close(c, o, ch);
                    st = SK_FIELD;
                }
                break;
            case SK_BLANKS: /* after a closing quote: padding, if a delimiter follows */
                if (ch == ' ' || (ch == '\t' && c->delim != '\t')) {
                    i++;
                } else {
                    note_close(c, o, ch);
                    st = SK_FIELD;
                }
                break;
            case SK_START:
                if (ch == '"') {
                    o->qopen = src_at(c, i);
                    i++;
                    st = SK_QUOTED;
                } else {
                    st = SK_FIELD;
                }
                break;
            default: /* SK_FIELD */
                i++;
                if (ch == c->delim)
                    st = SK_START;
                else if (ch == '\r')
                    st = SK_CR;
                else if (ch == '\n')
                    done = 1;
                break;
            }
        }
        consume(c, i);
        if (done)
            return LI_OK;
        if (c->eof) {
            o->unclosed = st == SK_QUOTED || st == SK_ESCAPE;
            if (st == SK_QUOTE_SEEN || st == SK_BLANKS)
                note_close(c, o, '\n'); /* closed by the end of the file */
            return LI_OK;
        }
        li_status rc = fill(c, err);
        if (rc != LI_OK)
            return rc;
    }
}

/*
 * Tokenizes the record at buf[cons] (reading more while it is cut by the
 * end of the buffer) into c->f; sets *s to its start, *rec_end and *t, the
 * tokenizer's outcome (never LI__TK_MORE). LI_OK or a file-level error.
 */
static li_status tokenize_record(li__csv *c, size_t *s, size_t *rec_end, int *t, li_error *err) {
    for (;;) {
        li__csv_reset_record(c);
        *s = c->cons;
        *t = li__csv_tokenize(c, *s, c->end, c->eof, *s + c->r->max_row, rec_end);
        if (*t != LI__TK_MORE)
            return LI_OK;
        li_status rc = fill(c, err);
        if (rc != LI_OK)
            return rc;
    }
}

/*
 * Skips the rest of a record over max_row (state st). A quoted field in it
 * that does not close, or whose first close is no closing quote, was a
 * stray quote: reading goes back to it and resumes at the line after it,
 * so that one stray quote does not cost the rest of the file.
 */
static li_status skip_rest(li__csv *c, int st, li_error *err) {
    skip_out o = {0};
    li_status rc = skip(c, st, &o, err);
    if (rc != LI_OK || !(o.unclosed || o.close == 0))
        return rc;
    if ((rc = seek_to(c, o.qopen, err)) != LI_OK)
        return rc;
    return skip(c, SK_LINE, &o, err);
}

/*
 * The record at buf[s] has a quote that does not close (a stray quote).
 * The row becomes the record's first line, parsed alone, and reading
 * resumes at the line after it.
 */
static li_status unterminated(li__csv *c, size_t s, li_error *err) {
    size_t limit = s + c->r->max_row;
    size_t w = c->end < limit ? c->end : limit;
    const unsigned char *b = c->buf;
    size_t le = s;
    skip_out o;
    while (le < w && b[le] != '\n' && b[le] != '\r')
        le++;
    if (le < w) {
        size_t unused;
        li__csv_reset_record(c);
        if (li__csv_tokenize(c, s, le, 1, limit, &unused) == LI__TK_NOMEM ||
            finish_fields(c, s, le) != 0)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        li__csv_set_problem(c, LI_MSG_ROW_UNTERMINATED_QUOTE, 0, 0);
        consume(c, le + 1);
        if (b[le] == '\r' && le + 1 < c->end && b[le + 1] == '\n')
            consume(c, le + 2);
        else if (b[le] == '\r' && le + 1 == c->end && !c->eof) {
            if (materialize(c) != 0)
                return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            return skip(c, SK_CR, &o, err);
        }
        return LI_OK;
    }
    /* the first line is longer than max_row, or is the end of the file */
    trim_cut_field(c);
    if (finish_fields(c, s, w) != 0 || materialize(c) != 0)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    li__csv_set_problem(c, LI_MSG_ROW_UNTERMINATED_QUOTE, 0, 0);
    consume(c, w);
    return skip(c, SK_LINE, &o, err);
}

/*
 * The record at buf[s] holds a quoted field (opening quote at buf[c->qopen])
 * still open max_row bytes after the record's start: a cell too long to
 * keep (a notes cell of megabytes, lines and all). The row is that record:
 * its fields so far, the long one cut (field_too_long, an error), and
 * reading resumes after the record, the rest of the cell skipped up to its
 * closing quote without being kept (memory stays bounded). Only when the
 * quote never closes, or is "closed" by a quote followed by text (the
 * opening quote of a later field), was it a stray quote: then the record
 * is read again from its start as an unterminated quote.
 */
static li_status long_quoted(li__csv *c, size_t s, li_error *err) {
    uint64_t start = c->cons_src;
    size_t w = c->end < s + c->r->max_row ? c->end : s + c->r->max_row;
    trim_cut_field(c);
    if (finish_fields(c, s, w) != 0 || materialize(c) != 0)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    size_t col = c->ncol; /* the open field is the last one counted */
    skip_out o = {.qopen = src_at(c, c->qopen)};
    consume(c, c->qopen + 1);
    li_status rc = skip(c, SK_QUOTED, &o, err);
    if (rc != LI_OK)
        return rc;
    if (!o.unclosed && o.close != 0) {
        /* cut at max_row, the field is too long whatever max_field says */
        size_t over = c->r->max_field < c->r->max_row ? c->r->max_field : c->r->max_row;
        li__csv_set_problem(c, LI_MSG_ROW_FIELD_TOO_LONG, col, over);
        return LI_OK;
    }
    size_t s2, rec_end;
    int t;
    if ((rc = seek_to(c, start, err)) != LI_OK ||
        (rc = tokenize_record(c, &s2, &rec_end, &t, err)) != LI_OK)
        return rc;
    if (t == LI__TK_NOMEM)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return unterminated(c, s2, err);
}

/*
 * 1 if the whole record just tokenized has only empty fields (";;;" or
 * "","",""), none dropped past max_columns: a blank line as a spreadsheet
 * writes it when its used range is wider than the data. Like an empty line,
 * it is skipped but counted (csvlint's blank_rows, CSVW's skipBlankRows).
 */
static int blank_record(const li__csv *c) {
    if (c->ncol != c->nf)
        return 0;
    for (size_t i = 0; i < c->nf; i++)
        if (c->f[i].len != 0)
            return 0;
    return 1;
}

/* Reads the next record into c->row. LI_OK, LI_EOF, or a file-level error. */
static li_status read_record(li__csv *c, li_error *err) {
    li_status rc;
    size_t s, rec_end = 0, max_row = c->r->max_row;
    int t;
    for (;;) { /* blank lines and blank records: skipped, but counted as rows */
        if (c->cons == c->end) {
            if (c->eof)
                return LI_EOF;
            if ((rc = fill(c, err)) != LI_OK)
                return rc;
            continue;
        }
        unsigned char ch = c->buf[c->cons];
        if (ch == '\r' && c->cons + 1 == c->end && !c->eof) {
            if ((rc = fill(c, err)) != LI_OK)
                return rc;
            continue;
        }
        if (ch == '\n' || ch == '\r') {
            size_t next = c->cons + 1;
            if (ch == '\r' && next < c->end && c->buf[next] == '\n')
                next++;
            consume(c, next);
            c->line_no++;
            continue;
        }
        for (;;) {
            li__csv_reset_record(c);
            s = c->cons;
            t = li__csv_tokenize(c, s, c->end, c->eof, s + max_row, &rec_end);
            if (t != LI__TK_MORE)
                break;
            if ((rc = fill(c, err)) != LI_OK)
                return rc;
        }
        if (t != LI__TK_DONE || !blank_record(c))
            break;
        consume(c, rec_end);
        c->line_no++;
    }
    c->row.number = c->line_no++;
    c->row.offset = c->cons_src;
    switch (t) {
    case LI__TK_NOMEM:
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    case LI__TK_DONE:
        if (finish_fields(c, s, rec_end) != 0)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        check_count(c);
        consume(c, rec_end);
        break;
    case LI__TK_LIMIT_START:
    case LI__TK_LIMIT_FIELD:
        trim_cut_field(c);
        if (finish_fields(c, s, s + max_row) != 0 || materialize(c) != 0)
            return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        li__csv_set_problem(c, LI_MSG_ROW_TOO_LONG, max_row, 0);
        consume(c, s + max_row);
        if ((rc = skip_rest(c, t == LI__TK_LIMIT_START ? SK_START : SK_FIELD, err)) != LI_OK)
            return rc;
        break;
    case LI__TK_LIMIT_QUOTED:
        if ((rc = long_quoted(c, s, err)) != LI_OK)
            return rc;
        break;
    default: /* LI__TK_EOF_QUOTED */
        if ((rc = unterminated(c, s, err)) != LI_OK)
            return rc;
        break;
    }
    c->row.next_offset = c->cons_src;
    if (build_row(c) != 0)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

/* --- backend ------------------------------------------------------------- */

/*
 * Guesses the delimiter (unless the options fix it) and the quote escape
 * from the start of the file, sample[0..n) (UTF-16 decoded first). The
 * delimiter is guessed as RFC 4180 first; if the file turns out to escape
 * quotes with backslashes, again reading them so. 0, or -1 if out of memory.
 */
static int sniff_dialect(li__csv *c, const unsigned char *sample, size_t n) {
    const li_reader *r = c->r;
    const unsigned char *p = sample + r->bom_len;
    size_t m = n - r->bom_len;
    if (m > CSV_SNIFF_BYTES)
        m = CSV_SNIFF_BYTES;
    int whole = r->bom_len + m >= r->info.size;
    char *text = NULL;
    const char *t = (const char *)p;
    size_t tn = m;
    if (c->utf16) {
        if (!(text = malloc(LI__UTF16_MAX_OUT(m))))
            return -1;
        li__utf16 st = {.big_endian = c->u16.big_endian};
        tn = li__utf16_decode(&st, p, m, whole, text);
        t = text;
    }
    int fixed = c->delim != 0;
    if (!fixed)
        c->delim = li__sniff_delimiter(t, tn, whole, 0);
    c->esc = li__sniff_escape(t, tn, whole, c->delim);
    if (c->esc && !fixed) {
        c->delim = li__sniff_delimiter(t, tn, whole, c->esc);
        c->esc = li__sniff_escape(t, tn, whole, c->delim);
    }
    free(text);
    return 0;
}

/*
 * Excel's delimiter directive: a first line "sep=;" names the delimiter and
 * is not data (Excel does not show it as a row). Returns the length of that
 * line, terminator included, and sets *delim; 0 if there is none.
 */
static size_t sep_directive(const unsigned char *p, size_t n, int *delim) {
    if (n < 5 || (memcmp(p, "sep=", 4) != 0 && memcmp(p, "SEP=", 4) != 0))
        return 0;
    int d = p[4];
    if (d != ',' && d != ';' && d != '\t' && d != '|')
        return 0;
    size_t i = 5;
    if (i < n && p[i] == '\r')
        i++;
    if (i < n && p[i] == '\n')
        i++;
    if (i == 5 && i < n)
        return 0; /* "sep=;x": not the directive */
    *delim = d;
    return i;
}

/*
 * Reads the first rows (no field count expected yet) and decides where the
 * table starts (li__sniff_find_header); then reads again from there: the
 * header, or nothing when the first row is data. Blank lines and records
 * of empty fields never reach the decision, but keep counting as rows.
 */
static li_status find_header(li__csv *c, uint64_t start, li_error *err) {
    li_reader *r = c->r;
    li__sniff_row rows[LI__SNIFF_TABLE_ROWS];
    size_t n = 0;
    li_status rc = LI_OK;
    while (n < LI__SNIFF_TABLE_ROWS && (n == 0 || c->cons_src - start < CSV_HEADER_BYTES)) {
        if ((rc = read_record(c, err)) != LI_OK)
            break;
        li__sniff_row_init(&rows[n++], &c->row);
    }
    if (rc == LI_EOF && n == 0)
        return li_error_set(err, LI_EFORMAT, LI_MSG_FILE_EMPTY, r->path);
    if (rc != LI_OK && rc != LI_EOF)
        return rc;
    li__sniff_table tb;
    li__sniff_find_header(rows, n, r->opt_header, &tb);
    const li__sniff_row *first = &rows[tb.first];
    if ((rc = seek_to(c, first->offset, err)) != LI_OK)
        return rc;
    c->line_no = first->number;
    if (!tb.has_header) {
        r->info.columns = c->expected = first->nf;
        return LI_OK;
    }
    if ((rc = read_record(c, err)) != LI_OK) /* the header again, read the same way */
        return rc == LI_EOF ? li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "csv: header") : rc;
    r->info.has_header = 1;
    r->info.header_row = first->number;
    r->info.skipped_rows = first->number - 1;
    r->info.columns = c->expected = tb.width;
    return li__reader_set_header(r, c->sl, tb.width, err);
}

static li_status csv_open(li_reader *r, const unsigned char *sample, size_t n, li_error *err) {
    li_status rc;
    li__csv *c = calloc(1, sizeof *c);
    if (!c)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    r->ctx = c;
    c->r = r;
    c->utf16 = r->enc == LI__ENC_UTF16LE || r->enc == LI__ENC_UTF16BE;
    c->u16.big_endian = r->enc == LI__ENC_UTF16BE;
    c->max_cap = r->max_row + 2 + (c->utf16 ? LI__UTF16_MAX_OUT(CSV_BLOCK) : CSV_BLOCK);
    c->cap = c->max_cap < 4 * CSV_BLOCK ? c->max_cap : 4 * CSV_BLOCK;
    c->fcap = r->max_columns < CSV_FIELDS_MIN ? r->max_columns : CSV_FIELDS_MIN;
    c->buf = malloc(c->cap);
    c->f = malloc(c->fcap * sizeof *c->f);
    c->raw = c->utf16 ? malloc(CSV_BLOCK) : NULL;
    if (!c->buf || !c->f || (c->utf16 && !c->raw)) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }

    c->delim = r->opt_delimiter;
    int directive = 0;
    size_t skip = c->utf16 ? 0 : sep_directive(sample + r->bom_len, n - r->bom_len, &directive);
    if (!c->delim && directive)
        c->delim = directive;
    if (sniff_dialect(c, sample, n) != 0) {
        rc = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    r->info.delimiter = c->delim;
    r->info.escape = c->esc;
    c->stop[(unsigned char)c->delim] = 1;
    c->stop['\n'] = c->stop['\r'] = c->stop['"'] = 1;

    /* the first rows: a preamble to skip, then the header or the first data row */
    if ((rc = seek_to(c, r->bom_len + skip, err)) != LI_OK)
        goto out;
    c->line_no = 1; /* after a "sep=" line too: Excel's row 1 is the next line */
    if ((rc = find_header(c, r->bom_len + skip, err)) != LI_OK)
        goto out;
    if (r->resume_offset > 0) {
        rc = seek_to(c, r->resume_offset, err);
        c->line_no = r->resume_row;
    }
out:
    return rc;
}

static li_status csv_next(li_reader *r, const li_row **row, li_error *err) {
    li__csv *c = r->ctx;
    *row = NULL;
    li_status rc = read_record(c, err);
    if (rc == LI_OK)
        *row = &c->row;
    return rc;
}

static uint64_t csv_position(const li_reader *r) {
    const li__csv *c = r->ctx;
    return c ? c->cons_src : 0;
}

static void csv_close(li_reader *r) {
    li__csv *c = r->ctx;
    if (!c)
        return;
    free(c->buf);
    free(c->raw);
    free(c->scratch);
    free(c->f);
    free(c->sl);
    free(c);
    r->ctx = NULL;
}

const li__reader_backend li__csv_backend = {
    .name = "csv",
    .open = csv_open,
    .next = csv_next,
    .position = csv_position,
    .close = csv_close,
};
