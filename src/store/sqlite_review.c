/*
 * sqlite_review.c — what the review step keeps (SQLite backend): the
 * review of a job (import_reviews) and the marks of predicted duplicates
 * on staged rows (the pages of rows a review lists are read in
 * sqlite_rows.c, with the other reads of staged rows).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

li_status li__sqlite_review_set(li_store *store, int64_t job_id, const char *json, li_error *err) {
    sqlite3_stmt *q = NULL;
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle(s, err); /* the job row may still be queued with its rows */
    if (st == LI_OK)
        st = li__sqlite_prepare(
            s,
            json ? "INSERT OR REPLACE INTO import_reviews(job_id, review) VALUES (?1, ?2)"
                 : "DELETE FROM import_reviews WHERE job_id=?1",
            &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (json)
        sqlite3_bind_text(q, 2, json, -1, SQLITE_TRANSIENT);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_review_get(li_store *store, int64_t job_id, char **json, li_error *err) {
    sqlite3_stmt *q = NULL;
    li__sqlite *s = li__sq(store);
    *json = NULL;
    li_status st =
        li__sqlite_prepare(s, "SELECT review FROM import_reviews WHERE job_id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (t && !(*json = strdup(t)))
            st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    } else if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
    }
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_row_mark(li_store *store, int64_t job_id, uint64_t row_no,
                              const char *match_key, int64_t match_lead, li_error *err) {
    /* Called for each predicted duplicate: a cached statement. */
    static const char sql[] = "UPDATE import_rows SET match_key=?3, match_lead=?4"
                              " WHERE job_id=?1 AND row_no=?2 AND status='valid'";
    sqlite3_stmt *q = NULL;
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle(s, err);
    if (st == LI_OK)
        st = li__sqlite_stmt(s, sql, 1, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)row_no);
    sqlite3_bind_text(q, 3, match_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, match_lead);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_clear_bindings(q);
    return st;
}

li_status li__sqlite_leads_mark(li_store *store, int64_t *mark, li_error *err) {
    sqlite3_stmt *q = NULL;
    *mark = 0;
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle(s, err);
    if (st == LI_OK)
        st = li__sqlite_prepare(s, "SELECT coalesce(max(id), 0) FROM lead_history", &q, err);
    if (st != LI_OK)
        return st;
    if (sqlite3_step(q) == SQLITE_ROW)
        *mark = sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_rows_unmark(li_store *store, int64_t job_id, li_error *err) {
    sqlite3_stmt *q = NULL;
    li__sqlite *s = li__sq(store);
    li_status st = li__sqlite_settle(s, err);
    if (st == LI_OK)
        st = li__sqlite_prepare(s,
                                "UPDATE import_rows SET match_key=NULL, match_lead=NULL"
                                " WHERE job_id=?1 AND status='valid' AND match_key IS NOT NULL",
                                &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    return li__sqlite_done(s, q, err);
}
