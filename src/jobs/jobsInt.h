/*
 * jobsInt.h — what the files of the jobs module share: the encoding of a
 * staged valid row, the in-memory key set used for deduplication, the
 * committer (strategy, assignment, outcome of a row), the stages' batch
 * hook and progress meter, and the stored files of queued jobs.
 */
#ifndef LEADIMPORT_JOBS_INT_H
#define LEADIMPORT_JOBS_INT_H

#include <stdatomic.h>
#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/field.h"
#include "leadimport/import.h"
#include "leadimport/slice.h"
#include "leadimport/validate.h"

/*
 * A valid staged row's data: the phone's line type (one digit, a
 * li_phone_type), then the normalised values in field order, then the
 * custom-fields JSON, separated by US (0x1F). Normalised values never hold
 * control characters (the validator removes them) and the JSON escapes
 * them, so the separator cannot occur inside a value. The type travels
 * with the row: the reader thread computed it, the writer need not again.
 */
#define LI__SEP '\x1f'

/* A valid row as staged; slices point into the staged data. */
typedef struct li__row {
    li_slice value[LI_FIELD__COUNT];
    li_slice custom;
    li_slice assignee; /* the assignment cell (li_lead.assignee), empty if none */
    li_phone_type phone_type;
} li__row;

/* Appends the encoding of a valid lead to out. */
li_status li__row_encode(li_buf *out, const li_lead *lead);
/* Splits data back into *row. Returns LI_EINTERNAL if malformed. */
li_status li__row_decode(li_slice data, li__row *row);

/*
 * The deduplication index in memory: for every match key (e-mail, phone) of
 * every lead, a slot of 8 bytes holding a 24-bit fingerprint of the key's
 * hash and the lead's id (40 bits). It answers "certainly absent" without
 * touching the database, or gives candidate lead ids, each confirmed by a
 * primary-key look-up of the lead, so a collision never skips a row
 * wrongly. Sized once (the number of keys is bounded in advance: two per
 * existing or new lead) at a load of at most 70 %: one million leads with
 * e-mail and phone take 23 MiB.
 */
typedef struct li__keyset {
    uint64_t *slot;
    size_t cap;
    size_t count;
} li__keyset;

/* max_keys: the most keys that will ever be put. */
li_status li__keyset_init(li__keyset *ks, size_t max_keys);
void li__keyset_free(li__keyset *ks);
uint64_t li__key_hash(li_field f, li_slice v);
/* Records that lead id has a key of hash h. LI_ELIMIT if full (a sizing bug). */
li_status li__keyset_put(li__keyset *ks, uint64_t h, int64_t id);
/*
 * Candidates for hash h: start with *pos = li__keyset_start(ks, h), then call
 * li__keyset_next() until it returns 0; each non-zero return is a lead id
 * that may have the key.
 */
size_t li__keyset_start(const li__keyset *ks, uint64_t h);
static inline void li__keyset_prefetch(const li__keyset *ks, uint64_t h) {
    if (ks->slot)
        __builtin_prefetch(&ks->slot[li__keyset_start(ks, h)]);
}
int64_t li__keyset_next(const li__keyset *ks, uint64_t h, size_t *pos);

/*
 * Fewer new rows than this never make the committer drop the key indexes
 * (commit.c); the review's predictions stay below it (review.c).
 */
#define LI__BULK_MIN_ROWS 20000

/* Number of match keys a row can have: e-mail, phone, external id. */
#define LI__NKEYS 3

/*
 * Resolves the text of a row's assignment cell to an active user:
 * returns LI_MSG_NONE and sets *user_id, or the warning to give the row
 * (ASSIGN_USER_UNKNOWN, ASSIGN_USER_DISABLED...), the lead then unassigned.
 */
typedef li_msg (*li__assign_lookup)(void *ctx, li_slice text, int64_t *user_id);

/*
 * The commit of valid rows into leads, shared by the one-shot (fused) path
 * and the separate commit stage.
 */
