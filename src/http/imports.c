/*
 * imports.c — the import routes of the API: upload, mapping, analysis,
 * review, rows, commit, cancel, retry, revert, delete, history, and the
 * lists an import form needs (users, saved mappings, the template).
 *
 * Each handler reads the request, calls one library function and writes
 * what it returns: uploads are li_upload_* (upload.h), the review stages
 * review.h's, the JSON jobjson.h's. Stages that take time (analysis,
 * commit) are queued for the workers (the server's own, --workers, or
 * `leadimport worker` processes), as `jobs commit --queue` queues them:
 * the request answers 202 at once and the job's events tell the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpInt.h"
#include "importsInt.h"
#include "reqInt.h"
#include "leadimport/import.h"
#include "leadimport/jobjson.h"
#include "leadimport/review.h"
#include "leadimport/upload.h"

/* The request's store, or an answered error (NULL). */
static li_store *store_or_fail(li_http_req *r) {
    li_error err;
    li_error_clear(&err);
    li_store *s = li_http_store(r, &err);
    if (!s)
        li_http_answer_error(r, &err);
    return s;
}

static int fail(li_http_req *r, const li_error *err) {
    return li_http_answer_error(r, err);
}

static int no_memory(li_http_req *r) {
    li_error err;
    li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    return fail(r, &err);
}

/* The answer of a document built into b (freed here): 200 with it, or st's error. */
static int answer_built(li_http_req *r, li_status st, li_buf *b, const li_error *err) {
    int rc = st == LI_OK ? li_http_answer_buf(r, 200, b) : fail(r, err);
    li_buf_free(b);
    return rc;
}

/*
 * b holds one JSON object: adds "key": raw (JSON text) as its last member.
 * LI_OK, or the buffer's error.
 */
static li_status add_member(li_buf *b, const char *key, const char *raw) {
    if (b->len == 0 || b->data[b->len - 1] != '}')
        return LI_EINTERNAL;
    b->len--;
    li_status st = li_buf_printf(b, ",\"%s\":", key);
    if (st == LI_OK)
        st = li_buf_puts(b, raw);
    return st == LI_OK ? li_buf_putc(b, '}') : st;
}

/* ?page=N: from 1; absent = 1. 0 with *page, or -1 after answering 400. */
static int page_of(li_http_req *r, uint64_t *page) {
    const char *v = li_http_query(r, "page");
    *page = 1;
    if (!v)
        return 0;
    size_t n = strspn(v, "0123456789");
    if (n == 0 || n > 9 || v[n] != '\0' || (*page = strtoull(v, NULL, 10)) == 0) {
        li_http_answer_fail(r, 400, LI_MSG_PAGE_INVALID, v);
        return -1;
    }
    return 0;
}

/* The job JSON (jobs show --json's object without its items) plus "sniff" of its file. */
static int answer_job_sniff(li_http_req *r, li_store *s, const li_job_rec *job, unsigned status,
                            int resumed) {
    li_buf b, sniff;
    li_error err;
    li_buf_init(&b, 0);
    li_buf_init(&sniff, 0);
    li_status st = li_jobjson_job(&b, job);
    if (st == LI_OK)
        st = add_member(&b, "resumed", resumed ? "true" : "false");
    if (st != LI_OK) {
        li_buf_free(&b);
        return no_memory(r);
    }
    if ((st = li_review_sniff_json(s, job->id, LI_REVIEW_PAGE_ROWS, &sniff, &err)) != LI_OK) {
        li_buf_free(&b);
        li_buf_free(&sniff);
        return fail(r, &err);
    }
    st = add_member(&b, "sniff", sniff.data);
    li_buf_free(&sniff);
    int rc = st == LI_OK ? li_http_answer_buf(r, status, &b) : no_memory(r);
    li_buf_free(&b);
    return rc;
}

static int answer_job(li_http_req *r, unsigned status, const li_job_rec *job) {
    li_buf b;
    li_buf_init(&b, 0);
    int rc = li_jobjson_job(&b, job) == LI_OK ? li_http_answer_buf(r, status, &b) : no_memory(r);
    li_buf_free(&b);
    return rc;
}

/* --- upload ------------------------------------------------------------------------ */

static void upload_free(void *u) {
    li_upload_abort(u);
}

