/*
 * queue.c — what a queued job keeps, and what people do to jobs.
 *
 * A job run by a worker in another process needs everything the command
 * line knew: the file (copied beside the database under its SHA-256, so
 * that moving or editing the original cannot change an import half done)
 * and the options (saved as JSON with the job). This file writes and reads
 * both, and implements cancel, retry, delete and cleanup on top of the
 * store's queue functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "jobsInt.h"
#include "leadimport/blob.h"
#include "leadimport/infile.h"
#include "leadimport/review.h"

/* --- options ------------------------------------------------------------------- */

li_status li__overrides(const li_import_opts *o, li_map_override **out, const li_map_override **ov,
                        size_t *nov, li_error *err) {
    *out = NULL;
    *ov = o->map;
    *nov = o->nmap;
    if (o->assign != LI_ASSIGN_COLUMN)
        return LI_OK;
    if (!(*out = malloc((o->nmap + 1) * sizeof **out)))
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (o->nmap)
        memcpy(*out, o->map, o->nmap * sizeof **out);
    (*out)[o->nmap] = (li_map_override){"owner", o->assign_column ? o->assign_column : ""};
    *ov = *out;
    *nov = o->nmap + 1;
    return LI_OK;
}

/* --- the stored files ----------------------------------------------------------- */

li_status li__blob_store(li_store *s, const char *path, char sha[LI_SHA256_HEX],
                         const li_file_id *id, int *created, li_error *err) {
    li_blob_store *bs = NULL;
    li_blob_writer *w = NULL;
    char got[LI_SHA256_HEX], why[128];
    char *buf = NULL;
    uint64_t have = 0;
    int in = -1;
    struct stat sb;
    li_file_id now;
    int known = sha[0] != '\0';
    if (created)
        *created = 0;
    li_status st = li_blob_store_of(s, &bs, err);
    if (st != LI_OK)
        return st;
    if (known && li_blob_size(bs, sha, &have, NULL) == LI_OK && have == id->size)
        goto out; /* named by its hash: the same content */
    if ((st = li_infile_open(path, &in, &sb, err)) != LI_OK)
        goto out; /* only a regular file is copied: a FIFO would be waited on */
    /* The copy must hold the bytes hashed: the file must still be the one
     * hashed (same inode, size and time), and the copy's own hash must be
     * the one the job is filed under (checked below, as it is written). */
    li_file_id_of(&sb, &now);
    if (li_file_id_differs(id, &now, why, sizeof why)) {
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path, why);
        goto out;
    }
    if (!(buf = malloc(1 << 16))) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    if ((st = li_blob_writer_open(bs, &w, err)) != LI_OK)
        goto out;
    for (;;) { /* streamed: the file may be bigger than memory */
        ssize_t n = read(in, buf, 1 << 16);
        if (n == 0)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
            goto out;
        }
        if ((st = li_blob_write(w, buf, (size_t)n, err)) != LI_OK)
            goto out;
    }
    if ((st = li_blob_writer_digest(w, got, err)) != LI_OK)
        goto out;
    if (!known) {
        /* Hashed as it was copied: the file must not have changed meanwhile. */
        if (fstat(in, &sb) != 0) {
            st = li_error_set(err, LI_EIO, LI_MSG_FILE_UNREADABLE, path, li_msg_errno(errno));
            goto out;
        }
        li_file_id_of(&sb, &now);
        if (li_file_id_differs(id, &now, why, sizeof why)) {
            st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path, why);
            goto out;
        }
        memcpy(sha, got, LI_SHA256_HEX);
        if (li_blob_size(bs, sha, &have, NULL) == LI_OK && have == id->size)
            goto out; /* another job's copy of the same bytes: left as it is */
    } else if (strcmp(got, sha) != 0) {
        /* Published under the hash the job is filed under only if the bytes
         * copied have it: a file rewritten in place after it was hashed is
         * refused, and nothing is stored (a blob of that other content, if
         * one exists, belongs to another job and is left alone). */
        st = li_error_set(err, LI_EIO, LI_MSG_FILE_CHANGED, path,
                          li_msg_text(LI_MSG_FILE_CHANGED_CONTENT));
        goto out;
    }
    st = li_blob_writer_commit(w, sha, NULL, err);
    w = NULL;
    if (st == LI_OK && created)
        *created = 1;
