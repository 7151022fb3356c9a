/*
 * store.h — the database behind leadimport.
 *
 * One handle per connection. Opening a store applies pending migrations
 * (versioned, in order, each in its own transaction), so every caller sees
 * the current schema. The functions here are the whole contract the job
 * layer relies on; each dispatches to the backend the URL names, through
 * an operations table (src/store/backend.h says what a backend implements).
 * The backend of this build is SQLite (URL "sqlite:PATH").
 *
 * Values passed in as slices are only read during the call. Values handed
 * out to callbacks are borrowed: valid during the callback only.
 */
#ifndef LEADIMPORT_STORE_H
#define LEADIMPORT_STORE_H

#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/field.h"
#include "leadimport/outfile.h"
#include "leadimport/slice.h"
#include "leadimport/state.h"

typedef struct li_store li_store;

/* Latest schema version this program knows. */
#define LI_STORE_SCHEMA_VERSION 12

/* One import as stored in import_jobs. Strings are NUL-terminated copies. */
typedef struct li_job_rec {
    int64_t id;
    int64_t created_by;    /* the admin who imports (users.id), 0 = the operator */
    char file_name[512];
    uint64_t file_size;
    char file_sha256[65];
    char format[16];
    char encoding[16];
    char delimiter[8];
    int has_header;
    li_job_state state; /* stored as its name (li_job_state_name) */
    li_job_phase phase; /* parse import commit done, or none; stored as its name */
    uint64_t rows, valid, invalid, warnings;
    uint64_t created, updated, skipped;
    uint64_t assigned;     /* leads assigned to a user so far (round-robin position) */
    uint64_t flagged;      /* leads created as possible duplicates */
    uint64_t bytes_total, bytes_done;
    uint64_t parse_offset; /* parse checkpoint: source byte offset of the next row */
    uint64_t parse_row;    /* parse checkpoint: number of the next row */
    uint64_t commit_row;   /* commit checkpoint: last row number committed */
    double rows_per_s;
    int64_t eta_s;         /* -1 when unknown */
    char created_at[32], started_at[32], finished_at[32];
    char error[512];
    /* Read-only here (written by the queue, li_store_work_*): */
    uint64_t attempts;     /* attempts of the job's current work item */
    char worker[128];      /* lease owner of its last claimed item, "host:pid:thread" */
    char heartbeat_at[32]; /* last checkpoint or lease renewal */
    char commit_at[32];    /* when its latest commit item was queued (a review committed), or "" */
    /*
     * 1 when a live worker holds one of its items now. A job "parsing" or
     * "importing" with live = 0 was interrupted (its worker died): the next
     * worker, or running the import again, resumes it.
     */
    int live;
} li_job_rec;

/*
 * A row of import_rows. Its outcome: status "invalid" (refused), "valid"
 * (waiting for a separate commit), "imported" (lead_id the lead it
 * created), "updated" or "skipped" (lead_id the lead it matched). A row
 * that matched a lead also says through which key and which lead:
 * match_key and match_lead, set for "updated" and "skipped" rows and for
 * an "imported" row created anyway as a possible duplicate (the
 * flagged rows of --on-duplicate create).
 *
 * Read back, a row staged "valid" at or below its job's commit checkpoint
 * (commit_row) is "imported", without data, lead_id the lead the job
 * created from it: the commit stage leaves a row that only created its
 * lead as it was staged instead of rewriting it (a third of the stage's
 * time), and every reader sees what the one-pass path would have written.
 */
typedef struct li_staged_row {
    uint64_t row_no;
    const char *status;   /* valid invalid imported updated skipped */
    li_slice data;        /* valid: normalised values; invalid: JSON array of the original fields */
    li_slice errors;      /* JSON array of issues, empty if none */
    int64_t lead_id;      /* 0 if none */
    const char *match_key; /* "email", "phone", "external_id" (static), NULL if no match */
    int64_t match_lead;    /* the lead matched, 0 if none */
} li_staged_row;

