/*
 * worker.c — running work items: the runner shared by the one-shot import
 * and the workers, and the worker threads.
 *
 * An item runs one stage of its job from the job's last checkpoint:
 *   parse   the one-pass import (staged and committed together), or, in the
 *           two-stage shape (--max-invalid), staging only; then the reject
 *           limit is checked and the commit item queued;
 *   commit  the staged valid rows into leads;
 *   report  the error report, written beside the database.
 * Every item is idempotent: its stage starts from the checkpoint saved with
 * the last committed batch, and an item whose stage is already done (the
 * worker died between the stage's last transaction and closing the item)
 * only queues what follows.
 *
 * In each batch's transaction the runner's hook checks that the job was not
 * cancelled and that the worker is not stopping, and renews the lease (at
 * most twice a second; the first batch of a claim always, which also resets
 * the item's attempts: an attempt that made progress was not the item's
 * fault).
 *
 * Outcomes: done (next item queued); cancelled; given back when told to
 * stop (not an attempt); a temporary error (database, I/O, memory) queued
 * again after an exponential back-off with jitter, until the last attempt
 * fails the job; any other error fails the job at once with its French
 * reason. The one-shot import never waits for a retry: a person is
 * waiting, and running the import again resumes it.
 */
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jobsInt.h"
#include "leadimport/blob.h"
#include "leadimport/review.h"

/* --- the batch hook ------------------------------------------------------------- */

static li_status on_batch(void *ctx, li_job_rec *job, li_error *err) {
    li__runner *r = ctx;
    li_job_state state;
    li_status st;
    if (r->stop && atomic_load(r->stop)) {
        r->stopping = 1;
        return li_error_set(err, LI_ECANCELLED, LI_MSG_JOB_STOPPED, (long long)job->id);
    }
    if ((st = li_store_job_state(r->s, job->id, &state, err)) != LI_OK)
        return st;
    if (state == LI_JOB_CANCELLED) {
        r->cancelled = 1;
        return li_error_set(err, LI_ECANCELLED, LI_MSG_JOB_CANCELLED, (long long)job->id, 0ULL,
                            0ULL, (long long)job->id);
    }
    double now = li__now();
    if (r->last_renew == 0 || now - r->last_renew >= 0.5) {
        int held = 0;
        if ((st = li_store_work_renew(r->s, r->it->id, r->owner, r->lease_s, &held, err)) != LI_OK)
            return st;
        if (!held) {
            r->lost = 1;
            return li_error_set(err, LI_ECANCELLED, LI_MSG_JOB_LEASE_LOST, (long long)job->id);
        }
        r->last_renew = now;
    }
    return LI_OK;
}

li_status li__interrupted(const li_job_rec *job, int sig, li_error *err) {
    char why[64];
    if (sig == SIGINT)
        li_msg_format(why, sizeof why, LI_MSG_SIGNAL_INT);
    else
        li_msg_format(why, sizeof why, LI_MSG_SIGNAL_TERM);
    /* A commit stage saved the rows it committed, not the rows the parse staged. */
    uint64_t saved = job->phase == LI_PHASE_COMMIT ? job->created + job->updated + job->skipped
                                                   : job->rows;
    return li_error_set(err, LI_EINTERRUPTED, LI_MSG_JOB_INTERRUPTED, (long long)job->id, why,
                        (unsigned long long)saved);
}

/* A stage starts: the job may have been cancelled since it was claimed. */
static li_status on_start(void *ctx, li_job_rec *job, li_error *err) {
    li__runner *r = ctx;
    li_job_state state;
    li_status st = li_store_job_state(r->s, job->id, &state, err);
    if (st == LI_OK && state == LI_JOB_CANCELLED) {
        r->cancelled = 1;
        st = li_error_set(err, LI_ECANCELLED, LI_MSG_JOB_CANCELLED, (long long)job->id, 0ULL,
                          0ULL, (long long)job->id);
    }
    return st;
}

/* --- outcomes -------------------------------------------------------------------- */

static int over_limit(const li_reject_limit *l, const li_job_rec *job) {
    if (!l->set)
        return 0;
    if (l->percent)
        return (double)job->invalid * 100.0 > l->value * (double)job->rows;
    return (double)job->invalid > l->value;
}

