/*
 * pg_queue.c — the work queue of the PostgreSQL backend (work_items; see
 * store.h, backend.h and sqlite_queue.c, whose rules this keeps).
 *
 * A claim picks its item with FOR UPDATE SKIP LOCKED: a row another
 * transaction is changing (a worker finishing or renewing it) is passed
 * over, never waited for. Claims take turns on a transaction advisory lock
 * (LI__PG_LOCK_CLAIM, a few milliseconds each), so that a dead lease is
 * ended once. Unlike SQLite's, this queue runs exclusive items (those that
 * write leads) side by side: their committers recheck each batch against
 * the others' leads before committing (li__pg_leads_recheck, pg_leads.c);
 * a running exclusive item is how a committer knows others are at work.
 * Leases decide liveness, by the database's
 * clock (the one every machine shares): an item running under an expired
 * lease is runnable again. The same-host fast path of sqlite_queue.c
 * stays: a lease whose owner is a dead process of this host is ended at
 * the claim (li__owner_alive, in C); an owner on another machine is
 * trusted until its lease expires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgInt.h"

#define ITEM_COLUMNS(X)                                                                            \
    X(id, "id")                                                                                    \
    X(job_id, "job_id")                                                                            \
    X(kind, "kind")                                                                                \
    X(state, "state")                                                                              \
    X(exclusive, "exclusive")                                                                      \
    X(attempts, "attempts")                                                                        \
    X(max_attempts, "max_attempts")                                                                \
    X(lease_owner, "lease_owner")                                                                  \
    X(run_at, "run_at")                                                                            \
    X(lease_expiry, "lease_expiry")                                                                \
    X(last_error, "last_error")                                                                    \
    X(leased, "CASE WHEN state='running' AND lease_expiry>=" LI__PG_NOW " THEN 1 ELSE 0 END")

#define ITEM_COL_POS(name, sql) ITEM_COL_##name,
enum { ITEM_COLUMNS(ITEM_COL_POS) ITEM_COL__COUNT };
#define ITEM_COLUMN_TEXT LI__PG_COLUMN_TEXT(ITEM_COLUMNS)

static void item_from_row(const PGresult *r, int i, li_work_item *it) {
    memset(it, 0, sizeof *it);
    it->id = li__pg_col_int(r, i, ITEM_COL_id);
    it->job_id = li__pg_col_int(r, i, ITEM_COL_job_id);
    li_work_kind_parse(li__pg_col_text(r, i, ITEM_COL_kind), &it->kind);
    li_work_state_parse(li__pg_col_text(r, i, ITEM_COL_state), &it->state);
    it->exclusive = (int)li__pg_col_int(r, i, ITEM_COL_exclusive);
    it->attempts = (int)li__pg_col_int(r, i, ITEM_COL_attempts);
    it->max_attempts = (int)li__pg_col_int(r, i, ITEM_COL_max_attempts);
    li__pg_col_copy(it->owner, sizeof it->owner, r, i, ITEM_COL_lease_owner);
    li__pg_col_copy(it->run_at, sizeof it->run_at, r, i, ITEM_COL_run_at);
    li__pg_col_copy(it->lease_expiry, sizeof it->lease_expiry, r, i, ITEM_COL_lease_expiry);
    li__pg_col_copy(it->last_error, sizeof it->last_error, r, i, ITEM_COL_last_error);
    it->live = li__pg_col_int(r, i, ITEM_COL_leased) && li__owner_alive(it->owner);
}

li_status li__pg_work_add(li_store *store, int64_t job_id, li_work_kind kind, int exclusive,
                          int max_attempts, double delay_s, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    char now[32];
    li_store_now(now);
    li__pg_arg_int(&a, job_id);
    li__pg_arg_text(&a, li_work_kind_name(kind));
    li__pg_arg_int(&a, exclusive);
    li__pg_arg_f64(&a, delay_s);
    li__pg_arg_int(&a, max_attempts > 0 ? max_attempts : 1);
    li__pg_arg_text(&a, now);
    return li__pg_run(s,
                      "INSERT INTO work_items (job_id, kind, state, exclusive, run_at,"
                      " max_attempts, created_at) VALUES ($1, $2, 'queued', $3, " LI__PG_NOW_PLUS(
                          "$4") ", $5, $6)",
                      &a, NULL, err);
}

/*
 * The same-host fast path, in the claim's transaction: ends the unexpired
 * lease of every running item whose owner is a dead process of this host
 * (its expiry set to past), so that the lease rule of the claim takes it.
 */
