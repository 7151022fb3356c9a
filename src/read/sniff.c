/*
 * sniff.c — guessing, from the start of a file, a CSV file's delimiter and
 * quote escape, and for every format where the header row is (below a
 * title block, if any) and whether there is one. The delimiter and the
 * header can be overridden by li_reader_opts; the read module knows
 * nothing of lead fields, so the header guess looks only at the shape of
 * the rows and of their cells.
 */
#include <string.h>

#include "readerInt.h"

#define SNIFF_RECORDS 50    /* records looked at to choose the delimiter */
#define HEADER_CELL_MAX 100 /* a longer cell is text, not a column name */

/*
 * Splits the first SNIFF_RECORDS records of p[0..n) on delim, honouring
 * quotes like the parser does (a quote opens a quoted field only at its
 * start; "" inside is a quote, and so is \" when esc is '\\'), skipping
 * blank lines, and stores each
 * record's field count in counts, or 0 when text follows a closing quote
 * (the sign of a wrong delimiter: "Dupont, Jean";"Paris" split on ','
 * leaves ;"Paris after a closing quote). Returns the number of records.
 */
static size_t count_fields(const char *p, size_t n, int whole, char delim, char esc,
                           size_t *counts) {
    size_t i = 0, nrec = 0;
    while (i < n && nrec < SNIFF_RECORDS) {
        if (p[i] == '\n' || p[i] == '\r') {
            i++;
            continue;
        }
        size_t fields = 1;
        int quoted = 0, at_start = 1, closed = 0, junk = 0, ended = 0;
        while (i < n && !ended) {
            char c = p[i++];
            if (quoted) {
                if (c == esc && esc) {
                    i += i < n; /* \" or \\: the next byte is text */
                } else if (c == '"') {
                    if (i < n && p[i] == '"') {
                        i++;
                    } else {
                        quoted = 0;
                        closed = 1;
                    }
                }
                continue;
            }
            if (c == delim) {
                fields++;
                at_start = 1;
                closed = 0;
            } else if (c == '\n' || c == '\r') {
                ended = 1;
            } else if (c == '"' && at_start) {
                quoted = 1;
                at_start = 0;
            } else if (c != ' ' && c != '\t') {
                junk |= closed; /* text after a closing quote: delim splits inside quotes */
                at_start = 0;
            }
        }
        if (!ended && !whole)
            break; /* cut by the end of the sample: its count means nothing */
        counts[nrec++] = junk ? 0 : fields;
    }
    return nrec;
}

/*
 * The rule: for each candidate, the most frequent field count of the
 * sampled records (the mode) and the share of records that have it. A
 * candidate whose mode is 1 does not split the file. Among the others, the
 * most consistent wins (all records agreeing beats a few ragged ones), and
 * between equally consistent ones, the one with more fields (a ';' file
 * whose every row has one "Nom, Prénom" comma is still a ';' file).
 */
/* The most frequent count of counts[0..n) (the larger on a tie) and how many have it. */
static size_t mode_of(const size_t *counts, size_t n, size_t *agree) {
    size_t mode = 0;
    *agree = 0;
    for (size_t i = 0; i < n; i++) {
        size_t same = 0;
        for (size_t j = 0; j < n; j++)
            same += counts[j] == counts[i];
        if (same > *agree || (same == *agree && counts[i] > mode)) {
            *agree = same;
            mode = counts[i];
        }
    }
    return mode;
}

int li__sniff_delimiter(const char *p, size_t n, int whole, int esc) {
    static const char candidates[] = {',', ';', '\t', '|'};
    size_t counts[SNIFF_RECORDS];
    int best = ',';
    size_t best_mode = 0, best_agree = 0, best_total = 1;
    for (size_t k = 0; k < sizeof candidates; k++) {
        size_t nrec = count_fields(p, n, whole, candidates[k], (char)esc, counts);
        size_t agree, mode = mode_of(counts, nrec, &agree);
        if (mode < 2)
            continue;
        /* compare agree / nrec with best_agree / best_total, then the mode */
        size_t lhs = agree * best_total, rhs = best_agree * nrec;
        if (best_mode == 0 || lhs > rhs || (lhs == rhs && mode > best_mode)) {
            best = candidates[k];
            best_mode = mode;
            best_agree = agree;
            best_total = nrec;
        }
    }
    return best;
}