out:
    li_blob_writer_abort(w);
    li_blob_store_free(bs);
    if (in >= 0)
        close(in);
    free(buf);
    return st;
}

char *li_report_stored_path(li_store *s, int64_t job_id) {
    char key[64];
    li_blob_store *bs = NULL;
    li__report_key(job_id, key);
    if (li_blob_store_of(s, &bs, NULL) != LI_OK)
        return NULL;
    char *p = li_blob_local_path(bs, key);
    li_blob_store_free(bs);
    return p;
}

void li__report_key(int64_t job_id, char key[64]) {
    snprintf(key, 64, "reports/%lld.erreurs.csv", (long long)job_id);
}

/* --- jobs and their items ---------------------------------------------------------- */

li_work_kind li__next_kind(const li_job_rec *job, int *exclusive) {
    /* A staged job (or one in its commit) goes on committing; any other
     * parses, and parsing writes leads except in the two-stage shape. */
    if (job->state == LI_JOB_READY || job->phase == LI_PHASE_COMMIT) {
        *exclusive = 1;
        return LI_WORK_COMMIT;
    }
    *exclusive = job->phase != LI_PHASE_PARSE;
    return LI_WORK_PARSE;
}

void li__owner_name(char out[128], int n) {
    char host[96];
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(out, 128, "%s:%ld:%d", host, (long)getpid(), n);
}

/*
 * Cancels job id under the write lock: a worker's batch either committed
 * before (its counters are read here) or will see the status and roll
 * back. expired: the cleanup's cancel of a review left waiting, which only
 * takes a job still in review (uploaded or ready: a retry or a commit
 * meanwhile wins, *taken says so) and drops its staged rows in the same
 * transaction.
 */
static li_status cancel(li_store *s, int64_t id, int expired, li_job_rec *job, int *taken,
                        li_error *err) {
    li_status st = li_store_begin(s, err);
    *taken = 0;
    if (st != LI_OK)
        return st;
    if ((st = li_store_job_get(s, id, job, err)) != LI_OK)
        goto out;
    li_error why;
    if (expired) {
        if (job->state != LI_JOB_UPLOADED && job->state != LI_JOB_READY)
            goto out; /* no longer waiting in review */
        li_error_set(&why, LI_ECANCELLED, LI_MSG_REVIEW_EXPIRED, (long long)id,
                     li_job_state_label(job->state), job->created_at);
    } else if (!li_job_state_open(job->state)) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_JOB_CANCEL_REFUSED, (long long)id,
                          li_job_state_label(job->state));
        goto out;
    } else {
        /* Stored, so read by every front end: it names no command (the CLI adds its own, import.c). */
        li_error_set(&why, LI_ECANCELLED, LI_MSG_JOB_CANCELLED_NOTE, (long long)id);
    }
    job->state = LI_JOB_CANCELLED;
    snprintf(job->error, sizeof job->error, "%s", why.message);
    job->eta_s = -1;
    li_store_now(job->finished_at);
    if ((st = li_store_job_update(s, job, err)) != LI_OK ||
        (st = li_store_work_cancel_job(s, id, err)) != LI_OK ||
        (expired && (st = li_store_job_rows_delete(s, id, NULL, err)) != LI_OK))
        goto out;
    if ((st = li_store_commit(s, err)) == LI_OK)
        *taken = 1;
out:
    if (st != LI_OK || !*taken)
        li_store_rollback(s);
    return st;
}

li_status li_job_cancel(li_store *s, int64_t id, li_job_rec *job, li_error *err) {
    int taken = 0;
    return cancel(s, id, 0, job, &taken, err);
}