static li_status end_dead_leases(li__pg *s, const char *now, const char *past, li_error *err) {
    li__pg_args a = {0};
    PGresult *r = NULL;
    li__pg_arg_text(&a, now);
    li_status st = li__pg_run(s,
                              "SELECT id, lease_owner FROM work_items"
                              " WHERE state='running' AND lease_expiry>=$1",
                              &a, &r, err);
    for (int i = 0; st == LI_OK && i < PQntuples(r); i++) {
        const char *owner = li__pg_col_text(r, i, 1);
        if (!owner || li__owner_alive(owner))
            continue;
        li__pg_args u = {0};
        li__pg_arg_int(&u, li__pg_col_int(r, i, 0));
        li__pg_arg_text(&u, past);
        st = li__pg_run(s, "UPDATE work_items SET lease_expiry=$2 WHERE id=$1 AND state='running'",
                        &u, NULL, err);
    }
    PQclear(r);
    return st;
}

li_status li__pg_work_claim(li_store *store, const char *owner, int64_t job_id, double lease_s,
                            li_work_item *it, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    int own_tx = !s->in_tx;
    char sql[512], now[32], past[32], expiry[32];
    li_status st = LI_OK;
    *found = 0;
    if (own_tx && (st = li__pg_begin(store, err)) != LI_OK)
        return st;
    /* The lock first, then the clock: the times are read once it is ours. */
    snprintf(sql, sizeof sql,
             "SELECT pg_advisory_xact_lock(%lld); SELECT " LI__PG_NOW ", " LI__PG_STAMP(
                 "clock_timestamp() - interval '1 second'") ", " LI__PG_STAMP("clock_timestamp()"
                                                                              " + %.3f * interval"
                                                                              " '1 second'"),
             LI__PG_LOCK_CLAIM, lease_s);
    if ((st = li__pg_run(s, sql, NULL, &r, err)) != LI_OK)
        goto out;
    li__pg_col_copy(now, sizeof now, r, 0, 0);
    li__pg_col_copy(past, sizeof past, r, 0, 1);
    li__pg_col_copy(expiry, sizeof expiry, r, 0, 2);
    PQclear(r);
    r = NULL;
    if ((st = end_dead_leases(s, now, past, err)) != LI_OK)
        goto out;
    /* Runnable: queued and due, or running under an expired lease. */
    li__pg_args a = {0};
    li__pg_arg_text(&a, owner);
    li__pg_arg_text(&a, expiry);
    li__pg_arg_text(&a, now);
    li__pg_arg_int(&a, job_id);
    if ((st = li__pg_run(s,
                         "UPDATE work_items SET state='running', lease_owner=$1, lease_expiry=$2,"
                         " attempts=attempts+1 WHERE id=(SELECT w.id FROM work_items w"
                         " WHERE w.state IN ('queued','running') AND ($4::bigint=0 OR w.job_id=$4)"
                         " AND ((w.state='queued' AND w.run_at<=$3) OR (w.state='running' AND"
                         " w.lease_expiry<$3))"
                         " ORDER BY w.run_at, w.id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                         " RETURNING " ITEM_COLUMN_TEXT,
                         &a, &r, err)) != LI_OK)
        goto out;
    if (PQntuples(r) == 1) {
        item_from_row(r, 0, it);
        *found = 1;
        li__pg_args j = {0};
        li__pg_arg_int(&j, it->job_id);
        li__pg_arg_text(&j, owner);
        li__pg_arg_int(&j, it->attempts);
        if ((st = li__pg_run(s, "UPDATE import_jobs SET worker=$2, attempts=$3 WHERE id=$1", &j,
                             NULL, err)) != LI_OK)
            goto out;
    }
    if (own_tx)
        st = li__pg_commit(store, err);
out:
    PQclear(r);
    if (st != LI_OK) {
        *found = 0;
        if (own_tx)
            li__pg_rollback(store);
    }
    return st;
}

li_status li__pg_work_renew(li_store *store, int64_t id, const char *owner, double lease_s,
                            int *held, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *held = 0;
    li__pg_arg_int(&a, id);
    li__pg_arg_text(&a, owner);
    li__pg_arg_f64(&a, lease_s);
    li_status st = li__pg_run(s,
                              "UPDATE work_items SET lease_expiry=" LI__PG_NOW_PLUS("$3") ","
                              " attempts=1 WHERE id=$1 AND lease_owner=$2 AND state='running'",
                              &a, &r, err);
    if (st == LI_OK)
        *held = li__pg_changes(r) > 0;
    PQclear(r);
    if (st != LI_OK || !*held)
        return st;
    /* Progress was made: the attempts shown with the job start again. */
    a.n = 1;
    return li__pg_run(s,
                      "UPDATE import_jobs SET attempts=1 WHERE attempts<>1 AND"
                      " id=(SELECT job_id FROM work_items WHERE id=$1)",
                      &a, NULL, err);
}

