/*
 * csv.c — the streaming CSV backend of the row reader.
 *
 * The file is read in blocks of BLOCK bytes and decoded to UTF-8 into one
 * buffer big enough for the longest record allowed (max_row) plus a few
 * blocks; records are parsed from it one at a time (RFC 4180: delimiters,
 * doubled quotes and line breaks inside quotes; LF, CRLF or CR), their
 * fields copied into a row buffer so that each field is one contiguous
 * slice. Memory: about max_row * 3 + 4 blocks, whatever the file's size.
 *
 * Robustness: a record never ends the import. A wrong number of fields, a
 * field or record over its limit, too many columns or a quote left open are
 * reported on that row; after an unterminated quote, reading resumes at the
 * line that follows the record's first line, so one stray quote costs one
 * row. In a UTF-8 file, a record with bytes that are not UTF-8 is read as
 * Windows-1252 with a warning instead of being lost.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readerInt.h"

#define BLOCK (256u * 1024u)
#define SNIFF_BYTES (64u * 1024u)
#define SNIFF_RECORDS 50

typedef struct csv_reader {
    struct li_reader base;
    int fd;
    char *path;
    li__enc enc;
    int delim;
    size_t max_field, max_row, max_columns;

    unsigned char *raw; /* undecoded bytes (a UTF-16 unit cut by a block) */
    size_t raw_len;
    uint64_t file_pos; /* bytes read from the file so far */
    int eof;           /* the file has no more bytes */

    char *buf; /* decoded text; [start, len) is not parsed yet */
    size_t cap, start, len;
    uint64_t start_off; /* source offset of buf[start] */

    char *rowbuf; /* the current row's fields, contiguous */
    size_t rowlen;
    li_slice *fields;
    char *fixbuf; /* fields re-decoded when a UTF-8 file holds other bytes */

    size_t expected;   /* field count of every row (0 = not known yet) */
    uint64_t next_row; /* number of the next record */
    li_row row;

    char *hdrbuf; /* the header's fields, owned */
    li_slice *hdr;
} csv_reader;

enum { REC_DONE, REC_MORE, REC_UNTERMINATED, REC_TOO_LONG };

/* --- reading and decoding ------------------------------------------------ */

/* Decodes more of the file into buf. Returns LI_OK (maybe at EOF) or LI_EIO. */
static li_status fill(csv_reader *r, li_error *err) {
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->len - r->start);
        r->len -= r->start;
        r->start = 0;
    }
    while (!r->eof && r->cap - r->len >= 3 * BLOCK + 8) {
        ssize_t n = read(r->fd, r->raw + r->raw_len, BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, r->path, strerror(errno));
        if (n == 0)
            r->eof = 1;
        r->file_pos += (uint64_t)n;
        size_t have = r->raw_len + (size_t)n, used = 0;
        r->len += li__decode(r->enc, r->raw, have, r->buf + r->len, &used);
        if (r->eof && used < have) {
            /* A lone byte at the end of a UTF-16 file: keep it visible. */
            r->len +=
                li__decode(LI__ENC_CP1252, r->raw + used, have - used, r->buf + r->len, &used);
            used = have;
        }
        memmove(r->raw, r->raw + used, have - used);
        r->raw_len = have - used;
        if (n > 0)
            break; /* one block at a time: the caller decides whether to read more */
    }
    return LI_OK;
}

/* --- the record parser --------------------------------------------------- */

static void set_problem(csv_reader *r, li_msg m, size_t a, size_t b);

/* Appends n bytes to the current field, which may not pass max_field. */
static void append(csv_reader *r, const char *p, size_t n, size_t field_start, size_t col) {
    size_t used = r->rowlen - field_start;
    if (used + n > r->max_field) {
        set_problem(r, LI_MSG_ROW_FIELD_TOO_LONG, col + 1, r->max_field);
        n = r->max_field - used;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80) /* whole UTF-8 sequences */
            n--;
    }
    memcpy(r->rowbuf + r->rowlen, p, n);
    r->rowlen += n;
}

static void set_problem(csv_reader *r, li_msg m, size_t a, size_t b) {
    li_row *row = &r->row;
    if (row->problem != LI_MSG_NONE && li_msg_severity(row->problem) >= li_msg_severity(m))
        return;
    row->problem = m;
    li_msg_format(row->problem_text, sizeof row->problem_text, m, a, b);
}

/*
 * Parses the record at buf[start]. On REC_DONE, *end is the index just
 * after it (terminator included) and the fields are in r->fields /
 * row.nfields. REC_MORE: the buffer ends before the record does.
 * REC_UNTERMINATED: a quote is still open at the end of the file.
 */
