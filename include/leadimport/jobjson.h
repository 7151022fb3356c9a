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
 * "created_at", "started_at", "finished_at", "error"}: one job as
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
 * report lists) and "work_items" (its items, in order) added: `jobs show
 * --json`. Reads the items from s; LI_EDB (err filled) if that fails.
 */
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