/*
 * Opens the store at url, creating the database if it does not exist: for
 * the commands that add something (migrate, import, users add, mappings
 * save). Applies pending migrations. The URL's scheme picks the backend:
 * "sqlite:PATH" is the one of this build; "postgresql://..." (or
 * "postgres://") is refused as not available yet (LI_EUSAGE,
 * db_backend_unavailable), anything else as not an address (LI_EUSAGE,
 * db_url_invalid).
 */
li_status li_store_open(const char *url, li_store **out, li_error *err);
/*
 * Same, but a database that does not exist is not created: LI_EUSAGE
 * (db_missing). For every command that only reads or changes what is
 * there, so that a typo in --db never leaves an empty database behind.
 */
li_status li_store_open_existing(const char *url, li_store **out, li_error *err);
/*
 * Another connection to the database of s, for a thread of its own (a
 * connection serves one thread at a time): the commit stage reads its next
 * rows on one while it writes on s. It sees what is committed.
 */
li_status li_store_open_again(li_store *s, li_store **out, li_error *err);
void li_store_close(li_store *s);
/*
 * Applies pending migrations (done by li_store_open too); *version gets the
 * result. Also repairs what an interrupted bulk load left (see
 * li_store_bulk_end), which opening does not do.
 */
li_status li_store_migrate(li_store *s, int *version, li_error *err);

li_status li_store_begin(li_store *s, li_error *err);
li_status li_store_commit(li_store *s, li_error *err);
void li_store_rollback(li_store *s);
/*
 * on: the calling thread records an outcome (a job failed for want of
 * space): its writes may use the space the store keeps in reserve for that,
 * which ordinary writes never touch. Set it around that transaction only.
 */
void li_store_use_spare(li_store *s, int on);

/* Current UTC time as stored ("2026-11-29T10:00:00.123Z"). */
void li_store_now(char out[32]);

/* --- users: the record (the rules are in users.h, over li__store_user_*) --- */
/* Limits, in bytes unless said otherwise. */
#define LI_USER_EMAIL_MAX 254   /* as for a lead's e-mail */
#define LI_USER_NAME_MAX 200    /* after trimming */
#define LI_PASSWORD_MIN_CHARS 12 /* characters (code points), not bytes */
#define LI_PASSWORD_MAX_BYTES 1024

/* One user as stored; strings are NUL-terminated copies. Never the hash. */
typedef struct li_user {
    int64_t id;
    char email[LI_USER_EMAIL_MAX + 1];
    char name[LI_USER_NAME_MAX + 1];
    char role[16];      /* "admin" or "commercial" */
    int active;         /* 0 once disabled */
    int has_password;   /* 0: the user cannot log in */
    char created_at[32]; /* "2026-11-29T10:00:00.123Z" (UTC) */
} li_user;
/* Called for every user of a walk; u is borrowed. A non-OK status stops the walk. */
typedef li_status (*li_user_cb)(const li_user *u, void *ctx);

/* --- figures for monitoring (GET /metrics) --------------------------------- */
/* Upper bounds (seconds) of the import-duration histogram's buckets, in order. */
#define LI_STORE_DURATION_BOUNDS {1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}
#define LI_STORE_DURATION_BUCKETS 10

typedef struct li_store_stats {
    uint64_t jobs[LI_JOB_STATE_COUNT]; /* jobs by state */
    /* Rows of every job by outcome (the jobs' counters, summed). */
    uint64_t rows_created, rows_updated, rows_skipped, rows_invalid, rows_warned;
    uint64_t work_queued;  /* work items waiting (queue depth) */
    uint64_t work_running; /* work items claimed now */
    uint64_t work_dead;    /* work items given up after their last attempt */
    /* Work items still "running" under an expired lease: their worker died or
     * lost the database (another worker takes them back at its next claim). */
    uint64_t work_expired;
    /* Completed jobs' run time (finished minus started): Prometheus histogram,
     * duration_le[i] counts those <= bound i (cumulative). */
    uint64_t duration_count;
    double duration_sum;
    uint64_t duration_le[LI_STORE_DURATION_BUCKETS];
} li_store_stats;

/* Reads the figures above (a few aggregate queries; no lock held). */
li_status li_store_stats_get(li_store *s, li_store_stats *out, li_error *err);