#define MORE()                                                                                     \
    do {                                                                                           \
        r->row.nfields = nf;                                                                       \
        return REC_MORE;                                                                           \
    } while (0)

static int parse_record(csv_reader *r, size_t *end) {
    const char *b = r->buf;
    size_t p = r->start, n = r->len, nf = 0;
    const char d = (char)r->delim;
    int stored_all = 1;
    r->rowlen = 0;
    r->row.problem = LI_MSG_NONE;
    r->row.problem_text[0] = '\0';
    for (;;) {
        size_t fstart = r->rowlen;
        if (p < n && b[p] == '"') {
            p++;
            for (;;) {
                const char *q = memchr(b + p, '"', n - p);
                if (!q) {
                    if (!r->eof)
                        MORE();
                    append(r, b + p, n - p, fstart, nf);
                    p = n;
                    r->row.nfields = nf;
                    *end = p;
                    return REC_UNTERMINATED;
                }
                size_t qi = (size_t)(q - b);
                append(r, b + p, qi - p, fstart, nf);
                p = qi + 1;
                if (p == n && !r->eof)
                    MORE();
                if (p < n && b[p] == '"') {
                    append(r, "\"", 1, fstart, nf);
                    p++;
                    continue;
                }
                break;
            }
            /* Text after the closing quote: kept as it is. */
            size_t s = p;
            while (p < n && b[p] != d && b[p] != '\n' && b[p] != '\r')
                p++;
            if (p == n && !r->eof)
                MORE();
            if (p > s) {
                append(r, "\"", 1, fstart, nf);
                append(r, b + s, p - s, fstart, nf);
                set_problem(r, LI_MSG_ROW_STRAY_QUOTE, nf + 1, 0);
            }
        } else {
            size_t s = p;
            int quote = 0;
            while (p < n) {
                char c = b[p];
                if (c == d || c == '\n' || c == '\r')
                    break;
                quote |= c == '"';
                p++;
            }
            if (p == n && !r->eof)
                MORE();
            append(r, b + s, p - s, fstart, nf);
            if (quote)
                set_problem(r, LI_MSG_ROW_STRAY_QUOTE, nf + 1, 0);
        }
        if (nf < r->max_columns) {
            r->fields[nf].ptr = r->rowbuf + fstart;
            r->fields[nf].len = r->rowlen - fstart;
            nf++;
        } else {
            r->rowlen = fstart; /* over the limit: not kept */
            stored_all = 0;
        }
        if (p < n && b[p] == d) {
            p++;
            continue;
        }
        if (p < n && b[p] == '\r') {
            p++;
            if (p == n && !r->eof)
                MORE();
            if (p < n && b[p] == '\n')
                p++;
        } else if (p < n) {
            p++; /* '\n' */
        }
        break;
    }
    if (!stored_all)
        set_problem(r, LI_MSG_ROW_TOO_MANY_COLUMNS, r->max_columns, 0);
    r->row.nfields = nf;
    *end = p;
    return REC_DONE;
}

/* Index just after the first line break at or after i, or n. */
static size_t after_line(const char *b, size_t i, size_t n) {
    while (i < n && b[i] != '\n' && b[i] != '\r')
        i++;
    if (i < n && b[i] == '\r') {
        i++;
        if (i < n && b[i] == '\n')
            i++;
    } else if (i < n) {
        i++;
    }
    return i;
}

/* Skips to the end of an over-long record's line, reading as needed. */
static li_status skip_line(csv_reader *r, li_error *err) {
    for (;;) {
        size_t i = r->start;
        while (i < r->len && r->buf[i] != '\n' && r->buf[i] != '\r')
            i++;
        r->start_off += li__source_len(r->enc, r->buf + r->start, i - r->start);
        r->start = i;
        if (i < r->len || r->eof) {
            size_t e = after_line(r->buf, i, r->len);
            r->start_off += li__source_len(r->enc, r->buf + i, e - i);
            r->start = e;
            return LI_OK;
        }
        r->start = r->len;
        li_status st = fill(r, err);
        if (st != LI_OK)
            return st;
    }
}

static int all_empty(const li_slice *f, size_t n) {
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < f[i].len; k++)
            if (f[i].ptr[k] != ' ' && f[i].ptr[k] != '\t')
                return 0;
    return 1;
}

/*
 * Reads the next non-blank record into r->row (fields, number, offsets,
 * problem). Returns LI_OK, LI_EOF or LI_EIO.
 */
