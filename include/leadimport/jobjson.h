/*
 * jobjson.h — a job, its work items, an import's result and a revert as
 * JSON: the objects `leadimport jobs ... --json` and `import --json` print,
 * and that an HTTP front end serves as they are.
 *
 * The names and their order are a contract (tests compare them byte for
 * byte): states, phases and kinds are written by their stored names
 * (state.h), texts are escaped by li_buf_json_str(). Each function appends
 * one object, without a line break, to b (which the caller owns); it
 * returns LI_OK, or the buffer's LI_ENOMEM / LI_ELIMIT (b then holds a cut
 * object, to be dropped).
 */
#ifndef LEADIMPORT_JOBJSON_H
#define LEADIMPORT_JOBJSON_H

#include <stdint.h>

#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/import.h"
#include "leadimport/store.h"

/*
 * {"job_id", "status", "phase", "file", "file_sha256", "file_size", the
 * counters, "bytes_done", "bytes_total", "parse_row", "commit_row",
 * "rows_per_s", "eta_s" (null when unknown), "running", "interrupted"
 * (li_job_interrupted()), "attempts", "worker", "heartbeat_at",
 * "created_at", "started_at", "finished_at", "duration_s" (li_job_duration_s(),
 * null when it has none), "error"}: one job as
 * `jobs list --json` lists it. Empty texts are null.
 */
li_status li_jobjson_job(li_buf *b, const li_job_rec *job);

/*
 * {"id", "kind", "state", "attempts", "max_attempts", "live", "owner",
 * "run_at", "lease_expiry", "last_error"}: one work item.
 */
li_status li_jobjson_work_item(li_buf *b, const li_work_item *it);

/*
 * The job as li_jobjson_job() writes it, with "report_rows" (the rows its
 * report lists; null for LI_JOBJSON_ROWS_UNKNOWN) and "work_items" (its
 * items, in order) added: `jobs show --json`. Reads the items from s;
 * LI_EDB (err filled) if that fails.
 */
#define LI_JOBJSON_ROWS_UNKNOWN UINT64_MAX
li_status li_jobjson_job_detail(li_buf *b, li_store *s, const li_job_rec *job,
                                uint64_t report_rows, li_error *err);

/*
 * The result of li_import_run() or li_import_enqueue() that returned st
 * (err the error it filled, read only when st != LI_OK): `import --json`.
 * A refused file gives {"status":"refused","previous_job_id"}, a job
 * {"job_id", "status", "file", "file_sha256", "format", "encoding" and
 * "delimiter" (null for a workbook), the counters, "duration_ms",
 * "resumed", "report" (report: the path the report was written to, or
 * NULL), "mapping_note", "region_note", "header_note"}, no job at all
 * {"status":"failed"}; then "error": {"code", "message"} when st != LI_OK,
 * and "warnings_text": [...] (the file-level warnings).
 */
li_status li_jobjson_import(li_buf *b, const li_import_result *res, const char *report,
                            li_status st, const li_error *err);

/* {"job_id", "status":"reverted", "deleted", "restored", "kept": [ids], "kept_count"}. */
li_status li_jobjson_revert(li_buf *b, int64_t job_id, const li_revert_result *res);

/* --- what a server lists (api.c) --------------------------------------------- */

/* Jobs per page of li_jobjson_history(). */
#define LI_JOBJSON_PAGE 20

/*
 * Page page (from 1) of the jobs in *state (NULL = every state), newest
 * first, LI_JOBJSON_PAGE per page: {"imports": [li_jobjson_job objects],
 * "page", "pages", "total", "per_page"}. A page past the last has an empty
 * list. LI_EDB (err filled) if the jobs cannot be read.
 */
li_status li_jobjson_history(li_buf *b, li_store *s, const li_job_state *state, uint64_t page,
                             li_error *err);

/*
 * {"users": [{"id", "email", "name", "role", "active"}]}: the active users,
 * those an import may give leads to (assign single, round_robin), in the
 * store's order.
 */
li_status li_jobjson_users(li_buf *b, li_store *s, li_error *err);

/*
 * {"mappings": [{"name", "columns", "headers": [...], "mapping": {header:
 * field|null}, "created_at", "updated_at", "used_at"}]}: the saved mappings
 * an import may name (mapping_name), by name; remembered ones are not
 * listed (they apply by themselves).
 */
li_status li_jobjson_mappings(li_buf *b, li_store *s, li_error *err);

/*
 * {"job_id", "assigned", "users": [{"user_id", "email", "name", "leads"}]}:
 * to whom job_id gave its leads, from the history it wrote (the 'assigned'
 * entries, the newest per lead: a lead given twice by one file counts once,
 * for its last owner), most leads first. A user since deleted keeps its id
 * with empty email and name. Reads the job's history: O(its leads), asked
 * for once by a summary, never by the job's own work. LI_ENOTFOUND
 * (job_not_found) for an unknown job.
 */
li_status li_jobjson_assignments(li_buf *b, li_store *s, int64_t job_id, li_error *err);

/*
 * The rows the report of job lists, as a server shows them at every
 * request, O(1) in the job's size: LI_JOBJSON_ROWS_UNKNOWN while the job
 * moves (queued, parsing, importing: counting its rows would slow it down
 * for a figure that changes at once); once it stops (uploaded, ready, a
 * final state) counted once, then kept in a small process-wide cache keyed
 * by the job and its counters, so that repeated requests do not count
 * again. Thread-safe.
 */