/* --- jobs ---------------------------------------------------------------- */
/* Inserts job (id and created_at are set on return). */
li_status li_store_job_insert(li_store *s, li_job_rec *job, li_error *err);
/* Writes status, phase, counters, checkpoints, timings and error of job. */
li_status li_store_job_update(li_store *s, const li_job_rec *job, li_error *err);
/* Stores the file's header row (JSON array of strings) and the mapping (JSON object). */
li_status li_store_job_set_mapping(li_store *s, int64_t job_id, const char *header_json,
                                   const char *mapping_json, li_error *err);
/* The job's stored mapping JSON (malloc'ed, NULL if none). LI_ENOTFOUND without such a job. */
li_status li_store_job_mapping(li_store *s, int64_t job_id, char **mapping_json, li_error *err);
/* The header row stored for the job (malloc'ed JSON, caller frees; NULL if none). LI_ENOTFOUND
 * without such a job. */
li_status li_store_job_header(li_store *s, int64_t job_id, char **header_json, li_error *err);
/* LI_ENOTFOUND if there is no such job. */
li_status li_store_job_get(li_store *s, int64_t id, li_job_rec *job, li_error *err);
/*
 * The most recent job of a file with this SHA-256 whose state is one of
 * the nstates in states (states NULL = any). *found is 0 when none.
 */
li_status li_store_job_find_by_sha(li_store *s, const char *sha256, const li_job_state *states,
                                   size_t nstates, li_job_rec *job, int *found, li_error *err);

/*
 * Writes the deferred inserts (staged rows, leads and their history) now.
 * li_store_commit() and every read that could see them flush first, so
 * callers only need this to surface an error early.
 */
li_status li_store_flush(li_store *s, li_error *err);
/*
 * on = 1: the transactions that follow, until li_store_rehearsal(s, 0), are
 * rehearsals, always rolled back (the review's simulations of a commit).
 * Outside a transaction. A
 * li_store_bulk_begin() inside a rehearsal's transaction prepares in that
 * transaction only, undone by its rollback (SQLite drops its key indexes
 * there: nothing to sort again); the rehearsal calls no li_store_bulk_end().
 */
li_status li_store_rehearsal(li_store *s, int on, li_error *err);
/*
 * on = 1: a long run of writes follows, until li_store_heavy_writes(s, 0)
 * (a big file's rows staged by a review's parse). The backend may move its
 * own housekeeping off the writing thread meanwhile: SQLite checkpoints
 * its WAL from a thread of its own (as during a bulk load). A hint: the
 * results are the same without it.
 */
void li_store_heavy_writes(li_store *s, int on);

/* The state of a job alone (a cached statement: cheap enough for every batch). */
li_status li_store_job_state(li_store *s, int64_t job_id, li_job_state *state, li_error *err);

/*
 * The options the job was queued with (JSON, see li_import_opts) and the
 * keys of its stored file and report (names inside li_store_file_dir()).
 * Each out pointer may be NULL; strings are malloc'ed, NULL when unset.
 */
li_status li_store_job_set_options(li_store *s, int64_t job_id, const char *options_json,
                                   const char *blob_key, li_error *err);
li_status li_store_job_set_report(li_store *s, int64_t job_id, const char *report_key,
                                  li_error *err);
li_status li_store_job_files(li_store *s, int64_t job_id, char **options_json, char **blob_key,
                             char **report_key, li_error *err);

typedef li_status (*li_job_cb)(const li_job_rec *job, void *ctx);
/* Calls cb for every job in *state (NULL = any), newest first. */
li_status li_store_jobs_each(li_store *s, const li_job_state *state, li_job_cb cb, void *ctx,
                             li_error *err);
/*
 * One page of that walk: cb for the jobs in *state (NULL = any), newest
 * first, skipping the first offset and giving limit at most; *total gets
 * how many jobs there are in *state (for the number of pages).
 */
li_status li_store_jobs_page(li_store *s, const li_job_state *state, uint64_t offset,
                             uint64_t limit, uint64_t *total, li_job_cb cb, void *ctx,
                             li_error *err);
/*
 * Deletes a job with its staged rows and work items (one transaction: the
 * caller's when one is open, so that it may check the job under the same
 * lock; its leads stay). *found = 0 when there was no such job.
 */
