/*
 * jobjson.c — jobs, work items, import results and reverts as JSON (see
 * jobjson.h). The command line prints these objects and a server would
 * serve them: one writer, so that both say the same thing.
 */
#include "leadimport/jobjson.h"

#include <stdarg.h>
#include <string.h>

/* A writer that remembers the first failure of its buffer and then does nothing. */
typedef struct jw {
    li_buf *b;
    li_status st;
} jw;

static void put(jw *w, const char *s) {
    if (w->st == LI_OK)
        w->st = li_buf_puts(w->b, s);
}

__attribute__((format(printf, 2, 3))) static void putf(jw *w, const char *fmt, ...) {
    if (w->st != LI_OK)
        return;
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    /* Every format here writes numbers and fixed names only: well under the size. */
    w->st = n < 0 || (size_t)n >= sizeof small ? LI_EINTERNAL : li_buf_append(w->b, small, (size_t)n);
}

static void str(jw *w, const char *s) {
    if (w->st == LI_OK)
        w->st = li_buf_json_str(w->b, s, strlen(s));
}

/* "key":"value" (null for NULL); with empty_null, "" is null too. */
static void kv(jw *w, const char *key, const char *v, int empty_null) {
    putf(w, "\"%s\":", key);
    if (!v || (empty_null && !*v))
        put(w, "null");
    else
        str(w, v);
}

static void job_fields(jw *w, const li_job_rec *j) {
    putf(w, "{\"job_id\":%lld,", (long long)j->id);
    kv(w, "status", li_job_state_name(j->state), 1);
    put(w, ",");
    kv(w, "phase", li_job_phase_name(j->phase), 1);
    put(w, ",");
    kv(w, "file", j->file_name, 1);
    put(w, ",");
    kv(w, "file_sha256", j->file_sha256, 1);
    putf(w, ",\"file_size\":%llu,\"rows\":%llu,\"valid\":%llu,\"invalid\":%llu,",
         (unsigned long long)j->file_size, (unsigned long long)j->rows,
         (unsigned long long)j->valid, (unsigned long long)j->invalid);
    putf(w, "\"warnings\":%llu,\"created\":%llu,\"updated\":%llu,\"skipped\":%llu,",
         (unsigned long long)j->warnings, (unsigned long long)j->created,
         (unsigned long long)j->updated, (unsigned long long)j->skipped);
    putf(w, "\"assigned\":%llu,\"flagged\":%llu,\"bytes_done\":%llu,\"bytes_total\":%llu,",
         (unsigned long long)j->assigned, (unsigned long long)j->flagged,
         (unsigned long long)j->bytes_done, (unsigned long long)j->bytes_total);
    /*
     * A rhythm is said of a job that moves, or of one that ended (its last
     * one): a job waiting (uploaded, queued, ready) still holds its
     * analysis's, which a page would show as the import's.
     */
    int waits = j->state == LI_JOB_UPLOADED || j->state == LI_JOB_QUEUED || j->state == LI_JOB_READY;
    int moves = j->state == LI_JOB_PARSING || j->state == LI_JOB_IMPORTING;
    putf(w, "\"parse_row\":%llu,\"commit_row\":%llu,\"rows_per_s\":%.1f,\"eta_s\":",
         (unsigned long long)j->parse_row, (unsigned long long)j->commit_row,
         waits ? 0.0 : j->rows_per_s);
    if (moves && j->eta_s >= 0)
        putf(w, "%lld", (long long)j->eta_s);
    else
        put(w, "null");
    putf(w, ",\"running\":%s,\"interrupted\":%s,\"attempts\":%llu,", j->live ? "true" : "false",
         li_job_interrupted(j) ? "true" : "false", (unsigned long long)j->attempts);
    kv(w, "worker", j->worker, 1);
    put(w, ",");
    kv(w, "heartbeat_at", j->heartbeat_at, 1);
    put(w, ",");
    kv(w, "created_at", j->created_at, 1);
    put(w, ",");
    kv(w, "started_at", j->started_at, 1);
    put(w, ",");
    kv(w, "finished_at", j->finished_at, 1);
    /* li_job_duration_s(): the one rule of « Durée », whole seconds to a tenth */
    double secs = li_job_duration_s(j);
    if (secs >= 0)
        putf(w, ",\"duration_s\":%.1f,", secs);
    else
        put(w, ",\"duration_s\":null,");
    kv(w, "error", j->error, 1);
    /* who asked for it (users.id; the history names them), null for the operator's CLI */
    if (j->created_by > 0)
        putf(w, ",\"created_by\":%lld", (long long)j->created_by);
    else
        put(w, ",\"created_by\":null");
}

li_status li_jobjson_job(li_buf *b, const li_job_rec *job) {
    jw w = {b, LI_OK};
    job_fields(&w, job);
    put(&w, "}");
    return w.st;
}

li_status li_jobjson_work_item(li_buf *b, const li_work_item *it) {
    jw w = {b, LI_OK};
    putf(&w, "{\"id\":%lld,", (long long)it->id);
    kv(&w, "kind", li_work_kind_name(it->kind), 1);
    put(&w, ",");
    kv(&w, "state", li_work_state_name(it->state), 1);
    putf(&w, ",\"attempts\":%d,\"max_attempts\":%d,\"live\":%s,", it->attempts, it->max_attempts,
         it->live ? "true" : "false");
    kv(&w, "owner", it->owner, 1);
    put(&w, ",");
    kv(&w, "run_at", it->run_at, 1);
    put(&w, ",");
    kv(&w, "lease_expiry", it->lease_expiry, 1);
    put(&w, ",");
    kv(&w, "last_error", it->last_error, 1);
    put(&w, "}");
    return w.st;
}

