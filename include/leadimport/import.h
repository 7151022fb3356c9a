/*
 * import.h — the import pipeline: file -> staged rows -> leads.
 *
 * li_import_run() is the one-shot path the command line uses:
 *   1. map: sniff the file (format, encoding, delimiter, header, sheet),
 *      map its columns (overrides, a saved mapping, headers and values) and
 *      infer its region;
 *   2. hash: SHA-256 of the file; a file already imported (a completed job
 *      with the same hash) is refused with LI_EREFUSED unless force is set,
 *      and an unfinished job with the same hash is resumed;
 *   3. parse and commit: reader -> validation -> deduplication (the chosen
 *      match keys, against the leads and earlier rows of the file) -> the
 *      chosen strategy (skip, update, create flagged) and assignment ->
 *      leads, lead_history and import_rows (each row with its outcome), in
 *      transactions of at most LI_IMPORT_BATCH rows that save the job's
 *      checkpoint with their rows. The one-shot path runs both in one
 *      pass; with max_invalid, or for a review (review.h), valid rows are
 *      staged first, then committed by a separate stage.
 * li_import_enqueue() stores the file and queues the same stages as work
 * items for workers (li_worker_run). A job interrupted in any stage is
 * resumed from its checkpoint by running the same import again, or by a
 * worker once its lease expires. The report, revert, cleanup and the
 * job commands (cancel, retry, delete) are declared below.
 *
 * The stages themselves are src/pipeline's; running them as jobs (the
 * one-shot run, the queue, workers, cleanup) is src/jobs'.
 */
#ifndef LEADIMPORT_IMPORT_H
#define LEADIMPORT_IMPORT_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/hash.h"
#include "leadimport/mapping.h"
#include "leadimport/reader.h"
#include "leadimport/region.h"
#include "leadimport/store.h"

/* Default limit on the size of an imported file. */
#define LI_IMPORT_MAX_SIZE (4ULL << 30)

/* Rows per transaction, and so the checkpoint interval of both stages. */
#define LI_IMPORT_BATCH 500

typedef struct li_progress {
    li_job_phase phase;      /* hash, parse, import, index, commit, done */
    uint64_t rows;           /* rows done in this phase */
    uint64_t rows_total;     /* rows of the phase, or an estimate; 0 if unknown */
    uint64_t bytes, bytes_total;
    double rows_per_s;       /* over the last seconds */
    double eta_s;            /* < 0 when unknown */
} li_progress;

typedef void (*li_progress_cb)(const li_progress *p, void *ctx);

/* --max-invalid: a share of the rows (percent) or a count; set = 0 for none. */
typedef struct li_reject_limit {
    int set;
    int percent;
    double value;
} li_reject_limit;

/* What a row that matches an existing lead (or an earlier row) does. */
typedef enum li_dup_strategy {
    LI_DUP_SKIP = 0, /* the lead is kept, the row skipped and linked to it */
    LI_DUP_UPDATE,   /* the lead gets the row's non-empty values (all of them with overwrite) */
    LI_DUP_CREATE,   /* a new lead anyway, flagged as a possible duplicate of the match */
} li_dup_strategy;

/* Who the leads created (or, with reassign, updated) are given to. */
typedef enum li_assign_mode {
    LI_ASSIGN_NONE = 0,
    LI_ASSIGN_SINGLE,      /* assignees[0] */
    LI_ASSIGN_ROUND_ROBIN, /* assignees in turn, in file order */
    LI_ASSIGN_COLUMN,      /* the user named by the row's cell in assign_column */
    /*
     * The default of li_import_opts_init(): the file's assignment column,
     * if the mapping has one (LI_FIELD_ASSIGNEE: "Assigné à", the column
     * `export` writes), as LI_ASSIGN_COLUMN would read it; else nobody. An
     * explicit mode (none included) leaves that column unread.
     */
    LI_ASSIGN_AUTO,
} li_assign_mode;

#define LI_IMPORT_MAX_ASSIGNEES 64

