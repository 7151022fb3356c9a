/*
 * sqlite_review.c — what the review step keeps (SQLite backend): the
 * review of a job (import_reviews), the marks of predicted duplicates on
 * staged rows, and the staged rows a review lists, page by page.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

static li_status prepare(li_store *s, const char *sql, sqlite3_stmt **q, li_error *err) {
    if (sqlite3_prepare_v2(li__sqlite_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return li__sqlite_error(s, err);
    return LI_OK;
}

static li_status run_done(li_store *s, sqlite3_stmt *q, li_error *err) {
    li_status st = sqlite3_step(q) == SQLITE_DONE ? LI_OK : li__sqlite_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_review_set(li_store *s, int64_t job_id, const char *json, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li_store_flush(s, err); /* the job row may still be queued with its rows */
    if (st == LI_OK)
        st = prepare(s,
                     json ? "INSERT OR REPLACE INTO import_reviews(job_id, review) VALUES (?1, ?2)"
                          : "DELETE FROM import_reviews WHERE job_id=?1",
                     &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (json)
        sqlite3_bind_text(q, 2, json, -1, SQLITE_TRANSIENT);
    return run_done(s, q, err);
}

li_status li_store_review_get(li_store *s, int64_t job_id, char **json, li_error *err) {
    sqlite3_stmt *q = NULL;
    *json = NULL;
    li_status st = prepare(s, "SELECT review FROM import_reviews WHERE job_id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (t && !(*json = strdup(t)))
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    } else if (rc != SQLITE_DONE) {
        st = li__sqlite_error(s, err);
    }
    sqlite3_finalize(q);
    return st;
}

li_status li_store_row_mark(li_store *s, int64_t job_id, uint64_t row_no, const char *match_key,
                            int64_t match_lead, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li_store_flush(s, err);
    if (st == LI_OK)
        st = prepare(s,
                     "UPDATE import_rows SET match_key=?3, match_lead=?4"
                     " WHERE job_id=?1 AND row_no=?2 AND status='valid'",
                     &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)row_no);
    sqlite3_bind_text(q, 3, match_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, match_lead);
    return run_done(s, q, err);
}

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

static li_slice column_slice(sqlite3_stmt *q, int i) {
    li_slice v = {(const char *)sqlite3_column_text(q, i), (size_t)sqlite3_column_bytes(q, i)};
    if (!v.ptr)
        v.ptr = "";
    return v;
}

li_status li_store_rows_page(li_store *s, int64_t job_id, li_row_filter filter, uint64_t offset,
                             uint64_t limit, uint64_t *total, li_row_cb cb, void *ctx,
                             li_error *err) {
    char sql[512];
    sqlite3_stmt *q = NULL;
    *total = 0;
    li_status st = li_store_flush(s, err); /* reads see queued rows */
    if (st != LI_OK)
        return st;
    snprintf(sql, sizeof sql, "SELECT count(*) FROM import_rows WHERE job_id=?1%s",
             filter_sql(filter));
    if ((st = prepare(s, sql, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *total = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_error(s, err);
    sqlite3_finalize(q);
    if (st != LI_OK || offset >= *total)
        return st;
    snprintf(sql, sizeof sql,
             "SELECT row_no, status, data, errors, lead_id, match_key, match_lead"
             " FROM import_rows WHERE job_id=?1%s ORDER BY row_no LIMIT ?2 OFFSET ?3",
             filter_sql(filter));
    if ((st = prepare(s, sql, &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_int64(q, 2, limit ? (sqlite3_int64)limit : -1);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)offset);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_staged_row row = {
            .row_no = (uint64_t)sqlite3_column_int64(q, 0),
            .status = (const char *)sqlite3_column_text(q, 1),
            .data = column_slice(q, 2),
            .errors = column_slice(q, 3),
            .lead_id = sqlite3_column_int64(q, 4),
            .match_key = (const char *)sqlite3_column_text(q, 5),
            .match_lead = sqlite3_column_int64(q, 6),
        };
        if ((st = cb(&row, ctx)) != LI_OK)
            break;
    }
    if (st == LI_OK && rc != SQLITE_DONE)
        st = li__sqlite_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_rows_get(li_store *s, int64_t job_id, const uint64_t *row_no, size_t n,
                            li_row_cb cb, void *ctx, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li_store_flush(s, err); /* reads see queued rows */
    if (st == LI_OK)
        st = prepare(s,
                     "SELECT row_no, status, data, errors, lead_id, match_key, match_lead"
                     " FROM import_rows WHERE job_id=?1 AND row_no=?2",
                     &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    for (size_t i = 0; i < n && st == LI_OK; i++) {
        sqlite3_bind_int64(q, 2, (sqlite3_int64)row_no[i]);
        int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW) {
            li_staged_row row = {
                .row_no = (uint64_t)sqlite3_column_int64(q, 0),
                .status = (const char *)sqlite3_column_text(q, 1),
                .data = column_slice(q, 2),
                .errors = column_slice(q, 3),
                .lead_id = sqlite3_column_int64(q, 4),
                .match_key = (const char *)sqlite3_column_text(q, 5),
                .match_lead = sqlite3_column_int64(q, 6),
            };
            st = cb(&row, ctx);
        } else if (rc != SQLITE_DONE) {
            st = li__sqlite_error(s, err);
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    return st;
}

li_status li_store_leads_mark(li_store *s, int64_t *mark, li_error *err) {
    sqlite3_stmt *q = NULL;
    *mark = 0;
    li_status st = li_store_flush(s, err);
    if (st == LI_OK)
        st = prepare(s, "SELECT coalesce(max(id), 0) FROM lead_history", &q, err);
    if (st != LI_OK)
        return st;
    if (sqlite3_step(q) == SQLITE_ROW)
        *mark = sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_rows_unmark(li_store *s, int64_t job_id, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li_store_flush(s, err);
    if (st == LI_OK)
        st = prepare(s,
                     "UPDATE import_rows SET match_key=NULL, match_lead=NULL"
                     " WHERE job_id=?1 AND status='valid' AND match_key IS NOT NULL",
                     &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    return run_done(s, q, err);
}

