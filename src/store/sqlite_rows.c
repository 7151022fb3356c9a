/*
 * sqlite_rows.c — staged rows in the SQLite backend (import_rows; see
 * store.h). Writing them is deferred and batched (sqlite_batch.c); here
 * they are read back.
 */
#include <stdio.h>
#include <string.h>

#include "storeInt.h"

/*
 * A valid row at or below its job's commit checkpoint was committed and
 * only created its lead (the commit stage rewrites every other outcome):
 * it reads as imported, without values, its lead the one the job made
 * from its row: as the one-pass path writes such a row. Every
 * query binds the job as ?1; the checkpoint, a constant subquery, is read
 * once per statement, the lead only for such a row.
 */
#define ROW_COMMITTED                                                                              \
    "(import_rows.status='valid' AND"                                                              \
    " import_rows.row_no<=(SELECT commit_row FROM import_jobs WHERE id=?1))"
/* The columns of a staged row, read by rows_scan(). */
#define ROW_STATUS "(CASE WHEN " ROW_COMMITTED " THEN 'imported' ELSE import_rows.status END)"
#define ROW_COLUMNS(X)                                                                             \
    X(row_no, "row_no")                                                                            \
    X(status, ROW_STATUS)                                                                          \
    X(data, "CASE WHEN " ROW_COMMITTED " THEN NULL ELSE data END")                              \
    X(errors, "errors")                                                                            \
    X(lead_id, "CASE WHEN import_rows.lead_id IS NULL AND " ROW_COMMITTED                         \
               " THEN (SELECT id FROM leads WHERE import_job_id=?1 AND"                            \
               " import_row=import_rows.row_no) ELSE import_rows.lead_id END")                     \
    X(match_key, "match_key")                                                                      \
    X(match_lead, "match_lead")

#define ROW_COL_POS(name, sql) ROW_COL_##name,
enum { ROW_COLUMNS(ROW_COL_POS) ROW_COL__COUNT };
#define ROW_SELECT "SELECT " LI__SQLITE_COLUMN_TEXT(ROW_COLUMNS)

/* The rows a report lists, through the partial index that holds exactly them. */
#define REPORT_ROWS_OF_JOB                                                                         \
    " FROM import_rows INDEXED BY import_rows_listed WHERE job_id=?1 AND" LI__SQLITE_REPORT_ROWS

/* The staged row q (a ROW_SELECT) stands on; its strings are q's. */
static li_staged_row row_of(sqlite3_stmt *q) {
    return (li_staged_row){
        .row_no = (uint64_t)sqlite3_column_int64(q, ROW_COL_row_no),
        .status = (const char *)sqlite3_column_text(q, ROW_COL_status),
        .data = li__sqlite_col_slice(q, ROW_COL_data),
        .errors = li__sqlite_col_slice(q, ROW_COL_errors),
        .lead_id = sqlite3_column_int64(q, ROW_COL_lead_id),
        .match_key = (const char *)sqlite3_column_text(q, ROW_COL_match_key),
        .match_lead = sqlite3_column_int64(q, ROW_COL_match_lead),
    };
}

/* Runs q (its parameters bound) and hands each row to cb. Finalizes q. */
static li_status rows_scan(li__sqlite *s, sqlite3_stmt *q, li_row_cb cb, void *ctx, li_error *err) {
    li_status st = LI_OK;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_staged_row row = row_of(q);
        if ((st = cb(&row, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_rows_each(li_store *store, int64_t job_id, uint64_t after, const char *status,
                               uint64_t limit, li_row_cb cb, void *ctx, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle_rows(s, err); /* reads see queued rows */
    if (st != LI_OK)
        return st;
    const char *sql = status ? ROW_SELECT
                          " FROM import_rows"
                          " WHERE job_id=?1 AND row_no>?2 AND " ROW_STATUS "=?3 ORDER BY row_no"
                          " LIMIT ?4"
                             : ROW_SELECT " FROM import_rows"
                                          " WHERE job_id=?1 AND row_no>?2 ORDER BY row_no LIMIT ?4";
    if ((st = li__sqlite_prepare(s, sql, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)after);
    if (status)
        sqlite3_bind_text(q, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, limit ? (sqlite3_int64)limit : -1);
    return rows_scan(s, q, cb, ctx, err);
}

/* SQLite walks the primary key in row order for rows_each without statistics. */
li_status li__sqlite_rows_staged(li_store *store, int64_t job_id, uint64_t rows, li_error *err) {
    (void)job_id, (void)rows;
    return li__sqlite_settle_rows(li__sq(store), err);
}

li_status li__sqlite_report_rows_each(li_store *store, int64_t job_id, li_row_cb cb, void *ctx,
                                      li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_settle_rows(s, err);
    if (st != LI_OK || (st = li__sqlite_prepare(s, ROW_SELECT REPORT_ROWS_OF_JOB " ORDER BY row_no",
                                                &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    return rows_scan(s, q, cb, ctx, err);
}

li_status li__sqlite_report_rows_count(li_store *store, int64_t job_id, uint64_t *n,
                                       li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *n = 0;
    li_status st = li__sqlite_settle_rows(s, err);
    if (st != LI_OK ||
        (st = li__sqlite_prepare(s, "SELECT count(*)" REPORT_ROWS_OF_JOB, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

/* --- the pages of rows a review lists ------------------------------------------ */

/* The WHERE of each filter, after "job_id=?1". */
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

li_status li__sqlite_rows_page(li_store *store, int64_t job_id, li_row_filter filter,
                               uint64_t offset, uint64_t limit, uint64_t *total, li_row_cb cb,
                               void *ctx, li_error *err) {
    char sql[1024];
    sqlite3_stmt *q = NULL;
    *total = 0;
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle_rows(s, err); /* reads see queued rows */
    if (st != LI_OK)
        return st;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM import_rows WHERE job_id=?1%s",
             filter_sql(filter));
    if ((st = li__sqlite_prepare(s, sql, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *total = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    if (st != LI_OK || offset >= *total)
        return st;
    snprintf(sql, sizeof sql,
             ROW_SELECT " FROM import_rows WHERE job_id=?1%s ORDER BY row_no LIMIT ?2 OFFSET ?3",
             filter_sql(filter));
    if ((st = li__sqlite_prepare(s, sql, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_int64(q, 2, limit ? (sqlite3_int64)limit : -1);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)offset);
    return rows_scan(s, q, cb, ctx, err);
}

li_status li__sqlite_rows_get(li_store *store, int64_t job_id, const uint64_t *row_no, size_t n,
                              li_row_cb cb, void *ctx, li_error *err) {
    sqlite3_stmt *q = NULL;
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle_rows(s, err); /* reads see queued rows */
    if (st == LI_OK)
        st = li__sqlite_prepare(s, ROW_SELECT " FROM import_rows WHERE job_id=?1 AND row_no=?2", &q,
                                err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    for (size_t i = 0; i < n && st == LI_OK; i++) {
        sqlite3_bind_int64(q, 2, (sqlite3_int64)row_no[i]);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            li_staged_row row = row_of(q);
            st = cb(&row, ctx);
        } else if (rc != SQLITE_DONE) {
            st = li__sqlite_fail(s, err);
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return st;
}