li_status li_store_job_delete(li_store *s, int64_t job_id, int *found, li_error *err);
/* Deletes the staged rows of a job (cleanup of old completed jobs); *n gets their number. */
li_status li_store_job_rows_delete(li_store *s, int64_t job_id, uint64_t *n, li_error *err);
/* 1 in *used if another job than job_id has blob_key as its stored file. */
li_status li_store_blob_shared(li_store *s, const char *blob_key, int64_t job_id, int *used,
                               li_error *err);

/*
 * The folder of the database's stored files (copies of queued files,
 * reports): "<database file>.files", its own, never shared with another
 * database of the same folder. Created 0700 when a file is first stored.
 * Valid for the store's life.
 */
const char *li_store_file_dir(li_store *s);
/*
 * "<folder of the database>/leadimport-files": where versions before
 * 2026-12 kept the stored files of every database of a folder. Read only:
 * a stored copy found there is linked into li_store_file_dir() when a job
 * needs it; nothing there is ever deleted (another database may use it).
 */
const char *li_store_legacy_file_dir(li_store *s);
/*
 * The URL of a database server that keeps the stored files itself
 * (PostgreSQL: every machine reads them from the database, blob.h), or
 * NULL for a database whose stored files are local (SQLite). Valid for the
 * store's life.
 */
const char *li_store_server_url(li_store *s);
/*
 * What an output written next to this database must never replace: the
 * database and its files, and both folders of stored files (outfile.h).
 * g's strings are the store's, valid for its life; g->input is NULL.
 */
void li_store_output_guard(li_store *s, li_outfile_guard *g);
/*
 * The same, for the database a URL names, without opening it (the
 * template, which needs no database). g's strings point into *owned,
 * which the caller frees. LI_EUSAGE for a URL that is not sqlite:PATH.
 */
li_status li_store_url_guard(const char *url, li_outfile_guard *g, char **owned, li_error *err);

/* --- work queue (work_items) ------------------------------------------------ */
/*
 * A job's work is a sequence of items: parse, commit, report. A worker
 * claims an item with a lease (owner "host:pid:thread", expiry), renews it
 * while it runs, and ends it: done, dead (no attempt left, or an error no
 * retry can fix), cancelled, or back to queued (a retry after a delay, or a
 * release that does not count as an attempt). A claim also takes back an
 * item whose lease expired; the lease of an owner that is a process of
 * this host that no longer exists counts as expired (checked by the
 * program, not the database). An exclusive item writes leads: a backend
 * whose committers must take turns (li_store_side_by_side() = 0) runs one
 * at a time; the others run them side by side.
 */
typedef struct li_work_item {
    int64_t id, job_id;
    li_work_kind kind;
    li_work_state state;
    int exclusive;
    int attempts;       /* counting this one, once claimed */
    int max_attempts;
    char owner[128];
    char run_at[32], lease_expiry[32];
    char last_error[512];
    /* Read back only: 1 when state is running under a lease that has not
     * expired and whose owner is not known to be dead (someone runs it). */
    int live;
} li_work_item;

/* Queues an item for job_id, runnable in delay_s seconds. */
li_status li_store_work_add(li_store *s, int64_t job_id, li_work_kind kind, int exclusive,
                            int max_attempts, double delay_s, li_error *err);
/*
 * Claims the first runnable item (of job_id only, unless 0) for owner, for
 * lease_s seconds, under an immediate transaction (unless one is open).
 * *found = 0 when none is runnable. The job's worker and attempts are set.
 */
li_status li_store_work_claim(li_store *s, const char *owner, int64_t job_id, double lease_s,
                              li_work_item *it, int *found, li_error *err);
/*
 * Renews the lease for lease_s seconds (inside the caller's transaction,
 * with a checkpoint); progress made, the item's attempts go back to 1.
 * *held = 0 when owner no longer holds it (another worker took it back).
 */
li_status li_store_work_renew(li_store *s, int64_t id, const char *owner, double lease_s,
                              int *held, li_error *err);
/* Ends the item owner holds: state LI_ITEM_DONE, LI_ITEM_DEAD or LI_ITEM_CANCELLED; error may be NULL. */
li_status li_store_work_finish(li_store *s, int64_t id, const char *owner, li_work_state state,
                               const char *error, li_error *err);
