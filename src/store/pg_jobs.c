/*
 * pg_jobs.c — jobs in the PostgreSQL backend (import_jobs; see store.h and
 * sqlite_jobs.c, which this follows query by query).
 *
 * A job is "live" when one of its work items runs under a lease that has
 * not expired by the database's clock, and its owner is not a process of
 * this host known to be dead (li__owner_alive(), checked here in C).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgInt.h"

#define JOB_COLUMNS(X)                                                                             \
    X(id, "id")                                                                                    \
    X(file_name, "file_name")                                                                      \
    X(file_size, "file_size")                                                                      \
    X(file_sha256, "file_sha256")                                                                  \
    X(format, "format")                                                                            \
    X(encoding, "encoding")                                                                        \
    X(delimiter, "delimiter")                                                                      \
    X(has_header, "has_header")                                                                    \
    X(status, "status")                                                                            \
    X(phase, "phase")                                                                              \
    X(rows_total, "rows_total")                                                                    \
    X(rows_valid, "rows_valid")                                                                    \
    X(rows_invalid, "rows_invalid")                                                                \
    X(rows_warned, "rows_warned")                                                                  \
    X(created, "created")                                                                          \
    X(updated, "updated")                                                                          \
    X(skipped, "skipped")                                                                          \
    X(bytes_total, "bytes_total")                                                                  \
    X(bytes_done, "bytes_done")                                                                    \
    X(parse_offset, "parse_offset")                                                                \
    X(parse_row, "parse_row")                                                                      \
    X(commit_row, "commit_row")                                                                    \
    X(rows_per_s, "rows_per_s")                                                                    \
    X(eta_s, "eta_s")                                                                              \
    X(created_at, "created_at")                                                                    \
    X(started_at, "started_at")                                                                    \
    X(finished_at, "finished_at")                                                                  \
    X(error, "error")                                                                              \
    X(assigned, "assigned")                                                                        \
    X(flagged, "flagged")                                                                          \
    X(attempts, "attempts")                                                                        \
    X(worker, "worker")                                                                            \
    X(heartbeat_at, "heartbeat_at")                                                                \
    X(created_by, "created_by")                                                                    \
    /* when its commit was asked, for a review committed (li_job_duration_s) */                    \
    X(commit_at, "(SELECT max(w.run_at) FROM work_items w"                                         \
                 " WHERE w.job_id=import_jobs.id AND w.kind='commit')")                            \
    /* the owners of its items running under an unexpired lease, one a line */                     \
    X(lease_owners, "(SELECT string_agg(w.lease_owner, E'\\n') FROM work_items w"                  \
                    " WHERE w.job_id=import_jobs.id AND w.state='running'"                         \
                    " AND w.lease_expiry>=" LI__PG_NOW ")")

#define JOB_COL_POS(name, sql) JOB_COL_##name,
enum { JOB_COLUMNS(JOB_COL_POS) JOB_COL__COUNT };
#define JOB_SELECT "SELECT " LI__PG_COLUMN_TEXT(JOB_COLUMNS) " FROM import_jobs"

/* 1 if one of the owners (one a line; NULL: none) is not known to be dead. */
static int any_owner_alive(const char *owners) {
    while (owners && *owners) {
        const char *nl = strchr(owners, '\n');
        size_t n = nl ? (size_t)(nl - owners) : strlen(owners);
        char one[160];
        snprintf(one, sizeof one, "%.*s", (int)n, owners);
        if (li__owner_alive(one))
            return 1;
        owners = nl ? nl + 1 : NULL;
    }
    return 0;
}