/* The upload of this request, begun at its first piece (or at its end for an empty body). */
static li_upload *upload_of(li_http_req *r) {
    li_upload *u = li_http_ctx(r);
    if (u)
        return u;
    const li_user *user = li_http_user(r);
    const char *force = li_http_query(r, "force");
    li_import_opts o;
    li_error err;
    li_import_opts_init(&o);
    o.file_name = li_http_query(r, "filename");
    o.as_user = user ? user->email : NULL;
    o.max_size = li_http_server_opts(li_http_srv(r))->max_upload;
    if (force && strcmp(force, "1") != 0 && strcmp(force, "true") != 0 &&
        strcmp(force, "0") != 0 && strcmp(force, "false") != 0) {
        li_http_answer_fail(r, 400, LI_MSG_USAGE_BAD_VALUE, "force", force);
        return NULL;
    }
    o.force = force && (strcmp(force, "1") == 0 || strcmp(force, "true") == 0);
    li_store *s = store_or_fail(r);
    if (!s)
        return NULL;
    if (li_upload_begin(s, &o, li_http_body_declared(r), &u, &err) != LI_OK) {
        fail(r, &err);
        return NULL;
    }
    li_http_set_ctx(r, u, upload_free);
    return u;
}

/* Before any byte: the upload begins (a declared size over the limit is refused here). */
int li__http_upload_start(li_http_req *r) {
    return upload_of(r) ? 0 : -1; /* NULL: it answered the refusal */
}

int li__http_upload_body(li_http_req *r, const char *data, size_t len) {
    li_error err;
    li_upload *u = upload_of(r);
    if (!u)
        return -1;
    if (li_upload_write(u, data, len, &err) != LI_OK) {
        /* The partial file goes before the refusal leaves (not when the
         * request ends): a client that reads it finds nothing left. */
        li_http_set_ctx(r, NULL, NULL);
        li_upload_abort(u);
        fail(r, &err);
        return -1;
    }
    return 0;
}

int li__http_upload(li_http_req *r) {
    li_error err;
    li_import_result res;
    li_upload *u = upload_of(r);
    if (!u)
        return 0;
    li_http_set_ctx(r, NULL, NULL); /* finish frees it, whatever happens */
    li_store *s = store_or_fail(r);
    if (!s) {
        li_upload_abort(u);
        return 0;
    }
    if (li_upload_finish(u, &res, &err) != LI_OK) {
        if (!res.refused)
            return fail(r, &err);
        /* 409 with the earlier import, so that a page can link to it */
        li_buf b, prev;
        li_buf_init(&b, 0);
        li_buf_init(&prev, 0);
        li_status st = li_buf_printf(&b, "{\"error\":{\"code\":\"%s\",\"message\":",
                                     li_msg_code(err.msg));
        if (st == LI_OK)
            st = li_buf_json_str(&b, err.message, strlen(err.message));
        if (st == LI_OK)
            st = li_buf_printf(&b, "},\"previous_job_id\":%lld}", (long long)res.previous.id);
        if (st == LI_OK)
            st = li_jobjson_job(&prev, &res.previous);
        if (st == LI_OK)
            st = add_member(&b, "previous", prev.data);
        int rc = st == LI_OK ? li_http_answer_buf(r, 409, &b) : no_memory(r);
        li_buf_free(&b);
        li_buf_free(&prev);
        return rc;
    }
    li_http_log(li_http_srv(r), "job %lld: %s « %s » (%llu octets)", (long long)res.job.id,
                res.resumed ? "dépôt repris" : "déposé", res.job.file_name,
                (unsigned long long)res.job.file_size);
    return answer_job_sniff(r, s, &res.job, res.resumed ? 200 : 201, res.resumed);
}

/* --- one job ----------------------------------------------------------------------------- */

/*
 * Answers of GET /api/imports/{id} are kept DETAIL_TTL_S per job. A page
 * polling, many pages, or a client without pause then cost the database a
 * few reads a second whatever their rate: four queries per request kept
 * readers on SQLite's WAL all the time, which slowed the import they
 * watched (bench/README.md, « Watching an import over HTTP »). Freshness:
 * a change made through this server (any request but a GET) forgets every
 * kept answer before its own answer leaves; a change made elsewhere (a
 * worker, another server) shows within DETAIL_TTL_S, as do the counters of
 * a moving job, which the progress events give every second anyway.
 */
#define DETAIL_TTL_S 0.25