/* Back to queued, runnable in delay_s seconds, with error as its last error. */
li_status li_store_work_retry(li_store *s, int64_t id, const char *owner, const char *error,
                              double delay_s, li_error *err);
/* Back to queued now, its attempt not counted (the worker stops). */
li_status li_store_work_release(li_store *s, int64_t id, const char *owner, li_error *err);
/* The queued items of a job become cancelled. */
li_status li_store_work_cancel_job(li_store *s, int64_t job_id, li_error *err);
/* Items still queued or running (of job_id, or of every job with 0). */
li_status li_store_work_pending(li_store *s, int64_t job_id, uint64_t *n, li_error *err);
typedef li_status (*li_work_cb)(const li_work_item *it, void *ctx);
/* The items of a job, oldest first. */
li_status li_store_work_each(li_store *s, int64_t job_id, li_work_cb cb, void *ctx,
                             li_error *err);

/* --- staged rows --------------------------------------------------------- */
/*
 * Inserts or replaces one staged row (idempotent on (job, row_no)). Inside
 * a transaction the insert is deferred and batched with others: row's
 * strings must stay valid until the next li_store_commit() / _flush().
 */
li_status li_store_row_put(li_store *s, int64_t job_id, const li_staged_row *row, li_error *err);

typedef li_status (*li_row_cb)(const li_staged_row *row, void *ctx);
/*
 * Calls cb for the rows of job with row_no > after, in row order, whose
 * status equals status (NULL = any), at most limit rows (0 = all). A
 * non-OK status from cb stops the scan and is returned.
 */
li_status li_store_rows_each(li_store *s, int64_t job_id, uint64_t after, const char *status,
                             uint64_t limit, li_row_cb cb, void *ctx, li_error *err);

/*
 * Says that the staged rows of job, rows of them, are all written (the end of
 * a review's parse stage), before they are read back by status. Outside a
 * transaction. PostgreSQL refreshes the planner's statistics of the staged
 * rows for a big job (without them it read each page of a fresh table by
 * scanning all the job's rows after it); SQLite does nothing.
 */
li_status li_store_rows_staged(li_store *s, int64_t job_id, uint64_t rows, li_error *err);

/*
 * The rows of a job that its report lists, in row order: refused rows,
 * rows that matched a lead (skipped, updated, created as a possible
 * duplicate) and rows that became leads with a warning. Rows still
 * "valid" (a job not committed) are not listed.
 */
li_status li_store_report_rows_each(li_store *s, int64_t job_id, li_row_cb cb, void *ctx,
                                    li_error *err);
/* How many rows li_store_report_rows_each() would give. */
li_status li_store_report_rows_count(li_store *s, int64_t job_id, uint64_t *n, li_error *err);

/* --- leads --------------------------------------------------------------- */
/*
 * Inserts a lead with the given values (empty slices are stored as NULL)
 * and its 'created' entry in lead_history, at time now. *id gets the lead
 * id at once. Inside a transaction the insert is deferred and batched: the
 * values, custom_json and now must stay valid until the next
 * li_store_commit() / _flush(); li_store_lead_has_key() already sees it.
 */
/* What a lead carries besides its values. */
typedef struct li_lead_meta {
    int64_t assigned_to;  /* user id, 0 = nobody; an 'assigned' history entry records it */
    int64_t duplicate_of; /* the lead this one possibly duplicates, 0 = none */
    const char *phone_type; /* "mobile", "fixe", "autre" (static), NULL or "" = none */
} li_lead_meta;

li_status li_store_lead_insert(li_store *s, const li_slice value[LI_FIELD__COUNT],
                               li_slice custom_json, const li_lead_meta *meta, int64_t job_id,
                               uint64_t row_no, const char *now, int64_t *id, li_error *err);

/* One lead as stored: its own copy of every value. */
typedef struct li_lead_rec {
    int64_t id;
    li_slice value[LI_FIELD__COUNT]; /* point into buf */
    li_slice custom;                 /* JSON object, "{}" if none */
    int64_t assigned_to;             /* 0 = nobody */
    int64_t duplicate_of;
    int64_t import_job_id;
    char created_at[32], updated_at[32];
    char phone_type[16];             /* "" if none */
    char *buf;                       /* owned */
} li_lead_rec;
void li_lead_rec_free(li_lead_rec *l);