/* The store boundary: an unknown state or phase name is LI_EFORMAT, never guessed. */
static li_status job_from_row(const PGresult *r, int i, li_job_rec *j, li_error *err) {
    memset(j, 0, sizeof *j);
    j->id = li__pg_col_int(r, i, JOB_COL_id);
    li__pg_col_copy(j->file_name, sizeof j->file_name, r, i, JOB_COL_file_name);
    j->file_size = (uint64_t)li__pg_col_int(r, i, JOB_COL_file_size);
    li__pg_col_copy(j->file_sha256, sizeof j->file_sha256, r, i, JOB_COL_file_sha256);
    li__pg_col_copy(j->format, sizeof j->format, r, i, JOB_COL_format);
    li__pg_col_copy(j->encoding, sizeof j->encoding, r, i, JOB_COL_encoding);
    li__pg_col_copy(j->delimiter, sizeof j->delimiter, r, i, JOB_COL_delimiter);
    j->has_header = (int)li__pg_col_int(r, i, JOB_COL_has_header);
    const char *state = li__pg_col_text(r, i, JOB_COL_status);
    if (!li_job_state_parse(state, &j->state))
        return li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)j->id,
                            state ? state : "");
    const char *phase = li__pg_col_text(r, i, JOB_COL_phase);
    if (!li_job_phase_parse(phase, &j->phase))
        return li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)j->id, phase);
    j->rows = (uint64_t)li__pg_col_int(r, i, JOB_COL_rows_total);
    j->valid = (uint64_t)li__pg_col_int(r, i, JOB_COL_rows_valid);
    j->invalid = (uint64_t)li__pg_col_int(r, i, JOB_COL_rows_invalid);
    j->warnings = (uint64_t)li__pg_col_int(r, i, JOB_COL_rows_warned);
    j->created = (uint64_t)li__pg_col_int(r, i, JOB_COL_created);
    j->updated = (uint64_t)li__pg_col_int(r, i, JOB_COL_updated);
    j->skipped = (uint64_t)li__pg_col_int(r, i, JOB_COL_skipped);
    j->bytes_total = (uint64_t)li__pg_col_int(r, i, JOB_COL_bytes_total);
    j->bytes_done = (uint64_t)li__pg_col_int(r, i, JOB_COL_bytes_done);
    j->parse_offset = (uint64_t)li__pg_col_int(r, i, JOB_COL_parse_offset);
    j->parse_row = (uint64_t)li__pg_col_int(r, i, JOB_COL_parse_row);
    j->commit_row = (uint64_t)li__pg_col_int(r, i, JOB_COL_commit_row);
    j->rows_per_s = li__pg_col_f64(r, i, JOB_COL_rows_per_s);
    j->eta_s = li__pg_col_int(r, i, JOB_COL_eta_s);
    li__pg_col_copy(j->created_at, sizeof j->created_at, r, i, JOB_COL_created_at);
    li__pg_col_copy(j->started_at, sizeof j->started_at, r, i, JOB_COL_started_at);
    li__pg_col_copy(j->finished_at, sizeof j->finished_at, r, i, JOB_COL_finished_at);
    li__pg_col_copy(j->error, sizeof j->error, r, i, JOB_COL_error);
    j->assigned = (uint64_t)li__pg_col_int(r, i, JOB_COL_assigned);
    j->flagged = (uint64_t)li__pg_col_int(r, i, JOB_COL_flagged);
    j->attempts = (uint64_t)li__pg_col_int(r, i, JOB_COL_attempts);
    li__pg_col_copy(j->worker, sizeof j->worker, r, i, JOB_COL_worker);
    li__pg_col_copy(j->heartbeat_at, sizeof j->heartbeat_at, r, i, JOB_COL_heartbeat_at);
    li__pg_col_copy(j->commit_at, sizeof j->commit_at, r, i, JOB_COL_commit_at);
    j->created_by = li__pg_col_int(r, i, JOB_COL_created_by); /* NULL: 0, the operator */
    j->live = any_owner_alive(li__pg_col_text(r, i, JOB_COL_lease_owners));
    return LI_OK;
}