void li__http_details_forget(li_http_server *srv) {
    pthread_mutex_lock(&srv->lock);
    srv->details_gen++;
    for (size_t i = 0; i < LI__HTTP_DETAIL_SLOTS; i++) {
        free(srv->details[i].body);
        srv->details[i] = (li__http_detail){0};
    }
    pthread_mutex_unlock(&srv->lock);
}

/* A copy of the kept answer of job id into b (1), or 0. */
static int detail_kept(li_http_server *srv, int64_t id, li_buf *b, uint64_t *gen) {
    int found = 0;
    double now = li__http_now();
    pthread_mutex_lock(&srv->lock);
    *gen = srv->details_gen;
    for (size_t i = 0; i < LI__HTTP_DETAIL_SLOTS && !found; i++) {
        li__http_detail *d = &srv->details[i];
        if (d->id == id && d->until > now)
            found = li_buf_append(b, d->body, d->len) == LI_OK;
    }
    pthread_mutex_unlock(&srv->lock);
    return found;
}

/* Keeps a copy of job id's answer, unless a change came since gen was read
 * (the answer may predate it). Best effort: no memory, nothing kept. */
static void detail_keep(li_http_server *srv, int64_t id, const li_buf *b, uint64_t gen) {
    char *copy = malloc(b->len ? b->len : 1);
    if (!copy)
        return;
    memcpy(copy, b->data, b->len);
    double now = li__http_now();
    pthread_mutex_lock(&srv->lock);
    li__http_detail *slot = NULL;
    for (size_t i = 0; i < LI__HTTP_DETAIL_SLOTS; i++) {
        li__http_detail *d = &srv->details[i];
        if (d->id == id || !slot || d->until < slot->until)
            slot = d; /* the job's own slot, else the oldest */
        if (d->id == id)
            break;
    }
    if (srv->details_gen == gen) {
        free(slot->body);
        *slot = (li__http_detail){.id = id, .until = now + DETAIL_TTL_S, .body = copy, .len = b->len};
        copy = NULL;
    }
    pthread_mutex_unlock(&srv->lock);
    free(copy);
}

/* GET /api/imports/{id}: jobs show --json, plus "review" (jobs review --json, or null), plus "sniff" while uploaded. */
int li__http_import_get(li_http_req *r) {
    int64_t id;
    li_job_rec job;
    li_review rv;
    li_error err;
    uint64_t report_rows = 0;
    li_store *s;
    uint64_t gen;
    if (li_http_param_id(r, "id", &id) != 0)
        return 0;
    li_buf kept;
    li_buf_init(&kept, 0);
    if (detail_kept(li_http_srv(r), id, &kept, &gen)) {
        int rc = li_http_answer_buf(r, 200, &kept);
        li_buf_free(&kept);
        return rc;
    }
    li_buf_free(&kept);
    if (!(s = store_or_fail(r)))
        return 0;
    memset(&rv, 0, sizeof rv);
    /* O(1) in the job's size: no count while it moves, the review as stored */
    li_status st = li_store_job_get(s, id, &job, &err);
    if (st == LI_OK)
        st = li_job_report_rows(s, &job, &report_rows, &err);
    if (st != LI_OK)
        return fail(r, &err);
    li_buf b, review;
    li_buf_init(&b, 0);
    li_buf_init(&review, 0);
    if ((st = li_jobjson_job_detail(&b, s, &job, report_rows, &err)) != LI_OK)
        goto out;
    st = li_review_show(s, id, &rv, &err);
    if (st == LI_EREFUSED) { /* imported without review */
        st = add_member(&b, "review", "null");
    } else if (st == LI_OK) {
        st = li_review_json(&rv, &review);
        if (st == LI_OK)
            st = add_member(&b, "review", review.data);
        if (st != LI_OK)
            li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    }
    /*
     * A job still « déposé » waits for its columns to be checked: "sniff"
     * (as the upload answered it) lets a page reopened on it show them again.
     */
    if (st == LI_OK && job.state == LI_JOB_UPLOADED) {
        li_buf sniff;
        li_buf_init(&sniff, 0);
        st = li_review_sniff_json(s, id, LI_REVIEW_PAGE_ROWS, &sniff, &err);
        if (st == LI_OK && (st = add_member(&b, "sniff", sniff.data)) != LI_OK)
            li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
        li_buf_free(&sniff);
    }
out:
    if (st == LI_OK)
        detail_keep(li_http_srv(r), id, &b, gen);
    int rc = st == LI_OK ? li_http_answer_buf(r, 200, &b) : fail(r, &err);
    li_review_free(&rv);
    li_buf_free(&b);
    li_buf_free(&review);
    return rc;
}

