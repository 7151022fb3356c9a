/*
 * pg_rows.c — staged rows in the PostgreSQL backend (import_rows; see
 * store.h and sqlite_rows.c, whose reading rules this keeps word for word).
 * Writing them is deferred and COPied (pg_batch.c); here they are read
 * back, by pages of row numbers (li__pg_pages): a 1M-row job is never one
 * result in memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgInt.h"

/* See sqlite_rows.c: a valid row at or below the commit checkpoint reads as imported. */
#define ROW_COMMITTED                                                                              \
    "(import_rows.status='valid' AND"                                                              \
    " import_rows.row_no<=(SELECT commit_row FROM import_jobs WHERE id=$1))"
#define ROW_STATUS "(CASE WHEN " ROW_COMMITTED " THEN 'imported' ELSE import_rows.status END)"
/*
 * ROW_STATUS=$2 written as plain comparisons of columns: the planner estimates
 * these from the table's statistics and walks the primary key in row order,
 * stopping after a page. Behind the CASE it can only guess, and it guessed so
 * few rows that it chose to read all the job's rows after the bound, then sort,
 * for every page: quadratic, 34 s to commit 200,000 reviewed rows.
 */
#define ROW_STATUS_IS                                                                              \
    "(CASE $2 WHEN 'valid' THEN import_rows.status='valid' AND NOT " ROW_COMMITTED                  \
    " WHEN 'imported' THEN import_rows.status='imported' OR " ROW_COMMITTED                         \
    " ELSE import_rows.status=$2 END)"
#define ROW_COLUMNS(X)                                                                             \
    X(row_no, "import_rows.row_no")                                                                \
    X(status, ROW_STATUS)                                                                          \
    X(data, "CASE WHEN " ROW_COMMITTED " THEN NULL ELSE data END")                              \
    X(errors, "errors")                                                                            \
    X(lead_id, "CASE WHEN import_rows.lead_id IS NULL AND " ROW_COMMITTED                         \
               " THEN (SELECT id FROM leads WHERE import_job_id=$1 AND"                             \
               " import_row=import_rows.row_no) ELSE import_rows.lead_id END")                     \
    X(match_key, "match_key")                                                                      \
    X(match_lead, "match_lead")

#define ROW_COL_POS(name, sql) ROW_COL_##name,
enum { ROW_COLUMNS(ROW_COL_POS) ROW_COL__COUNT };
#define ROW_SELECT "SELECT " LI__PG_COLUMN_TEXT(ROW_COLUMNS)

static li_staged_row row_of(const PGresult *r, int i) {
    return (li_staged_row){
        .row_no = (uint64_t)li__pg_col_int(r, i, ROW_COL_row_no),
        .status = li__pg_col_text(r, i, ROW_COL_status),
        .data = li__pg_col_slice(r, i, ROW_COL_data),
        .errors = li__pg_col_slice(r, i, ROW_COL_errors),
        .lead_id = li__pg_col_int(r, i, ROW_COL_lead_id),
        .match_key = li__pg_col_text(r, i, ROW_COL_match_key),
        .match_lead = li__pg_col_int(r, i, ROW_COL_match_lead),
    };
}

typedef struct row_scan {
    li_row_cb cb;
    void *ctx;
} row_scan;

static li_status row_fn(const PGresult *r, int i, void *arg) {
    const row_scan *x = arg;
    li_staged_row row = row_of(r, i);
    return x->cb(&row, x->ctx);
}

li_status li__pg_rows_each(li_store *store, int64_t job_id, uint64_t after, const char *status,
                           uint64_t limit, li_row_cb cb, void *ctx, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    row_scan x = {cb, ctx};
    li_status st = li__pg_settle_rows(s, err); /* reads see queued rows */
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    if (status) {
        li__pg_arg_text(&a, status);
        return li__pg_pages(s,
                            ROW_SELECT " FROM import_rows WHERE job_id=$1 AND " ROW_STATUS_IS
                                       " AND row_no>$3 ORDER BY row_no LIMIT $4",
                            &a, ROW_COL_row_no, (int64_t)after, limit, row_fn, &x, err);
    }
    return li__pg_pages(s,
                        ROW_SELECT " FROM import_rows WHERE job_id=$1 AND row_no>$2"
                                   " ORDER BY row_no LIMIT $3",
                        &a, ROW_COL_row_no, (int64_t)after, limit, row_fn, &x, err);
}

li_status li__pg_rows_staged(li_store *store, int64_t job_id, uint64_t rows, li_error *err) {
    (void)job_id;
    li__pg *s = li__pgs(store);
    li_status st = li__pg_settle_rows(s, err);
    /* Outside a transaction only: ANALYZE holds a lock on the table until the
     * end of the one it runs in, and another worker's ANALYZE would wait on it. */
    if (st != LI_OK || rows < LI__PG_ANALYSE_ROWS || s->in_tx)
        return st;
    return li__pg_exec(s, "ANALYZE import_rows", err);
}