/* Reads lead id into *out (free with li_lead_rec_free); *found = 0 if there is none. */
li_status li_store_lead_get(li_store *s, int64_t id, li_lead_rec *out, int *found, li_error *err);

/*
 * Rewrites lead id's values, custom fields, assignee and phone type
 * (meta->assigned_to, meta->phone_type), and its updated_at (now). History is the caller's: li_store_history_add().
 */
li_status li_store_lead_update(li_store *s, int64_t id, const li_slice value[LI_FIELD__COUNT],
                               li_slice custom_json, const li_lead_meta *meta, const char *now,
                               li_error *err);

/* Deletes lead id (a revert). */
li_status li_store_lead_delete(li_store *s, int64_t id, li_error *err);

/*
 * Appends to lead_history: action is "updated", "assigned" or "reverted";
 * changes a JSON object ({"field": [old, new], ...}) or NULL.
 */
li_status li_store_history_add(li_store *s, int64_t lead_id, const char *action, int64_t job_id,
                               const char *changes_json, const char *now, li_error *err);

/* One lead_history entry. */
typedef struct li_history_rec {
    int64_t id, lead_id, job_id;
    const char *action;
    const char *changes; /* JSON or NULL */
    const char *at;
} li_history_rec;
typedef li_status (*li_history_cb)(const li_history_rec *h, void *ctx);

/* The history a job wrote other than creations, newest first. */
li_status li_store_job_history_each(li_store *s, int64_t job_id, li_history_cb cb, void *ctx,
                                    li_error *err);
/*
 * *changed = 1 if lead id has a history entry after entry after_id that
 * is not from job job_id (someone changed it since).
 */
li_status li_store_lead_changed_since(li_store *s, int64_t id, int64_t after_id, int64_t job_id,
                                      int *changed, li_error *err);

typedef li_status (*li_id_cb)(int64_t id, void *ctx);
/* The leads job_id created, by id. */
li_status li_store_job_leads_each(li_store *s, int64_t job_id, li_id_cb cb, void *ctx,
                                  li_error *err);

/* value[LI_FIELD_EMAIL], [LI_FIELD_PHONE], [LI_FIELD_EXTERNAL_ID] of lead id (empty: none). */
typedef li_status (*li_lead_key_cb)(int64_t id, const li_slice value[LI_FIELD__COUNT], void *ctx);
/* Calls cb once for each lead of the table with its e-mail, phone and external id. */
li_status li_store_lead_keys_each(li_store *s, li_lead_key_cb cb, void *ctx, li_error *err);
/*
 * Calls cb, as li_store_lead_keys_each() does, for each lead whose field
 * (e-mail, phone or external id) equals one of the n values, found through
 * that key's index: a commit of a small file into a big table reads only
 * the leads its rows may meet. One statement on PostgreSQL (a round trip
 * per batch, not per row). A lead is given at least once; the order is the
 * backend's. An empty value matches nothing. Queued leads are written
 * first: the answer includes them.
 */
li_status li_store_leads_with_keys(li_store *s, li_field field, const li_slice *values, size_t n,
                                   li_lead_key_cb cb, void *ctx, li_error *err);
/*
 * What li_store_lead_keys_each() marks before it reads, for a committer
 * that looks its rows' keys up instead: where its reading of the other
 * committers' journal starts (li_store_leads_recheck()). Taken before the
 * first look-up; a no-op where committers take turns (SQLite).
 */
li_status li_store_lead_keys_mark(li_store *s, li_error *err);

/*
 * The match keys of lead id (a lead still queued by li_store_lead_insert()
 * too): value[LI_FIELD_EMAIL], value[LI_FIELD_PHONE] and
 * value[LI_FIELD_EXTERNAL_ID] (empty when the lead has none; every other
 * field empty), copied into scratch (reset first): the slices are valid
 * until scratch changes. *found = 0 if there is no such lead. One
 * primary-key read: the committer confirms a key-set candidate with it.
 */