li_status li__pg_job_insert(li_store *store, li_job_rec *job, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li_store_now(job->created_at);
    li__pg_arg_text(&a, job->file_name);
    li__pg_arg_int(&a, (int64_t)job->file_size);
    li__pg_arg_text(&a, job->file_sha256);
    li__pg_arg_text(&a, li_job_state_name(job->state));
    li__pg_arg_text(&a, li_job_phase_name(job->phase));
    li__pg_arg_int(&a, (int64_t)job->bytes_total);
    li__pg_arg_text(&a, job->created_at);
    li__pg_arg_id(&a, job->created_by);
    /* file_name and file_sha256 are NOT NULL: "" stays "" (li__pg_arg_text would send NULL). */
    a.v[0] = job->file_name;
    a.v[2] = job->file_sha256;
    li_status st = li__pg_run(s,
                              "INSERT INTO import_jobs (file_name, file_size, file_sha256, status,"
                              " phase, bytes_total, created_at, created_by)"
                              " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                              &a, &r, err);
    if (st == LI_OK)
        job->id = li__pg_col_int(r, 0, 0);
    PQclear(r);
    return st;
}

li_status li__pg_job_update(li_store *store, const li_job_rec *j, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    li__pg_arg_int(&a, j->id);
    li__pg_arg_text(&a, j->format);
    li__pg_arg_text(&a, j->encoding);
    li__pg_arg_text(&a, j->delimiter);
    li__pg_arg_int(&a, j->has_header);
    li__pg_arg_text(&a, li_job_state_name(j->state));
    li__pg_arg_text(&a, li_job_phase_name(j->phase));
    const uint64_t counters[] = {j->rows,       j->valid,        j->invalid,   j->warnings,
                                 j->created,    j->updated,      j->skipped,   j->bytes_total,
                                 j->bytes_done, j->parse_offset, j->parse_row, j->commit_row};
    for (int i = 0; i < 12; i++) /* $8 to $19, in this order */
        li__pg_arg_int(&a, (int64_t)counters[i]);
    li__pg_arg_f64(&a, j->rows_per_s);
    li__pg_arg_int(&a, j->eta_s);
    li__pg_arg_text(&a, j->started_at);
    li__pg_arg_text(&a, j->finished_at);
    li__pg_arg_text(&a, j->error);
    li__pg_arg_int(&a, (int64_t)j->assigned);
    li__pg_arg_int(&a, (int64_t)j->flagged);
    return li__pg_run(s,
                      "UPDATE import_jobs SET format=$2, encoding=$3, delimiter=$4, has_header=$5,"
                      " status=$6, phase=$7, rows_total=$8, rows_valid=$9, rows_invalid=$10,"
                      " rows_warned=$11, created=$12, updated=$13, skipped=$14, bytes_total=$15,"
                      " bytes_done=$16, parse_offset=$17, parse_row=$18, commit_row=$19,"
                      " rows_per_s=$20, eta_s=$21, started_at=$22, finished_at=$23, error=$24,"
                      " assigned=$25, flagged=$26, heartbeat_at=" LI__PG_NOW " WHERE id=$1",
                      &a, NULL, err);
}

/* Runs sql, bound $1 job_id and the texts $2, $3 (NULL or "" as NULL). */
static li_status job_set(li__pg *s, const char *sql, int64_t job_id, const char *x, const char *y,
                         int two, li_error *err) {
    li__pg_args a = {0};
    li__pg_arg_int(&a, job_id);
    li__pg_arg_text(&a, x);
    if (two)
        li__pg_arg_text(&a, y);
    return li__pg_run(s, sql, &a, NULL, err);
}

li_status li__pg_job_set_mapping(li_store *store, int64_t job_id, const char *header_json,
                                 const char *mapping_json, li_error *err) {
    return job_set(li__pgs(store), "UPDATE import_jobs SET header=$2, mapping=$3 WHERE id=$1",
                   job_id, header_json, mapping_json, 1, err);
}

li_status li__pg_job_set_options(li_store *store, int64_t job_id, const char *options_json,
                                 const char *blob_key, li_error *err) {
    return job_set(li__pgs(store), "UPDATE import_jobs SET options=$2, blob_key=$3 WHERE id=$1",
                   job_id, options_json, blob_key, 1, err);
}

li_status li__pg_job_set_report(li_store *store, int64_t job_id, const char *report_key,
                                li_error *err) {
    return job_set(li__pgs(store), "UPDATE import_jobs SET report_key=$2 WHERE id=$1", job_id,
                   report_key, NULL, 0, err);
}

/* The text columns sql (bound $1 job_id) selects, strdup'ed into the non-NULL outs. */
static li_status job_texts(li__pg *s, int64_t job_id, const char *sql, char **outs[], int n,
                           li_error *err) {
    li__pg_args a = {0};
    PGresult *r = NULL;
    for (int i = 0; i < n; i++)
        if (outs[i])
            *outs[i] = NULL;
    li__pg_arg_int(&a, job_id);
    li_status st = li__pg_run(s, sql, &a, &r, err);
    if (st != LI_OK)
        return st;
    if (PQntuples(r) == 1) {
        for (int i = 0; i < n && st == LI_OK; i++)
            if (outs[i])
                st = li__pg_col_dup(r, 0, i, outs[i], err);
    } else {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    }
    PQclear(r);
    if (st != LI_OK)
        for (int i = 0; i < n; i++)
            if (outs[i]) {
                free(*outs[i]);
                *outs[i] = NULL;
            }
    return st;
}

li_status li__pg_job_header(li_store *store, int64_t job_id, char **header_json, li_error *err) {
    char **outs[] = {header_json};
    return job_texts(li__pgs(store), job_id, "SELECT header FROM import_jobs WHERE id=$1", outs, 1,
                     err);
}

li_status li__pg_job_mapping(li_store *store, int64_t job_id, char **mapping_json,
                             li_error *err) {
    char **outs[] = {mapping_json};
    return job_texts(li__pgs(store), job_id, "SELECT mapping FROM import_jobs WHERE id=$1", outs,
                     1, err);
}

li_status li__pg_job_files(li_store *store, int64_t job_id, char **options_json, char **blob_key,
                           char **report_key, li_error *err) {
    char **outs[] = {options_json, blob_key, report_key};
    return job_texts(li__pgs(store), job_id,
                     "SELECT options, blob_key, report_key FROM import_jobs WHERE id=$1", outs, 3,
                     err);
}

li_status li__pg_job_state(li_store *store, int64_t job_id, li_job_state *state, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li__pg_arg_int(&a, job_id);
    /* Read at each batch: inside a transaction the row stays locked to its
     * end, so that a cancel or a delete waits for the batch in flight, as
     * behind SQLite's write lock; a job deleted meanwhile is not found, and
     * the batch is rolled back (no staged row outlives its job). */
    li_status st = li__pg_run(s, "SELECT status FROM import_jobs WHERE id=$1 FOR NO KEY UPDATE",
                              &a, &r, err);
    if (st != LI_OK)
        return st;
    if (PQntuples(r) == 1) {
        const char *name = li__pg_col_text(r, 0, 0);
        if (!li_job_state_parse(name, state))
            st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)job_id,
                              name ? name : "");
    } else {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    }
    PQclear(r);
    return st;
}