/*
 * The rule: the file escapes quotes with a backslash when the sample has a
 * \" and reading it so is better than reading it as RFC 4180: no more
 * records with text after a closing quote, no less agreement on the field
 * count, and better on one of the two. A file where a backslash is only a
 * character ("C:\\dossier\\") reads worse that way, so it stays RFC 4180.
 */
int li__sniff_escape(const char *p, size_t n, int whole, int delim) {
    size_t counts[SNIFF_RECORDS], nrec[2], agree[2], junk[2];
    if (!memmem(p, n, "\\\"", 2))
        return 0;
    for (int k = 0; k < 2; k++) {
        nrec[k] = count_fields(p, n, whole, (char)delim, k ? '\\' : 0, counts);
        junk[k] = 0;
        for (size_t i = 0; i < nrec[k]; i++)
            junk[k] += counts[i] == 0;
        size_t mode = mode_of(counts, nrec[k], &agree[k]);
        if (mode == 0)
            agree[k] = 0;
    }
    if (nrec[0] == 0 || nrec[1] == 0)
        return 0;
    size_t rfc = agree[0] * nrec[1], bs = agree[1] * nrec[0]; /* agree / nrec, compared */
    int not_worse = junk[1] <= junk[0] && bs >= rfc;
    return not_worse && (junk[1] < junk[0] || bs > rfc) ? '\\' : 0;
}

/* A cell that is a value rather than a column name: see li__sniff_is_header. */
static int looks_like_data(li_slice s) {
    if (s.len > HEADER_CELL_MAX || memchr(s.ptr, '@', s.len))
        return 1;
    size_t digits = 0;
    for (size_t i = 0; i < s.len; i++)
        digits += s.ptr[i] >= '0' && s.ptr[i] <= '9';
    return digits * 2 > s.len;
}

/*
 * The header heuristic for one row. Empty cells at the end of the record
 * are ignored (a spreadsheet's used range can be wider than its titled
 * columns); then the record is a header when every remaining cell
 *   - is non-empty (spaces do not count),
 *   - differs from every other cell (ASCII case ignored),
 *   - does not look like data: no '@' (an e-mail), at most half digits
 *     (phone numbers, dates, postcodes, amounts), at most 100 bytes.
 * Otherwise the first record is data. A first row of pure text ("Dupont,
 * Jean, Paris") is taken for a header: the caller can force opts.header.
 * li__sniff_find_header() also accepts, with the rows below as evidence, a
 * header with empty cells or repeated names.
 */
int li__sniff_is_header(const li_slice *fields, size_t n) {
    while (n > 0 && li__slice_trim(fields[n - 1]).len == 0)
        n--;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        li_slice a = li__slice_trim(fields[i]);
        if (a.len == 0 || looks_like_data(a))
            return 0;
        for (size_t j = 0; j < i; j++)
            if (li__slice_same_ci(a, li__slice_trim(fields[j])))
                return 0;
    }
    return 1;
}

/* --- the header, below a preamble ------------------------------------------ */

void li__sniff_row_init(li__sniff_row *s, const li_row *row) {
    memset(s, 0, sizeof *s);
    s->number = row->number;
    s->offset = row->offset;
    s->next_offset = row->next_offset;
    s->nf = row->nfields;
    int names = 1; /* every non-empty cell is name-like */
    for (size_t i = 0; i < row->nfields; i++) {
        li_slice a = li__slice_trim(row->fields[i]);
        if (a.len == 0)
            continue;
        s->filled++;
        s->width = i + 1;
        int data = looks_like_data(a);
        names &= !data;
        if (i < 64)
            *(data ? &s->data : &s->text) |= UINT64_C(1) << i;
    }
    if (row->nfields > 0) {
        li_slice first = li__slice_trim(row->fields[0]);
        s->comment = first.len > 1 && first.ptr[0] == '#';
    }
    s->strict = (unsigned char)li__sniff_is_header(row->fields, row->nfields);
    /* a gap or two (pandas' index column), not a row of scattered notes */
    size_t gaps = s->width - s->filled;
    s->relaxed = (unsigned char)(names && s->filled >= 2 && (gaps <= 1 || gaps * 4 <= s->width));
}

/* Shaped like a header: not a comment, as wide as the file, mostly filled in. */
static int header_shaped(const li__sniff_row *h, size_t maxw) {
    return !h->comment && h->filled >= (maxw < 2 ? maxw : 2) && h->filled > 0 &&
           h->filled * 2 >= h->width;
}

