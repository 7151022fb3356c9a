/*
 * sqlite_jobs.c — jobs in the SQLite backend (import_jobs; see store.h):
 * their record, mapping, options and files, their deletion.
 *
 * A job is "live" when one of its work items runs under a lease that has
 * not expired, and its owner is not a process of this host known to be
 * dead (li__owner_alive(), checked here in C: see backend.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storeInt.h"

/* The columns of a job record, read by job_from_row(). */
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
    /* when its commit was asked, for a review committed (li_job_duration_s) */                    \
    X(commit_at, "(SELECT max(w.run_at) FROM work_items w"                                         \
                 " WHERE w.job_id=import_jobs.id AND w.kind='commit')")                            \
    X(created_by, "created_by")                                                                    \
    /* the owners of its items running under an unexpired lease, one a line */                     \
    X(lease_owners, "(SELECT group_concat(w.lease_owner, char(10)) FROM work_items w"              \
                    " WHERE w.job_id=import_jobs.id AND w.state='running'"                         \
                    " AND w.lease_expiry>=strftime('%Y-%m-%dT%H:%M:%fZ','now'))")

#define JOB_COL_POS(name, sql) JOB_COL_##name,
enum { JOB_COLUMNS(JOB_COL_POS) JOB_COL__COUNT };
#define JOB_SELECT "SELECT " LI__SQLITE_COLUMN_TEXT(JOB_COLUMNS) " FROM import_jobs"

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

/*
 * The store boundary: states and phases are stored as their names. A name
 * this version does not know (a database edited by hand, or by a newer
 * version) is an error, never guessed: LI_EFORMAT.
 */
static li_status job_from_row(sqlite3_stmt *q, li_job_rec *j, li_error *err) {
    memset(j, 0, sizeof *j);
    j->id = sqlite3_column_int64(q, JOB_COL_id);
    li__sqlite_col_copy(j->file_name, sizeof j->file_name, q, JOB_COL_file_name);
    j->file_size = (uint64_t)sqlite3_column_int64(q, JOB_COL_file_size);
    li__sqlite_col_copy(j->file_sha256, sizeof j->file_sha256, q, JOB_COL_file_sha256);
    li__sqlite_col_copy(j->format, sizeof j->format, q, JOB_COL_format);
    li__sqlite_col_copy(j->encoding, sizeof j->encoding, q, JOB_COL_encoding);
    li__sqlite_col_copy(j->delimiter, sizeof j->delimiter, q, JOB_COL_delimiter);
    j->has_header = sqlite3_column_int(q, JOB_COL_has_header);
    const char *state = (const char *)sqlite3_column_text(q, JOB_COL_status);
    if (!li_job_state_parse(state, &j->state))
        return li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)j->id,
                            state ? state : "");
    const char *phase = (const char *)sqlite3_column_text(q, JOB_COL_phase);
    if (!li_job_phase_parse(phase, &j->phase))
        return li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)j->id, phase);
    j->rows = (uint64_t)sqlite3_column_int64(q, JOB_COL_rows_total);
    j->valid = (uint64_t)sqlite3_column_int64(q, JOB_COL_rows_valid);
    j->invalid = (uint64_t)sqlite3_column_int64(q, JOB_COL_rows_invalid);
    j->warnings = (uint64_t)sqlite3_column_int64(q, JOB_COL_rows_warned);
    j->created = (uint64_t)sqlite3_column_int64(q, JOB_COL_created);
    j->updated = (uint64_t)sqlite3_column_int64(q, JOB_COL_updated);
    j->skipped = (uint64_t)sqlite3_column_int64(q, JOB_COL_skipped);
    j->bytes_total = (uint64_t)sqlite3_column_int64(q, JOB_COL_bytes_total);
    j->bytes_done = (uint64_t)sqlite3_column_int64(q, JOB_COL_bytes_done);
    j->parse_offset = (uint64_t)sqlite3_column_int64(q, JOB_COL_parse_offset);
    j->parse_row = (uint64_t)sqlite3_column_int64(q, JOB_COL_parse_row);
    j->commit_row = (uint64_t)sqlite3_column_int64(q, JOB_COL_commit_row);
    j->rows_per_s = sqlite3_column_double(q, JOB_COL_rows_per_s);
    j->eta_s = sqlite3_column_int64(q, JOB_COL_eta_s);
    j->created_by = sqlite3_column_int64(q, JOB_COL_created_by); /* NULL: 0, the operator */
    li__sqlite_col_copy(j->created_at, sizeof j->created_at, q, JOB_COL_created_at);
    li__sqlite_col_copy(j->started_at, sizeof j->started_at, q, JOB_COL_started_at);
    li__sqlite_col_copy(j->finished_at, sizeof j->finished_at, q, JOB_COL_finished_at);
    li__sqlite_col_copy(j->error, sizeof j->error, q, JOB_COL_error);
    j->assigned = (uint64_t)sqlite3_column_int64(q, JOB_COL_assigned);
    j->flagged = (uint64_t)sqlite3_column_int64(q, JOB_COL_flagged);
    j->attempts = (uint64_t)sqlite3_column_int64(q, JOB_COL_attempts);
    li__sqlite_col_copy(j->worker, sizeof j->worker, q, JOB_COL_worker);
    li__sqlite_col_copy(j->heartbeat_at, sizeof j->heartbeat_at, q, JOB_COL_heartbeat_at);
    li__sqlite_col_copy(j->commit_at, sizeof j->commit_at, q, JOB_COL_commit_at);
    j->live = any_owner_alive((const char *)sqlite3_column_text(q, JOB_COL_lease_owners));
    return LI_OK;
}