static li_status read_record(csv_reader *r, li_error *err) {
    for (;;) {
        if (r->start >= r->len && r->eof)
            return LI_EOF;
        size_t end = 0;
        int rc = parse_record(r, &end);
        if (rc == REC_MORE) {
            if (r->len - r->start > r->max_row) {
                rc = REC_TOO_LONG;
            } else {
                size_t before = r->len - r->start;
                li_status st = fill(r, err);
                if (st != LI_OK)
                    return st;
                if (r->len - r->start == before && !r->eof)
                    return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "tampon de lecture");
                continue;
            }
        }
        li_row *row = &r->row;
        row->number = r->next_row++;
        row->offset = r->start_off;
        row->fields = r->fields;
        if (rc == REC_TOO_LONG || rc == REC_UNTERMINATED) {
            /* Is a quote still open? Then the record swallowed the lines
             * after it: give them back. Else it is a very long line. */
            int open_quote = rc == REC_UNTERMINATED;
            if (rc == REC_TOO_LONG) {
                int q = 0;
                for (size_t i = r->start; i < r->len; i++)
                    q ^= r->buf[i] == '"';
                open_quote = q;
            }
            if (r->rowlen > r->max_row) /* keep what the report shows bounded */
                r->rowlen = r->max_row;
            if (open_quote) {
                row->problem = LI_MSG_ROW_UNTERMINATED_QUOTE;
                li_msg_format(row->problem_text, sizeof row->problem_text, row->problem);
                size_t e = after_line(r->buf, r->start, r->len);
                r->start_off += li__source_len(r->enc, r->buf + r->start, e - r->start);
                r->start = e;
            } else {
                row->problem = LI_MSG_ROW_TOO_LONG;
                li_msg_format(row->problem_text, sizeof row->problem_text, row->problem,
                              r->max_row);
                li_status st = skip_line(r, err);
                if (st != LI_OK)
                    return st;
            }
            for (size_t i = 0; i < row->nfields; i++) /* fields past the cut are gone */
                if (r->fields[i].ptr + r->fields[i].len > r->rowbuf + r->rowlen)
                    r->fields[i].len = r->fields[i].ptr >= r->rowbuf + r->rowlen
                                           ? 0
                                           : (size_t)(r->rowbuf + r->rowlen - r->fields[i].ptr);
            row->next_offset = r->start_off;
            return LI_OK;
        }
        uint64_t src = li__source_len(r->enc, r->buf + r->start, end - r->start);
        int valid_utf8 = r->enc != LI__ENC_UTF8 ||
                         li__utf8_valid((const unsigned char *)r->buf + r->start, end - r->start);
        r->start = end;
        r->start_off += src;
        row->next_offset = r->start_off;
        if (row->nfields == 0 || (row->nfields == 1 && row->fields[0].len == 0) ||
            all_empty(row->fields, row->nfields))
            continue; /* a blank line: counted, not returned */
        if (!valid_utf8) {
            size_t o = 0;
            for (size_t i = 0; i < row->nfields; i++) {
                size_t k = li__utf8_repair(row->fields[i].ptr, row->fields[i].len, r->fixbuf + o);
                r->fields[i].ptr = r->fixbuf + o;
                r->fields[i].len = k;
                o += k;
            }
            set_problem(r, LI_MSG_ROW_ENCODING_FIXED, 0, 0);
        }
        return LI_OK;
    }
}

/* --- the backend --------------------------------------------------------- */

static li_status csv_next(li_reader *base, const li_row **out, li_error *err) {
    csv_reader *r = (csv_reader *)base;
    li_status st = read_record(r, err);
    if (st != LI_OK)
        return st;
    li_row *row = &r->row;
    if (r->expected == 0)
        r->expected = row->nfields;
    if (row->nfields > r->expected) {
        size_t extra_empty = 1;
        for (size_t i = r->expected; i < row->nfields && extra_empty; i++)
            extra_empty = row->fields[i].len == 0;
        if (extra_empty)
            row->nfields = r->expected; /* a stray trailing ';' */
    }
    if (row->nfields != r->expected)
        set_problem(r, LI_MSG_ROW_FIELD_COUNT, row->nfields, r->expected);
    *out = row;
    return LI_OK;
}

static uint64_t csv_position(const li_reader *base) {
    const csv_reader *r = (const csv_reader *)base;
    return r->file_pos;
}