li_status li_job_report_rows(li_store *s, const li_job_rec *job, uint64_t *n, li_error *err);

/* --- following a job (a server's event stream, api.c) -------------------------- */
/*
 * A watcher of a job reads its row now and then and is told what to send:
 * a snapshot when it changed, then its end. It only reads (one row, and the
 * count of its pending work items while it waits in review): many watchers
 * cost the worker nothing, they never take the write lock.
 *
 * Events are numbered 1, 2, 3... ("id"); the end's id is "end". A watcher
 * resumed from an id goes on numbering after it and gives the current
 * snapshot first (a snapshot sums up whatever was missed); resumed from
 * "end" it has nothing to give.
 */
typedef enum li_watch_event {
    LI_WATCH_NONE = 0,  /* nothing new */
    LI_WATCH_PROGRESS,  /* a snapshot: state, phase, counters, rows/s, ETA */
    LI_WATCH_END,       /* the last snapshot: the job has ended */
} li_watch_event;

typedef struct li_job_watch {
    uint64_t seq;  /* the number of the last event given (or resumed from) */
    uint64_t fp;   /* fingerprint of the last snapshot given; 0 = none */
    int ended;     /* the end was given (or the client saw it) */
} li_job_watch;

/*
 * Starts a watch; last_event_id is the id the client saw last (SSE
 * Last-Event-ID: digits, or "end"), NULL or unreadable for none. Returns
 * 1 when the client saw the end already (w->ended; nothing to send), else 0.
 */
int li_job_watch_init(li_job_watch *w, const char *last_event_id);

/*
 * Reads job_id and says what to send: LI_WATCH_NONE when it is as last
 * given; LI_WATCH_PROGRESS when it changed, or LI_WATCH_END when it has
 * ended (a final state, or uploaded or ready with no work pending: it
 * waits for its user), with the job as li_jobjson_job() writes it appended
 * to data and the event's id in id. After the end: LI_WATCH_NONE always.
 * LI_ENOTFOUND when the job is gone (deleted).
 */
li_status li_job_watch_poll(li_job_watch *w, li_store *s, int64_t job_id, li_buf *data,
                            li_watch_event *ev, char id[24], li_error *err);

/* --- the option set of an import ---------------------------------------------- */
/*
 * The options of li_import_opts as one JSON object, the form a server
 * takes and the queue saves (with keys of its own):
 *   {"file_name": text|null,
 *    "reader": {"format", "encoding", "delimiter": "," ";" "|" "tab" or null
 *               (detect), "header": true|false|null (detect), "sheet",
 *               "max_field", "max_row", "max_columns", "max_inflated"},
 *    "map": [["email", "Adresse"], ...] (or {"email": "Adresse", ...}),
 *    "mapping_name", "no_remember": bool, "region",
 *    "match": ["email", "phone", "external_id"] (in order; [] = email, phone),
 *    "on_duplicate": "skip"|"update"|"create", "overwrite": bool,
 *    "reassign": bool, "assign": "none"|"single"|"round_robin"|"column"|"auto",
 *    "assignees": [text, ...], "assign_column": text, "force": bool,
 *    (or "assign": {"mode": as above, "users": [text, ...], "column": text},
 *    the HTTP API's form: the same three choices in one object),
 *    "max_size": bytes (0 = default),
 *    "max_invalid": {"percent": bool, "value": number} or a count, or null}
 * Every key may be left out (li_import_opts_init()'s default); null means
 * left out. The path, the progress callback, the stop flag, as_user and
 * report_path are the caller's, never read from JSON.
 */

/* Holds the texts a parsed option set points into. */
typedef struct li_jobjson_opts li_jobjson_opts;

/*
 * Parses len bytes of text into *o. The strings of *o point into *hold,
 * valid until li_jobjson_opts_free(*hold). Every key, type, name and limit
 * is checked (li_import_opts_check() included); on failure LI_EUSAGE with a
 * French message (options_json_invalid, options_not_utf8,
 * options_root_not_object, options_key_unknown, options_not_string,
 * options_not_bool, options_not_uint, options_not_list, options_not_object,
 * options_map_pair, map_too_many, delimiter_invalid, options_match_unknown,
 * options_match_repeated, options_strategy_unknown, options_assign_unknown,
 * options_too_many_assignees, options_assign_single,
 * options_assignees_missing, options_assign_column_missing,
 * options_max_invalid), or LI_ENOMEM; then *hold is NULL and *o is
 * li_import_opts_init()'s.
 */
li_status li_jobjson_opts_parse(const char *text, size_t len, li_import_opts *o,
                                li_jobjson_opts **hold, li_error *err);
/* Frees what li_jobjson_opts_parse() kept. Accepts NULL. */
void li_jobjson_opts_free(li_jobjson_opts *hold);
/*
 * Appends o as the object above (every key written, in that order), which
 * li_jobjson_opts_parse() reads back to the same options. LI_ENOMEM (also
 * for an o whose enums hold no valid value).
 */
li_status li_jobjson_opts_emit(li_buf *b, const li_import_opts *o, li_error *err);

#endif
