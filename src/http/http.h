/*
 * http.h — the HTTP server (`leadimport serve`) as the command line starts
 * it: its settings and the call that runs it until told to stop.
 *
 * The server is GNU libmicrohttpd, one thread per connection, over the
 * library's public headers; src/http holds routing, auth plumbing, request
 * parsing and answer writing only (httpInt.h). It also runs, in the same
 * process, `workers` import workers (li_worker_run) and, once a day, the
 * cleanup of old imports (li_cleanup).
 */
#ifndef LEADIMPORT_HTTP_H
#define LEADIMPORT_HTTP_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "leadimport/error.h"
#include "leadimport/session.h"

/* Defaults of the limits (li_http_opts_init). */
#define LI_HTTP_DEFAULT_LISTEN "127.0.0.1:8080"
#define LI_HTTP_DEFAULT_WORKERS 2
#define LI_HTTP_DEFAULT_MAX_UPLOAD (200ull << 20)   /* bytes of an uploaded file */
#define LI_HTTP_DEFAULT_MAX_HEADER (16ull << 10)    /* bytes of all request headers */
#define LI_HTTP_DEFAULT_MAX_BODY (1ull << 20)       /* bytes of a JSON body */
#define LI_HTTP_DEFAULT_REQUEST_TIMEOUT_S 600.0     /* a whole request, upload included */
#define LI_HTTP_DEFAULT_IDLE_TIMEOUT_S 30.0         /* a connection with nothing sent */
#define LI_HTTP_DEFAULT_MAX_CONNECTIONS 256
#define LI_HTTP_DEFAULT_MAX_PER_ADDRESS 64
#define LI_HTTP_DEFAULT_MAX_SSE_PER_JOB 32
#define LI_HTTP_DEFAULT_MAX_READS_PER_S 20         /* GETs a second per account, paced beyond */
#define LI_HTTP_DEFAULT_CLEANUP_AFTER_S (90 * 86400.0)
#define LI_HTTP_PACE_MAX_WAIT_S 2.0
#define LI_HTTP_DEFAULT_STOP_GRACE_S 30.0           /* running requests may end in this time */

typedef struct li_http_opts {
    const char *db_url;           /* the database (li_store_open_existing; serve creates it first) */
    const char *listen;           /* "HOST:PORT"; port 0 = a free port */
    const char *data_dir;         /* server files (secret of signed URLs); NULL = BASE.files */
    int workers;                  /* in-process import workers; 0 = none */
    double cleanup_after_s;       /* imports older than this are deleted by the daily cleanup */
    int secure_cookies;           /* always mark the session cookie Secure */
    int trust_proxy;              /* behind a reverse proxy: the client is X-Forwarded-For's last address */
    uint64_t max_upload;
    uint64_t max_header;
    uint64_t max_body;
    double request_timeout_s;
    double idle_timeout_s;
    unsigned max_connections;
    unsigned max_per_address;
    unsigned max_sse_per_job;
    /*
     * Reads (GET with a session) a second per account; 0 = no limit. Past
     * a burst of twice as many, a read waits for its turn (it is answered
     * later, not refused): a client polling without pause cannot take the
     * CPU from the imports it watches. One that would wait more than
     * LI_HTTP_PACE_MAX_WAIT_S gets 429 http_too_many_reads.
     */
    unsigned max_reads_per_s;
    double stop_grace_s;
    li_session_policy session;    /* session expiry and login limits */
    const char *first_admin;      /* e-mail of an admin to create in a database without users */
    const atomic_int *stop;       /* non-zero: stop (a signal handler sets it) */
    int quiet;                    /* no request log lines */
} li_http_opts;

/* The defaults above; db_url, stop and the rest NULL/0. */
void li_http_opts_init(li_http_opts *o);

/*
 * Runs the server until *o->stop becomes non-zero: listens, prints its URL
 * (French, stderr: "leadimport écoute sur http://HOST:PORT"), serves, and
 * at the stop: stops accepting, lets running requests end (stop_grace_s at
 * most; event streams end at once), stops the workers at their next batch
 * (the item is given back: it resumes), then returns LI_OK. A listen
 * address that cannot be used, a database that cannot be opened: an error.
 */
li_status li_http_serve(const li_http_opts *o, li_error *err);

/* Prints the route table as JSON lines {"method","path","auth","csrf"} (serve --print-routes). */
void li_http_print_routes(FILE *out);

#endif
