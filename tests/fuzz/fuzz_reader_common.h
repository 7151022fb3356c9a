/*
 * fuzz_reader_common.h — reading a whole file the way an import does, and
 * checking the promises of reader.h on the way: the target of CSV
 * (fuzz_csv.c) and the one of XLSX (fuzz_xlsx.c) share it.
 *
 * Promises checked (besides the sanitizers' memory and UB checks):
 *   - every header name and every field is valid UTF-8;
 *   - header names are usable as keys: none empty, no two the same (spaces
 *     around them and ASCII case ignored);
 *   - row numbers grow, each record ends after it starts, the position is
 *     monotone and never past the file's size (CSV: records lie inside
 *     the file, in order);
 *   - resuming at a row's next_offset gives exactly the rows, numbers,
 *     offsets and problems that reading on gave (when asked).
 */
#ifndef LEADIMPORT_FUZZ_READER_COMMON_H
#define LEADIMPORT_FUZZ_READER_COMMON_H

#include "fuzz_util.h"
#include "leadimport/reader.h"
#include "read/encoding.h"

/* Rows kept for the resume check, and rows read at most (time, not memory). */
#define FZ_KEEP_ROWS 256
#define FZ_MAX_ROWS 20000

typedef struct fz_rowsum {
    uint64_t number, offset, next_offset, hash;
    li_msg problem;
    size_t nfields;
} fz_rowsum;

