/*
 * pg_review.c — what the review step keeps (PostgreSQL backend; see
 * sqlite_review.c): the review of a job (import_reviews) and the marks of
 * predicted duplicates on staged rows.
 */
#include <stdlib.h>
#include <string.h>

#include "pgInt.h"

li_status li__pg_review_set(li_store *store, int64_t job_id, const char *json, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li_status st = li__pg_settle(s, err); /* the job's rows may still be queued */
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    if (!json)
        return li__pg_run(s, "DELETE FROM import_reviews WHERE job_id=$1", &a, NULL, err);
    li__pg_arg_slice(&a, li_slice_of(json));
    if (!*json) /* NOT NULL: "" stays "" */
        a.v[1] = "", a.fmt[1] = 0;
    return li__pg_run(s,
                      "INSERT INTO import_reviews (job_id, review) VALUES ($1, $2)"
                      " ON CONFLICT (job_id) DO UPDATE SET review=EXCLUDED.review",
                      &a, NULL, err);
}

li_status li__pg_review_get(li_store *store, int64_t job_id, char **json, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *json = NULL;
    li__pg_arg_int(&a, job_id);
    li_status st =
        li__pg_run(s, "SELECT review FROM import_reviews WHERE job_id=$1", &a, &r, err);
    if (st == LI_OK && PQntuples(r) == 1)
        st = li__pg_col_dup(r, 0, 0, json, err);
    PQclear(r);
    return st;
}

li_status li__pg_row_mark(li_store *store, int64_t job_id, uint64_t row_no, const char *match_key,
                          int64_t match_lead, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li_status st = li__pg_settle(s, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    li__pg_arg_int(&a, (int64_t)row_no);
    li__pg_arg_text(&a, match_key);
    li__pg_arg_int(&a, match_lead);
    return li__pg_run(s,
                      "UPDATE import_rows SET match_key=$3, match_lead=$4"
                      " WHERE job_id=$1 AND row_no=$2 AND status='valid'",
                      &a, NULL, err);
}

li_status li__pg_leads_mark(li_store *store, int64_t *mark, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    *mark = 0;
    li_status st = li__pg_settle(s, err);
    if (st == LI_OK &&
        (st = li__pg_run(s, "SELECT coalesce(max(id), 0) FROM lead_history", NULL, &r, err)) ==
            LI_OK)
        *mark = li__pg_col_int(r, 0, 0);
    PQclear(r);
    return st;
}

li_status li__pg_rows_unmark(li_store *store, int64_t job_id, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li_status st = li__pg_settle(s, err);
    if (st != LI_OK)
        return st;
    li__pg_arg_int(&a, job_id);
    return li__pg_run(s,
                      "UPDATE import_rows SET match_key=NULL, match_lead=NULL"
                      " WHERE job_id=$1 AND status='valid' AND match_key IS NOT NULL",
                      &a, NULL, err);
}