/* Too many invalid rows: the job ends "rejected", nothing was committed. */
static li_status reject(li_store *s, li_job_rec *job, const li_reject_limit *l, li_error *err) {
    char limit[32], share[32];
    if (l->percent)
        snprintf(limit, sizeof limit, "%g %%", l->value);
    else
        snprintf(limit, sizeof limit, "%.0f ligne%s", l->value, l->value > 1 ? "s" : "");
    snprintf(share, sizeof share, "%.1f",
             job->rows ? (double)job->invalid * 100.0 / (double)job->rows : 0.0);
    char *dot = strchr(share, '.');
    if (dot)
        *dot = ','; /* French decimal comma */
    li_error_set(err, LI_EREFUSED, LI_MSG_TOO_MANY_INVALID, (unsigned long long)job->invalid,
                 (unsigned long long)job->rows, share, limit);
    job->state = LI_JOB_REJECTED;
    snprintf(job->error, sizeof job->error, "%s", err ? err->message : "");
    li_store_now(job->finished_at);
    job->eta_s = -1;
    return li_store_job_update(s, job, err);
}

/*
 * The stage of item it is done: closes it and queues what follows, in one
 * transaction. next may be NULL (nothing follows).
 */
static const li_work_kind next_commit = LI_WORK_COMMIT, next_report = LI_WORK_REPORT;

static li_status advance(li__runner *r, const li_job_rec *job, const li_work_kind *next, int exclusive,
                         li_error *err) {
    li_status st = li_store_begin(r->s, err);
    if (st != LI_OK)
        return st;
    if ((st = li_store_work_finish(r->s, r->it->id, r->owner, LI_ITEM_DONE, NULL, err)) == LI_OK &&
        next)
        st = li_store_work_add(r->s, job->id, *next, exclusive, LI_WORK_MAX_ATTEMPTS, 0, err);
    if (st == LI_OK)
        return li_store_commit(r->s, err);
    li_store_rollback(r->s);
    return st;
}

/* After a finished job: a report item when a worker ran it and the report lists a row. */
static const li_work_kind *report_next(const li__runner *r, const li_job_rec *job) {
    return !r->one_shot && li_report_due(job) ? &next_report : NULL;
}

/*
 * What a later attempt may cure: the database busy or failing, a full or
 * read-only disk (space freed, disk remounted), memory. A stored file that
 * is missing or changed will not come back by itself: failed at once.
 */
static int temporary(li_status st, const li_error *why) {
    if (why && why->msg == LI_MSG_JOB_FILE_MISSING)
        return 0;
    return st == LI_EDB || st == LI_EIO || st == LI_ENOMEM || st == LI_ENOSPACE ||
           st == LI_EREADONLY || st == LI_EBUSY;
}

/*
 * The item failed with st (err): queued again after a back-off, or dead
 * with its job failed. The job is read again: its counters and checkpoints
 * are those of the last committed batch, not the rolled-back one.
 */