li_status li__sqlite_job_insert(li_store *store, li_job_rec *job, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_store_now(job->created_at);
    li_status st = li__sqlite_prepare(s,
                                      "INSERT INTO import_jobs (file_name, file_size,"
                                      " file_sha256, status, phase, bytes_total, created_at,"
                                      " created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                      &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, job->file_name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, (sqlite3_int64)job->file_size);
    sqlite3_bind_text(q, 3, job->file_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, li_job_state_name(job->state), -1, SQLITE_STATIC);
    li__sqlite_bind_text(q, 5, li_job_phase_name(job->phase));
    sqlite3_bind_int64(q, 6, (sqlite3_int64)job->bytes_total);
    sqlite3_bind_text(q, 7, job->created_at, -1, SQLITE_STATIC);
    li__sqlite_bind_id(q, 8, job->created_by);
    if ((st = li__sqlite_done(s, q, err)) == LI_OK)
        job->id = sqlite3_last_insert_rowid(s->db);
    return st;
}

/* Every checkpoint writes it: kept prepared. */
static const char sql_job_update[] =
    "UPDATE import_jobs SET format=?2, encoding=?3, delimiter=?4, has_header=?5, status=?6,"
    " phase=?7, rows_total=?8, rows_valid=?9, rows_invalid=?10, rows_warned=?11, created=?12,"
    " updated=?13, skipped=?14, bytes_total=?15, bytes_done=?16, parse_offset=?17,"
    " parse_row=?18, commit_row=?19, rows_per_s=?20, eta_s=?21, started_at=?22,"
    " finished_at=?23, error=?24, assigned=?25, flagged=?26,"
    " heartbeat_at=strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id=?1";

li_status li__sqlite_job_update(li_store *store, const li_job_rec *j, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_stmt(s, sql_job_update, 1, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, j->id);
    li__sqlite_bind_text(q, 2, j->format);
    li__sqlite_bind_text(q, 3, j->encoding);
    li__sqlite_bind_text(q, 4, j->delimiter);
    sqlite3_bind_int(q, 5, j->has_header);
    sqlite3_bind_text(q, 6, li_job_state_name(j->state), -1, SQLITE_STATIC);
    li__sqlite_bind_text(q, 7, li_job_phase_name(j->phase));
    const uint64_t counters[] = {j->rows,       j->valid,        j->invalid,   j->warnings,
                                 j->created,    j->updated,      j->skipped,   j->bytes_total,
                                 j->bytes_done, j->parse_offset, j->parse_row, j->commit_row};
    for (int i = 0; i < 12; i++) /* ?8 to ?19, in this order */
        sqlite3_bind_int64(q, 8 + i, (sqlite3_int64)counters[i]);
    sqlite3_bind_double(q, 20, j->rows_per_s);
    sqlite3_bind_int64(q, 21, j->eta_s);
    li__sqlite_bind_text(q, 22, j->started_at);
    li__sqlite_bind_text(q, 23, j->finished_at);
    li__sqlite_bind_text(q, 24, j->error);
    sqlite3_bind_int64(q, 25, (sqlite3_int64)j->assigned);
    sqlite3_bind_int64(q, 26, (sqlite3_int64)j->flagged);
    if (sqlite3_step(q) != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q); /* the strings are the caller's */
    return st;
}

/* Runs sql, bound ?1 job_id and the texts ?2... (NULL or "" as NULL), which returns no row. */
static li_status job_set(li__sqlite *s, const char *sql, int64_t job_id, const char *a,
                         const char *b, li_error *err) {
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, sql, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    li__sqlite_bind_text(q, 2, a);
    if (sqlite3_bind_parameter_count(q) >= 3)
        li__sqlite_bind_text(q, 3, b);
    return li__sqlite_done(s, q, err);
}

li_status li__sqlite_job_set_mapping(li_store *store, int64_t job_id, const char *header_json,
                                     const char *mapping_json, li_error *err) {
    return job_set(li__sq(store), "UPDATE import_jobs SET header=?2, mapping=?3 WHERE id=?1",
                   job_id, header_json, mapping_json, err);
}

li_status li__sqlite_job_set_options(li_store *store, int64_t job_id, const char *options_json,
                                     const char *blob_key, li_error *err) {
    return job_set(li__sq(store), "UPDATE import_jobs SET options=?2, blob_key=?3 WHERE id=?1",
                   job_id, options_json, blob_key, err);
}

li_status li__sqlite_job_set_report(li_store *store, int64_t job_id, const char *report_key,
                                    li_error *err) {
    return job_set(li__sq(store), "UPDATE import_jobs SET report_key=?2 WHERE id=?1", job_id,
                   report_key, NULL, err);
}

/*
 * The text columns sql (bound ?1 job_id) selects, strdup'ed into the n
 * non-NULL outs (NULL for a NULL column); LI_ENOTFOUND without the job.
 */
static li_status job_texts(li__sqlite *s, int64_t job_id, const char *sql, char **outs[], int n,
                           li_error *err) {
    sqlite3_stmt *q = NULL;
    for (int i = 0; i < n; i++)
        if (outs[i])
            *outs[i] = NULL;
    li_status st = li__sqlite_prepare(s, sql, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < n && st == LI_OK; i++)
            if (outs[i])
                st = li__sqlite_col_dup(q, i, outs[i], err);
    } else if (rc == SQLITE_DONE) {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    } else {
        st = li__sqlite_fail(s, err);
    }
    sqlite3_finalize(q);
    if (st != LI_OK)
        for (int i = 0; i < n; i++)
            if (outs[i]) {
                free(*outs[i]);
                *outs[i] = NULL;
            }
    return st;
}

