/*
 * csv_test_util.h — helpers shared by the reader's unit tests
 * (test_csv.c, test_csv_corpus.c, test_csv_stream.c): temporary files, and
 * reading a whole file into a plain structure that assertions can look at.
 *
 * Every function is static inline so that each test program can use the
 * subset it needs.
 */
#ifndef LEADIMPORT_CSV_TEST_UTIL_H
#define LEADIMPORT_CSV_TEST_UTIL_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "leadimport/reader.h"

/* One row as read, its fields joined with '|' (test data avoids '|' unless said). */
typedef struct t_row {
    uint64_t number, offset, next_offset;
    li_msg problem;
    char problem_text[256];
    size_t nfields;
    char **fields; /* NUL-terminated copies */
    char *joined;
} t_row;

/* A whole read: how opening went, what was detected, every row. */
typedef struct t_read {
    li_status status; /* of li_reader_open */
    li_error err;
    li_reader_info info;
    char *header;   /* joined with '|', NULL without header */
    char **hfields; /* the header's fields, NUL-terminated copies */
    size_t nheader;
    t_row *rows;
    size_t n;
    li_status end;     /* the status that ended the reading (LI_EOF) */
    uint64_t position; /* li_reader_position() at the end */
} t_read;

static inline char *t_join(const li_slice *f, size_t n) {
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += f[i].len + 1;
    char *s = malloc(len), *o = s;
    assert_non_null(s);
    for (size_t i = 0; i < n; i++) {
        if (i)
            *o++ = '|';
        memcpy(o, f[i].ptr, f[i].len);
        o += f[i].len;
    }
    *o = '\0';
    return s;
}

static inline char *t_dup(li_slice s) {
    char *p = malloc(s.len + 1);
    assert_non_null(p);
    memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return p;
}

/* A temporary directory for the test program, removed by t_tmp_cleanup(). */
static char t_tmpdir[256];

static inline const char *t_tmp(void) {
    if (!t_tmpdir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(t_tmpdir, sizeof t_tmpdir, "%s/li-test-csv-XXXXXX", base ? base : "/tmp");
        assert_non_null(mkdtemp(t_tmpdir));
    }
    return t_tmpdir;
}

static inline void t_tmp_cleanup(void) {
    if (!t_tmpdir[0])
        return;
    DIR *d = opendir(t_tmpdir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char path[600];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", t_tmpdir, e->d_name);
        if (unlink(path) != 0)
            rmdir(path);
    }
    if (d)
        closedir(d);
    rmdir(t_tmpdir);
    t_tmpdir[0] = '\0';
}