typedef struct job_scan {
    li_job_cb cb;
    void *ctx;
    li_error *err;
} job_scan;

static li_status job_row(const PGresult *r, int i, void *arg) {
    const job_scan *x = arg;
    li_job_rec job;
    li_status st = job_from_row(r, i, &job, x->err);
    return st == LI_OK ? x->cb(&job, x->ctx) : st;
}

li_status li__pg_jobs_each(li_store *store, const li_job_state *state, li_job_cb cb, void *ctx,
                           li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    job_scan x = {cb, ctx, err};
    if (state) {
        li__pg_arg_text(&a, li_job_state_name(*state));
        return li__pg_pages(s, JOB_SELECT " WHERE status=$1 AND id<$2 ORDER BY id DESC LIMIT $3",
                            &a, JOB_COL_id, INT64_MAX, 0, job_row, &x, err);
    }
    return li__pg_pages(s, JOB_SELECT " WHERE id<$1 ORDER BY id DESC LIMIT $2", NULL, JOB_COL_id,
                        INT64_MAX, 0, job_row, &x, err);
}

li_status li__pg_jobs_page(li_store *store, const li_job_state *state, uint64_t offset,
                           uint64_t limit, uint64_t *total, li_job_cb cb, void *ctx,
                           li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *total = 0;
    if (state)
        li__pg_arg_text(&a, li_job_state_name(*state));
    else
        a.n = 1; /* $1 NULL: every state */
    li_status st = li__pg_run(s,
                              "SELECT count(*) FROM import_jobs WHERE $1::text IS NULL"
                              " OR status=$1",
                              &a, &r, err);
    if (st != LI_OK)
        return st;
    *total = (uint64_t)li__pg_col_int(r, 0, 0);
    PQclear(r);
    r = NULL;
    if (!cb || limit == 0)
        return LI_OK;
    /* Newest first by id, as jobs_each: the page's rows only are read. */
    li__pg_arg_int(&a, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    li__pg_arg_int(&a, offset > INT64_MAX ? INT64_MAX : (int64_t)offset);
    if ((st = li__pg_run(s,
                         JOB_SELECT " WHERE $1::text IS NULL OR status=$1 ORDER BY id DESC"
                                    " LIMIT $2 OFFSET $3",
                         &a, &r, err)) != LI_OK)
        return st;
    job_scan x = {cb, ctx, err};
    for (int i = 0; i < PQntuples(r) && st == LI_OK; i++)
        st = job_row(r, i, &x);
    PQclear(r);
    return st;
}

li_status li__pg_job_get(li_store *store, int64_t id, li_job_rec *job, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li__pg_arg_int(&a, id);
    /* Read in a transaction, a job is read to be written (cancel, retry,
     * revert: read, change, update): its row stays locked to the end, as
     * SQLite's write lock keeps it. Without it a cancel read the counters,
     * waited for the worker's batch in flight, then wrote the counters it
     * had read over the batch's (test_jobs on PostgreSQL: 11,000 rows said,
     * 11,500 staged). NO KEY: staged rows' foreign keys still pass. */
    li_status st = li__pg_run(s,
                              s->in_tx ? JOB_SELECT " WHERE id=$1 FOR NO KEY UPDATE"
                                       : JOB_SELECT " WHERE id=$1",
                              &a, &r, err);
    if (st != LI_OK)
        return st;
    if (PQntuples(r) == 1)
        st = job_from_row(r, 0, job, err);
    else
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)id);
    PQclear(r);
    return st;
}

