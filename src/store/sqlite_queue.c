/*
 * sqlite_queue.c — the work queue of the SQLite backend (see store.h), and
 * what the queue needs of a job: its options, its stored file and report,
 * deleting it.
 *
 * Claims run under BEGIN IMMEDIATE: SQLite has one writer at a time, so
 * the select-then-update of a claim cannot interleave with another claim
 * (PostgreSQL will use FOR UPDATE SKIP LOCKED instead). An item whose owner
 * is a process of this host that no longer exists is claimed back at once:
 * the SQL function li_owner_alive() asks the kernel, so a worker killed by
 * SIGKILL costs nothing but its last uncommitted batch. The owner of an
 * item on another host is trusted until its lease expires.
 *
 * Times are stored as text in li_store_now()'s format, which orders like
 * time.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "leadimport/store.h"
#include "storeInt.h"

static char host_name[256];

static void read_host_name(void) {
    if (gethostname(host_name, sizeof host_name - 1) != 0)
        snprintf(host_name, sizeof host_name, "localhost");
}

/* now + secs in li_store_now()'s format. */
static void stamp_in(double secs, char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    double t = (double)tv.tv_sec + (double)tv.tv_usec / 1e6 + secs;
    time_t whole = (time_t)t;
    struct tm tm;
    gmtime_r(&whole, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)((t - (double)whole) * 1000.0) % 1000u);
}

/*
 * 0 if owner ("host:pid:thread") is a process of this host that is gone
 * (or a zombie nobody reaped yet), 1 otherwise: alive, or on another host,
 * or unreadable (then the lease expiry decides).
 */
static int owner_alive(const char *owner) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, read_host_name);
    const char *last = owner ? strrchr(owner, ':') : NULL;
    if (!last || last == owner)
        return 1;
    const char *p = last - 1;
    while (p > owner && *p != ':')
        p--;
    if (*p != ':')
        return 1;
    size_t hlen = (size_t)(p - owner);
    if (hlen != strlen(host_name) || memcmp(owner, host_name, hlen) != 0)
        return 1;
    char *end = NULL;
    long pid = strtol(p + 1, &end, 10);
    if (end != last || pid <= 0)
        return 1;
    if ((pid_t)pid == getpid())
        return 1;
    if (kill((pid_t)pid, 0) != 0)
        return errno != ESRCH;
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *paren = strrchr(buf, ')'); /* "pid (comm) S ..." */
    return !(paren && paren[1] == ' ' && paren[2] == 'Z');
}

static void sql_owner_alive(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    const char *owner = (const char *)sqlite3_value_text(argv[0]);
    sqlite3_result_int(ctx, owner ? owner_alive(owner) : 0);
}

li_status li__sqlite_queue_setup(li_store *s, li_error *err) {
    if (sqlite3_create_function(li__sqlite_db(s), "li_owner_alive", 1, SQLITE_UTF8, NULL,
                                sql_owner_alive, NULL, NULL) != SQLITE_OK)
        return li__sqlite_error(s, err);
    return LI_OK;
}