typedef struct items_ctx {
    li_buf *b;
    size_t n;
} items_ctx;

static li_status item_one(const li_work_item *it, void *arg) {
    items_ctx *c = arg;
    li_status st = c->n++ ? li_buf_putc(c->b, ',') : LI_OK;
    return st == LI_OK ? li_jobjson_work_item(c->b, it) : st;
}

li_status li_jobjson_job_detail(li_buf *b, li_store *s, const li_job_rec *job,
                                uint64_t report_rows, li_error *err) {
    jw w = {b, LI_OK};
    job_fields(&w, job);
    if (report_rows == LI_JOBJSON_ROWS_UNKNOWN) /* a job that moves: not counted */
        put(&w, ",\"report_rows\":null,\"work_items\":[");
    else
        putf(&w, ",\"report_rows\":%llu,\"work_items\":[", (unsigned long long)report_rows);
    if (w.st != LI_OK)
        return li_error_set(err, w.st, LI_MSG_NO_MEMORY);
    items_ctx c = {b, 0};
    li_status st = li_store_work_each(s, job->id, item_one, &c, err);
    if (st == LI_ENOMEM || st == LI_ELIMIT) /* from the buffer, not the store: err not set */
        return li_error_set(err, st, LI_MSG_NO_MEMORY);
    if (st != LI_OK)
        return st;
    put(&w, "]}");
    return w.st == LI_OK ? LI_OK : li_error_set(err, w.st, LI_MSG_NO_MEMORY);
}

li_status li_jobjson_import(li_buf *b, const li_import_result *res, const char *report,
                            li_status st, const li_error *err) {
    jw w = {b, LI_OK};
    const li_job_rec *j = &res->job;
    put(&w, "{");
    if (st == LI_EREFUSED && res->refused) {
        putf(&w, "\"status\":\"refused\",\"previous_job_id\":%lld,", (long long)res->previous.id);
    } else if (j->id) {
        putf(&w, "\"job_id\":%lld,", (long long)j->id);
        kv(&w, "status", li_job_state_name(j->state), 0);
        put(&w, ",");
        kv(&w, "file", j->file_name, 0);
        put(&w, ",");
        kv(&w, "file_sha256", j->file_sha256, 0);
        put(&w, ",");
        kv(&w, "format", j->format, 0);
        put(&w, ",");
        int book = strcmp(j->format, "xlsx") == 0; /* no encoding nor delimiter: null */
        kv(&w, "encoding", book ? NULL : j->encoding, 0);
        put(&w, ",");
        kv(&w, "delimiter",
           book                               ? NULL
           : strcmp(j->delimiter, "tab") == 0 ? "\t"
                                              : j->delimiter,
           0);
        putf(&w, ",\"rows\":%llu,\"valid\":%llu,\"invalid\":%llu,\"warnings\":%llu,",
             (unsigned long long)j->rows, (unsigned long long)j->valid,
             (unsigned long long)j->invalid, (unsigned long long)j->warnings);
        putf(&w, "\"created\":%llu,\"updated\":%llu,\"skipped\":%llu,\"assigned\":%llu,",
             (unsigned long long)j->created, (unsigned long long)j->updated,
             (unsigned long long)j->skipped, (unsigned long long)j->assigned);
        putf(&w, "\"flagged\":%llu,\"duration_ms\":%llu,\"resumed\":%s,",
             (unsigned long long)j->flagged, (unsigned long long)res->duration_ms,
             res->resumed ? "true" : "false");
        kv(&w, "report", report, 0);
        put(&w, ",");
        kv(&w, "mapping_note", res->mapping_note, 1);
        put(&w, ",");
        kv(&w, "region_note", res->region_note, 1);
        put(&w, ",");
        kv(&w, "header_note", res->header_note, 1);
        put(&w, ",");
    } else {
        kv(&w, "status", li_job_state_name(LI_JOB_FAILED), 0);
        put(&w, ",");
    }
    if (st != LI_OK && err) {
        put(&w, "\"error\":{\"code\":");
        str(&w, li_msg_code(err->msg));
        put(&w, ",\"message\":");
        str(&w, err->message);
        put(&w, "},");
    }
    put(&w, "\"warnings_text\":[");
    for (size_t i = 0; i < res->nwarnings; i++) {
        if (i)
            put(&w, ",");
        str(&w, res->warnings[i]);
    }
    put(&w, "]}");
    return w.st;
}

li_status li_jobjson_revert(li_buf *b, int64_t job_id, const li_revert_result *res) {
    jw w = {b, LI_OK};
    putf(&w, "{\"job_id\":%lld,\"status\":", (long long)job_id);
    str(&w, li_job_state_name(LI_JOB_REVERTED));
    putf(&w, ",\"deleted\":%llu,\"restored\":%llu,\"kept\":[", (unsigned long long)res->deleted,
         (unsigned long long)res->restored);
    for (size_t i = 0; i < res->nkept && i < LI_REVERT_KEPT_MAX; i++)
        putf(&w, "%s%lld", i ? "," : "", (long long)res->kept[i]);
    putf(&w, "],\"kept_count\":%zu}", res->nkept);
    return w.st;
}