li_status li__pg_report_rows_each(li_store *store, int64_t job_id, li_row_cb cb, void *ctx,
                                  li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    row_scan x = {cb, ctx};
    li_status st = li__pg_settle_rows(s, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    return li__pg_pages(s,
                        ROW_SELECT " FROM import_rows WHERE job_id=$1 AND" LI__PG_REPORT_ROWS
                                   " AND row_no>$2 ORDER BY row_no LIMIT $3",
                        &a, ROW_COL_row_no, 0, 0, row_fn, &x, err);
}

li_status li__pg_report_rows_count(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *n = 0;
    li_status st = li__pg_settle_rows(s, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    st = li__pg_run(s, "SELECT count(*) FROM import_rows WHERE job_id=$1 AND" LI__PG_REPORT_ROWS,
                    &a, &r, err);
    if (st == LI_OK)
        *n = (uint64_t)li__pg_col_int(r, 0, 0);
    PQclear(r);
    return st;
}

/* --- the pages of rows a review lists ------------------------------------------ */

/* The WHERE of each filter, after "job_id=$1" (as sqlite_rows.c). */
static const char *filter_sql(li_row_filter f) {
    switch (f) {
    case LI_ROWS_INVALID:
        return " AND status='invalid'";
    case LI_ROWS_WARNING:
        return " AND status<>'invalid' AND errors IS NOT NULL AND errors<>'[]'";
    case LI_ROWS_DUPLICATE:
        return " AND match_key IS NOT NULL";
    case LI_ROWS_VALID:
        return " AND status<>'invalid'";
    case LI_ROWS_CHECK:
        return " AND (status='invalid' OR (errors IS NOT NULL AND errors<>'[]')"
               " OR match_key IS NOT NULL)";
    case LI_ROWS_ALL:
        break;
    }
    return "";
}

li_status li__pg_rows_page(li_store *store, int64_t job_id, li_row_filter filter, uint64_t offset,
                           uint64_t limit, uint64_t *total, li_row_cb cb, void *ctx,
                           li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    char sql[1536];
    row_scan x = {cb, ctx};
    *total = 0;
    li_status st = li__pg_settle_rows(s, err); /* reads see queued rows */
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM import_rows WHERE job_id=$1%s",
             filter_sql(filter));
    if ((st = li__pg_run(s, sql, &a, &r, err)) != LI_OK)
        return st;
    *total = (uint64_t)li__pg_col_int(r, 0, 0);
    PQclear(r);
    r = NULL;
    if (offset >= *total)
        return LI_OK;
    /* Where the page starts: the row number before it (a page may be every row). */
    int64_t bound = 0;
    if (offset > 0) {
        li__pg_args b = a;
        b.v[0] = b.num[0];
        li__pg_arg_int(&b, (int64_t)offset - 1);
        snprintf(sql, sizeof sql,
                 "SELECT row_no FROM import_rows WHERE job_id=$1%s ORDER BY row_no LIMIT 1"
                 " OFFSET $2",
                 filter_sql(filter));
        if ((st = li__pg_run(s, sql, &b, &r, err)) != LI_OK)
            return st;
        bound = PQntuples(r) ? li__pg_col_int(r, 0, 0) : INT64_MAX;
        PQclear(r);
    }
    snprintf(sql, sizeof sql,
             ROW_SELECT " FROM import_rows WHERE job_id=$1%s AND row_no>$2 ORDER BY row_no"
                        " LIMIT $3",
             filter_sql(filter));
    return li__pg_pages(s, sql, &a, ROW_COL_row_no, bound, limit, row_fn, &x, err);
}

li_status li__pg_rows_get(li_store *store, int64_t job_id, const uint64_t *row_no, size_t n,
                          li_row_cb cb, void *ctx, li_error *err) {
    li__pg *s = li__pgs(store);
    li_buf list;
    li_status st = li__pg_settle_rows(s, err); /* reads see queued rows */
    li_buf_init(&list, 0);
    /* In the order asked, by chunks: one statement per chunk, not per row. */
    for (size_t at = 0; st == LI_OK && at < n; at += LI__PG_PAGE) {
        size_t m = n - at < LI__PG_PAGE ? n - at : LI__PG_PAGE;
        li_buf_reset(&list);
        st = li_buf_putc(&list, '{');
        for (size_t i = 0; i < m && st == LI_OK; i++)
            st = li_buf_printf(&list, "%s%llu", i ? "," : "", (unsigned long long)row_no[at + i]);
        if (st == LI_OK)
            st = li_buf_putc(&list, '}');
        if (st != LI_OK) {
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
            break;
        }
        li__pg_args a = {0};
        PGresult *r = NULL;
        li__pg_arg_int(&a, job_id);
        li__pg_arg_text(&a, list.data);
        if ((st = li__pg_run(s,
                             ROW_SELECT " FROM unnest($2::bigint[]) WITH ORDINALITY AS u(n, o)"
                                        " JOIN import_rows ON import_rows.job_id=$1"
                                        " AND import_rows.row_no=u.n ORDER BY u.o",
                             &a, &r, err)) != LI_OK)
            break;
        for (int i = 0; i < PQntuples(r) && st == LI_OK; i++) {
            li_staged_row row = row_of(r, i);
            st = cb(&row, ctx);
        }
        PQclear(r);
    }
    li_buf_free(&list);
    return st;
}