typedef struct li_import_opts {
    const char *path;
    const char *file_name;      /* stored and shown; NULL = base name of path */
    li_reader_opts reader;
    const li_map_override *map;
    size_t nmap;
    /*
     * A saved mapping by name (a template), "auto" for none, or NULL: the
     * mapping remembered from the last import with the same headers.
     */
    const char *mapping_name;
    /*
     * Who imports: the e-mail of an active admin, recorded as the job's
     * creator (sales reps own leads, only admins import). NULL: the
     * operator of the machine running the command line.
     */
    const char *as_user;
    int no_remember;            /* do not remember this import's mapping */
    const char *region;         /* default phone region; NULL = "FR" */
    /* Match keys in order (email, phone, external_id); nmatch 0 = email, phone. */
    li_field match[3];
    size_t nmatch;
    li_dup_strategy on_duplicate;
    int overwrite;              /* update: replace non-empty values too */
    int reassign;               /* update: give the matched lead to the assignee too */
    li_assign_mode assign;
    const char *assignees[LI_IMPORT_MAX_ASSIGNEES]; /* e-mails or names of active users */
    size_t nassignees;
    const char *assign_column;  /* LI_ASSIGN_COLUMN: the header of the users' column */
    int force;                  /* import even if the same file was imported */
    /*
     * Where the caller will write the error report, or NULL: a path that
     * is the database, one of its files, a stored file or the input itself
     * is refused before anything is done (LI_EUSAGE, output_protected).
     */
    const char *report_path;
    uint64_t max_size;          /* refuse bigger files (LI_ELIMIT); 0 = LI_IMPORT_MAX_SIZE */
    /*
     * More invalid rows than this and nothing is committed: the job ends
     * "rejected" and li_import_run returns LI_EREFUSED (res->job says why).
     * Setting it makes the import stage every row before committing any.
     */
    li_reject_limit max_invalid;
    li_progress_cb progress;    /* may be NULL; called at most a few times a second */
    void *progress_ctx;
    /*
     * Becomes non-zero (the signal's number: SIGINT, SIGTERM) when the
     * import must stop; may be NULL. A signal handler sets it; the import
     * checks it at each batch, rolls that batch back, leaves the job to be
     * resumed, and returns LI_EINTERRUPTED with a French message saying to
     * run the same command again. li_import_run only.
     */
    const atomic_int *stop;
} li_import_opts;

typedef struct li_import_result {
    li_job_rec job;             /* the job's final state */
    int refused;                /* 1 if refused as already imported */
    li_job_rec previous;        /* with refused: the earlier import of the file */
    int resumed;                /* 1 if an interrupted job of the same file was resumed */
    uint64_t duration_ms;
    size_t nwarnings;           /* file-level warnings (reader, mapping) */
    char warnings[6][256];
    char mapping_note[256];     /* French: a remembered mapping was applied; "" if not */
    /*
     * French: the region of national numbers was inferred from the file
     * (REGION_INFERRED, not for France) or stayed France for want of a
     * clear majority (REGION_UNDECIDED); "" otherwise (region.h).
     */
    char region_note[256];
    char header_note[256];      /* French: rows skipped above the header (PREAMBLE_SKIPPED); "" if none */
} li_import_result;

/* Job states, phases and work items: their names and French labels are in state.h. */

void li_import_opts_init(li_import_opts *o);
/*
 * Checks what li_import_run() and li_import_enqueue() check of o before
 * anything else, so that a job is never stored with options it could not
 * load again: the strategy and assignment mode are values of their enums,
 * at most LI_MAP_MAX_OVERRIDES overrides and LI_IMPORT_MAX_ASSIGNEES
 * assignees, match keys among email, phone, external_id and none twice, a
 * whole count or a share of at most 100 % for max_invalid, and what the
 * assignment mode needs (single: one assignee; round robin: at least one;
 * column: assign_column). LI_EUSAGE with a French message (options_*).
 */
li_status li_import_opts_check(const li_import_opts *o, li_error *err);

/*
 * Runs a whole import. Fills *res in every case where a job exists. Returns
 * LI_OK when the job completed (invalid rows included), LI_EREFUSED when
 * the file was already imported (res->refused) or had more invalid rows than
 * max_invalid allows (res->job.status "rejected"), or an error (LI_EIO / LI_EFORMAT for an
 * unreadable file, LI_EDB...) with err filled.
 */
li_status li_import_run(li_store *s, const li_import_opts *o, li_import_result *res,
                        li_error *err);