typedef struct li__committer {
    li_store *store;
    li_job_rec *job;
    li__keyset keys;
    int bulk;       /* the key indexes were dropped and must be restored at the end */
    char now[32];   /* timestamp of the current batch */
    /* The import's choices (li_import_opts), resolved. */
    li_field match[LI__NKEYS]; /* match keys in order */
    size_t nmatch;
    li_dup_strategy dup;
    int overwrite, reassign;
    li_assign_mode assign;
    int64_t assignee[LI_IMPORT_MAX_ASSIGNEES]; /* user ids: single, round-robin */
    size_t nassignee;
    li__assign_lookup lookup; /* LI_ASSIGN_COLUMN */
    void *lookup_ctx;
    struct li_user_dir *dir;  /* owned: the users' directory of column mode */
    li_buf changes; /* scratch: the history entry of an update */
    li_buf cand;    /* scratch: the keys of a candidate lead */
} li__committer;

/* What became of one committed row. */
typedef struct li__outcome {
    int64_t lead_id;     /* the lead created, updated or matched */
    const char *status;  /* "imported", "updated" or "skipped" */
    /* The lead the row matched (0 if none: then match_key is LI_FIELD_NONE)
     * and the key that decided; for a row created anyway (--on-duplicate
     * create) lead_id is the new lead and match_lead the one it may duplicate. */
    int64_t match_lead;
    li_field match_key;
    li_msg warning;      /* LI_MSG_NONE, or an assignment warning for the row */
    char warning_text[256];
    li_field warning_field; /* the column it is about: owner (column mode) or assignee */
} li__outcome;

/*
 * Prepares to commit up to expected_new rows for job with the options of o
 * (match keys, strategy, assignment: user ids in assignee/lookup, set by
 * the caller after this call): builds the key set from the leads table,
 * and for a large load relative to the table drops the key indexes
 * (restored by li__committer_finish). Must be called outside a transaction.
 */
li_status li__committer_open(li__committer *c, li_store *s, li_job_rec *job,
                             const li_import_opts *o, uint64_t expected_new, li_error *err);
/*
 * Commits one valid row (inside the caller's transaction) by the strategy:
 * creates, updates or skips, assigns, and updates the job's counters.
 */
li_status li__committer_row(li__committer *c, const li__row *row, uint64_t row_no,
                            li__outcome *out, li_error *err);
/*
 * The committer's keys are the match keys: li__committer_keys() hashes
 * them (0 for an absent or unchosen key), which the reader thread does ahead
 * of time; li__committer_row_hashed() takes them so; li__committer_prefetch()
 * asks the CPU to fetch their slots for a row that comes a little later.
 */
void li__committer_keys(const li_field *match, size_t nmatch,
                        const li_slice value[LI_FIELD__COUNT], uint64_t hash[LI__NKEYS]);
li_status li__committer_row_hashed(li__committer *c, const li__row *row,
                                   const uint64_t hash[LI__NKEYS], uint64_t row_no,
                                   li__outcome *out, li_error *err);
void li__committer_prefetch(const li__committer *c, const uint64_t hash[LI__NKEYS]);
/*
 * The line type of a normalised (E.164) phone, as stored with the lead
 * ("mobile", "fixe", "autre"), or NULL. For a revert, which puts back a
 * phone the row did not bring; a staged row carries its own (li__row).
 */
const char *li__phone_type_of(li_slice e164);
/* Restores the key indexes if they were dropped (inside the caller's last transaction). */
li_status li__committer_finish(li__committer *c, li_error *err);
void li__committer_free(li__committer *c);

/*
 * The row's issues JSON (errors, possibly empty) with its assignment
 * warning (out->warning) added: *owned gets a malloc'ed copy that the
 * caller frees once the row is written (NULL, and errors unchanged, when
 * there is no warning); *first_warning says the row had no issue before.
 */
li_status li__outcome_errors(const li__outcome *out, li_slice *errors, char **owned,
                             int *first_warning);

/*
 * Puts the outcome into the row to stage: status, lead, match. A row that
 * created a lead is staged without its values (they are the lead's), unless
 * the report lists it (a possible duplicate, a warning): writing them once
 * here, in key order, costs far less than the report reading each lead
 * back by id (0.2 s for the bench's 11,000 warned rows), and the report
 * then shows what this import made of the row.
 */
void li__outcome_stage(const li__outcome *out, li_staged_row *sr);

/*
 * Resolves the import's assignment (assign.c): the users given for single
 * and round-robin must exist and be active (LI_EUSAGE otherwise, before
 * anything is written); column mode gets the users' directory.
 */
