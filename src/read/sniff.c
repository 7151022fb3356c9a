/*
 * sniff.c — guessing a CSV file's delimiter and whether its first record is
 * a header row, from a sample of its start. Both guesses can be overridden
 * by li_reader_opts (delimiter, header); the read module knows nothing of
 * lead fields, so the header guess looks only at the shape of the cells.
 */
#include <string.h>

#include "readerInt.h"

#define SNIFF_RECORDS 50    /* records looked at to choose the delimiter */
#define HEADER_CELL_MAX 100 /* a longer cell is text, not a column name */

/*
 * Splits the first SNIFF_RECORDS records of p[0..n) on delim, honouring
 * quotes like the parser does (a quote opens a quoted field only at its
 * start; "" inside is a quote), skipping blank lines, and stores each
 * record's field count in counts, or 0 when text follows a closing quote
 * (the sign of a wrong delimiter: "Dupont, Jean";"Paris" split on ','
 * leaves ;"Paris after a closing quote). Returns the number of records.
 */
static size_t count_fields(const char *p, size_t n, int whole, char delim, size_t *counts) {
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
                if (c == '"') {
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
            } else {
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
int li__sniff_delimiter(const char *p, size_t n, int whole) {
    static const char candidates[] = {',', ';', '\t', '|'};
    size_t counts[SNIFF_RECORDS];
    int best = ',';
    size_t best_mode = 0, best_agree = 0, best_total = 1;
    for (size_t k = 0; k < sizeof candidates; k++) {
        size_t nrec = count_fields(p, n, whole, candidates[k], counts);
        size_t mode = 0, agree = 0;
        for (size_t i = 0; i < nrec; i++) {
            size_t same = 0;
            for (size_t j = 0; j < nrec; j++)
                same += counts[j] == counts[i];
            if (same > agree || (same == agree && counts[i] > mode)) {
                agree = same;
                mode = counts[i];
            }
        }
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

static li_slice trim_spaces(li_slice s) {
    while (s.len > 0 && (s.ptr[0] == ' ' || s.ptr[0] == '\t'))
        s.ptr++, s.len--;
    while (s.len > 0 && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\t'))
        s.len--;
    return s;
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

static int same_ci(li_slice a, li_slice b) {
    if (a.len != b.len)
        return 0;
    for (size_t i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.ptr[i], y = (unsigned char)b.ptr[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

/*
 * The header heuristic. Empty cells at the end of the record are ignored
 * (a spreadsheet's used range can be wider than its titled columns); then
 * the record is a header when every remaining cell
 *   - is non-empty (spaces do not count),
 *   - differs from every other cell (ASCII case ignored),
 *   - does not look like data: no '@' (an e-mail), at most half digits
 *     (phone numbers, dates, postcodes, amounts), at most 100 bytes.
 * Otherwise the first record is data. A first row of pure text ("Dupont,
 * Jean, Paris") is taken for a header: the caller can force opts.header.
 */
int li__sniff_is_header(const li_slice *fields, size_t n) {
    while (n > 0 && trim_spaces(fields[n - 1]).len == 0)
        n--;
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        li_slice a = trim_spaces(fields[i]);
        if (a.len == 0 || looks_like_data(a))
            return 0;
        for (size_t j = 0; j < i; j++)
            if (same_ci(a, trim_spaces(fields[j])))
                return 0;
    }
    return 1;
}