/* One UPDATE of the item owner holds: $1 id, $2 owner, $3 text; when: $4 (a time, text). */
static li_status item_update(li__pg *s, const char *sql, int64_t id, const char *owner,
                             const char *text, const char *when, li_error *err) {
    li__pg_args a = {0};
    li__pg_arg_int(&a, id);
    li__pg_arg_text(&a, owner);
    li__pg_arg_text(&a, text);
    li__pg_arg_text(&a, when);
    return li__pg_run(s, sql, &a, NULL, err);
}

li_status li__pg_work_finish(li_store *store, int64_t id, const char *owner, li_work_state state,
                             const char *error, li_error *err) {
    char now[32];
    li_store_now(now);
    const char *sql = state == LI_ITEM_DEAD
                          ? "UPDATE work_items SET state='dead', last_error=$3, finished_at=$4,"
                            " lease_expiry=NULL WHERE id=$1 AND lease_owner=$2"
                      : state == LI_ITEM_CANCELLED
                          ? "UPDATE work_items SET state='cancelled', last_error=coalesce($3,"
                            " last_error), finished_at=$4, lease_expiry=NULL"
                            " WHERE id=$1 AND lease_owner=$2"
                          : "UPDATE work_items SET state='done', last_error=coalesce($3,"
                            " last_error), finished_at=$4, lease_expiry=NULL"
                            " WHERE id=$1 AND lease_owner=$2";
    return item_update(li__pgs(store), sql, id, owner, error, now, err);
}

li_status li__pg_work_retry(li_store *store, int64_t id, const char *owner, const char *error,
                            double delay_s, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li__pg_arg_int(&a, id);
    li__pg_arg_text(&a, owner);
    li__pg_arg_text(&a, error);
    li__pg_arg_f64(&a, delay_s);
    return li__pg_run(s,
                      "UPDATE work_items SET state='queued', last_error=$3, run_at=" LI__PG_NOW_PLUS(
                          "$4") ", lease_expiry=NULL WHERE id=$1 AND lease_owner=$2",
                      &a, NULL, err);
}

li_status li__pg_work_release(li_store *store, int64_t id, const char *owner, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li__pg_arg_int(&a, id);
    li__pg_arg_text(&a, owner);
    return li__pg_run(s,
                      "UPDATE work_items SET state='queued', run_at=" LI__PG_NOW ","
                      " lease_expiry=NULL, attempts=greatest(attempts-1, 0)"
                      " WHERE id=$1 AND lease_owner=$2 AND state='running'",
                      &a, NULL, err);
}

li_status li__pg_work_cancel_job(li_store *store, int64_t job_id, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    char now[32];
    li_store_now(now);
    li__pg_arg_int(&a, job_id);
    li__pg_arg_text(&a, now);
    return li__pg_run(s,
                      "UPDATE work_items SET state='cancelled', finished_at=$2"
                      " WHERE job_id=$1 AND state='queued'",
                      &a, NULL, err);
}

li_status li__pg_work_pending(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *n = 0;
    li__pg_arg_int(&a, job_id);
    li_status st = li__pg_run(s,
                              "SELECT count(*) FROM work_items WHERE state IN ('queued','running')"
                              " AND ($1::bigint=0 OR job_id=$1)",
                              &a, &r, err);
    if (st == LI_OK)
        *n = (uint64_t)li__pg_col_int(r, 0, 0);
    PQclear(r);
    return st;
}

li_status li__pg_work_each(li_store *store, int64_t job_id, li_work_cb cb, void *ctx,
                           li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li__pg_arg_int(&a, job_id);
    /* A job has a handful of items: one result, read whole. */
    li_status st = li__pg_run(s,
                              "SELECT " ITEM_COLUMN_TEXT " FROM work_items WHERE job_id=$1"
                              " ORDER BY id",
                              &a, &r, err);
    li_work_item it;
    for (int i = 0; st == LI_OK && i < PQntuples(r); i++) {
        item_from_row(r, i, &it);
        st = cb(&it, ctx);
    }
    PQclear(r);
    return st;
}