/*
 * Writes the report of a job: UTF-8 with BOM, ';'-separated, CRLF; a
 * header line ("Ligne", "Statut", "Erreurs", then the file's own headers),
 * then one line per row to look at, in row order: refused rows (Statut
 * « refusée », then their original fields), duplicates (« ignorée : doublon
 * du lead n° 12 (e-mail) », « mise à jour : lead n° 12 (téléphone) »,
 * « créée, signalée comme doublon possible du lead n° 12 (e-mail) ») and
 * rows imported with a warning (« importée avec avertissement »), then
 * their normalised values. « Erreurs » holds the row's errors and warnings
 * in French joined by " | ". Cells that a spreadsheet would run as
 * formulas are neutralised. *nrows gets the number of rows written.
 * The file is written aside and renamed into place (outfile.h): a path
 * that is the database or one of its files, a stored file, or the job's
 * own input file is refused before anything is written (LI_EUSAGE,
 * output_protected), a symbolic link too; on failure (disk full) the
 * previous file at path stays as it was.
 */
li_status li_report_write(li_store *s, int64_t job_id, const char *path, uint64_t *nrows,
                          li_error *err);
/* 1 when the report of job lists a row (from its counters): it is worth writing. */
int li_report_due(const li_job_rec *job);
/* How many rows the report of job_id lists. */
li_status li_report_count(li_store *s, int64_t job_id, uint64_t *nrows, li_error *err);

/*
 * Writes every lead as CSV: UTF-8 with BOM, ';'-separated, CRLF, the
 * canonical French headers (the ones the importer maps back by itself),
 * then the custom fields as extra columns. *nleads gets the count.
 */
li_status li_export_csv(li_store *s, FILE *out, uint64_t *nleads, li_error *err);
/*
 * li_export_csv() into the file path, written aside and renamed into place
 * (outfile.h): the database, its files and its stored files are refused
 * (LI_EUSAGE, output_protected), a symbolic link too; on failure the
 * previous file stays as it was.
 */
li_status li_export_write(li_store *s, const char *path, uint64_t *nleads, li_error *err);

/*
 * Writes the canonical CSV template: the French headers of every field, ';',
 * UTF-8 with BOM, CRLF, and two example rows that import without error.
 */
li_status li_template_csv(FILE *out, li_error *err);
/*
 * li_template_csv() into the file path, as li_export_write() writes: the
 * database db_url names (not opened) and its files are refused.
 */
li_status li_template_write(const char *path, const char *db_url, li_error *err);



/* --- background jobs: the queue and its workers (queue.c, worker.c) ---------- */
/*
 * An import is a job with a sequence of work items in the database: parse
 * (which also commits on the one-pass path), commit (two stages), report.
 * Workers claim items with a lease; every stage saves its checkpoint with
 * each batch, so an item taken back from a dead worker goes on from there.
 * See docs/architecture.md, "Background jobs".
 */

/* Seconds a claimed item stays leased without renewal (renewed each second while it runs). */
#define LI_WORK_LEASE_S 30.0
/* Attempts of an item before its job fails (temporary errors are retried). */
#define LI_WORK_MAX_ATTEMPTS 5

/*
 * Queues an import without running it: the same checks as li_import_run
 * (readable file, --map, --assign, refusal of a file already imported,
 * resumption of an unfinished job of the same file), then a copy of the
 * file kept in the database's blob store (blob.h) under its SHA-256, the
 * options saved with the job (li_jobjson_opts_emit()'s object), and its
 * first work item. res->job is the queued job.
 */
li_status li_import_enqueue(li_store *s, const li_import_opts *o, li_import_result *res,
                            li_error *err);

typedef void (*li_worker_log_cb)(const char *line, void *ctx);

typedef struct li_worker_opts {
    int concurrency;        /* worker threads; 0 = 1 */
    int until_idle;         /* return once nothing is queued or running */
    const atomic_int *stop; /* becomes non-zero to stop (a signal handler sets it); may be NULL */
    double lease_s;         /* 0 = LI_WORK_LEASE_S */
    double retry_base_s;    /* back-off before the first retry, doubled at each; 0 = 2 s */
    li_worker_log_cb log;   /* one French line per event (item taken, done, failed); may be NULL */
    void *log_ctx;
} li_worker_opts;

/*
 * Runs workers on the database at db_url (one connection per thread) until
 * *stop is set, or, with until_idle, until no work is left. A worker told
 * to stop rolls back its current batch and gives its item back (not counted
 * as an attempt): the next worker resumes from the last checkpoint.
 */
li_status li_worker_run(const char *db_url, const li_worker_opts *o, li_error *err);