li_status li__sqlite_job_header(li_store *store, int64_t job_id, char **header_json,
                                li_error *err) {
    char **outs[] = {header_json};
    return job_texts(li__sq(store), job_id, "SELECT header FROM import_jobs WHERE id=?1", outs, 1,
                     err);
}

li_status li__sqlite_job_mapping(li_store *store, int64_t job_id, char **mapping_json,
                                 li_error *err) {
    char **outs[] = {mapping_json};
    return job_texts(li__sq(store), job_id, "SELECT mapping FROM import_jobs WHERE id=?1", outs, 1,
                     err);
}

li_status li__sqlite_job_files(li_store *store, int64_t job_id, char **options_json,
                               char **blob_key, char **report_key, li_error *err) {
    char **outs[] = {options_json, blob_key, report_key};
    return job_texts(li__sq(store), job_id,
                     "SELECT options, blob_key, report_key FROM import_jobs WHERE id=?1", outs, 3,
                     err);
}

/* Read at every batch (a cancel shows there): kept prepared. */
static const char sql_job_state[] = "SELECT status FROM import_jobs WHERE id=?1";

li_status li__sqlite_job_state(li_store *store, int64_t job_id, li_job_state *state,
                               li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q;
    li_status st = li__sqlite_stmt(s, sql_job_state, 1, &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (!li_job_state_parse(name, state))
            st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_STATE_CORRUPT, (long long)job_id,
                              name ? name : "");
    } else if (rc == SQLITE_DONE) {
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)job_id);
    } else {
        st = li__sqlite_fail(s, err);
    }
    sqlite3_reset(q);
    return st;
}