li_status li__job_cancel_expired(li_store *s, int64_t id, li_job_rec *job, int *taken,
                                 li_error *err) {
    return cancel(s, id, 1, job, taken, err);
}

int li_job_interrupted(const li_job_rec *job) {
    return !job->live && (job->state == LI_JOB_PARSING || job->state == LI_JOB_IMPORTING);
}

/* A stored time ("2026-12-01T23:44:18.873Z") as seconds since the epoch in *out; 0 if unreadable. */
static int stamp_seconds(const char *stamp, double *out) {
    struct tm tm = {0};
    const char *rest = stamp && *stamp ? strptime(stamp, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
    if (!rest)
        return 0;
    *out = (double)timegm(&tm) + (*rest == '.' ? strtod(rest, NULL) : 0.0);
    return 1;
}

/* Seconds from one stored time to another, at least 0; -1 if either is unreadable. */
static double seconds_between(const char *from, const char *to) {
    double a, b;
    if (!stamp_seconds(from, &a) || !stamp_seconds(to, &b))
        return -1;
    return b > a ? b - a : 0; /* two machines' clocks: never a negative time */
}

double li_job_duration_s(const li_job_rec *job) {
    const char *from = job->commit_at[0] ? job->commit_at : job->started_at;
    char now[32];
    const char *to = job->finished_at;
    if (!to[0]) {
        /* a job that ended without an end time, or waits (uploaded, queued, ready): no time to say */
        if (job->state != LI_JOB_PARSING && job->state != LI_JOB_IMPORTING)
            return -1;
        li_store_now(now);
        to = now;
    }
    return seconds_between(from, to);
}

uint64_t li_job_resume_row(const li_job_rec *job) {
    if (job->phase == LI_PHASE_COMMIT)
        return job->commit_row + 1;
    return job->parse_row ? job->parse_row : 1;
}

li_status li_job_retry(li_store *s, int64_t id, li_job_rec *job, li_error *err) {
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    if ((st = li_store_job_get(s, id, job, err)) != LI_OK)
        goto out;
    if (job->state != LI_JOB_FAILED && job->state != LI_JOB_CANCELLED) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_JOB_RETRY_REFUSED, (long long)id,
                          li_job_state_label(job->state));
        goto out;
    }
    int exclusive = 0;
    li_work_kind kind = li__next_kind(job, &exclusive);
    job->state = LI_JOB_QUEUED;
    job->error[0] = '\0';
    job->finished_at[0] = '\0';
    job->eta_s = -1;
    if ((st = li_store_job_update(s, job, err)) != LI_OK ||
        (st = li_store_work_add(s, id, kind, exclusive, LI_WORK_MAX_ATTEMPTS, 0, err)) != LI_OK)
        goto out;
    st = li_store_commit(s, err);
out:
    if (st != LI_OK)
        li_store_rollback(s);
    return st;
}

li_status li_job_delete(li_store *s, int64_t id, li_error *err) {
    li_job_rec job;
    char *blob = NULL, *report = NULL;
    li_blob_store *bs = NULL;
    int found = 0, shared = 0;
    /* Checked and deleted under one lock: a retry that queues the job
     * again meanwhile must not lose its job to the delete. */
    li_status st = li_store_begin(s, err);
    if (st != LI_OK)
        return st;
    if ((st = li_store_job_get(s, id, &job, err)) != LI_OK)
        goto undo;
    /* A job that may be running is cancelled first: its worker then stops
     * cleanly instead of writing into a job that is gone. */
    if (li_job_state_open(job.state)) {
        st = li_error_set(err, LI_EREFUSED, LI_MSG_JOB_DELETE_REFUSED, (long long)id,
                          (long long)id);
        goto undo;
    }
    if ((st = li_store_job_files(s, id, NULL, &blob, &report, err)) != LI_OK ||
        (blob && (st = li_store_blob_shared(s, blob, id, &shared, err)) != LI_OK) ||
        (st = li_store_job_delete(s, id, &found, err)) != LI_OK ||
        (st = li_store_commit(s, err)) != LI_OK)
        goto undo;
    /* Files after the rows: a crash in between leaves a file, never a job
     * without one; a file that cannot be removed is left (the job is gone). */
    char key[64];
    li__report_key(id, key);
    if ((st = li_blob_store_of(s, &bs, err)) != LI_OK)
        goto out;
    if (blob && !shared)
        li_blob_delete(bs, blob, NULL);
    if (report && strcmp(report, key) != 0)
        li_blob_delete(bs, report, NULL);
    li_blob_delete(bs, key, NULL);
    goto out;
undo:
    li_store_rollback(s);
out:
    li_blob_store_free(bs);
    free(blob);
    free(report);
    return st;
}