/* Row i can be part of the preamble above the header h: narrower, or a comment. */
static int preamble_row(const li__sniff_row *i, const li__sniff_row *h) {
    return i->comment ||
           (i->filled < h->filled && (i->width < h->width || i->filled * 2 <= h->filled));
}

/*
 * The rows below h support it as a header: in some column, h has a name
 * and most of the values below look like data (e-mails, numbers, dates),
 * which a name does not.
 */
static int evidence(const li__sniff_row *rows, size_t n, size_t h) {
    uint64_t cols = rows[h].text;
    for (size_t c = 0; c < 64 && cols >> c; c++) {
        if (!(cols >> c & 1))
            continue;
        size_t values = 0, data = 0;
        for (size_t j = h + 1; j < n; j++) {
            values += (rows[j].text | rows[j].data) >> c & 1;
            data += rows[j].data >> c & 1;
        }
        if (data > 0 && data * 2 > values)
            return 1;
    }
    return 0;
}

/* A header: the single-row rule, or names with gaps or repeats that the rows below support. */
static int header_like(const li__sniff_row *rows, size_t n, size_t h) {
    return rows[h].strict || (rows[h].relaxed && evidence(rows, n, h));
}

/*
 * At most a quarter of the rows below h are wider than it, and it is
 * about as full as they usually are (one gap allowed: pandas' index
 * column has no name but always a value).
 */
static int consistent(const li__sniff_row *rows, size_t n, size_t h) {
    size_t wider = 0, filled[LI__SNIFF_TABLE_ROWS] = {0}, m = 0;
    for (size_t j = h + 1; j < n && m < LI__SNIFF_TABLE_ROWS; j++) {
        wider += rows[j].width > rows[h].width;
        size_t k = m++; /* insertion sort: at most 50 values */
        while (k > 0 && filled[k - 1] > rows[j].filled) {
            filled[k] = filled[k - 1];
            k--;
        }
        filled[k] = rows[j].filled;
    }
    return wider * 4 <= n - h - 1 && (m == 0 || rows[h].filled + 1 >= filled[m / 2]);
}

/*
 * Whether rows[h] is the header below a preamble of rows[0..h) (nothing
 * for h = 0). It must be shaped like a header, with at most a quarter of
 * the rows below it wider than it; every row above it must be a preamble
 * row; and it must pass header_like(). With rows above that have more
 * than one cell (notes such as "Date:;2024-01-08" rather than a title),
 * the rows below must support it too, so that a narrow first row of data
 * is never skipped for a wider second one.
 */
static int header_at(const li__sniff_row *rows, size_t n, size_t h, size_t maxw) {
    if (!header_shaped(&rows[h], maxw))
        return 0;
    size_t notes = 0;
    if (!consistent(rows, n, h))
        return 0;
    for (size_t i = 0; i < h; i++) {
        if (!preamble_row(&rows[i], &rows[h]))
            return 0;
        notes += !rows[i].comment && rows[i].filled > 1;
    }
    return header_like(rows, n, h) && (notes == 0 || evidence(rows, n, h));
}

void li__sniff_find_header(const li__sniff_row *rows, size_t n, int opt_header,
                           li__sniff_table *out) {
    memset(out, 0, sizeof *out);
    if (n == 0 || opt_header == 0)
        return;
    size_t maxw = 0, limit = n < LI__SNIFF_PREAMBLE_MAX ? n : LI__SNIFF_PREAMBLE_MAX;
    for (size_t i = 0; i < n; i++)
        maxw = rows[i].width > maxw ? rows[i].width : maxw;
    size_t h = 0;
    while (h < limit && !header_at(rows, n, h, maxw))
        h++;
    if (h == limit) {
        /*
         * No header below a preamble: the first row, if it is one. A lone
         * cell over wider rows needs their support ("Dupont;;;" over rows
         * of four values is data).
         */
        h = 0;
        if (opt_header == -1 &&
            !(header_like(rows, n, 0) && (header_shaped(&rows[0], maxw) ||
                                          consistent(rows, n, 0) || evidence(rows, n, 0))))
            return;
    }
    out->first = h;
    out->has_header = 1;
    /* empty cells at the header's end are no column, unless the rows below fill them */
    size_t width = rows[h].width;
    for (size_t j = h + 1; j < n; j++) {
        size_t w = rows[j].width < rows[h].nf ? rows[j].width : rows[h].nf;
        width = w > width ? w : width;
    }
    out->width = width ? width : rows[h].nf;
}