static void item_failed(li__runner *r, li_status st, const li_error *why) {
    li_job_rec job;
    li_error e2, ignored;
    const li_work_item *it = r->it;
    int retry = !r->one_shot && temporary(st, why) && it->attempts < it->max_attempts;
    char text[LI_ERROR_MAX];
    double delay = 0;
    if (retry) {
        /* Exponential, capped, with up to 50 % jitter so that workers that
         * failed together do not retry together. */
        delay = fmin(r->retry_base_s * pow(2.0, it->attempts - 1), 300.0);
        delay *= 1.0 + 0.5 * ((double)rand() / (double)RAND_MAX);
        li_msg_format(text, sizeof text, LI_MSG_JOB_RETRYING, it->attempts, it->max_attempts,
                      why->message, delay);
    } else if (temporary(st, why) && !r->one_shot) {
        li_msg_format(text, sizeof text, LI_MSG_JOB_GAVE_UP, it->attempts, why->message);
    } else {
        snprintf(text, sizeof text, "%s", why->message[0] ? why->message : "?");
    }
    li_store_rollback(r->s);
    li_store_bulk_end(r->s, &ignored); /* a commit may have begun a bulk load */
    r->unrecorded = 1; /* until the outcome is committed */
    li_store_use_spare(r->s, 1); /* the space kept for this, on a full disk */
    if (li_store_begin(r->s, &e2) != LI_OK) {
        li_store_use_spare(r->s, 0);
        return; /* the lease will expire: another worker takes the item back */
    }
    if (li_store_job_get(r->s, it->job_id, &job, &e2) == LI_OK && !li_job_state_final(job.state)) {
        job.state = retry ? LI_JOB_QUEUED : LI_JOB_FAILED;
        snprintf(job.error, sizeof job.error, "%s", text);
        job.eta_s = -1;
        job.rows_per_s = 0;
        if (!retry)
            li_store_now(job.finished_at);
        li_store_job_update(r->s, &job, &e2);
    }
    if (retry)
        li_store_work_retry(r->s, it->id, r->owner, text, delay, &e2);
    else
        li_store_work_finish(r->s, it->id, r->owner, LI_ITEM_DEAD, text, &e2);
    if (li_store_commit(r->s, &e2) != LI_OK)
        li_store_rollback(r->s);
    else
        r->unrecorded = 0;
    li_store_use_spare(r->s, 0);
}

/* --- the stages -------------------------------------------------------------------- */

li_status li_report_store(li_store *s, int64_t job_id, char **path, uint64_t *nrows,
                          li_error *err) {
    char key[64];
    li__report_key(job_id, key);
    *path = NULL;
    li_status st = li__report_write_stored(s, job_id, key, nrows, err);
    if (st == LI_OK)
        st = li_store_job_set_report(s, job_id, key, err);
    /* Its path once written: a blob store without local files (PostgreSQL)
     * has a local copy only of a blob that exists. */
    if (st == LI_OK && !(*path = li_report_stored_path(s, job_id)))
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    if (st != LI_OK) {
        free(*path);
        *path = NULL;
    }
    return st;
}

static li_status run_report(li__runner *r, const li_job_rec *job, li_error *err) {
    char *path = NULL;
    li__trace("report");
    li_status st = li_report_store(r->s, job->id, &path, NULL, err);
    li__trace("report done");
    if (st == LI_OK)
        st = advance(r, job, NULL, 0, err);
    free(path);
    return st;
}

/* The mapping of the job: the one-shot's own, or rebuilt from the job's stored one. */
static li_status job_mapping(li__runner *r, const li_job_rec *job, const li_import_opts *o,
                             li_mapping **owned, const li_mapping **m, li_error *err) {
    li_map_override *ov_copy = NULL;
    const li_map_override *ov;
    size_t nov;
    char *resume_json = NULL;
    li_mapping_source src;
    *owned = NULL;
    *m = NULL;
    if (r->mapping && r->mapping_job == job->id) {
        *m = r->mapping;
        return LI_OK;
    }
    li_status st = li__overrides(o, &ov_copy, &ov, &nov, err);
    if (st == LI_OK)
        st = li_store_job_mapping(r->s, job->id, &resume_json, err);
    if (st == LI_OK) {
        li_mapping_request req = {.path = o->path,
                                  .reader = &o->reader,
                                  .map = ov,
                                  .nmap = nov,
                                  .mapping_name = o->mapping_name,
                                  .resume_json = resume_json};
        st = li_import_mapping(r->s, &req, owned, &src, err);
        *m = *owned;
    }
    free(resume_json);
    free(ov_copy);
    return st;
}

/*
 * Rows to expect from a file of bytes bytes, to size the committer's key
 * set: about 200 bytes a row in CSV; an XLSX sheet is compressed, about
 * 100 bytes a row. A wrong guess only costs a rebuild of the set (a jump
 * of memory, not an error).
 */
static uint64_t expected_rows(const char *path, uint64_t bytes) {
    unsigned char magic[4] = {0};
    FILE *f = fopen(path, "rb");
    if (f) {
        if (fread(magic, 1, sizeof magic, f) != sizeof magic)
            magic[0] = 0;
        fclose(f);
    }
    int zip = memcmp(magic, "PK\x03\x04", 4) == 0;
    return bytes / (zip ? 100 : 200) + 1024;
}

