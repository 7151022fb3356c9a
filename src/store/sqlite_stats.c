/*
 * sqlite_stats.c — the figures GET /metrics shows (li_store_stats_get):
 * jobs by state, rows by outcome, the queue, import durations. Aggregate
 * reads outside any transaction, so that a scrape never waits for an
 * import's batch (WAL readers do not block the writer, nor it them).
 */
#include <sqlite3.h>
#include <string.h>

#include "storeInt.h"

li_status li__sqlite_stats_get(li_store *store, li_store_stats *out, li_error *err) {
    static const double bounds[LI_STORE_DURATION_BUCKETS] = LI_STORE_DURATION_BOUNDS;
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = LI_OK;
    int rc;
    memset(out, 0, sizeof *out);

    if ((st = li__sqlite_prepare(s, "SELECT status, count(*) FROM import_jobs GROUP BY status", &q,
                                 err)) != LI_OK)
        goto out;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        li_job_state js;
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (name && li_job_state_parse(name, &js))
            out->jobs[js] += (uint64_t)sqlite3_column_int64(q, 1);
    }
    if (rc != SQLITE_DONE) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    sqlite3_finalize(q);
    q = NULL;

    if ((st = li__sqlite_prepare(s,
                                 "SELECT total(created), total(updated), total(skipped),"
                                 " total(rows_invalid), total(rows_warned) FROM import_jobs",
                                 &q, err)) != LI_OK)
        goto out;
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    out->rows_created = (uint64_t)sqlite3_column_double(q, 0);
    out->rows_updated = (uint64_t)sqlite3_column_double(q, 1);
    out->rows_skipped = (uint64_t)sqlite3_column_double(q, 2);
    out->rows_invalid = (uint64_t)sqlite3_column_double(q, 3);
    out->rows_warned = (uint64_t)sqlite3_column_double(q, 4);
    sqlite3_finalize(q);
    q = NULL;

    char now[32];
    li_store_now(now);
    if ((st = li__sqlite_prepare(s,
                                 "SELECT sum(state = 'queued'), sum(state = 'running'),"
                                 " sum(state = 'dead'),"
                                 " sum(state = 'running' AND lease_expiry < ?1) FROM work_items",
                                 &q, err)) != LI_OK)
        goto out;
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q) != SQLITE_ROW) {
        st = li__sqlite_fail(s, err);
        goto out;
    }
    out->work_queued = (uint64_t)sqlite3_column_int64(q, 0);
    out->work_running = (uint64_t)sqlite3_column_int64(q, 1);
    out->work_dead = (uint64_t)sqlite3_column_int64(q, 2);
    out->work_expired = (uint64_t)sqlite3_column_int64(q, 3);
    sqlite3_finalize(q);
    q = NULL;

    if ((st = li__sqlite_prepare(s,
                                 "SELECT (julianday(finished_at) - julianday(started_at)) * 86400"
                                 " FROM import_jobs WHERE status = 'completed'"
                                 " AND started_at IS NOT NULL AND finished_at IS NOT NULL",
                                 &q, err)) != LI_OK)
        goto out;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        double d = sqlite3_column_double(q, 0);
        if (d < 0)
            d = 0;
        out->duration_count++;
        out->duration_sum += d;
        for (int i = 0; i < LI_STORE_DURATION_BUCKETS; i++)
            if (d <= bounds[i])
                out->duration_le[i]++;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}
