/*
 * sqlite_queue.c — the work queue of the SQLite backend (work_items; see
 * store.h and backend.h).
 *
 * Claims run under BEGIN IMMEDIATE: SQLite has one writer at a time, so
 * the select-then-update of a claim cannot interleave with another claim
 * (PostgreSQL will use FOR UPDATE SKIP LOCKED instead). Leases decide: an
 * item running under an expired lease is runnable again. Their fast path
 * on one machine is in C, in the claim's transaction: the running items
 * under a lease are read, and those whose owner is a process of this host
 * that no longer exists (li__owner_alive) have their lease ended at once,
 * so a worker killed by SIGKILL costs nothing but its last uncommitted
 * batch. The owner of an item on another host is trusted until its lease
 * expires.
 *
 * Times are stored as text in li_store_now()'s format, which orders like
 * time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

/* The columns of a work item, read by item_from_row(). */
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
    X(leased, "state='running' AND lease_expiry>=strftime('%Y-%m-%dT%H:%M:%fZ','now')")

#define ITEM_COL_POS(name, sql) ITEM_COL_##name,
enum { ITEM_COLUMNS(ITEM_COL_POS) ITEM_COL__COUNT };
#define ITEM_COLUMN_TEXT LI__SQLITE_COLUMN_TEXT(ITEM_COLUMNS)

/*
 * The store boundary: kind and state are stored as their names, which the
 * table's CHECK constraints keep to the known ones; the enum's first value
 * stays only if a CHECK was bypassed, and then with its name readable in
 * the database.
 */
static void item_from_row(sqlite3_stmt *q, li_work_item *it) {
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(q, ITEM_COL_id);
    it->job_id = sqlite3_column_int64(q, ITEM_COL_job_id);
    li_work_kind_parse((const char *)sqlite3_column_text(q, ITEM_COL_kind), &it->kind);
    li_work_state_parse((const char *)sqlite3_column_text(q, ITEM_COL_state), &it->state);
    it->exclusive = sqlite3_column_int(q, ITEM_COL_exclusive);
    it->attempts = sqlite3_column_int(q, ITEM_COL_attempts);
    it->max_attempts = sqlite3_column_int(q, ITEM_COL_max_attempts);
    li__sqlite_col_copy(it->owner, sizeof it->owner, q, ITEM_COL_lease_owner);
    li__sqlite_col_copy(it->run_at, sizeof it->run_at, q, ITEM_COL_run_at);
    li__sqlite_col_copy(it->lease_expiry, sizeof it->lease_expiry, q, ITEM_COL_lease_expiry);
    li__sqlite_col_copy(it->last_error, sizeof it->last_error, q, ITEM_COL_last_error);
    it->live = sqlite3_column_int(q, ITEM_COL_leased) && li__owner_alive(it->owner);
}

li_status li__sqlite_work_add(li_store *store, int64_t job_id, li_work_kind kind, int exclusive,
                              int max_attempts, double delay_s, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    char now[32], run_at[32];
    li_store_now(now);
    li__sqlite_stamp_in(delay_s, run_at);
    li_status st = li__sqlite_prepare(s,
                                      "INSERT INTO work_items (job_id, kind, state, exclusive,"
                                      " run_at, max_attempts, created_at)"
                                      " VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6)",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_text(q, 2, li_work_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, exclusive);
    sqlite3_bind_text(q, 4, run_at, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 5, max_attempts > 0 ? max_attempts : 1);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_STATIC);
    return li__sqlite_done(s, q, err);
}

/*
 * The same-host fast path (see the top of the file), inside the claim's
 * transaction: ends the unexpired lease of every running item whose owner
 * is a dead process of this host, by setting its expiry to past (before
 * now), so that the lease rule of the claim takes it back.
 */