/* The parse item: one pass (committing), or staging then the reject check. */
static li_status run_parse(li__runner *r, li_job_rec *job, const li_import_opts *o,
                           const li__batch_hook *hook, li_error *err) {
    li__meter meter;
    li_mapping *owned = NULL;
    const li_mapping *m = NULL;
    li_status st = LI_OK;
    int staged = job->state == LI_JOB_READY;
    int review = 0; /* a job in review stops at ready: its analysis never commits */
    if ((st = li__review_pending(r->s, job->id, &review, err)) != LI_OK)
        return st;
    int fused = !staged && !review && job->phase != LI_PHASE_PARSE && !o->max_invalid.set;
    li__predictor *fed = NULL;
    li__row_observer obs;
    if (!staged) {
        if ((st = job_mapping(r, job, o, &owned, &m, err)) != LI_OK)
            goto out;
        li__meter_start(&meter);
        if (review && job->parse_row == 0) {
            /* The predictor sees the rows as they are staged (from the
             * first: a resumed parse's would miss those staged before). */
            li_review_choice choice;
            int64_t max_id = 0;
            li__review_choice_of_opts(o, &choice);
            if ((st = li_store_leads_max_id(r->s, &max_id, err)) != LI_OK)
                goto out;
            if ((fed = li__predictor_new(&choice, (uint64_t)max_id,
                                         expected_rows(o->path, job->bytes_total))))
                li__predictor_observer(fed, &obs);
        }
        if (fused) {
            li__committer c;
            if ((st = li__committer_open(&c, r->s, job, o, expected_rows(o->path, job->bytes_total),
                                         err)) == LI_OK)
                st = li__assign_setup(&c, r->s, o, err);
            if (st == LI_OK) {
                li__trace("parse + commit (bulk=%d)", c.bulk);
                st = li__parse_stage(r->s, job, o, m, &c, NULL, LI_JOB_COMPLETED, &meter, hook,
                                     err);
            }
            li__committer_free(&c);
        } else {
            /* a review is ready once its predictions are stored (li__review_analysed) */
            st = li__parse_stage(r->s, job, o, m, NULL, fed ? &obs : NULL,
                                 review ? LI_JOB_PARSING : LI_JOB_READY, &meter, hook, err);
        }
        if (st != LI_OK)
            goto out;
        if (m->has_header && !o->no_remember && job->state == LI_JOB_COMPLETED) {
            /* Proposed again to the next file with these headers. Best
             * effort: the leads are in, a failure must not fail the import. */
            li_error ignored;
            li_mapping_save_as(r->s, NULL, m, &ignored);
        }
    }
    if (job->state == LI_JOB_COMPLETED) {
        st = advance(r, job, report_next(r, job), 0, err);
    } else if (over_limit(&o->max_invalid, job)) {
        li_error why;
        if ((st = reject(r->s, job, &o->max_invalid, &why)) == LI_OK &&
            (st = advance(r, job, r->one_shot ? NULL : &next_report, 0, err)) == LI_OK) {
            if (err)
                *err = why;
            st = LI_EREFUSED;
        }
    } else if (review) {
        if ((st = li__review_analysed(r->s, job, o, fed, hook, err)) == LI_OK)
            st = advance(r, job, NULL, 0, err);
    } else {
        st = advance(r, job, &next_commit, 1, err);
    }
out:
    li__predictor_free(fed);
    li_mapping_free(owned);
    return st;
}

static li_status run_commit(li__runner *r, li_job_rec *job, const li_import_opts *o,
                            const li__batch_hook *hook, li_error *err) {
    li__meter meter;
    li__meter_start(&meter);
    li__trace("commit of the staged rows");
    li_status st = li__commit_stage(r->s, job, o, &meter, hook, err);
    li__trace("commit done");
    if (st == LI_OK)
        st = advance(r, job, report_next(r, job), 0, err);
    return st;
}