static void csv_free(li_reader *base) {
    csv_reader *r = (csv_reader *)base;
    if (r->fd >= 0)
        close(r->fd);
    free(r->path);
    free(r->raw);
    free(r->buf);
    free(r->rowbuf);
    free(r->fixbuf);
    free(r->fields);
    free(r->hdrbuf);
    free(r->hdr);
    free(r);
}

static const li__reader_vt csv_vt = {"csv", csv_next, csv_position, csv_free};

/* --- sniffing ------------------------------------------------------------ */

/* Field counts of the first records of text with delimiter d; returns how many records. */
static size_t count_fields(const char *t, size_t n, int d, size_t *counts, size_t max) {
    size_t nrec = 0, nf = 1, i = 0;
    int inq = 0, any = 0;
    while (i < n && nrec < max) {
        char c = t[i++];
        if (inq) {
            if (c == '"') {
                if (i < n && t[i] == '"')
                    i++;
                else
                    inq = 0;
            }
            continue;
        }
        if (c == '"') {
            inq = 1;
            any = 1;
        } else if (c == d) {
            nf++;
            any = 1;
        } else if (c == '\n' || c == '\r') {
            if (c == '\r' && i < n && t[i] == '\n')
                i++;
            if (any)
                counts[nrec++] = nf;
            nf = 1;
            any = 0;
        } else {
            any = 1;
        }
    }
    return nrec;
}

static int sniff_delimiter(const char *t, size_t n) {
    static const int cand[] = {',', ';', '\t', '|'};
    size_t counts[SNIFF_RECORDS];
    int best = ',';
    double best_score = 0;
    for (size_t c = 0; c < sizeof cand / sizeof cand[0]; c++) {
        size_t nrec = count_fields(t, n, cand[c], counts, SNIFF_RECORDS);
        if (nrec == 0)
            continue;
        /* the most frequent count, and how often it occurs */
        size_t mode = 0, freq = 0;
        for (size_t i = 0; i < nrec; i++) {
            size_t f = 0;
            for (size_t k = 0; k < nrec; k++)
                f += counts[k] == counts[i];
            if (f > freq || (f == freq && counts[i] > mode)) {
                freq = f;
                mode = counts[i];
            }
        }
        if (mode <= 1)
            continue;
        double score = (double)freq / (double)nrec * 1000.0 + (double)mode;
        if (score > best_score) {
            best_score = score;
            best = cand[c];
        }
    }
    return best;
}

/* A cell that is data rather than a column name: an e-mail, or mostly digits. */
static int looks_like_data(li_slice s) {
    size_t digits = 0, other = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        if (c == '@')
            return 1;
        if (c >= '0' && c <= '9')
            digits++;
        else if (c != ' ')
            other++;
    }
    return digits > 0 && digits >= other;
}

/*
 * The first record is a header when it has a non-empty cell, none of its
 * cells looks like data (an e-mail, a number, a phone, a date), and its
 * non-empty cells are distinct. Generic on purpose: this module does not
 * know the lead fields.
 */
static int looks_like_header(const li_slice *f, size_t n) {
    size_t nonempty = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].len == 0)
            continue;
        nonempty++;
        if (looks_like_data(f[i]))
            return 0;
        for (size_t k = 0; k < i; k++)
            if (f[k].len == f[i].len && memcmp(f[k].ptr, f[i].ptr, f[i].len) == 0)
                return 0;
    }
    return nonempty > 0;
}