int li__http_import_mapping(li_http_req *r) {
    int64_t id;
    li_review_mapping m;
    li_review_mapping_hold *hold = NULL;
    li_error err;
    li_job_rec job;
    li_store *s;
    size_t len = 0;
    if (li_http_param_id(r, "id", &id) != 0)
        return 0;
    const char *body = li_http_body_text(r, &len);
    if (li_review_mapping_parse(body, len, &m, &hold, &err) != LI_OK)
        return fail(r, &err);
    int rc = 0;
    if (!(s = store_or_fail(r)))
        goto out;
    if (li_review_set_mapping(s, id, &m, &err) != LI_OK ||
        li_store_job_get(s, id, &job, &err) != LI_OK) {
        rc = fail(r, &err);
        goto out;
    }
    rc = answer_job_sniff(r, s, &job, 200, 0);
out:
    li_review_mapping_hold_free(hold);
    return rc;
}

int li__http_import_analyse(li_http_req *r) {
    int64_t id;
    li_import_result res;
    li_error err;
    li_store *s;
    if (li_http_param_id(r, "id", &id) != 0 || !(s = store_or_fail(r)))
        return 0;
    li_review_run run = {.queue = 1}; /* the workers analyse it; its events tell the progress */
    if (li_review_analyse(s, id, &run, &res, &err) != LI_OK)
        return fail(r, &err);
    li_http_log(li_http_srv(r), "job %lld: analyse demandée", (long long)id);
    return answer_job(r, 202, &res.job);
}

int li__http_import_rows(li_http_req *r) {
    int64_t id;
    uint64_t page;
    li_error err;
    li_store *s;
    li_row_filter filter;
    const char *status = li_http_query(r, "status");
    if (li_http_param_id(r, "id", &id) != 0 || page_of(r, &page) != 0)
        return 0;
    if (!li_row_filter_parse(status ? status : "all", &filter))
        return li_http_answer_fail(r, 400, LI_MSG_REVIEW_ROWS_FILTER, status);
    if (!(s = store_or_fail(r)))
        return 0;
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = li_review_rows(s, id, filter, page, &b, &err);
    return answer_built(r, st, &b, &err);
}

/* GET of a document of job {id} that doc writes into a buffer. */
static int answer_job_doc(li_http_req *r,
                          li_status (*doc)(li_buf *, li_store *, int64_t, li_error *)) {
    int64_t id;
    li_error err;
    li_store *s;
    if (li_http_param_id(r, "id", &id) != 0 || !(s = store_or_fail(r)))
        return 0;
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = doc(&b, s, id, &err);
    return answer_built(r, st, &b, &err);
}

/* GET /api/imports/{id}/assignments: to whom it gave its leads (li_jobjson_assignments). */
int li__http_import_assignments(li_http_req *r) {
    return answer_job_doc(r, li_jobjson_assignments);
}

/*
 * GET /api/imports/{id}/errors: the issues of its rows grouped by code
 * (li_review_issue_groups). Counting them reads every row with an issue
 * (about 0.3 s for a million-row file on SQLite); the rows a job staged
 * change only while it parses or commits, so the answer is kept, keyed by
 * what of the job moves with them (groups_key): a page opened again on a
 * review, or many admins looking at it, read it once; an analysis run again
 * (another mapping), a retry or a revert, here or on another server, changes
 * the key.
 */
static void groups_key(const li_job_rec *job, char key[192]) {
    snprintf(key, 192, "%d|%llu|%llu|%llu|%llu|%s|%s", (int)job->state,
             (unsigned long long)job->rows, (unsigned long long)job->invalid,
             (unsigned long long)job->warnings, (unsigned long long)job->commit_row,
             job->started_at, job->finished_at);
}

static int groups_kept(li_http_server *srv, const li_job_rec *job, li_buf *b) {
    int found = 0;
    char key[192];
    groups_key(job, key);
    pthread_mutex_lock(&srv->lock);
    for (size_t i = 0; i < LI__HTTP_GROUPS_SLOTS && !found; i++) {
        li__http_groups *g = &srv->groups[i];
        if (g->id == job->id && strcmp(g->key, key) == 0 &&
            (found = li_buf_append(b, g->body, g->len) == LI_OK))
            g->used = ++srv->groups_clock;
    }
    pthread_mutex_unlock(&srv->lock);
    return found;
}