/* The job's options and its stored file, checked; *path is malloc'ed. */
static li_status load_job_input(li__runner *r, const li_job_rec *job, li_import_opts *o,
                                li__opts_hold *hold, char **path, li_error *err) {
    char *json = NULL, *blob = NULL;
    struct stat sb;
    *path = NULL;
    li_status st = li_store_job_files(r->s, job->id, &json, &blob, NULL, err);
    if (st != LI_OK)
        goto out;
    if (li__opts_from_json(json, o, hold) != LI_OK || (!blob && !hold->source_path)) {
        st = li_error_set(err, LI_EFORMAT, LI_MSG_JOB_OPTIONS_CORRUPT, (long long)job->id);
        goto out;
    }
    int own = !blob && r->path && r->mapping_job == job->id; /* the one-shot's file, just hashed */
    if (blob) { /* a path, for the readers: the XLSX one needs random access */
        li_blob_store *bs = NULL;
        if ((st = li_blob_store_of(r->s, &bs, err)) != LI_OK)
            goto out;
        *path = li_blob_local_path(bs, blob);
        li_blob_store_free(bs);
    } else {
        *path = strdup(own ? r->path : hold->source_path);
    }
    if (!*path) {
        st = li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        goto out;
    }
    /* An I/O error (a one-shot import exits "unreadable"), but not retried
     * by the queue: a missing file does not come back by itself (temporary()).
     * The parse then reads the file as checked here (o->reader.expect):
     * the one-shot's as it hashed it, another one as hashed now. */
    char sha[LI_SHA256_HEX];
    li_file_id id;
    memset(&id, 0, sizeof id);
    if (stat(*path, &sb) == 0)
        li_file_id_of(&sb, &id);
    if (own && r->overlay)
        id = r->overlay->reader.expect;
    if (!li_file_id_set(&id) || id.size != job->file_size ||
        (!blob && !own &&
         (li_sha256_file_id(*path, sha, &id, NULL) != LI_OK || strcmp(sha, job->file_sha256) != 0))) {
        st = li_error_set(err, LI_EIO, LI_MSG_JOB_FILE_MISSING, (long long)job->id, *path);
        goto out;
    }
    o->reader.expect = id;
    o->path = *path;
    if (r->overlay) {
        o->progress = r->overlay->progress;
        o->progress_ctx = r->overlay->progress_ctx;
    }
out:
    free(json);
    free(blob);
    return st;
}

