/*
 * jobsInt.h — what the files of the job machinery share (src/jobs): the
 * options saved with a job, its stored file, the runner of work items
 * (the one-shot import and the workers run the same), and the owner names
 * of leases. The pipeline's stages are in pipeline/pipeline.h.
 */
#ifndef LEADIMPORT_JOBS_INT_H
#define LEADIMPORT_JOBS_INT_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "leadimport/import.h"
#include "pipeline/pipeline.h"

/*
 * Makes room in the array *p of *cap elements of size bytes for element n
 * (doubling, from 256). 0 on success, -1 without memory (*p unchanged).
 */
static inline int li__grow(void **p, size_t *cap, size_t n, size_t size) {
    if (n < *cap)
        return 0;
    size_t c = *cap ? *cap * 2 : 256;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* 1536 -> "1,5 Kio": sizes as a French user reads them (import.c). */
void li__human_size(uint64_t n, char out[32]);

/* --- the queue (queue.c, worker.c) -------------------------------------------- */

/*
 * The options of an import as saved with its job (import_jobs.options):
 * everything li_import_opts says except the path, the progress callback
 * and force. li__opts_to_json() returns a malloc'ed string (NULL without
 * memory). li__opts_from_json() fills *o with strings that point into
 * *hold, valid until li__opts_hold_free(); LI_EFORMAT if unreadable.
 */
typedef struct li__opts_hold {
    void *root; /* json_t */
    li_map_override map[LI_MAP_MAX_OVERRIDES];
    const char *source_path; /* the file imported, where the job has no stored copy */
} li__opts_hold;
/*
 * source_path: the absolute path of the file, kept for a job without a
 * stored copy; may be NULL. region: the region the mapping inferred from
 * the file, or NULL: without --region, an inferred one is saved as the
 * job's "region" (with "region_source": "inferred" and its reason), so
 * that a resumed or queued job reads its numbers as the first run decided.
 */
char *li__opts_to_json(const li_import_opts *o, const char *source_path,
                       const li_region_guess *region);
li_status li__opts_from_json(const char *json, li_import_opts *o, li__opts_hold *hold);
void li__opts_hold_free(li__opts_hold *hold);

/*
 * The --map overrides an import maps with: o's, plus the assignment column
 * as the owner field with --assign column:. *out is malloc'ed (NULL when
 * o->map is used as is); the caller frees it.
 */
li_status li__overrides(const li_import_opts *o, li_map_override **out, const li_map_override **ov,
                        size_t *nov, li_error *err);

/*
 * Keeps a copy of the file at path (identity id) in the store's blob store
 * (blob.h) under its SHA-256 sha, streamed and hashed on the way. A sha
 * given (not empty) must be the copy's (nothing to do when a complete copy
 * is there already); an empty sha gets the one computed as the file is
 * copied, so that a file kept for later is read once. *created (may be
 * NULL) says the copy is new: a job that then is not created must delete
 * it if no other job uses it. LI_EIO (file_changed) when the file is not
 * the one hashed, before, during or after the copy.
 */
li_status li__blob_store(li_store *s, const char *path, char sha[LI_SHA256_HEX],
                         const li_file_id *id, int *created, li_error *err);

/* The blob key of the stored report of job_id: "reports/N.erreurs.csv". */
void li__report_key(int64_t job_id, char key[64]);

/* 1 for a status a job ends in (completed rejected failed cancelled reverted). */
/* The kind and exclusivity of the item that continues a job from its phase. */
li_work_kind li__next_kind(const li_job_rec *job, int *exclusive);

/*
 * Runs claimed work items: the one-shot import runs its own job's items in
 * its process with one, a worker thread runs any job's.
 */
typedef struct li__runner {
    li_store *s;
    char owner[128];            /* "host:pid:thread" */
    double lease_s;
    double retry_base_s;        /* first back-off delay; doubled at each attempt */
    const atomic_int *stop;     /* may be NULL */
    int one_shot;               /* someone waits: no retries, no stored report */
    const li_import_opts *overlay; /* progress callback (one-shot), or NULL */
    const li_mapping *mapping;  /* the one-shot's mapping of mapping_job, or NULL */
    const char *path;           /* the one-shot's file of mapping_job (hashed by it), or NULL */
    int64_t mapping_job;
    /* Set while an item runs. */
    const li_work_item *it;
    double last_renew;
    int stopping, lost, cancelled;
    /* The item failed and its outcome could not be written either (a disk
     * full or read-only): it stays running under this owner. */
    int unrecorded;
} li__runner;

/*
 * Runs the claimed item it to its end and records the outcome: the item
 * done (and the job's next item queued), cancelled, retried later, given
 * back (stop), or dead with the job failed. Returns LI_OK, or the error
 * that ended it (LI_EREFUSED for a job rejected by --max-invalid,
 * LI_ECANCELLED for a cancelled or stopped one), with err set.
 */
li_status li__runner_item(li__runner *r, const li_work_item *it, li_error *err);
/*
 * Runs the items of job res->job.id in this process as r (set up as the
 * one-shot import sets it) until none is left, waiting while another job
 * holds the leads; res->job gets the job as it ended. LI_OK when it ended
 * in state done (completed; ready for an analysis), else the error of its
 * end (as li_import_run).
 */
li_status li__run_job(li__runner *r, li_job_state done, li_import_result *res, li_error *err);
/*
 * li_import_enqueue() of a job for review: stored, mapped, left uploaded
 * (review.c, upload.c). known_sha: the SHA-256 of o->path, a file already
 * in the blob store under that key (an upload hashed it as it came); NULL
 * to hash the file here.
 */
li_status li__import_prepare_review(li_store *s, const li_import_opts *o, const char *known_sha,
                                    li_import_result *res, li_error *err);
/* 1 if a stored review (JSON) says its commit was asked for: the job is in review no more. */
int li__review_committed(const char *review_json);
/*
 * The review of job: 1 in *pending while it is in review (its work stops at
 * "ready"); the parse item asks before it queues a commit.
 */
li_status li__review_pending(li_store *s, int64_t job_id, int *pending, li_error *err);
/*
 * The end of a review's analysis: its counts and predictions stored, its
 * duplicates marked (once: nothing to do when they are). job is ready.
 * hook (may be NULL) is called between its steps, as a stage calls it
 * between batches: cancel, stop, lease.
 */
struct li__batch_hook;
/* The review's predictor (review_predict.c), fed while the analysis parses. */
typedef struct li__predictor li__predictor;
li_status li__review_analysed(li_store *s, li_job_rec *job, const li_import_opts *o,
                              li__predictor *fed, const struct li__batch_hook *hook,
                              li_error *err);

/*
 * The review's predictions (review_predict.c). A predicted duplicate: its
 * row, the key that decided, the lead it matches (or minus the number of
 * the earlier row of the file whose lead it matches).
 */
typedef struct li__dup_mark {
    uint64_t row_no;
    li_field key;
    int64_t match;
} li__dup_mark;

typedef struct li__dup_marks {
    li__dup_mark *m;
    size_t n, cap;
    /* The leads the simulation created, with their rows (ids ascending). */
    int64_t *sim_id;
    uint64_t *sim_row;
    size_t nsim, cap_id, cap_row;
    int64_t max_id;
} li__dup_marks;

void li__dup_marks_free(li__dup_marks *k);

/*
 * What the commit of the staged job would do with choice, for each
 * strategy (out[LI_DUP_SKIP]...), against the leads as they are now; k (may
 * be NULL) gets the duplicates of strategy mark_dup; out has 3 entries. hook (may be NULL) is
 * called between steps.
 */
struct li_review_choice;
struct li_review_counts;
li_status li__review_predict_all(li_store *s, const li_job_rec *job,
                                 const struct li_review_choice *choice, li_dup_strategy mark_dup,
                                 li__predictor *fed, struct li_review_counts *out,
                                 li__dup_marks *k, const struct li__batch_hook *hook,
                                 li_error *err);
/*
 * A predictor to feed while the analysis parses (li__predictor_observer,
 * for li__parse_stage), so that predicting need not read every staged row
 * back: given to li__review_predict_all as fed, used if it saw every valid
 * row with the keys of the choice. NULL when out of memory (then predicting
 * reads the rows). Sized for max_id leads and about expected_rows rows.
 */
li__predictor *li__predictor_new(const struct li_review_choice *c, uint64_t max_id,
                                 uint64_t expected_rows);
void li__predictor_observer(li__predictor *p, li__row_observer *out);
void li__predictor_free(li__predictor *p);
/* The review's choice made of an import's options (its match keys, or e-mail then phone). */
void li__review_choice_of_opts(const li_import_opts *o, struct li_review_choice *c);

/*
 * The cleanup's cancel of review job id, left waiting (uploaded or ready):
 * cancelled with the review_expired reason and its staged rows dropped, in
 * one transaction. A job that left review meanwhile (retried, committed) is
 * left as it is: *taken = 0.
 */
li_status li__job_cancel_expired(li_store *s, int64_t id, li_job_rec *job, int *taken,
                                 li_error *err);

/*
 * li_cleanup()'s part for jobs left in review (uploaded or ready) created
 * longer than older_than_s ago: cancelled, staged rows and stored file
 * removed (counted only with dry_run).
 */
li_status li__review_cleanup(li_store *s, double older_than_s, int dry_run, uint64_t *cancelled,
                             li_error *err);

/*
 * The one-shot import of job stopped by signal sig (SIGINT, SIGTERM; 0 if
 * unknown): LI_EINTERRUPTED, with the French message that says how many
 * rows are saved and that running the same command again resumes it.
 */
li_status li__interrupted(const li_job_rec *job, int sig, li_error *err);
/* "host:pid:thread" for thread number n (0 for the one-shot). */
void li__owner_name(char out[128], int n);

#endif
