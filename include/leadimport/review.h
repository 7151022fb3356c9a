/*
 * review.h — the review step: an import driven stage by stage.
 *
 *   1. li_review_create(): the file is checked, hashed (a file already
 *      imported is refused unless forced), kept in the stored files,
 *      sniffed and mapped; the job waits in state « déposé » (uploaded).
 *      li_review_set_mapping() changes its mapping while it waits.
 *   2. li_review_analyse(): the file is parsed, validated and staged, and
 *      the job stops at « prêt à importer » (ready) with its counts and
 *      its predictions: what the commit would do for each strategy (skip,
 *      update, create) against the leads as they are now. Nothing is
 *      written to leads.
 *   3. li_review_get() / li_review_rows(): the review and its rows.
 *   4. li_review_commit(): the commit with options chosen now.
 *
 * Each stage is a call on its own (a server calls one per request), and
 * each runs as the job's work items do: an analysis or a commit killed
 * half way is resumed from its checkpoint by calling the stage again or by
 * a worker. Cancel, retry, delete, revert and report (import.h) work in
 * every state.
 *
 * The predictions are exact: they come from running the committer itself
 * (commit.c) over the rows that can meet a lead, in a transaction that is
 * rolled back; see docs/architecture.md, "Review step".
 */
#ifndef LEADIMPORT_REVIEW_H
#define LEADIMPORT_REVIEW_H

#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/import.h"
#include "leadimport/store.h"

/* Rows per page of li_review_rows(). */
#define LI_REVIEW_PAGE_ROWS 20
/* How long a job may wait in review (uploaded or ready) before li_cleanup cancels it. */
#define LI_REVIEW_MAX_AGE_S (7.0 * 24 * 3600)

/* What a commit would do (or did) with the valid rows. */
typedef struct li_review_counts {
    uint64_t created, updated, skipped, flagged;
} li_review_counts;

/* The choices the predictions depend on. */
typedef struct li_review_choice {
    li_field match[3];   /* match keys in order; nmatch 0 = email, phone */
    size_t nmatch;
    int overwrite;
    int reassign;
    li_assign_mode assign; /* the assignment: round-robin and reassign weigh on "update" */
    const char *assignees[LI_IMPORT_MAX_ASSIGNEES];
    size_t nassignees;
    const char *assign_column;
} li_review_choice;

typedef struct li_review {
    li_job_rec job;
    int analysed;           /* 1 once the job has been analysed (counts and predictions set) */
    int committed;          /* 1 once its commit was asked for */
    uint64_t rows, valid, invalid, warnings;
    uint64_t duplicates;          /* valid rows that match a lead or an earlier row */
    uint64_t duplicates_in_file;  /* of them, those that match a lead made by an earlier row */
    li_review_choice choice;      /* the choices the predictions were made with */
    li_review_counts predictions[3]; /* indexed by li_dup_strategy */
    double predict_ms;            /* what computing them took */
    int64_t leads_mark;           /* the leads as predicted against (li_store_leads_mark) */
    void *hold;                   /* owned: the strings of choice (li_review_free) */
} li_review;

void li_review_free(li_review *r);

/*
 * Creates a job for review from o->path with o's reader, mapping and
 * assignment options (as li_import_enqueue checks them), in state
 * uploaded, or finds the job in review of the same file (res->resumed).
 * res->job is the job. LI_EREFUSED for a file already imported (unless
 * o->force) or one being imported without review.
 */
li_status li_review_create(li_store *s, const li_import_opts *o, li_import_result *res,
                           li_error *err);

/*
 * What the stored file of job_id looks like with the job's options as they
 * stand (reader, overrides, saved mapping, sheet, region): li_sniff_json()
 * of it, with "file" the name the job was created with, preview_rows rows
 * of preview and the proposed mapping with the reason of each column.
 * Appends one object to out. LI_ENOTFOUND for an unknown job; errors of
 * li_sniff_json() (a stored file gone: job_file_missing).
 */
li_status li_review_sniff_json(li_store *s, int64_t job_id, size_t preview_rows, li_buf *out,
                               li_error *err);

/* A change of mapping: NULL / 0 leaves that part as it is. */
typedef struct li_review_mapping {
    const li_map_override *map; /* replaces the --map overrides when nmap > 0 */
    size_t nmap;
    const char *mapping_name;   /* a saved mapping by name ("auto" for none) */
    const char *sheet;          /* a workbook's sheet */
    /*
     * 1: these three replace the job's whole choice, what is left out going
     * back to the automatic one (no override, the remembered mapping, the
     * first sheet): the HTTP API's PUT. 0: NULL / 0 leaves that part as it is.
     */
    int replace;
} li_review_mapping;

/*
 * Reads a change of mapping sent as JSON (the HTTP API's body):
 * {"map": {"field": "header", ...} or [["field", "header"], ...],
 *  "mapping_name": text|null, "sheet": text|null}, every key optional: the
 * whole choice (m->replace is set), so {} or {"map": {}} undoes the
 * overrides and goes back to the automatic mapping.
 * The strings of *m point into *hold, valid until
 * li_review_mapping_hold_free(*hold). LI_EUSAGE with a French message
 * (options_json_invalid, options_not_utf8, options_root_not_object,
 * options_key_unknown, options_not_string, options_map_pair, map_too_many);
 * *hold is then NULL.
 */
typedef struct li_review_mapping_hold li_review_mapping_hold;
li_status li_review_mapping_parse(const char *text, size_t len, li_review_mapping *m,
                                  li_review_mapping_hold **hold, li_error *err);