li_status li__runner_item(li__runner *r, const li_work_item *it, li_error *err) {
    li_job_rec job;
    li_import_opts o;
    li__opts_hold hold;
    char *path = NULL;
    li__batch_hook hook = {on_batch, on_start, r};
    memset(&hold, 0, sizeof hold);
    r->it = it;
    r->last_renew = 0;
    r->stopping = r->lost = r->cancelled = r->unrecorded = 0;

    li_status st = li_store_job_get(r->s, it->job_id, &job, err);
    if (st != LI_OK)
        goto fail;
    if (it->attempts > it->max_attempts && !r->one_shot) {
        /* Taken back from dead workers that many times without progress:
         * the item itself kills them, so workers stop taking it. A person
         * who runs the import again is not a worker: that run always
         * resumes (one_shot), and the message says so. */
        li_error why;
        li_error_set(&why, LI_EINTERNAL, LI_MSG_JOB_CRASH_LOOP, it->max_attempts,
                     (long long)it->job_id, (long long)it->job_id);
        st = li_error_set(err, LI_EINTERNAL, LI_MSG_JOB_CRASH_LOOP, it->max_attempts,
                          (long long)it->job_id, (long long)it->job_id);
        item_failed(r, LI_EINTERNAL, &why);
        goto out;
    }
    if (job.state == LI_JOB_CANCELLED || job.state == LI_JOB_FAILED ||
        job.state == LI_JOB_REVERTED) {
        st = li_store_work_finish(r->s, it->id, r->owner,
                                  job.state == LI_JOB_CANCELLED ? LI_ITEM_CANCELLED : LI_ITEM_DONE,
                                  NULL, err);
        goto out;
    }
    if (it->kind != LI_WORK_REPORT &&
        (job.state == LI_JOB_COMPLETED || job.state == LI_JOB_REJECTED)) {
        /* The stage ended but the item was not closed: close it now. */
        st = advance(r, &job, report_next(r, &job), 0, err);
        goto out;
    }
    if (it->kind == LI_WORK_REPORT) {
        st = run_report(r, &job, err);
        goto check;
    }
    if ((st = load_job_input(r, &job, &o, &hold, &path, err)) != LI_OK)
        goto fail;
    if (!job.started_at[0])
        li_store_now(job.started_at);
    if (it->kind == LI_WORK_PARSE)
        st = run_parse(r, &job, &o, &hook, err);
    else
        st = run_commit(r, &job, &o, &hook, err);
check:
    if (st == LI_OK || st == LI_EREFUSED)
        goto out;
fail:
    li_store_rollback(r->s);
    if (r->lost)
        goto out; /* not ours any more: write nothing */
    if (r->stopping || r->cancelled) {
        li_error ignored;
        li_store_bulk_end(r->s, &ignored); /* a commit may have begun a bulk load */
        if (r->stopping) {
            /* Given back: the job says it waits, not that it runs. Read and
             * written under the lock: a cancel that lands in between wins
             * (the item ends cancelled instead of queued again). */
            int cancelled = 0;
            if (li_store_begin(r->s, &ignored) == LI_OK) {
                li_status w = li_store_job_get(r->s, it->job_id, &job, &ignored);
                cancelled = w == LI_OK && job.state == LI_JOB_CANCELLED;
                if (w == LI_OK && !li_job_state_final(job.state)) {
                    job.state = LI_JOB_QUEUED;
                    job.rows_per_s = 0;
                    job.eta_s = -1;
                    w = li_store_job_update(r->s, &job, &ignored);
                }
                if (w == LI_OK)
                    w = cancelled ? li_store_work_finish(r->s, it->id, r->owner,
                                                         LI_ITEM_CANCELLED, NULL, &ignored)
                                  : li_store_work_release(r->s, it->id, r->owner, &ignored);
                if (w != LI_OK || li_store_commit(r->s, &ignored) != LI_OK)
                    li_store_rollback(r->s); /* the lease runs out: another worker takes it */
            }
            if (r->one_shot) /* someone waits: tell them how to go on */
                st = li__interrupted(&job, r->stop ? atomic_load(r->stop) : 0, err);
        } else {
            li_store_work_finish(r->s, it->id, r->owner, LI_ITEM_CANCELLED, NULL, &ignored);
            if (li_store_job_get(r->s, it->job_id, &job, &ignored) == LI_OK)
                li_error_set(err, LI_ECANCELLED, LI_MSG_JOB_CANCELLED, (long long)job.id,
                             (unsigned long long)job.created, (unsigned long long)job.updated,
                             (long long)job.id);
        }
        goto out;
    }
    item_failed(r, st, err);
out:
    li__opts_hold_free(&hold);
    free(path);
    r->it = NULL;
    return st;
}

/* --- worker threads ------------------------------------------------------------------ */

typedef struct worker_thread {
    const char *url;
    const li_worker_opts *o;
    int n;
    pthread_t thread;
    li_status st;
    li_error err;
} worker_thread;

static int stopped(const li_worker_opts *o) {
    return o->stop && atomic_load(o->stop);
}