static uint64_t fz_hash(uint64_t h, const void *p, size_t n) {
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static fz_rowsum fz_sum(const li_row *row) {
    fz_rowsum s = {row->number, row->offset, row->next_offset, 14695981039346656037ull,
                   row->problem, row->nfields};
    for (size_t i = 0; i < row->nfields; i++) {
        s.hash = fz_hash(s.hash, &row->fields[i].len, sizeof row->fields[i].len);
        s.hash = fz_hash(s.hash, row->fields[i].ptr, row->fields[i].len);
    }
    return s;
}

static void fz_check_header(const li_reader *r) {
    size_t n = 0;
    const li_slice *h = li_reader_header(r, &n);
    for (size_t i = 0; i < n; i++) {
        FZ_CHECK(li__utf8_valid((const unsigned char *)h[i].ptr, h[i].len),
                 "header %zu is not UTF-8", i);
        li_slice a = h[i];
        while (a.len && (a.ptr[0] == ' ' || a.ptr[0] == '\t'))
            a.ptr++, a.len--;
        while (a.len && (a.ptr[a.len - 1] == ' ' || a.ptr[a.len - 1] == '\t'))
            a.len--;
        FZ_CHECK(a.len > 0, "header %zu is empty", i);
        for (size_t j = 0; j < i; j++) {
            li_slice b = h[j];
            while (b.len && (b.ptr[0] == ' ' || b.ptr[0] == '\t'))
                b.ptr++, b.len--;
            while (b.len && (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\t'))
                b.len--;
            int same = a.len == b.len;
            for (size_t k = 0; same && k < a.len; k++) {
                unsigned char x = (unsigned char)a.ptr[k], y = (unsigned char)b.ptr[k];
                x = (unsigned char)(x >= 'A' && x <= 'Z' ? x + 32 : x);
                y = (unsigned char)(y >= 'A' && y <= 'Z' ? y + 32 : y);
                same = x == y;
            }
            FZ_CHECK(!same, "header %zu repeats header %zu: \"%.*s\"", i, j, (int)a.len, a.ptr);
        }
    }
}

/*
 * Reads every row of an open reader; keeps the summaries of the first
 * FZ_KEEP_ROWS in keep (may be NULL). csv: offsets are byte positions of
 * the file. Returns the number of rows read.
 */
static size_t fz_read_rows(li_reader *r, int csv, fz_rowsum *keep) {
    const li_reader_info *info = li_reader_get_info(r);
    const li_row *row;
    li_error err;
    uint64_t last_number = 0, last_end = 0, last_pos = 0;
    size_t n = 0;
    li_status st;
    while (n < FZ_MAX_ROWS && (st = li_reader_next(r, &row, &err)) == LI_OK) {
        FZ_CHECK(row->number > last_number, "row number %llu after %llu",
                 (unsigned long long)row->number, (unsigned long long)last_number);
        FZ_CHECK(row->next_offset > row->offset, "record [%llu, %llu) is empty",
                 (unsigned long long)row->offset, (unsigned long long)row->next_offset);
        if (csv) {
            FZ_CHECK(row->offset >= last_end && row->next_offset <= info->size,
                     "record [%llu, %llu) overlaps the last one (ends at %llu) or the end (%llu)",
                     (unsigned long long)row->offset, (unsigned long long)row->next_offset,
                     (unsigned long long)last_end, (unsigned long long)info->size);
        }
        for (size_t i = 0; i < row->nfields; i++)
            FZ_CHECK(li__utf8_valid((const unsigned char *)row->fields[i].ptr, row->fields[i].len),
                     "row %llu field %zu is not UTF-8", (unsigned long long)row->number, i);
        uint64_t pos = li_reader_position(r);
        FZ_CHECK(pos >= last_pos && pos <= info->size, "position %llu after %llu (size %llu)",
                 (unsigned long long)pos, (unsigned long long)last_pos,
                 (unsigned long long)info->size);
        if (keep && n < FZ_KEEP_ROWS)
            keep[n] = fz_sum(row);
        last_number = row->number;
        last_end = row->next_offset;
        last_pos = pos;
        n++;
    }
    return n;
}

/*
 * Reads path with opts; with resume_pick, reads it again from the
 * next_offset of one of its rows (chosen by resume_pick) and compares.
 */
static FZ_UNUSED void fz_read_file(const char *path, const li_reader_opts *opts, int csv,
                                   unsigned resume_pick) {
    static fz_rowsum first[FZ_KEEP_ROWS];
    li_reader *r = NULL;
    li_error err;
    if (li_reader_open(path, opts, &r, &err) != LI_OK) {
        FZ_CHECK(r == NULL, "a failed open left a reader");
        FZ_CHECK(err.message[0] != '\0', "a failed open without message");
        return;
    }
    const li_sheet_info *sheets;
    size_t nsheets;
    if (li_reader_sheets(r, &sheets, &nsheets, &err) == LI_OK)
        for (size_t i = 0; i < nsheets; i++)
            FZ_CHECK(sheets[i].name && li__utf8_valid((const unsigned char *)sheets[i].name,
                                                      strlen(sheets[i].name)),
                     "sheet %zu's name is not UTF-8", i);
    fz_check_header(r);
    size_t n = fz_read_rows(r, csv, first);
    li_reader_free(r);
    if (!resume_pick || n == 0 || n >= FZ_KEEP_ROWS)
        return;

    size_t k = (resume_pick - 1) % n;
    li_reader_opts ro = *opts;
    ro.resume_offset = first[k].next_offset;
    ro.resume_row = first[k].number + 1;
    r = NULL;
    FZ_CHECK(li_reader_open(path, &ro, &r, &err) == LI_OK, "cannot reopen to resume: %s",
             err.message);
    fz_rowsum again[FZ_KEEP_ROWS];
    size_t m = fz_read_rows(r, csv, again);
    li_reader_free(r);
    FZ_CHECK(m == n - k - 1, "resuming after row %zu gave %zu rows, not %zu", k, m, n - k - 1);
    for (size_t i = 0; i < m; i++) {
        const fz_rowsum *a = &first[k + 1 + i], *b = &again[i];
        FZ_CHECK(a->number == b->number && a->offset == b->offset &&
                     a->next_offset == b->next_offset && a->problem == b->problem &&
                     a->nfields == b->nfields && a->hash == b->hash,
                 "resumed row %zu differs: number %llu/%llu offset %llu/%llu problem %s/%s "
                 "fields %zu/%zu",
                 k + 1 + i, (unsigned long long)a->number, (unsigned long long)b->number,
                 (unsigned long long)a->offset, (unsigned long long)b->offset,
                 li_msg_code(a->problem), li_msg_code(b->problem), a->nfields, b->nfields);
    }
}

#endif