li_status li_store_lead_keys(li_store *s, int64_t id, li_buf *scratch,
                             li_slice value[LI_FIELD__COUNT], int *found, li_error *err);
/*
 * A hint before a batch: li_store_lead_keys() is about to be asked for these
 * ids (the key set's candidates of the batch's rows). A backend whose reads
 * are round trips reads them all in one statement and answers from that
 * until the transaction ends (a lead it changes or deletes meanwhile is read
 * again); the others do nothing.
 */
li_status li_store_lead_keys_prefetch(li_store *s, const int64_t *ids, size_t n, li_error *err);
/*
 * The highest lead id ever given (0 before the first): an upper bound of the
 * number of leads, below every id a new lead gets. Ids are never given twice,
 * even after a revert or a delete: the history of a lead that is gone stays
 * its own.
 */
li_status li_store_leads_max_id(li_store *s, int64_t *max_id, li_error *err);
/*
 * A lead a committer created or changed, as other committers need it: its
 * id and the hashes of its match keys (li__key_hash of its e-mail, phone
 * and external id; 0: none). The store carries the hashes, never computes
 * them.
 */
typedef struct li_lead_keyhash {
    int64_t id;
    uint64_t key[3]; /* e-mail, phone, external id */
} li_lead_keyhash;
typedef li_status (*li_keyhash_cb)(const li_lead_keyhash *lead, void *ctx);
/*
 * 1 when committers (li_store_bulk_begin() to li_store_bulk_end()) of this
 * backend may run at the same time, each with its own key set: they then
 * publish and read each other's leads (li_store_leads_recheck). 0 when
 * they run one at a time (SQLite: exclusive items and one writer).
 */
int li_store_side_by_side(li_store *s);
/*
 * The leads other committers created or changed since this connection last
 * read them (or since its key set was read, li_store_lead_keys_each()):
 * cb gets each, in commit order. Called inside a batch's transaction: with
 * final = 0 before its rows are decided; with final = 1 after its writes,
 * just before its commit, when it also publishes mine[0..nmine-1] (the
 * batch's created and changed leads) with the commit. When a final call
 * returns, no other committer can commit before this transaction ends.
 * LI_ELIMIT (with err) when what was missed is no longer kept: the caller
 * reads its key set again. A backend whose committers run one at a time
 * calls cb for nothing.
 */
li_status li_store_leads_recheck(li_store *s, int64_t job_id, const li_lead_keyhash *mine,
                                 size_t nmine, int final, li_keyhash_cb cb, void *ctx,
                                 li_error *err);
/*
 * Bulk-load hint: a commit stage calls li_store_bulk_begin() before it
 * writes leads, with the number of rows it expects to add, and
 * li_store_bulk_end() after its last batch, and after a failure or a stop
 * too. In between the backend may prepare for many inserts (SQLite drops
 * the indexes on the match keys and sorts them again at the end, when that
 * is cheaper); every operation stays correct. *slow_end = 1 when bulk_end
 * will take a noticeable time (the progress says so). bulk_end is a no-op
 * when there is nothing to restore, and also repairs what an interrupted
 * bulk load left (so does li_store_migrate()).
 */
li_status li_store_bulk_begin(li_store *s, uint64_t expected_rows, int *slow_end, li_error *err);
li_status li_store_bulk_end(li_store *s, li_error *err);

/* assignee: the e-mail of the user the lead is assigned to, empty if none. */
typedef li_status (*li_lead_cb)(int64_t id, const li_slice value[LI_FIELD__COUNT],
                                li_slice custom_json, li_slice assignee, void *ctx);
/*
 * Calls cb for every lead, by id, with its assignee's e-mail (looked up in
 * the same statement: the users' primary key, no query per lead).
 */
li_status li_store_leads_each(li_store *s, li_lead_cb cb, void *ctx, li_error *err);

/* --- saved column mappings ------------------------------------------------ */

/* A saved mapping (table mappings). */
typedef struct li_mapping_rec {
    int64_t id;
    char name[80];        /* "" for a remembered mapping */
    char header_sig[65];  /* li_header_sig() of the headers it was made for */
    char *headers_json;   /* owned: JSON array of the header texts */
    char *mapping_json;   /* owned: {"Header": "field" | null} */
    char created_at[32], updated_at[32], used_at[32];
} li_mapping_rec;