li_status li__pg_job_find_by_sha(li_store *store, const char *sha256, const li_job_state *states,
                                 size_t nstates, li_job_rec *job, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *found = 0;
    li__pg_arg_text(&a, sha256);
    li_status st =
        li__pg_run(s, JOB_SELECT " WHERE file_sha256=$1 ORDER BY id DESC", &a, &r, err);
    if (st != LI_OK)
        return st;
    li_job_rec cand; /* *job is only written with the job found */
    for (int i = 0; i < PQntuples(r) && !*found; i++) {
        if ((st = job_from_row(r, i, &cand, err)) != LI_OK)
            break;
        int match = states == NULL;
        for (size_t k = 0; k < nstates && !match; k++)
            match = cand.state == states[k];
        if (match) {
            *job = cand;
            *found = 1;
        }
    }
    PQclear(r);
    return st;
}

li_status li__pg_job_delete(li_store *store, int64_t job_id, int *found, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *found = 0;
    li__pg_arg_int(&a, job_id);
    int own_tx = !s->in_tx; /* else the caller's, who checked the job in it */
    li_status st = own_tx ? li__pg_begin(store, err) : LI_OK;
    if (st != LI_OK)
        return st;
    /* The job's row first: a batch staging rows of it holds it until its
     * commit, whose rows the next statement then sees (no foreign key does
     * it: migration 10). */
    if ((st = li__pg_run(s, "SELECT 1 FROM import_jobs WHERE id=$1 FOR UPDATE", &a, NULL, err)) !=
            LI_OK ||
        (st = li__pg_run(s, "DELETE FROM import_rows WHERE job_id=$1", &a, NULL, err)) != LI_OK ||
        (st = li__pg_run(s, "DELETE FROM work_items WHERE job_id=$1", &a, NULL, err)) != LI_OK ||
        (st = li__pg_run(s, "DELETE FROM import_jobs WHERE id=$1", &a, &r, err)) != LI_OK)
        goto out;
    *found = li__pg_changes(r) > 0;
    if (own_tx)
        st = li__pg_commit(store, err);
out:
    PQclear(r);
    if (st != LI_OK && own_tx)
        li__pg_rollback(store);
    return st;
}

li_status li__pg_job_rows_delete(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    li__pg_arg_int(&a, job_id);
    li_status st = li__pg_run(s, "DELETE FROM import_rows WHERE job_id=$1", &a, &r, err);
    if (n)
        *n = st == LI_OK ? li__pg_changes(r) : 0;
    PQclear(r);
    return st;
}

li_status li__pg_blob_shared(li_store *store, const char *blob_key, int64_t job_id, int *used,
                             li_error *err) {
    li__pg *s = li__pgs(store);
    li__pg_args a = {0};
    PGresult *r = NULL;
    *used = 0;
    li__pg_arg_text(&a, blob_key);
    li__pg_arg_int(&a, job_id);
    li_status st = li__pg_run(s, "SELECT 1 FROM import_jobs WHERE blob_key=$1 AND id<>$2 LIMIT 1",
                              &a, &r, err);
    if (st == LI_OK)
        *used = PQntuples(r) > 0;
    PQclear(r);
    return st;
}
