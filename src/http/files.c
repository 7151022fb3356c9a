/*
 * files.c — signed downloads: POST /api/imports/{id}/report-link gives a
 * URL that downloads the job's error report without a session, for
 * LI_SIGN_DEFAULT_TTL_S; GET /files/imports/{id}/erreurs.csv serves it.
 *
 * Signing and checking are sign.h's (HMAC-SHA-256 with the server's
 * secret, kept in its data folder); the router calls li__http_signed_check()
 * for every route of auth "signed" before its handler, which then only
 * streams the report (li_report_open: written first when missing).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpInt.h"
#include "importsInt.h"
#include "leadimport/blob.h"
#include "leadimport/import.h"
#include "leadimport/sign.h"

/* The report's path under /files; the signature covers it, the id with it. */
#define REPORT_PATH "/files/imports/%lld/erreurs.csv"

/*
 * The server's secret, read from its data folder when the server starts
 * (li__http_files_init: a secret that is missing is created, one that is
 * unsafe or damaged stops the start with its French message). One server
 * per process: a static is its place.
 */
static li_sign_key key;
static int key_loaded;

li_status li__http_files_init(const li_http_opts *o, li_error *err) {
    if (!o->data_dir)
        return li_error_set(err, LI_EINTERNAL, LI_MSG_INTERNAL, "dossier de données inconnu");
    li_status st = li_sign_key_load(o->data_dir, &key, err);
    key_loaded = st == LI_OK;
    return st;
}

/* The secret, or NULL after answering 500 (a server started without it: a bug). */
static const li_sign_key *server_key(li_http_req *r) {
    if (key_loaded)
        return &key;
    li_error err;
    li_error_set(&err, LI_EINTERNAL, LI_MSG_INTERNAL, "secret des liens non chargé");
    li_http_answer_error_status(r, 500, &err);
    return NULL;
}

int li__http_signed_check(li_http_req *r) {
    li_error err;
    const li_sign_key *k = server_key(r);
    if (!k)
        return -1;
    if (li_sign_check(k, li_http_method(r), li_http_path(r), li_http_query(r, "exp"),
                      li_http_query(r, "sig"), (int64_t)time(NULL), &err) != LI_OK) {
        li_http_answer_error_status(r, 403, &err);
        return -1;
    }
    return 0;
}

int li__http_import_report_link(li_http_req *r) {
    int64_t id;
    li_job_rec job;
    li_error err;
    char path[96], query[LI_SIGN_QUERY_MAX], json[320];
    if (li_http_param_id(r, "id", &id) != 0)
        return 0;
    li_store *s = li_http_store(r, &err);
    if (!s || li_store_job_get(s, id, &job, &err) != LI_OK)
        return li_http_answer_error(r, &err);
    const li_sign_key *k = server_key(r);
    if (!k)
        return 0;
    int64_t exp = (int64_t)time(NULL) + LI_SIGN_DEFAULT_TTL_S;
    snprintf(path, sizeof path, REPORT_PATH, (long long)id);
    li_sign_query(k, "GET", path, exp, query);
    snprintf(json, sizeof json, "{\"url\":\"%s%s\",\"expires_at\":%lld,\"expires_in\":%d}", path,
             query, (long long)exp, LI_SIGN_DEFAULT_TTL_S);
    return li_http_answer_json(r, 200, json);
}

/* --- the download ---------------------------------------------------------------- */

static ssize_t report_read(void *ctx, uint64_t pos, char *buf, size_t max) {
    size_t got = 0;
    (void)pos;
    if (li_blob_read(ctx, buf, max, &got, NULL) != LI_OK)
        return LI_HTTP_STREAM_ERROR;
    return got ? (ssize_t)got : LI_HTTP_STREAM_END;
}

static void report_close(void *ctx) {
    li_blob_reader_close(ctx);
}

/* RFC 5987 value of name: UTF-8, percent-encoded but for its safe characters. */
static void pct_encode(const char *name, char *out, size_t cap) {
    static const char safe[] = "!#$&+-.^_`|~";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)name; *p && o + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(safe, *p))
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, cap - o, "%%%02X", *p);
    }
    out[o] = '\0';
}

int li__http_file_report(li_http_req *r) {
    int64_t id;
    li_job_rec job;
    li_error err;
    li_blob_reader *rd = NULL;
    uint64_t size = 0;
    char name[600], enc[1800], disp[2000];
    if (li_http_param_id(r, "id", &id) != 0)
        return 0;
    li_store *s = li_http_store(r, &err);
    if (!s || li_store_job_get(s, id, &job, &err) != LI_OK ||
        li_report_open(s, id, &rd, &size, &err) != LI_OK)
        return li_http_answer_error(r, &err);
    li_http_store_release(r); /* the stream reads the stored file, not the database */
    /* A French name, the file's own; a plain one for clients that ignore filename*. */
    li_report_file_name(&job, name, sizeof name);
    pct_encode(name, enc, sizeof enc);
    snprintf(disp, sizeof disp,
             "attachment; filename=\"import-%lld.erreurs.csv\"; filename*=UTF-8''%s",
             (long long)id, enc);
    li_http_header_add(r, "Content-Disposition", disp);
    li_http_header_add(r, "Cache-Control", "no-store");
    /* Chunked, not Content-Length: a report written again meanwhile (renamed over the
     * one opened) must not make the size announced a lie. */
    (void)size;
    return li_http_answer_stream(r, 200, "text/csv; charset=utf-8", -1, report_read, rd,
                                 report_close);
}