/* Sleeps secs, waking early when told to stop. */
static void nap(const li_worker_opts *o, double secs) {
    for (double slept = 0; slept < secs && !stopped(o); slept += 0.05) {
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static void log_event(const li_worker_opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_event(const li_worker_opts *o, const char *fmt, ...) {
    if (!o->log)
        return;
    char line[LI_ERROR_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    o->log(line, o->log_ctx);
}

/*
 * The queue could not be written (the claim, or an item's outcome), for the
 * faults-th time in a row: waits with the items' back-off (capped at a
 * minute) and returns 0 to try again; a worker told to stop when idle
 * gives up after LI_WORK_MAX_ATTEMPTS and returns 1, its thread failing
 * with the reason, so that `worker --until-idle` always ends.
 */
static int queue_fault(worker_thread *w, const li__runner *r, li_status st, const li_error *why,
                       int faults) {
    const li_worker_opts *o = w->o;
    log_event(o, "%s", why->message);
    if (o->until_idle && faults >= LI_WORK_MAX_ATTEMPTS) {
        w->st = li_error_set(&w->err, st, LI_MSG_WORKER_STORAGE_GAVE_UP, faults, why->message);
        return 1;
    }
    nap(o, fmin(r->retry_base_s * pow(2.0, faults - 1), 60.0));
    return 0;
}

static void *worker_main(void *arg) {
    worker_thread *w = arg;
    const li_worker_opts *o = w->o;
    li_store *s = NULL;
    li__runner r;
    memset(&r, 0, sizeof r);
    li_error_clear(&w->err);
    if ((w->st = li_store_open(w->url, &s, &w->err)) != LI_OK)
        return NULL;
    r.s = s;
    li__owner_name(r.owner, w->n);
    r.lease_s = o->lease_s > 0 ? o->lease_s : LI_WORK_LEASE_S;
    r.retry_base_s = o->retry_base_s > 0 ? o->retry_base_s : 2.0;
    r.stop = o->stop;
    int faults = 0; /* the queue could not be written, that many times in a row */
    while (!stopped(o)) {
        li_work_item it;
        int found = 0;
        li_error err;
        li_error_clear(&err);
        li_status st = li_store_work_claim(s, r.owner, 0, r.lease_s, &it, &found, &err);
        if (st != LI_OK) {
            /* The database is busy, full or read-only: try again later. */
            if (queue_fault(w, &r, st, &err, ++faults))
                break;
            continue;
        }
        if (!found) {
            uint64_t pending = 1;
            if (o->until_idle && li_store_work_pending(s, 0, &pending, &err) == LI_OK &&
                pending == 0)
                break;
            nap(o, 0.2);
            continue;
        }
        log_event(o, "import n° %lld : étape « %s » prise par %s (tentative %d sur %d)",
                  (long long)it.job_id, li_work_kind_label(it.kind), r.owner, it.attempts, it.max_attempts);
        st = li__runner_item(&r, &it, &err);
        if (r.unrecorded) {
            /* Its failure could not even be written: a fault of the queue too. */
            if (queue_fault(w, &r, st, &err, ++faults))
                break;
            continue;
        }
        faults = 0; /* reset by an outcome written only: a claim alone proves too little */
        if (st == LI_OK || st == LI_EREFUSED)
            log_event(o, "import n° %lld : étape « %s » terminée%s%s", (long long)it.job_id,
                      li_work_kind_label(it.kind), st == LI_EREFUSED ? " — " : "",
                      st == LI_EREFUSED ? err.message : "");
        else
            log_event(o, "import n° %lld : %s", (long long)it.job_id, err.message);
    }
    li_store_close(s);
    return NULL;
}

li_status li_worker_run(const char *db_url, const li_worker_opts *o, li_error *err) {
    int n = o->concurrency > 0 ? o->concurrency : 1;
    li_status st = LI_OK;
    worker_thread *w = calloc((size_t)n, sizeof *w);
    if (!w)
        return li_error_set(err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    /* Opened once here so that a wrong URL or schema fails before any thread starts. */
    li_store *probe = NULL;
    if ((st = li_store_open_existing(db_url, &probe, err)) != LI_OK)
        goto out;
    li_store_close(probe);
    srand((unsigned)(time(NULL) ^ getpid()));
    int started = 0;
    for (; started < n; started++) {
        w[started] = (worker_thread){.url = db_url, .o = o, .n = started + 1};
        if (pthread_create(&w[started].thread, NULL, worker_main, &w[started]) != 0) {
            st = li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "création d'un fil de worker");
            break;
        }
        /* Named for top -H, perf and gdb (at most 15 characters). */
        char name[16];
        snprintf(name, sizeof name, "li-worker-%u", (unsigned)(started + 1) % 10000u);
        (void)pthread_setname_np(w[started].thread, name);
    }
    for (int i = 0; i < started; i++) {
        pthread_join(w[i].thread, NULL);
        if (w[i].st != LI_OK && st == LI_OK) {
            st = w[i].st;
            if (err)
                *err = w[i].err;
        }
    }
out:
    free(w);
    return st;
}