/* Keeps b as the answer for job (its slot, else the least recently used). Best effort. */
static void groups_keep(li_http_server *srv, const li_job_rec *job, const li_buf *b) {
    char *copy = malloc(b->len ? b->len : 1);
    if (!copy)
        return;
    memcpy(copy, b->data, b->len);
    pthread_mutex_lock(&srv->lock);
    li__http_groups *slot = &srv->groups[0];
    for (size_t i = 0; i < LI__HTTP_GROUPS_SLOTS; i++) {
        li__http_groups *g = &srv->groups[i];
        if (g->id == job->id) {
            slot = g;
            break;
        }
        if (g->used < slot->used)
            slot = g;
    }
    free(slot->body);
    *slot = (li__http_groups){.id = job->id, .used = ++srv->groups_clock, .body = copy,
                              .len = b->len};
    groups_key(job, slot->key);
    pthread_mutex_unlock(&srv->lock);
}

void li__http_groups_forget(li_http_server *srv) {
    for (size_t i = 0; i < LI__HTTP_GROUPS_SLOTS; i++) {
        free(srv->groups[i].body);
        srv->groups[i] = (li__http_groups){0};
    }
}

int li__http_import_errors(li_http_req *r) {
    int64_t id;
    li_error err;
    li_store *s;
    li_job_rec job;
    if (li_http_param_id(r, "id", &id) != 0 || !(s = store_or_fail(r)))
        return 0;
    li_status st = li_store_job_get(s, id, &job, &err);
    if (st != LI_OK)
        return fail(r, &err);
    li_buf b;
    li_buf_init(&b, 0);
    if (groups_kept(li_http_srv(r), &job, &b))
        return answer_built(r, LI_OK, &b, &err);
    st = li_review_issue_groups(s, id, &b, &err);
    /* a job that moves may have staged more while it was counted: not kept */
    if (st == LI_OK && job.state != LI_JOB_PARSING && job.state != LI_JOB_IMPORTING)
        groups_keep(li_http_srv(r), &job, &b);
    return answer_built(r, st, &b, &err);
}

/*
 * The options JSON of a commit or a prediction (li_jobjson_opts_parse),
 * {} for an empty body: the defaults, as `jobs commit N` without options.
 * Answers the refusal itself and returns -1; *hold is the caller's.
 */
static int options_of(li_http_req *r, li_import_opts *o, li_jobjson_opts **hold) {
    li_error err;
    size_t len = 0;
    const char *body = li_http_body_text(r, &len);
    if (len == 0) {
        body = "{}";
        len = 2;
    }
    if (li_jobjson_opts_parse(body, len, o, hold, &err) != LI_OK) {
        fail(r, &err);
        return -1;
    }
    return 0;
}

int li__http_import_commit(li_http_req *r) {
    int64_t id;
    li_import_opts o;
    li_jobjson_opts *hold = NULL;
    li_import_result res;
    li_error err;
    li_store *s;
    if (li_http_param_id(r, "id", &id) != 0 || options_of(r, &o, &hold) != 0)
        return 0;
    int rc = 0;
    if (!(s = store_or_fail(r)))
        goto out;
    li_review_run run = {.queue = 1};
    li_status st = li_review_commit(s, id, &o, &run, &res, &err);
    if (st != LI_OK) {
        rc = fail(r, &err);
        goto out;
    }
    li_http_log(li_http_srv(r), "job %lld: import demandé", (long long)id);
    li_buf b;
    li_buf_init(&b, 0);
    rc = li_jobjson_import(&b, &res, NULL, LI_OK, NULL) == LI_OK ? li_http_answer_buf(r, 202, &b)
                                                                  : no_memory(r);
    li_buf_free(&b);
out:
    li_jobjson_opts_free(hold);
    return rc;
}

/* What a commit with these options would do: predicted now, nothing written. */
int li__http_import_predict(li_http_req *r) {
    int64_t id;
    li_import_opts o;
    li_jobjson_opts *hold = NULL;
    li_error err;
    li_store *s;
    if (li_http_param_id(r, "id", &id) != 0 || options_of(r, &o, &hold) != 0)
        return 0;
    int rc = 0;
    li_buf b;
    li_buf_init(&b, 0);
    if ((s = store_or_fail(r)))
        rc = li_review_predict_json(s, id, &o, &b, &err) == LI_OK ? li_http_answer_buf(r, 200, &b)
                                                                   : fail(r, &err);
    li_buf_free(&b);
    li_jobjson_opts_free(hold);
    return rc;
}