static li_status end_dead_leases(li__sqlite *s, const char *now, const char *past, li_error *err) {
    sqlite3_stmt *q = NULL, *u = NULL;
    li_status st = li__sqlite_prepare(s,
                                      "SELECT id, lease_owner FROM work_items"
                                      " WHERE state='running' AND lease_expiry>=?1",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(q, 1);
        if (!owner || li__owner_alive(owner))
            continue;
        if ((st = li__sqlite_prepare(s,
                                     "UPDATE work_items SET lease_expiry=?2"
                                     " WHERE id=?1 AND state='running'",
                                     &u, err)) != LI_OK)
            goto out;
        sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
        sqlite3_bind_text(u, 2, past, -1, SQLITE_STATIC);
        if ((st = li__sqlite_done(s, u, err)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_work_claim(li_store *store, const char *owner, int64_t job_id, double lease_s,
                                li_work_item *it, int *found, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    char now[32], expiry[32], past[32];
    int own_tx = sqlite3_get_autocommit(s->db);
    li_status st = LI_OK;
    *found = 0;
    if (own_tx && (st = li__sqlite_begin(store, err)) != LI_OK)
        return st;
    li__sqlite_stamp_in(-1.0, past);
    li_store_now(now);
    li__sqlite_stamp_in(lease_s, expiry);
    if ((st = end_dead_leases(s, now, past, err)) != LI_OK)
        goto out;
    /* Runnable: queued and due, or running under an expired lease. An
     * exclusive item waits while another one runs under a lease. */
    if ((st = li__sqlite_prepare(
             s,
             "UPDATE work_items SET state='running', lease_owner=?1, lease_expiry=?2,"
             " attempts=attempts+1 WHERE id=(SELECT w.id FROM work_items w"
             " WHERE w.state IN ('queued','running') AND (?4=0 OR w.job_id=?4)"
             " AND ((w.state='queued' AND w.run_at<=?3) OR (w.state='running' AND"
             " w.lease_expiry<?3))"
             " AND (w.exclusive=0 OR NOT EXISTS (SELECT 1 FROM work_items x"
             " WHERE x.state='running' AND x.exclusive=1 AND x.id<>w.id"
             " AND x.lease_expiry>=?3))"
             " ORDER BY w.run_at, w.id LIMIT 1) RETURNING " ITEM_COLUMN_TEXT,
             &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, expiry, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, now, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        item_from_row(q, it);
        *found = 1;
        rc = sqlite3_step(q);
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    if (*found) {
        if ((st = li__sqlite_prepare(s, "UPDATE import_jobs SET worker=?2, attempts=?3 WHERE id=?1",
                                     &q, err)) != LI_OK)
            goto out;
        sqlite3_bind_int64(q, 1, it->job_id);
        sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, it->attempts);
        if ((st = li__sqlite_done(s, q, err)) != LI_OK)
            goto out;
    }
    if (own_tx)
        st = li__sqlite_commit(store, err);
out:
    if (st != LI_OK) {
        *found = 0;
        if (own_tx)
            li__sqlite_rollback(store);
    }
    return st;
}

li_status li__sqlite_work_renew(li_store *store, int64_t id, const char *owner, double lease_s,
                                int *held, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    char expiry[32];
    li__sqlite_stamp_in(lease_s, expiry);
    *held = 0;
    li_status st = li__sqlite_prepare(s,
                                      "UPDATE work_items SET lease_expiry=?3, attempts=1"
                                      " WHERE id=?1 AND lease_owner=?2 AND state='running'",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, expiry, -1, SQLITE_STATIC);
    if ((st = li__sqlite_done(s, q, err)) != LI_OK)
        return st;
    *held = sqlite3_changes(s->db) > 0;
    if (!*held)
        return LI_OK;
    /* Progress was made: the attempts shown with the job start again. */
    if ((st = li__sqlite_prepare(s,
                                 "UPDATE import_jobs SET attempts=1 WHERE attempts<>1 AND"
                                 " id=(SELECT job_id FROM work_items WHERE id=?1)",
                                 &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    return li__sqlite_done(s, q, err);
}

/* Runs one UPDATE of the item owner holds, with bindings ?1 id, ?2 owner, ?3 text, ?4 time. */
static li_status item_update(li__sqlite *s, const char *sql, int64_t id, const char *owner,
                             const char *text, const char *when, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, sql, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
    li__sqlite_bind_text(q, 3, text);
    sqlite3_bind_text(q, 4, when, -1, SQLITE_STATIC);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_work_finish(li_store *store, int64_t id, const char *owner,
                                 li_work_state state, const char *error, li_error *err) {
    char now[32];
    li_store_now(now);
    const char *sql = state == LI_ITEM_DEAD
                          ? "UPDATE work_items SET state='dead', last_error=?3, finished_at=?4,"
                            " lease_expiry=NULL WHERE id=?1 AND lease_owner=?2"
                      : state == LI_ITEM_CANCELLED
                          ? "UPDATE work_items SET state='cancelled', last_error=coalesce(?3,"
                            " last_error), finished_at=?4, lease_expiry=NULL"
                            " WHERE id=?1 AND lease_owner=?2"
                          : "UPDATE work_items SET state='done', last_error=coalesce(?3,"
                            " last_error), finished_at=?4, lease_expiry=NULL"
                            " WHERE id=?1 AND lease_owner=?2";
    return item_update(li__sq(store), sql, id, owner, error, now, err);
}

li_status li__sqlite_work_retry(li_store *store, int64_t id, const char *owner, const char *error,
                                double delay_s, li_error *err) {
    char run_at[32];
    li__sqlite_stamp_in(delay_s, run_at);
    return item_update(li__sq(store),
                       "UPDATE work_items SET state='queued', last_error=?3, run_at=?4,"
                       " lease_expiry=NULL WHERE id=?1 AND lease_owner=?2",
                       id, owner, error, run_at, err);
}

li_status li__sqlite_work_release(li_store *store, int64_t id, const char *owner, li_error *err) {
    char now[32];
    li_store_now(now);
    return item_update(li__sq(store),
                       "UPDATE work_items SET state='queued', run_at=?4, lease_expiry=NULL,"
                       " attempts=max(attempts-1, 0), last_error=coalesce(?3, last_error)"
                       " WHERE id=?1 AND lease_owner=?2 AND state='running'",
                       id, owner, NULL, now, err);
}

li_status li__sqlite_work_cancel_job(li_store *store, int64_t job_id, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    char now[32];
    li_store_now(now);
    li_status st = li__sqlite_prepare(s,
                                      "UPDATE work_items SET state='cancelled', finished_at=?2"
                                      " WHERE job_id=?1 AND state='queued'",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_work_pending(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *n = 0;
    li_status st = li__sqlite_prepare(s,
                                      "SELECT count(*) FROM work_items"
                                      " WHERE state IN ('queued','running')"
                                      " AND (?1=0 OR job_id=?1)",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_work_each(li_store *store, int64_t job_id, li_work_cb cb, void *ctx,
                               li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(
        s, "SELECT " ITEM_COLUMN_TEXT " FROM work_items WHERE job_id=?1 ORDER BY id", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc;
    li_work_item it;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        item_from_row(q, &it);
        if ((st = cb(&it, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}