/* now - secs, in the store's time format (which orders like time). */
static void stamp_ago(double secs, char out[32]) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    time_t t = tv.tv_sec - (time_t)secs;
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(tv.tv_usec / 1000) % 1000u);
}

typedef struct cleanup_ctx {
    char jobs_before[32], rows_before[32];
    int rows;
    int64_t *del, *drop;
    size_t ndel, ndrop, cap;
    li_status st;
} cleanup_ctx;

static li_status cleanup_pick(const li_job_rec *job, void *arg) {
    cleanup_ctx *c = arg;
    if (c->ndel == c->cap || c->ndrop == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        int64_t *d = realloc(c->del, cap * sizeof *d);
        if (d)
            c->del = d;
        int64_t *r = d ? realloc(c->drop, cap * sizeof *r) : NULL;
        if (!d || !r)
            return LI_ENOMEM;
        c->drop = r;
        c->cap = cap;
    }
    if (li_job_state_open(job->state))
        return LI_OK; /* never a job that may be running */
    if (strcmp(job->created_at, c->jobs_before) < 0)
        c->del[c->ndel++] = job->id;
    else if (c->rows && job->state == LI_JOB_COMPLETED && job->finished_at[0] &&
             strcmp(job->finished_at, c->rows_before) < 0 && job->rows > 0)
        c->drop[c->ndrop++] = job->id;
    return LI_OK;
}

li_status li_cleanup(li_store *s, const li_cleanup_opts *o, li_cleanup_result *res,
                     li_error *err) {
    cleanup_ctx c;
    memset(&c, 0, sizeof c);
    memset(res, 0, sizeof *res);
    stamp_ago(o->older_than_s, c.jobs_before);
    c.rows = o->rows_older_than_s > 0;
    if (c.rows)
        stamp_ago(o->rows_older_than_s, c.rows_before);
    li_status st = li_store_jobs_each(s, NULL, cleanup_pick, &c, err);
    if (st == LI_ENOMEM)
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    for (size_t i = 0; st == LI_OK && i < c.ndel; i++) {
        if (!o->dry_run && (st = li_job_delete(s, c.del[i], err)) != LI_OK) {
            /* Retried (open again) or deleted by someone else since it was picked: left. */
            if (st == LI_EREFUSED || st == LI_ENOTFOUND) {
                st = LI_OK;
                continue;
            }
            break;
        }
        res->jobs_deleted++;
    }
    for (size_t i = 0; st == LI_OK && i < c.ndrop; i++) {
        uint64_t n = 0;
        if (!o->dry_run && (st = li_store_job_rows_delete(s, c.drop[i], &n, err)) != LI_OK)
            break;
        /* A job whose rows went at an earlier cleanup is not counted again. */
        res->rows_jobs += o->dry_run || n > 0;
        res->rows_dropped += n;
    }
    free(c.del);
    free(c.drop);
    /* Jobs left in review: cancelled (7 days by default), their rows and file removed. */
    if (st == LI_OK && o->review_older_than_s >= 0)
        st = li__review_cleanup(s, o->review_older_than_s > 0 ? o->review_older_than_s
                                                               : LI_REVIEW_MAX_AGE_S,
                                o->dry_run, &res->reviews_cancelled, err);
    return st;
}