/* Accepts NULL. */
void li_review_mapping_hold_free(li_review_mapping_hold *hold);

/*
 * Changes the mapping of an uploaded job (the file is mapped again with
 * the new choices). LI_EREFUSED in any other state; LI_EUSAGE for a wrong
 * override, mapping or sheet (the job keeps its mapping).
 */
li_status li_review_set_mapping(li_store *s, int64_t job_id, const li_review_mapping *m,
                                li_error *err);

/* How a stage runs: in this process (resumable), or queued for workers. */
typedef struct li_review_run {
    int queue;              /* 1: queue the work and return at once */
    li_progress_cb progress;
    void *progress_ctx;
    const atomic_int *stop; /* as li_import_opts.stop */
} li_review_run;

/*
 * Analyses an uploaded job (or resumes its interrupted analysis): parse,
 * validation, staging, counts and predictions; the job ends ready.
 * res->job is the job as it ended. Errors as li_import_run.
 */
li_status li_review_analyse(li_store *s, int64_t job_id, const li_review_run *run,
                            li_import_result *res, li_error *err);

/*
 * The review of a job created for review: counts and predictions once it
 * is analysed (computed now if the analysis stopped before storing them,
 * and predicted again, and stored, when the leads changed since: a ready
 * job's predictions are always against the leads as they are now), the
 * job itself in every state. LI_EREFUSED (review_not_review) for a
 * job imported without review. Free with li_review_free().
 */
li_status li_review_get(li_store *s, int64_t job_id, li_review *out, li_error *err);

/*
 * The review as a server shows it at every request (GET of a page that
 * polls): li_review_get(), except that the predictions are predicted again
 * only when no import is writing leads now (no job importing). While one
 * does, the leads change at every batch: predicting per request would take
 * the write lock from it again and again; the stored predictions are
 * shown (made against the leads of leads_mark), and predicted once more
 * when the leads stand still. Free with li_review_free().
 */
li_status li_review_show(li_store *s, int64_t job_id, li_review *out, li_error *err);

/*
 * Predicts what a commit of the ready job job_id would do with choice, for
 * each strategy (out[LI_DUP_SKIP]...), against the leads as they are now.
 * Takes a write transaction for its time (rolled back).
 */
li_status li_review_predict(li_store *s, int64_t job_id, const li_review_choice *choice,
                            li_review_counts out[3], li_error *err);

/*
 * The predictions for the options a commit would be given (o, as
 * li_jobjson_opts_parse() reads them: match keys, overwrite, assignment),
 * as JSON {"job_id": N, "predictions": {"skip": {created, updated, skipped,
 * flagged}, "update": {...}, "create": {...}}}: what the review shows once
 * the user has chosen the options, before committing with them. Errors as
 * li_review_predict()'s.
 */
li_status li_review_predict_json(li_store *s, int64_t job_id, const li_import_opts *o,
                                 li_buf *out, li_error *err);

/* The review as JSON (the API contract: job_id, rows, valid, invalid, warnings, predictions...). */
li_status li_review_json(const li_review *r, li_buf *out);

/* Row numbers kept per group by li_review_issue_groups(), as examples. */
#define LI_REVIEW_GROUP_ROWS 5

/*
 * The issues of job_id's staged rows (errors of refused rows, warnings of
 * importable ones) grouped by their stable code, most frequent first (then
 * by code), as JSON: {"job_id", "rows_with_issues", "groups": [{"code",
 * "severity" ("error"|"warning"), "count" (rows with it), "rows" (the first
 * LI_REVIEW_GROUP_ROWS row numbers), "example" (the French message of the
 * first such row)}]}. Messages name the values of their row, so they are
 * grouped by code, not by text. Reads every row with an issue: O(those
 * rows), asked for on demand, never by the job's own work. LI_ENOTFOUND
 * (job_not_found) for an unknown job.
 */
li_status li_review_issue_groups(li_store *s, int64_t job_id, li_buf *out, li_error *err);

/*
 * Page page (from 1) of the staged rows of job_id that filter keeps,
 * LI_REVIEW_PAGE_ROWS per page, as JSON: {"rows": [{"row", "status",
 * "errors": [French texts], "values": {header: cell}, ...}], "page",
 * "pages", "total"}. Raw values: a refused row's are staged with it; a
 * valid row's are read again from the job's stored file (staging them
 * would slow every import down for a page that shows twenty).
 */
li_status li_review_rows(li_store *s, int64_t job_id, li_row_filter filter, uint64_t page,
                         li_buf *out, li_error *err);
/* "invalid", "warning", "duplicate", "valid", "all" -> filter; 0 if unknown. */
int li_row_filter_parse(const char *word, li_row_filter *out);

/*
 * Commits a ready job with the options of o that a commit takes
 * (on_duplicate, match, overwrite, reassign, assign and its users or
 * column; other fields are ignored), saved as the job's options; the
 * commit runs here like li_import_run (run->queue: left to workers).
 * A job whose commit was interrupted resumes it with its saved options.
 * res as li_import_run's. LI_EREFUSED when the job is not ready.
 */
li_status li_review_commit(li_store *s, int64_t job_id, const li_import_opts *o,
                           const li_review_run *run, li_import_result *res, li_error *err);

/*
 * The French label of a row's status as li_review_rows() gives it
 * ("invalid", "warning", "duplicate", "valid", and after the commit
 * "imported", "updated", "skipped"); "?" for anything else. Static.
 */
const char *li_review_status_label(const char *status);

#endif