/* cancel, retry: the library's verb, then the job as it is now. */
static int job_verb(li_http_req *r, li_status (*verb)(li_store *, int64_t, li_job_rec *, li_error *),
                    const char *what) {
    int64_t id;
    li_job_rec job;
    li_error err;
    li_store *s;
    if (li_http_param_id(r, "id", &id) != 0 || !(s = store_or_fail(r)))
        return 0;
    if (verb(s, id, &job, &err) != LI_OK)
        return fail(r, &err);
    li_http_log(li_http_srv(r), "job %lld: %s", (long long)id, what);
    return answer_job(r, 200, &job);
}

int li__http_import_cancel(li_http_req *r) {
    return job_verb(r, li_job_cancel, "annulé");
}

int li__http_import_retry(li_http_req *r) {
    return job_verb(r, li_job_retry, "relancé");
}

int li__http_import_revert(li_http_req *r) {
    int64_t id;
    li_revert_result res;
    li_error err;
    li_store *s;
    li_error_clear(&err);
    if (li_http_param_id(r, "id", &id) != 0 || !(s = store_or_fail(r)))
        return 0;
    if (li_import_revert(s, id, &res, &err) != LI_OK)
        return fail(r, &err);
    li_http_log(li_http_srv(r), "job %lld: défait (%llu leads supprimés)", (long long)id,
                (unsigned long long)res.deleted);
    li_buf b;
    li_buf_init(&b, 0);
    int rc = li_jobjson_revert(&b, id, &res) == LI_OK ? li_http_answer_buf(r, 200, &b)
                                                      : no_memory(r);
    li_buf_free(&b);
    return rc;
}

int li__http_import_delete(li_http_req *r) {
    int64_t id;
    li_error err;
    li_store *s;
    if (li_http_param_id(r, "id", &id) != 0 || !(s = store_or_fail(r)))
        return 0;
    if (li_job_delete(s, id, &err) != LI_OK)
        return fail(r, &err);
    li_http_log(li_http_srv(r), "job %lld: supprimé", (long long)id);
    char text[64];
    snprintf(text, sizeof text, "{\"job_id\":%lld,\"deleted\":true}", (long long)id);
    return li_http_answer_json(r, 200, text);
}

/* --- lists ------------------------------------------------------------------------------ */

int li__http_imports_list(li_http_req *r) {
    uint64_t page;
    li_job_state state;
    li_error err;
    li_store *s;
    const char *word = li_http_query(r, "state");
    if (word && !*word)
        word = NULL;
    if (page_of(r, &page) != 0)
        return 0;
    if (word && !li_job_state_from_word(word, &state))
        return li_http_answer_fail(r, 400, LI_MSG_HISTORY_STATE_UNKNOWN, word, li_job_state_labels());
    if (!(s = store_or_fail(r)))
        return 0;
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = li_jobjson_history(&b, s, word ? &state : NULL, page, &err);
    return answer_built(r, st, &b, &err);
}

static int answer_list(li_http_req *r, li_status (*list)(li_buf *, li_store *, li_error *)) {
    li_error err;
    li_store *s = store_or_fail(r);
    if (!s)
        return 0;
    li_buf b;
    li_buf_init(&b, 0);
    li_status st = list(&b, s, &err);
    return answer_built(r, st, &b, &err);
}

int li__http_users_list(li_http_req *r) {
    return answer_list(r, li_jobjson_users);
}

int li__http_mappings_list(li_http_req *r) {
    return answer_list(r, li_jobjson_mappings);
}

/* GET /api/template.csv: the file to fill in, as `leadimport template` writes it. */
int li__http_template(li_http_req *r) {
    char *data = NULL;
    size_t len = 0;
    li_error err;
    FILE *f = open_memstream(&data, &len);
    if (!f)
        return no_memory(r);
    li_status st = li_template_csv(f, &err);
    if (fclose(f) != 0 && st == LI_OK)
        st = li_error_set(&err, LI_ENOMEM, LI_MSG_NO_MEMORY);
    int rc;
    if (st != LI_OK) {
        rc = fail(r, &err);
    } else {
        li_http_header_add(r, "Content-Disposition",
                           "attachment; filename=\"modele-leads.csv\"");
        rc = li_http_answer(r, 200, "text/csv; charset=utf-8", data, len);
    }
    free(data);
    return rc;
}
