/*
 * pg_stats.c — the figures GET /metrics shows (li_store_stats_get) in the
 * PostgreSQL backend: jobs by state, rows by outcome, the queue, import
 * durations; and the URL the blob store connects to (server_url).
 *
 * Aggregate reads outside any transaction: under MVCC a scrape never waits
 * for an import's batch, nor makes it wait. The queue's figures count every
 * worker of every machine (one shared table), which is what an operator
 * watches (docs/operations.md).
 */
#include <string.h>

#include "pgInt.h"

/* The blobs of a PostgreSQL store are kept in its database (blob_pg.c). */
const char *li__pg_server_url(li_store *store) {
    return li__pgs(store)->url;
}

li_status li__pg_stats_get(li_store *store, li_store_stats *out, li_error *err) {
    static const double bounds[LI_STORE_DURATION_BUCKETS] = LI_STORE_DURATION_BOUNDS;
    li__pg *s = li__pgs(store);
    PGresult *r = NULL;
    memset(out, 0, sizeof *out);

    li_status st = li__pg_run(s, "SELECT status, count(*) FROM import_jobs GROUP BY status", NULL,
                              &r, err);
    for (int i = 0; st == LI_OK && i < PQntuples(r); i++) {
        li_job_state js;
        const char *name = li__pg_col_text(r, i, 0);
        if (name && li_job_state_parse(name, &js))
            out->jobs[js] += (uint64_t)li__pg_col_int(r, i, 1);
    }
    PQclear(r);
    r = NULL;
    if (st != LI_OK)
        goto out;

    /* sum() of bigint is numeric: read as a double, as SQLite's total(). */
    st = li__pg_run(s,
                    "SELECT coalesce(sum(created), 0), coalesce(sum(updated), 0),"
                    " coalesce(sum(skipped), 0), coalesce(sum(rows_invalid), 0),"
                    " coalesce(sum(rows_warned), 0) FROM import_jobs",
                    NULL, &r, err);
    if (st == LI_OK && PQntuples(r) == 1) {
        out->rows_created = (uint64_t)li__pg_col_f64(r, 0, 0);
        out->rows_updated = (uint64_t)li__pg_col_f64(r, 0, 1);
        out->rows_skipped = (uint64_t)li__pg_col_f64(r, 0, 2);
        out->rows_invalid = (uint64_t)li__pg_col_f64(r, 0, 3);
        out->rows_warned = (uint64_t)li__pg_col_f64(r, 0, 4);
    }
    PQclear(r);
    r = NULL;
    if (st != LI_OK)
        goto out;

    st = li__pg_run(s,
                    "SELECT count(*) FILTER (WHERE state = 'queued'),"
                    " count(*) FILTER (WHERE state = 'running'),"
                    " count(*) FILTER (WHERE state = 'dead'),"
                    " count(*) FILTER (WHERE state = 'running' AND lease_expiry < " LI__PG_NOW ")"
                    " FROM work_items",
                    NULL, &r, err);
    if (st == LI_OK && PQntuples(r) == 1) {
        out->work_queued = (uint64_t)li__pg_col_int(r, 0, 0);
        out->work_running = (uint64_t)li__pg_col_int(r, 0, 1);
        out->work_dead = (uint64_t)li__pg_col_int(r, 0, 2);
        out->work_expired = (uint64_t)li__pg_col_int(r, 0, 3);
    }
    PQclear(r);
    r = NULL;
    if (st != LI_OK)
        goto out;

    /* Times are text in li_store_now()'s format (ISO 8601, UTC): cast to compute. */
    st = li__pg_run(s,
                    "SELECT extract(epoch FROM finished_at::timestamptz - started_at::timestamptz)"
                    " FROM import_jobs WHERE status = 'completed'"
                    " AND started_at IS NOT NULL AND finished_at IS NOT NULL",
                    NULL, &r, err);
    for (int i = 0; st == LI_OK && i < PQntuples(r); i++) {
        double d = li__pg_col_f64(r, i, 0);
        if (d < 0)
            d = 0;
        out->duration_count++;
        out->duration_sum += d;
        for (int b = 0; b < LI_STORE_DURATION_BUCKETS; b++)
            if (d <= bounds[b])
                out->duration_le[b]++;
    }
    PQclear(r);
out:
    return st;
}