/* Frees the strings of m (not m itself). Accepts a zeroed record. */
void li_mapping_rec_free(li_mapping_rec *m);

/*
 * Saves a mapping: under name (a template; replaces one of that name), or,
 * name NULL, as the remembered mapping of header_sig (replaces it).
 */
li_status li_store_mapping_save(li_store *s, const char *name, const char *header_sig,
                                const char *headers_json, const char *mapping_json,
                                li_error *err);

/*
 * Finds the template called name, or (name NULL) the mapping remembered
 * for header_sig. *found says whether it exists; if so *out is filled and
 * must be freed with li_mapping_rec_free(). Marks it used.
 */
li_status li_store_mapping_get(li_store *s, const char *name, const char *header_sig,
                               li_mapping_rec *out, int *found, li_error *err);

typedef li_status (*li_mapping_cb)(const li_mapping_rec *m, void *ctx);

/* Calls cb for every template (and, with remembered set, every remembered mapping), by name. */
li_status li_store_mappings_each(li_store *s, int remembered, li_mapping_cb cb, void *ctx,
                                 li_error *err);

/* Deletes the template called name; *found says whether it existed. */
li_status li_store_mapping_delete(li_store *s, const char *name, int *found, li_error *err);

/* --- review --------------------------------------------------------------- */
/*
 * The review of a job (table import_reviews, review.c): one JSON text per
 * job created for review. li_store_review_set() writes (replaces) it, or
 * deletes it (json NULL: the job is imported without review from then on);
 * li_store_review_get() gives a malloc'ed copy, or NULL (*json) when the
 * job has none: a job imported without review.
 */
li_status li_store_review_set(li_store *s, int64_t job_id, const char *json, li_error *err);
li_status li_store_review_get(li_store *s, int64_t job_id, char **json, li_error *err);
/*
 * Marks the staged row row_no of job_id as a predicted duplicate (a "valid"
 * row of a job analysed for review): match_key its key, match_lead the
 * lead it would match, or minus the number of the earlier row of the file
 * whose lead it would match. The commit replaces the row with its outcome.
 */
li_status li_store_row_mark(li_store *s, int64_t job_id, uint64_t row_no, const char *match_key,
                            int64_t match_lead, li_error *err);
/*
 * Calls cb for each of the n staged rows of job_id numbered row_no[i] that
 * exist, in the order given (one primary-key read each): the rows a
 * prediction needs, out of a big job.
 */
li_status li_store_rows_get(li_store *s, int64_t job_id, const uint64_t *row_no, size_t n,
                            li_row_cb cb, void *ctx, li_error *err);
/*
 * A mark of the state of the leads: it changes whenever a lead is created,
 * updated, assigned or reverted (the newest lead_history entry). A review
 * compares the mark of its analysis with today's to know its predictions
 * may be stale.
 */
li_status li_store_leads_mark(li_store *s, int64_t *mark, li_error *err);
/* Clears the duplicate marks (li_store_row_mark) of job_id's valid rows. */
li_status li_store_rows_unmark(li_store *s, int64_t job_id, li_error *err);
/* Which staged rows a review lists. */
typedef enum li_row_filter {
    LI_ROWS_ALL = 0,
    LI_ROWS_INVALID,   /* refused */
    LI_ROWS_WARNING,   /* importable, with a warning */
    LI_ROWS_DUPLICATE, /* matching a lead or an earlier row (match_key set) */
    LI_ROWS_VALID,     /* importable (warnings included) */
    LI_ROWS_CHECK,     /* what the report of a ready job lists: refused, warned, duplicates */
} li_row_filter;
/*
 * The rows of job_id the filter keeps, in row order, skipping offset of
 * them and giving at most limit; *total gets how many the filter keeps.
 */
li_status li_store_rows_page(li_store *s, int64_t job_id, li_row_filter filter, uint64_t offset,
                             uint64_t limit, uint64_t *total, li_row_cb cb, void *ctx,
                             li_error *err);

#endif