/* Prepares sql or fails with the database's message. */
static li_status prepare(li_store *s, const char *sql, sqlite3_stmt **q, li_error *err) {
    if (sqlite3_prepare_v2(li__sqlite_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return li__sqlite_error(s, err);
    return LI_OK;
}

/* Steps a statement that returns no row, then finalizes it. */
static li_status run_done(li_store *s, sqlite3_stmt *q, li_error *err) {
    li_status st = sqlite3_step(q) == SQLITE_DONE ? LI_OK : li__sqlite_error(s, err);
    sqlite3_finalize(q);
    return st;
}

static void bind_text_or_null(sqlite3_stmt *q, int i, const char *v) {
    if (v && *v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *q, int col) {
    const unsigned char *t = sqlite3_column_text(q, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

/* --- jobs: options, files, deletion ------------------------------------------ */

li_status li_store_job_set_options(li_store *s, int64_t job_id, const char *options_json,
                                   const char *blob_key, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = prepare(s, "UPDATE import_jobs SET options=?2, blob_key=?3 WHERE id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    bind_text_or_null(q, 2, options_json);
    bind_text_or_null(q, 3, blob_key);
    return run_done(s, q, err);
}

li_status li_store_job_set_report(li_store *s, int64_t job_id, const char *report_key,
                                  li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = prepare(s, "UPDATE import_jobs SET report_key=?2 WHERE id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    bind_text_or_null(q, 2, report_key);
    return run_done(s, q, err);
}

static li_status dup_col(sqlite3_stmt *q, int col, char **out, li_error *err) {
    if (!out)
        return LI_OK;
    const char *t = (const char *)sqlite3_column_text(q, col);
    *out = NULL;
    if (t && !(*out = strdup(t)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return LI_OK;
}

li_status li_store_job_files(li_store *s, int64_t job_id, char **options_json, char **blob_key,
                             char **report_key, li_error *err) {
    sqlite3_stmt *q = NULL;
    char **outs[3] = {options_json, blob_key, report_key};
    for (int i = 0; i < 3; i++)
        if (outs[i])
            *outs[i] = NULL;
    li_status st = prepare(s, "SELECT options, blob_key, report_key FROM import_jobs WHERE id=?1",
                           &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < 3 && st == LI_OK; i++)
            st = dup_col(q, i, outs[i], err);
    } else if (rc == SQLITE_DONE) {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    } else {
        st = li__sqlite_error(s, err);
    }
    sqlite3_finalize(q);
    if (st != LI_OK)
        for (int i = 0; i < 3; i++)
            if (outs[i]) {
                free(*outs[i]);
                *outs[i] = NULL;
            }
    return st;
}

li_status li_store_job_delete(li_store *s, int64_t job_id, int *found, li_error *err) {
    static const char *const sql[] = {
        "DELETE FROM import_rows WHERE job_id=?1",
        "DELETE FROM work_items WHERE job_id=?1",
        "DELETE FROM import_jobs WHERE id=?1",
    };
    sqlite3_stmt *q = NULL;
    *found = 0;
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        if ((st = prepare(s, sql[i], &q, err)) != LI_OK)
            goto out;
        sqlite3_bind_int64(q, 1, job_id);
        if ((st = run_done(s, q, err)) != LI_OK)
            goto out;
    }
    *found = sqlite3_changes(li__sqlite_db(s)) > 0;
    st = li_store_commit(s, err);
out:
    if (st != LI_OK)
        li_store_rollback(s);
    return st;
}

li_status li_store_job_rows_delete(li_store *s, int64_t job_id, uint64_t *n, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = prepare(s, "DELETE FROM import_rows WHERE job_id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    st = run_done(s, q, err);
    if (n)
        *n = st == LI_OK ? (uint64_t)sqlite3_changes(li__sqlite_db(s)) : 0;
    return st;
}

li_status li_store_blob_shared(li_store *s, const char *blob_key, int64_t job_id, int *used,
                               li_error *err) {
    sqlite3_stmt *q = NULL;
    *used = 0;
    li_status st =
        prepare(s, "SELECT 1 FROM import_jobs WHERE blob_key=?1 AND id<>?2 LIMIT 1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, blob_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *used = 1;
    else if (rc != SQLITE_DONE)
        st = li__sqlite_error(s, err);
    sqlite3_finalize(q);
    return st;
}

/* --- work items --------------------------------------------------------------- */

#define ITEM_COLUMNS                                                                            \
    "id, job_id, kind, state, exclusive, attempts, max_attempts, lease_owner, run_at,"         \
    " lease_expiry, last_error, state='running' AND lease_expiry>=strftime('%Y-%m-%dT%H:%M:%fZ',"\
    " 'now') AND li_owner_alive(lease_owner)"

/*
 * The store boundary: kind and state are stored as their names, which the
 * table's CHECK constraints keep to the known ones; the enum's first value
 * stays only if a CHECK was bypassed, and then with its name readable in
 * the database.
 */
static void item_from_row(sqlite3_stmt *q, li_work_item *it) {
    memset(it, 0, sizeof *it);
    it->id = sqlite3_column_int64(q, 0);
    it->job_id = sqlite3_column_int64(q, 1);
    li_work_kind_parse((const char *)sqlite3_column_text(q, 2), &it->kind);
    li_work_state_parse((const char *)sqlite3_column_text(q, 3), &it->state);
    it->exclusive = sqlite3_column_int(q, 4);
    it->attempts = sqlite3_column_int(q, 5);
    it->max_attempts = sqlite3_column_int(q, 6);
    copy_col(it->owner, sizeof it->owner, q, 7);
    copy_col(it->run_at, sizeof it->run_at, q, 8);
    copy_col(it->lease_expiry, sizeof it->lease_expiry, q, 9);
    copy_col(it->last_error, sizeof it->last_error, q, 10);
    it->live = sqlite3_column_int(q, 11);
}

li_status li_store_work_add(li_store *s, int64_t job_id, li_work_kind kind, int exclusive,
                            int max_attempts, double delay_s, li_error *err) {
    sqlite3_stmt *q = NULL;
    char now[32], run_at[32];
    li_store_now(now);
    stamp_in(delay_s, run_at);
    li_status st = prepare(s,
                           "INSERT INTO work_items (job_id, kind, state, exclusive, run_at,"
                           " max_attempts, created_at) VALUES (?1, ?2, 'queued', ?3, ?4, ?5, ?6)",
                           &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_text(q, 2, li_work_kind_name(kind), -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 3, exclusive);
    sqlite3_bind_text(q, 4, run_at, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 5, max_attempts > 0 ? max_attempts : 1);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_STATIC);
    return run_done(s, q, err);
}

li_status li_store_work_claim(li_store *s, const char *owner, int64_t job_id, double lease_s,
                              li_work_item *it, int *found, li_error *err) {
    sqlite3_stmt *q = NULL;
    char now[32], expiry[32];
    int own_tx = sqlite3_get_autocommit(li__sqlite_db(s));
    li_status st = LI_OK;
    *found = 0;
    if (own_tx && (st = li_store_begin(s, err)) != LI_OK)
        return st;
    li_store_now(now);
    stamp_in(lease_s, expiry);
    /* Runnable: queued and due, or running under a lease that expired or
     * whose owner died. An exclusive item waits while another one runs
     * under a live lease. */
    if ((st = prepare(s,
                      "UPDATE work_items SET state='running', lease_owner=?1, lease_expiry=?2,"
                      " attempts=attempts+1 WHERE id=(SELECT w.id FROM work_items w"
                      " WHERE w.state IN ('queued','running') AND (?4=0 OR w.job_id=?4)"
                      " AND ((w.state='queued' AND w.run_at<=?3) OR (w.state='running' AND"
                      " (w.lease_expiry<?3 OR NOT li_owner_alive(w.lease_owner))))"
                      " AND (w.exclusive=0 OR NOT EXISTS (SELECT 1 FROM work_items x"
                      " WHERE x.state='running' AND x.exclusive=1 AND x.id<>w.id"
                      " AND x.lease_expiry>=?3 AND li_owner_alive(x.lease_owner)))"
                      " ORDER BY w.run_at, w.id LIMIT 1) RETURNING " ITEM_COLUMNS,
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
        st = li__sqlite_error(s, err);
        goto out;
    }
    if (*found) {
        if ((st = prepare(s, "UPDATE import_jobs SET worker=?2, attempts=?3 WHERE id=?1", &q,
                          err)) != LI_OK)
            goto out;
        sqlite3_bind_int64(q, 1, it->job_id);
        sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, it->attempts);
        if ((st = run_done(s, q, err)) != LI_OK)
            goto out;
    }
    if (own_tx)
        st = li_store_commit(s, err);
out:
    if (st != LI_OK) {
        *found = 0;
        if (own_tx)
            li_store_rollback(s);
    }
    return st;
}

li_status li_store_work_renew(li_store *s, int64_t id, const char *owner, double lease_s,
                              int *held, li_error *err) {
    sqlite3_stmt *q = NULL;
    char expiry[32];
    stamp_in(lease_s, expiry);
    *held = 0;
    li_status st = prepare(s,
                           "UPDATE work_items SET lease_expiry=?3, attempts=1"
                           " WHERE id=?1 AND lease_owner=?2 AND state='running'",
                           &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, expiry, -1, SQLITE_STATIC);
    if ((st = run_done(s, q, err)) != LI_OK)
        return st;
    *held = sqlite3_changes(li__sqlite_db(s)) > 0;
    if (!*held)
        return LI_OK;
    /* Progress was made: the attempts shown with the job start again. */
    if ((st = prepare(s,
                      "UPDATE import_jobs SET attempts=1 WHERE attempts<>1 AND"
                      " id=(SELECT job_id FROM work_items WHERE id=?1)",
                      &q, err)) != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    return run_done(s, q, err);
}

/* Runs one UPDATE of the item owner holds, with bindings ?1 id, ?2 owner, ?3 text, ?4 time. */
static li_status item_update(li_store *s, const char *sql, int64_t id, const char *owner,
                             const char *text, const char *when, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = prepare(s, sql, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    sqlite3_bind_text(q, 2, owner, -1, SQLITE_STATIC);
    bind_text_or_null(q, 3, text);
    sqlite3_bind_text(q, 4, when, -1, SQLITE_STATIC);
    return run_done(s, q, err);
}

li_status li_store_work_finish(li_store *s, int64_t id, const char *owner, li_work_state state,
                               const char *error, li_error *err) {
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
    return item_update(s, sql, id, owner, error, now, err);
}

li_status li_store_work_retry(li_store *s, int64_t id, const char *owner, const char *error,
                              double delay_s, li_error *err) {
    char run_at[32];
    stamp_in(delay_s, run_at);
    return item_update(s,
                       "UPDATE work_items SET state='queued', last_error=?3, run_at=?4,"
                       " lease_expiry=NULL WHERE id=?1 AND lease_owner=?2",
                       id, owner, error, run_at, err);
}

li_status li_store_work_release(li_store *s, int64_t id, const char *owner, li_error *err) {
    char now[32];
    li_store_now(now);
    return item_update(s,
                       "UPDATE work_items SET state='queued', run_at=?4, lease_expiry=NULL,"
                       " attempts=max(attempts-1, 0), last_error=coalesce(?3, last_error)"
                       " WHERE id=?1 AND lease_owner=?2 AND state='running'",
                       id, owner, NULL, now, err);
}

li_status li_store_work_cancel_job(li_store *s, int64_t job_id, li_error *err) {
    sqlite3_stmt *q = NULL;
    char now[32];
    li_store_now(now);
    li_status st = prepare(s,
                           "UPDATE work_items SET state='cancelled', finished_at=?2"
                           " WHERE job_id=?1 AND state='queued'",
                           &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    sqlite3_bind_text(q, 2, now, -1, SQLITE_STATIC);
    return run_done(s, q, err);
}

li_status li_store_work_pending(li_store *s, int64_t job_id, uint64_t *n, li_error *err) {
    sqlite3_stmt *q = NULL;
    *n = 0;
    li_status st = prepare(s,
                           "SELECT count(*) FROM work_items WHERE state IN ('queued','running')"
                           " AND (?1=0 OR job_id=?1)",
                           &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    if (sqlite3_step(q) == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_error(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li_store_work_each(li_store *s, int64_t job_id, li_work_cb cb, void *ctx,
                             li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = prepare(s, "SELECT " ITEM_COLUMNS " FROM work_items WHERE job_id=?1 ORDER BY id",
                           &q, err);
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
        st = li__sqlite_error(s, err);
out:
    sqlite3_finalize(q);
    return st;
}