/*
 * Cancels a queued or running job: it becomes "cancelled" at once; a worker
 * running it notices at its next batch and stops, rolling that batch back.
 * Staged rows and leads already committed stay. *job gets the job as
 * cancelled. LI_EREFUSED when the job is not queued or running.
 */
li_status li_job_cancel(li_store *s, int64_t id, li_job_rec *job, li_error *err);
/*
 * 1 when the job says it runs (parsing or importing) but nobody does: its
 * worker died. The next worker, or running the same import again, resumes
 * it from its checkpoint. Front ends show it as « interrompu »
 * (LI_MSG_JOB_STATE_INTERRUPTED) and "interrupted": true.
 */
int li_job_interrupted(const li_job_rec *job);
/*
 * How long the job's import took, in seconds (running: so far), or -1 when
 * it has not started. One rule for every front end (the CLI's « Durée », the
 * page's summary and history, the JSON "duration_s"): from the start of its
 * work to its end, except for an import reviewed first, timed from when its
 * commit was asked (commit_at): the wait between the analysis and the
 * admin's « Importer » may be hours and is not the import's time.
 */
double li_job_duration_s(const li_job_rec *job);
/*
 * The row number a resumed job goes on from: the row after its last
 * committed one in the commit phase, else its parse checkpoint (1 when it
 * has none). What li_job_retry() tells the user.
 */
uint64_t li_job_resume_row(const li_job_rec *job);
/* Queues a failed or cancelled job again, from its checkpoint (LI_EREFUSED otherwise). */
li_status li_job_retry(li_store *s, int64_t id, li_job_rec *job, li_error *err);
/*
 * Deletes a job, its staged rows, its work items, its stored file (unless
 * another job shares it) and its stored report; its leads stay.
 * LI_EREFUSED while a live worker runs it.
 */
li_status li_job_delete(li_store *s, int64_t id, li_error *err);

typedef struct li_cleanup_opts {
    double older_than_s;      /* delete jobs created longer ago than this (> 0) */
    double rows_older_than_s; /* drop the staged rows of completed jobs older than this; 0 = no */
    int dry_run;              /* count only */
    /*
     * Jobs left in review (uploaded or ready, review.h) created longer ago
     * than this are cancelled, their staged rows and stored file removed:
     * 0 = LI_REVIEW_MAX_AGE_S (7 days), < 0 = never.
     */
    double review_older_than_s;
} li_cleanup_opts;

typedef struct li_cleanup_result {
    uint64_t jobs_deleted;  /* jobs deleted (with rows, files, reports) */
    uint64_t rows_jobs;     /* completed jobs whose staged rows were dropped */
    uint64_t rows_dropped;  /* staged rows dropped from them (0 in a dry run: not counted) */
    uint64_t reviews_cancelled; /* jobs left in review, cancelled */
} li_cleanup_result;

/* Deletes old jobs (never one a live worker runs) and old staged rows, and
 * cancels the jobs left in review too long (review_older_than_s). */
li_status li_cleanup(li_store *s, const li_cleanup_opts *o, li_cleanup_result *res,
                     li_error *err);

/*
 * Where the stored report of job_id (blob key "reports/N.erreurs.csv") is,
 * or would be, as a file of this machine: a malloc'ed path, or NULL
 * without memory or with a blob store that keeps no local files
 * (li_blob_local_path()).
 */
char *li_report_stored_path(li_store *s, int64_t job_id);

/*
 * (Re)writes the stored error report of job_id into the blob store (key
 * "reports/N.erreurs.csv") and records it with the job. *path gets
 * li_report_stored_path() (malloc'ed, caller frees; NULL on failure), *nrows
 * the rows written (may be NULL).
 */
li_status li_report_store(li_store *s, int64_t job_id, char **path, uint64_t *nrows,
                          li_error *err);

/*
 * Opens the error report of job_id for reading (a download): the stored
 * one when the job has ended and no work of it is pending, else written
 * again first (li_report_store: missing, or the job may still change it).
 * *size gets its bytes. Close *out with li_blob_reader_close() (blob.h).
 * LI_ENOTFOUND for an unknown job.
 */
struct li_blob_reader;
li_status li_report_open(li_store *s, int64_t job_id, struct li_blob_reader **out,
                         uint64_t *size, li_error *err);
/*
 * The name a downloaded report is saved under: the job's file name without
 * its extension, then ".erreurs.csv" (as the command line names it):
 * "leads-mars.erreurs.csv"; "import-N.erreurs.csv" for a job without name.
 */