li_status li__sqlite_jobs_each(li_store *store, const li_job_state *state, li_job_cb cb, void *ctx,
                               li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(
        s, state ? JOB_SELECT " WHERE status=?1 ORDER BY id DESC" : JOB_SELECT " ORDER BY id DESC",
        &q, err);
    if (st != LI_OK)
        return st;
    if (state)
        sqlite3_bind_text(q, 1, li_job_state_name(*state), -1, SQLITE_STATIC);
    int rc;
    li_job_rec job;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = job_from_row(q, &job, err)) != LI_OK || (st = cb(&job, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_jobs_page(li_store *store, const li_job_state *state, uint64_t offset,
                               uint64_t limit, uint64_t *total, li_job_cb cb, void *ctx,
                               li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    const char *name = state ? li_job_state_name(*state) : NULL;
    *total = 0;
    li_status st = li__sqlite_prepare(s, state ? "SELECT count(*) FROM import_jobs WHERE status=?1"
                                               : "SELECT count(*) FROM import_jobs",
                                      &q, err);
    if (st != LI_OK)
        return st;
    if (state)
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(q) == SQLITE_ROW)
        *total = (uint64_t)sqlite3_column_int64(q, 0);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    q = NULL;
    if (st != LI_OK)
        return st;
    /* Newest first by id, as jobs_each: the page's rows only are read. */
    st = li__sqlite_prepare(s,
                            state ? JOB_SELECT " WHERE status=?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
                                  : JOB_SELECT " ORDER BY id DESC LIMIT ?2 OFFSET ?3",
                            &q, err);
    if (st != LI_OK)
        return st;
    if (state)
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, limit > INT64_MAX ? INT64_MAX : (sqlite3_int64)limit);
    sqlite3_bind_int64(q, 3, offset > INT64_MAX ? INT64_MAX : (sqlite3_int64)offset);
    int rc;
    li_job_rec job;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = job_from_row(q, &job, err)) != LI_OK || (st = cb(&job, ctx)) != LI_OK)
            goto out;
    }
    if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_job_get(li_store *store, int64_t id, li_job_rec *job, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, JOB_SELECT " WHERE id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        st = job_from_row(q, job, err);
    else if (rc == SQLITE_DONE)
        st = li_error_set(err, LI_ENOTFOUND, LI_MSG_JOB_NOT_FOUND, (long long)id);
    else
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_job_find_by_sha(li_store *store, const char *sha256,
                                     const li_job_state *states, size_t nstates, li_job_rec *job,
                                     int *found, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *found = 0;
    li_status st =
        li__sqlite_prepare(s, JOB_SELECT " WHERE file_sha256=?1 ORDER BY id DESC", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, sha256, -1, SQLITE_STATIC);
    int rc;
    li_job_rec cand; /* *job is only written with the job found */
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if ((st = job_from_row(q, &cand, err)) != LI_OK)
            goto out;
        int match = states == NULL;
        for (size_t i = 0; i < nstates && !match; i++)
            match = cand.state == states[i];
        if (match) {
            *job = cand;
            *found = 1;
            break;
        }
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
out:
    sqlite3_finalize(q);
    return st;
}

li_status li__sqlite_job_delete(li_store *store, int64_t job_id, int *found, li_error *err) {
    static const char *const sql[] = {
        "DELETE FROM import_rows WHERE job_id=?1",
        "DELETE FROM work_items WHERE job_id=?1",
        "DELETE FROM import_jobs WHERE id=?1",
    };
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *found = 0;
    int own_tx = sqlite3_get_autocommit(s->db); /* else the caller's, who checked the job in it */
    li_status st = own_tx ? li__sqlite_begin(store, err) : LI_OK;
    if (st != LI_OK)
        return st;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        if ((st = li__sqlite_prepare(s, sql[i], &q, err)) != LI_OK)
            goto out;
        sqlite3_bind_int64(q, 1, job_id);
        if ((st = li__sqlite_done(s, q, err)) != LI_OK)
            goto out;
    }
    *found = sqlite3_changes(s->db) > 0;
    if (own_tx)
        st = li__sqlite_commit(store, err);
out:
    if (st != LI_OK && own_tx)
        li__sqlite_rollback(store);
    return st;
}

li_status li__sqlite_job_rows_delete(li_store *store, int64_t job_id, uint64_t *n, li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    li_status st = li__sqlite_prepare(s, "DELETE FROM import_rows WHERE job_id=?1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_int64(q, 1, job_id);
    st = li__sqlite_done(s, q, err);
    if (n)
        *n = st == LI_OK ? (uint64_t)sqlite3_changes(s->db) : 0;
    return st;
}

li_status li__sqlite_blob_shared(li_store *store, const char *blob_key, int64_t job_id, int *used,
                                 li_error *err) {
    li__sqlite *s = li__sq(store);
    sqlite3_stmt *q = NULL;
    *used = 0;
    li_status st = li__sqlite_prepare(
        s, "SELECT 1 FROM import_jobs WHERE blob_key=?1 AND id<>?2 LIMIT 1", &q, err);
    if (st != LI_OK)
        return st;
    sqlite3_bind_text(q, 1, blob_key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, job_id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *used = 1;
    else if (rc != SQLITE_DONE)
        st = li__sqlite_fail(s, err);
    sqlite3_finalize(q);
    return st;
}