li_status li__csv_open(int fd, const char *path, uint64_t size, const li_reader_opts *o,
                       li_reader **out, li_error *err) {
    li_status st = LI_OK;
    csv_reader *r = calloc(1, sizeof *r);
    unsigned char *sample = NULL;
    *out = NULL;
    if (!r) {
        close(fd);
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    r->fd = fd;
    r->base.vt = &csv_vt;
    r->max_field = o->max_field ? o->max_field : LI_READER_DEFAULT_MAX_FIELD;
    r->max_row = o->max_row ? o->max_row : LI_READER_DEFAULT_MAX_ROW;
    r->max_columns = o->max_columns ? o->max_columns : LI_READER_DEFAULT_MAX_COLUMNS;
    if (r->max_field > r->max_row)
        r->max_field = r->max_row;
    r->cap = r->max_row + 4 * BLOCK + 64;
    r->path = strdup(path);
    r->raw = malloc(BLOCK + 8);
    r->buf = malloc(r->cap);
    r->rowbuf = malloc(r->cap);
    r->fixbuf = malloc(3 * r->cap);
    r->fields = malloc(r->max_columns * sizeof *r->fields);
    sample = malloc(SNIFF_BYTES * 16);
    if (!r->path || !r->raw || !r->buf || !r->rowbuf || !r->fixbuf || !r->fields || !sample) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }

    /* Encoding: from the first MiB. */
    ssize_t got = pread(fd, sample, SNIFF_BYTES * 16, 0);
    if (got < 0) {
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, strerror(errno));
        goto out;
    }
    size_t bom = 0;
    li__enc enc = li__enc_detect(sample, (size_t)got, &bom);
    if (o->encoding) {
        int e = li__enc_parse(o->encoding);
        if (e < 0) {
            st = li_error_set(err, LI_EUSAGE, LI_MSG_ENCODING_UNKNOWN, o->encoding);
            goto out;
        }
        if ((li__enc)e != enc)
            bom = 0;
        if ((e == LI__ENC_UTF8 && got >= 3 && !memcmp(sample, "\xEF\xBB\xBF", 3)) ||
            (e == LI__ENC_UTF16LE && got >= 2 && !memcmp(sample, "\xFF\xFE", 2)) ||
            (e == LI__ENC_UTF16BE && got >= 2 && !memcmp(sample, "\xFE\xFF", 2)))
            bom = e == LI__ENC_UTF8 ? 3 : 2;
        enc = (li__enc)e;
    }
    if (enc != LI__ENC_UTF16LE && enc != LI__ENC_UTF16BE && memchr(sample, 0, (size_t)got)) {
        st = li_error_set(err, LI_EFORMAT, LI_MSG_FILE_BINARY, path);
        goto out;
    }
    r->enc = enc;
    r->base.info.format = "csv";
    r->base.info.encoding = li__enc_name(enc);
    r->base.info.bom = bom > 0;
    r->base.info.size = size;

    /* Delimiter: on the start of the text. */
    if (lseek(fd, (off_t)bom, SEEK_SET) < 0) {
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, strerror(errno));
        goto out;
    }
    r->start_off = bom;
    r->next_row = 1;
    if ((st = fill(r, err)) != LI_OK)
        goto out;
    if (o->delimiter) {
        if (o->delimiter != ',' && o->delimiter != ';' && o->delimiter != '\t' &&
            o->delimiter != '|') {
            char d[2] = {(char)o->delimiter, 0};
            st = li_error_set(err, LI_EUSAGE, LI_MSG_DELIMITER_INVALID, d);
            goto out;
        }
        r->delim = o->delimiter;
    } else {
        r->delim = sniff_delimiter(r->buf, r->len < SNIFF_BYTES ? r->len : SNIFF_BYTES);
    }
    r->base.info.delimiter = r->delim;

    /* Header: the first non-blank record. */
    const li_row *first = NULL;
    st = csv_next(&r->base, &first, err);
    if (st == LI_EOF) {
        st = li_error_set(err, LI_EFORMAT, LI_MSG_FILE_EMPTY, path);
        goto out;
    }
    if (st != LI_OK)
        goto out;
    int header = o->header >= 0 ? o->header : looks_like_header(first->fields, first->nfields);
    r->base.info.has_header = header;
    r->base.info.columns = first->nfields;
    if (header) {
        r->hdrbuf = malloc(r->rowlen + 1);
        r->hdr = malloc((first->nfields + 1) * sizeof *r->hdr);
        if (!r->hdrbuf || !r->hdr) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            goto out;
        }
        size_t k = 0;
        for (size_t i = 0; i < first->nfields; i++) {
            memcpy(r->hdrbuf + k, first->fields[i].ptr, first->fields[i].len);
            r->hdr[i].ptr = r->hdrbuf + k;
            r->hdr[i].len = first->fields[i].len;
            k += first->fields[i].len;
        }
        r->base.header = r->hdr;
        r->base.nheader = first->nfields;
        r->expected = first->nfields;
    }
    if (o->resume_offset > 0 || !header) {
        /* Start again: at the resume point, or at the first record (data). */
        uint64_t at = o->resume_offset > 0 ? o->resume_offset : bom;
        if (lseek(fd, (off_t)at, SEEK_SET) < 0) {
            st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, strerror(errno));
            goto out;
        }
        r->start = r->len = r->raw_len = 0;
        r->eof = 0;
        r->file_pos = at;
        r->start_off = at;
        r->next_row = o->resume_offset > 0 ? o->resume_row : 1;
        if (!header)
            r->expected = 0;
    }
    *out = &r->base;
    r = NULL;
out:
    free(sample);
    if (r)
        csv_free(&r->base);
    return st;
}