/* Writes data[0..n) to a file named name in the temporary directory; returns its path (static). */
static inline const char *t_write(const char *name, const void *data, size_t n) {
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", t_tmp(), name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Reads the whole file at path with options o (NULL: defaults) into t. */
static inline void t_read_file(const char *path, const li_reader_opts *o, t_read *t) {
    memset(t, 0, sizeof *t);
    li_reader *r = NULL;
    t->status = li_reader_open(path, o, &r, &t->err);
    if (t->status != LI_OK) {
        assert_null(r);
        return;
    }
    t->info = *li_reader_get_info(r);
    size_t nh = 0;
    const li_slice *h = li_reader_header(r, &nh);
    if (h) {
        t->header = t_join(h, nh);
        t->nheader = nh;
        t->hfields = calloc(nh + 1, sizeof *t->hfields);
        assert_non_null(t->hfields);
        for (size_t i = 0; i < nh; i++)
            t->hfields[i] = t_dup(h[i]);
    }
    size_t cap = 0;
    const li_row *row;
    li_error err;
    while ((t->end = li_reader_next(r, &row, &err)) == LI_OK) {
        if (t->n == cap) {
            cap = cap ? cap * 2 : 16;
            t->rows = realloc(t->rows, cap * sizeof *t->rows);
            assert_non_null(t->rows);
        }
        t_row *x = &t->rows[t->n++];
        x->number = row->number;
        x->offset = row->offset;
        x->next_offset = row->next_offset;
        x->problem = row->problem;
        memcpy(x->problem_text, row->problem_text, sizeof x->problem_text);
        x->nfields = row->nfields;
        x->fields = calloc(row->nfields + 1, sizeof *x->fields);
        assert_non_null(x->fields);
        for (size_t i = 0; i < row->nfields; i++)
            x->fields[i] = t_dup(row->fields[i]);
        x->joined = t_join(row->fields, row->nfields);
    }
    t->position = li_reader_position(r);
    li_reader_free(r);
}

/* Writes text[0..n) to a temporary file and reads it. */
static inline void t_read_bytes(const void *text, size_t n, const li_reader_opts *o, t_read *t) {
    t_read_file(t_write("in.csv", text, n), o, t);
}

static inline void t_read_str(const char *text, const li_reader_opts *o, t_read *t) {
    t_read_bytes(text, strlen(text), o, t);
}

static inline void t_read_free(t_read *t) {
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->rows[i].nfields; j++)
            free(t->rows[i].fields[j]);
        free(t->rows[i].fields);
        free(t->rows[i].joined);
    }
    free(t->rows);
    for (size_t j = 0; j < t->nheader; j++)
        free(t->hfields[j]);
    free(t->hfields);
    free(t->header);
    memset(t, 0, sizeof *t);
}

/* Opening succeeded and reading ended at EOF. */
static inline void t_assert_ok(const t_read *t) {
    if (t->status != LI_OK)
        fail_msg("li_reader_open: %s: %s", li_status_name(t->status), t->err.message);
    assert_int_equal(t->end, LI_EOF);
}

/* Row i has number, joined fields and problem as given. */
static inline void t_assert_row(const t_read *t, size_t i, uint64_t number, const char *joined,
                                li_msg problem) {
    if (i >= t->n)
        fail_msg("row %zu expected, only %zu rows", i, t->n);
    const t_row *x = &t->rows[i];
    assert_int_equal(x->number, number);
    assert_string_equal(x->joined, joined);
    if (x->problem != problem)
        fail_msg("row %zu: problem %s (%s), expected %s", i, li_msg_code(x->problem),
                 x->problem_text, li_msg_code(problem));
}

/*
 * UTF-8 text[0..n) as UTF-16 (big-endian if be), with a BOM if bom; *out_n
 * gets the length. The result is malloc'd: free() it.
 */
static inline unsigned char *t_utf16(const char *text, size_t n, int be, int bom, size_t *out_n) {
    unsigned char *out = malloc(4 * n + 2), *o = out;
    assert_non_null(out);
    const unsigned char *s = (const unsigned char *)text, *e = s + n;
    unsigned units[2];
    if (bom) {
        *o++ = be ? 0xFE : 0xFF;
        *o++ = be ? 0xFF : 0xFE;
    }
    while (s < e) {
        unsigned cp, k;
        if (*s < 0x80)
            cp = *s, k = 1;
        else if (*s < 0xE0)
            cp = (*s & 0x1Fu) << 6 | (s[1] & 0x3Fu), k = 2;
        else if (*s < 0xF0)
            cp = (*s & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu), k = 3;
        else
            cp = (*s & 0x07u) << 18 | (s[1] & 0x3Fu) << 12 | (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu),
            k = 4;
        s += k;
        size_t nu = 1;
        units[0] = cp;
        if (cp >= 0x10000) {
            units[0] = 0xD800 + ((cp - 0x10000) >> 10);
            units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
            nu = 2;
        }
        for (size_t i = 0; i < nu; i++) {
            *o++ = (unsigned char)(be ? units[i] >> 8 : units[i] & 0xFF);
            *o++ = (unsigned char)(be ? units[i] & 0xFF : units[i] >> 8);
        }
    }
    *out_n = (size_t)(o - out);
    return out;
}

#endif