li_status li__assign_setup(li__committer *c, li_store *s, const li_import_opts *o, li_error *err);
/* Checks the users --assign names, before the import writes anything. */
li_status li__assign_check(li_store *s, const li_import_opts *o, li_error *err);

/* Rows per second over a sliding window, and the derived ETA. */
typedef struct li__meter {
    double t_start;
    double t_last_emit;
    double t[8];
    uint64_t n[8];
    int head, count;
} li__meter;

double li__now(void);
/*
 * With LEADIMPORT_TRACE set in the environment, prints the time since the
 * first call and a message on stderr (for bench/ and for operators who want
 * to see where an import spends its time). Otherwise does nothing.
 */
void li__trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void li__meter_start(li__meter *m);
/* Records that done rows are done; returns the current rate (rows/s). */
double li__meter_add(li__meter *m, uint64_t done);
/* 1 if a progress callback is due (at most 4 per second). */
int li__meter_due(li__meter *m);

/*
 * Called by both stages inside each batch's transaction, just before the
 * checkpoint is written and committed (and in the last transaction): the
 * queue checks there that the job was not cancelled, that it should not
 * stop, and renews its lease. A non-OK status rolls the batch back and
 * ends the stage with that status.
 */
typedef struct li__batch_hook {
    li_status (*fn)(void *ctx, li_job_rec *job, li_error *err);
    /* Called when a stage starts, before it writes the job's status: only
     * checks that the job was not cancelled meanwhile. May be NULL. */
    li_status (*start)(void *ctx, li_job_rec *job, li_error *err);
    void *ctx;
} li__batch_hook;

static inline li_status li__hook_call(const li__batch_hook *h, li_job_rec *job, li_error *err) {
    return h && h->fn ? h->fn(h->ctx, job, err) : LI_OK;
}

static inline li_status li__hook_start(const li__batch_hook *h, li_job_rec *job, li_error *err) {
    return h && h->start ? h->start(h->ctx, job, err) : LI_OK;
}

/*
 * The parse stage (parse.c): from the job's parse checkpoint to the end of
 * the file. With a committer, valid rows are committed as they are staged.
 * hook may be NULL.
 */
li_status li__parse_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                          const li_mapping *m, li__committer *c, li__meter *meter,
                          const li__batch_hook *hook, li_error *err);
/* The commit stage (commit.c). hook may be NULL. */
li_status li__commit_stage(li_store *s, li_job_rec *job, const li_import_opts *o,
                           li__meter *meter, const li__batch_hook *hook, li_error *err);

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
 * Keeps a copy of the file at path in li_store_file_dir() under its
 * SHA-256 (nothing to do when a complete copy is there already).
 */
li_status li__blob_store(li_store *s, const char *path, const char *sha, const li_file_id *id,
                         li_error *err);
/* mkdir of li_store_file_dir() and its reports folder, 0700. LI_EIO (file_store_failed). */
li_status li__store_dirs(li_store *s, li_error *err);
/* The path of a stored file or report key: malloc'ed, NULL without memory. */
char *li__blob_path(li_store *s, const char *key);
/*
 * The stored copy of a file (key: its SHA-256) for a job: the path in
 * li_store_file_dir(), after linking (or copying) it there from the
 * legacy shared folder when only that one has it. malloc'ed, NULL
 * without memory; the file may not exist.
 */
char *li__blob_find(li_store *s, const char *key);
/* li_report_write() of the store's own report (a path in its folder of stored files). */
li_status li__report_write_stored(li_store *s, int64_t job_id, const char *path, uint64_t *nrows,
                                  li_error *err);

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
/* li_import_enqueue() of a job for review: stored, mapped, left uploaded (review.c). */
li_status li__import_prepare_review(li_store *s, const li_import_opts *o, li_import_result *res,
                                    li_error *err);
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
li_status li__review_analysed(li_store *s, li_job_rec *job, const li_import_opts *o,
                              const struct li__batch_hook *hook, li_error *err);

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
                                 struct li_review_counts *out, li__dup_marks *k,
                                 const struct li__batch_hook *hook, li_error *err);

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
/* Fills and emits a progress report for the job's current phase. */
void li__progress_emit(const li_import_opts *o, const li_job_rec *job, uint64_t rows,
                       uint64_t rows_total, double rate);

#endif