void li_report_file_name(const li_job_rec *job, char *out, size_t cap);

/* --- undoing an import (revert.c) ------------------------------------------- */

#define LI_REVERT_KEPT_MAX 100

typedef struct li_revert_result {
    uint64_t deleted;   /* leads the job created, deleted */
    uint64_t restored;  /* history entries of the job undone (updates, reassignments) */
    size_t nkept;       /* leads changed since the job, left alone */
    int64_t kept[LI_REVERT_KEPT_MAX]; /* the first of them */
} li_revert_result;

/*
 * Reverts job_id: deletes the leads it created and restores the fields it
 * updated, except on leads changed since (left alone and listed in res).
 * One transaction. LI_EREFUSED unless the job is "completed", "failed" or
 * "cancelled" (what a stopped job committed stays revertable); it ends
 * "reverted". LI_ENOTFOUND for an unknown job.
 */
li_status li_import_revert(li_store *s, int64_t job_id, li_revert_result *res, li_error *err);

/* --- the mapping of a file (mapfile.c) ---------------------------------------- */

typedef struct li_mapping_request {
    const char *path;
    const li_reader_opts *reader;
    const li_map_override *map; /* --map */
    size_t nmap;
    const char *mapping_name;   /* as li_import_opts.mapping_name */
    const char *resume_json;    /* a resumed job's own mapping: applied first; or NULL */
    const char *region;         /* --region, or NULL: inferred from the sample (region.h) */
    const char *name;           /* li_sniff_json's "file": NULL = the base name of path */
} li_mapping_request;

/* Where the saved part of a mapping came from. */
typedef struct li_mapping_source {
    li_map_reason kind;         /* LI_MAP_TEMPLATE, LI_MAP_REMEMBERED, or LI_MAP_CUSTOM: none */
    char name[80];              /* the template's name */
    char saved_at[32];          /* a remembered mapping: when it was saved */
    char header_sig[LI_SHA256_HEX];
    char warning[256];          /* MAPPING_UNUSED_COLUMNS, or "" */
    li_region_guess region;     /* the region of national numbers, and why */
    uint64_t header_row;        /* the reader's: the header's row number, 0 without header */
    uint64_t skipped_rows;      /* the reader's: preamble rows skipped above the header */
    int no_data;                /* 1: not one row after the header (file_no_data) */
} li_mapping_source;

/*
 * The mapping an import of req->path would use: every step of mapping.h,
 * the values of the first rows included; and, from the same rows, the
 * region of its national phone numbers (src->region: req->region, or
 * inferred, region.h). s may be NULL (no saved mappings). Errors: those
 * of li_reader_open(), LI_EUSAGE for --map, LI_EUSAGE for an unknown
 * template, LI_EFORMAT for a corrupt one, LI_EUSAGE for an unknown region.
 */
li_status li_import_mapping(li_store *s, const li_mapping_request *req, li_mapping **out,
                            li_mapping_source *src, li_error *err);

/* The header signature of a mapping's columns (SHA-256 of the folded names). */
void li_header_sig(const li_mapping *m, char sig[LI_SHA256_HEX]);

/* 1 if name can name a template: 1 to 64 bytes, no control character, not "auto". */
int li_mapping_name_valid(const char *name);

/*
 * Saves m as the template name, or (name NULL) as the mapping remembered
 * for its headers. Errors: LI_EUSAGE for an invalid name, LI_EDB.
 */
li_status li_mapping_save_as(li_store *s, const char *name, const li_mapping *m, li_error *err);

/*
 * Describes what an import of req->path would see, without importing:
 * format, encoding, delimiter, header, the known export the headers are
 * ("export": "Google Contacts"..., only when one is recognised), the mapping
 * of each column with its reason (li_map_reason_key(): "header", "fuzzy",
 * "values", "names", "export", "report", "override", "template",
 * "remembered", "custom") and its French detail, the saved mapping applied
 * (or null), file-level warnings, the first preview_rows rows, and the
 * region of national phone numbers ("region": {"iso", "name", "source":
 * "default" | "option" | "inferred", "reason"}). s may be NULL (no saved
 * mappings). Appends one JSON
 * object to out.
 */
li_status li_sniff_json(li_store *s, const li_mapping_request *req, size_t preview_rows,
                        li_buf *out, li_error *err);

#endif
