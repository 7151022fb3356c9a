/*
 * httpInt.h — what the files of src/http share: the route table, the
 * request a handler reads and the answers it writes.
 *
 * The HTTP server is a front end like the command line: it parses
 * requests, calls the library through its public headers and writes
 * answers. No rule lives here: sessions, CSRF tokens and the login limits
 * are session.h's, the JSON of jobs and reviews jobjson.h's and review.h's.
 *
 * THE ROUTE TABLE (routes.c) is the one list of what the server answers:
 * method, path pattern, the authentication it needs and whether it needs
 * the CSRF token. The router (router.c) enforces both before any handler
 * runs, so that no handler can forget them:
 *   - LI_HTTP_AUTH_NONE: anyone;
 *   - LI_HTTP_AUTH_SESSION: an open session of an active user, else 401
 *     (session_required);
 *   - LI_HTTP_AUTH_ADMIN: the same, and role "admin", else 403
 *     (admin_required);
 *   - LI_HTTP_AUTH_SIGNED: no session; li__http_signed_check() (files.c)
 *     must accept the URL, else it answers 403 (link_invalid, link_expired);
 *   - csrf = 1: header X-CSRF-Token equal to the session's token, else 403
 *     (csrf_invalid), checked after the session.
 * A handler is only ever called for a request that passed them.
 *
 * A request's life (one thread per connection: a handler may block):
 *   1. the router matches the route, checks auth and CSRF and, for a JSON
 *      body, its declared size (Content-Length against max_body: 413); then
 *      the route's on_start, if any, runs (before any byte of body: an
 *      upload refuses a declared size over max_upload there, and prepares
 *      its writer); if it answers, the body is not read;
 *   2. the body: LI_HTTP_BODY_JSON is gathered whole (up to max_body, 413
 *      past it) and read with li_http_body_text(); LI_HTTP_BODY_STREAM is
 *      given piece by piece to the route's on_body as it arrives, never
 *      held whole (its size limit is the handler's: max_upload of
 *      li_http_server_opts(); the request time limit applies, 408);
 *      LI_HTTP_BODY_NONE ignores a body;
 *   3. the handler runs once, after the whole body, and answers with ONE
 *      li_http_answer_* call (or on_body answered an error first: then the
 *      handler is not called);
 *   4. when the answer has been sent (or the client left), the request's
 *      context (li_http_set_ctx) is freed, its store given back to the pool
 *      and its SSE slot released; one log line is written.
 *
 * Every answer that is an error is JSON {"error": {"code", "message"}}
 * with a code of the catalogue (messages.def) and its French text.
 *
 * Thread safety: a li_http_req belongs to its connection's thread. The
 * stream callbacks of li_http_answer_stream/_sse run in that thread too.
 */
#ifndef LEADIMPORT_HTTP_INT_H
#define LEADIMPORT_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http/http.h"
#include "leadimport/buf.h"
#include "leadimport/error.h"
#include "leadimport/session.h"
#include "leadimport/store.h"

typedef struct li_http_req li_http_req;
typedef struct li_http_server li_http_server;

/* --- the route table ---------------------------------------------------------- */

typedef enum li_http_auth {
    LI_HTTP_AUTH_NONE = 0,
    LI_HTTP_AUTH_SESSION,
    LI_HTTP_AUTH_ADMIN,
    LI_HTTP_AUTH_SIGNED,
} li_http_auth;

typedef enum li_http_body {
    LI_HTTP_BODY_NONE = 0, /* a body sent anyway is read and dropped */
    LI_HTTP_BODY_JSON,     /* gathered whole, max_body at most */
    LI_HTTP_BODY_STREAM,   /* given to on_body piece by piece, max_upload at most */
} li_http_body;

/*
 * Answers the request: exactly one li_http_answer_* call, then returns 0.
 * Returning non-zero without having answered gives a 500 internal_error.
 */
typedef int (*li_http_handler)(li_http_req *r);

/*
 * One piece of a streamed body (LI_HTTP_BODY_STREAM), in order, as it
 * arrives; len > 0. Returns 0 to go on. Non-zero stops: the function has
 * answered (an error, with li_http_answer_*), the rest of the body is
 * dropped and the handler is not called.
 */
typedef int (*li_http_body_fn)(li_http_req *r, const char *data, size_t len);

typedef struct li_http_route {
    const char *method;    /* "GET", "POST", "PUT", "DELETE" */
    const char *path;      /* "/api/imports/{id}/rows": {name} is one path segment */
    li_http_auth auth;
    int csrf;              /* 1: X-CSRF-Token required */
    li_http_body body;
    li_http_body_fn on_body; /* LI_HTTP_BODY_STREAM only */
    li_http_handler handler;
    /*
     * Optional: runs once the checks passed, before the body; returns 0 to
     * go on, or answers (an error) and returns non-zero: then the body is
     * dropped and neither on_body nor the handler runs.
     */
    li_http_handler on_start;
} li_http_route;

/* The table (routes.c), in the order --print-routes prints it. */
extern const li_http_route li__http_routes[];
extern const size_t li__http_route_count;

/* --- matching (router.c; pure functions, unit-tested) ------------------------ */

#define LI_HTTP_MAX_PARAMS 4
#define LI_HTTP_PARAM_MAX 128 /* bytes of one path parameter */

typedef struct li_http_match {
    const li_http_route *route; /* NULL: no route */
    size_t nparams;
    struct {
        const char *name; /* in the route's pattern: "id" (not NUL-terminated: name_len) */
        size_t name_len;
        char value[LI_HTTP_PARAM_MAX];
    } param[LI_HTTP_MAX_PARAMS];
    /* When route is NULL: 1 if the path exists with other methods (405), and those methods. */
    int path_known;
    char allowed[64]; /* "GET, DELETE" */
} li_http_match;

/*
 * Finds the route of method and path (no query string) in routes[0..n).
 * Literal segments compare exactly; {name} takes one non-empty segment
 * (percent-decoded, LI_HTTP_PARAM_MAX - 1 bytes at most). A trailing "/"
 * or an empty segment matches nothing. Fills *m; returns 1 if found.
 */
int li__http_match(const li_http_route *routes, size_t n, const char *method, const char *path,
                   li_http_match *m);

/* The name of an auth level as --print-routes writes it: "none", "session", "admin", "signed". */
const char *li__http_auth_name(li_http_auth a);

/* Writes the table as JSON lines {"method","path","auth","csrf"} to out. */
void li__http_print_routes(FILE *out);

/* --- reading the request ------------------------------------------------------- */

const char *li_http_method(const li_http_req *r);
/* The path, without the query string, as received (percent-encoded). */
const char *li_http_path(const li_http_req *r);
/* The route being served. */
const li_http_route *li_http_route_of(const li_http_req *r);

/* A path parameter ("id" for {id}), percent-decoded; NULL if the route has none of that name. */
const char *li_http_param(const li_http_req *r, const char *name);
/*
 * The path parameter name as an id (1..INT64_MAX, digits only) in *id.
 * Returns 0; or answers 404 (http_id_invalid) and returns -1: the handler
 * then just returns 0.
 */
int li_http_param_id(li_http_req *r, const char *name, int64_t *id);

/* A query parameter (?name=value), percent-decoded by the server; NULL if absent. */
const char *li_http_query(const li_http_req *r, const char *name);
/* A request header (any case); NULL if absent. */
const char *li_http_header(const li_http_req *r, const char *name);
/*
 * The client's address ("127.0.0.1", "::1"): the socket's peer, or with
 * --trust-proxy the last address of X-Forwarded-For (the one the proxy
 * appended). The login rate limit counts by it.
 */
const char *li_http_client_addr(const li_http_req *r);

/*
 * The gathered body of a LI_HTTP_BODY_JSON route: NUL-terminated, *len
 * (if not NULL) its length; "" when there was none. Borrowed: valid until
 * the request ends.
 */
const char *li_http_body_text(const li_http_req *r, size_t *len);
/* Bytes of body received so far (LI_HTTP_BODY_STREAM: before the current piece). */
uint64_t li_http_body_received(const li_http_req *r);
/* The Content-Length the client declared, or -1 (chunked, none). */
int64_t li_http_body_declared(const li_http_req *r);

/* The session's user (auth session or admin), NULL otherwise. Borrowed, valid until the end. */
const li_user *li_http_user(const li_http_req *r);
/* The session (csrf_token, expiry), NULL without one. */
const li_session *li_http_session(const li_http_req *r);

/*
 * A store connection for this request, opened on the server's database
 * (li_store_open_existing) or taken from the server's pool; it is given
 * back when the request ends, or earlier by li_http_store_release() (a
 * long stream that only reads now and then). NULL on failure, err filled
 * (answer it with li_http_answer_error). Leave no transaction open.
 */
li_store *li_http_store(li_http_req *r, li_error *err);
void li_http_store_release(li_http_req *r);

/* Per-request data of the handlers: freed with free_fn (may be NULL) when the request ends. */
void li_http_set_ctx(li_http_req *r, void *ctx, void (*free_fn)(void *));
void *li_http_ctx(const li_http_req *r);

/* The server of a request, and its settings (limits, data dir, database URL). */
li_http_server *li_http_srv(const li_http_req *r);
const li_http_opts *li_http_server_opts(const li_http_server *srv);
/* 1 once the server is stopping (SIGTERM): long streams end at their next event. */
int li_http_server_stopping(const li_http_server *srv);

/* One line in the server's log (stderr), after the time: "job 12: ...". Thread-safe. */
void li_http_log(const li_http_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- answering ----------------------------------------------------------------- */
/*
 * Each returns 0 when the answer is queued, -1 otherwise (no memory, or
 * an answer was already given); a handler returns what its answer call
 * returned. Headers added with li_http_header_add() before go with it.
 */

/* Adds a header to the coming answer (name and value are copied). */
int li_http_header_add(li_http_req *r, const char *name, const char *value);

/* data[0..len) (copied) with this Content-Type. */
int li_http_answer(li_http_req *r, unsigned status, const char *content_type, const void *data,
                   size_t len);
/* JSON text (copied), Content-Type application/json; charset=utf-8. */
int li_http_answer_json(li_http_req *r, unsigned status, const char *json);
/* The JSON in b (a li_jobjson_* output...): taken over, b is left empty. */
int li_http_answer_buf(li_http_req *r, unsigned status, li_buf *b);
/* No body (204, or a 200 without content). */
int li_http_answer_empty(li_http_req *r, unsigned status);

/*
 * The error err as {"error": {"code", "message"}}, with the HTTP status
 * its status and message call for (li__http_status_of): LI_EUSAGE 400,
 * LI_ENOTFOUND and job_not_found 404, LI_EREFUSED 409, LI_ELIMIT 413,
 * LI_EFORMAT 422, LI_EBUSY 409, LI_ENOSPACE 507, LI_EREADONLY and LI_EDB
 * 503, LI_ECANCELLED 409, others 500.
 */
int li_http_answer_error(li_http_req *r, const li_error *err);
/* The same with the status given. */
int li_http_answer_error_status(li_http_req *r, unsigned status, const li_error *err);
/*
 * An error from catalogue entry m (LI_MSG_...) formatted with its
 * arguments, with this HTTP status; checked by the compiler like
 * li_error_set().
 */
#define li_http_answer_fail(r, status, m, ...)                                                     \
    li__http_answer_fail_fmt((r), (status), (m), LI_MSG_FMT_##m, ##__VA_ARGS__)
int li__http_answer_fail_fmt(li_http_req *r, unsigned status, li_msg m, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The HTTP status for an error (see li_http_answer_error). */
unsigned li__http_status_of(const li_error *err);

/*
 * A body made as it is sent. fn(ctx, pos, buf, max) writes up to max
 * bytes at buf for offset pos and returns their number; it may block (its
 * own thread), and should not wait more than about a second at a time:
 * returning 0 means "nothing yet" and it is called again at once.
 * LI_HTTP_STREAM_END ends the body; LI_HTTP_STREAM_ERROR cuts the
 * connection (the client sees an incomplete body). free_fn(ctx) runs once
 * the stream is over (may be NULL). size: the Content-Length, or -1
 * (chunked).
 */
#define LI_HTTP_STREAM_END ((ssize_t)-1)
#define LI_HTTP_STREAM_ERROR ((ssize_t)-2)
typedef ssize_t (*li_http_stream_fn)(void *ctx, uint64_t pos, char *buf, size_t max);
int li_http_answer_stream(li_http_req *r, unsigned status, const char *content_type,
                          int64_t size, li_http_stream_fn fn, void *ctx, void (*free_fn)(void *));
/* An open file sent as it is (the fd is taken over and closed), size bytes from offset 0. */
int li_http_answer_fd(li_http_req *r, unsigned status, const char *content_type, int fd,
                      uint64_t size);
/*
 * Server-Sent Events: li_http_answer_stream with Content-Type
 * text/event-stream, Cache-Control: no-cache and X-Accel-Buffering: no.
 */
int li_http_answer_sse(li_http_req *r, li_http_stream_fn fn, void *ctx, void (*free_fn)(void *));
/*
 * 1 when the client has closed its side of the connection (read without
 * consuming: a request it sent meanwhile stays). A stream function that
 * waits between events asks it before waiting again and returns
 * LI_HTTP_STREAM_ERROR: otherwise a client gone is only seen at the next
 * write, and its slot (li_http_sse_enter) stays taken until then.
 */
int li_http_client_gone(const li_http_req *r);

/*
 * Takes one of the max_sse_per_job watcher slots of job_id for this
 * request (released when it ends). Returns 0; or answers 429
 * (http_too_many_watchers) and returns -1.
 */
int li_http_sse_enter(li_http_req *r, int64_t job_id);

/* --- auth plumbing (auth.c) ------------------------------------------------------ */

/* Name of the session cookie. */
#define LI_HTTP_COOKIE "leadimport_session"

/*
 * The router's checks for r's route (auth, then CSRF). Returns 0 when the
 * request may go on (its user and session then set), or answers the
 * refusal and returns -1.
 */
int li__http_authorize(li_http_req *r);

/*
 * Signed URLs (LI_HTTP_AUTH_SIGNED): returns 0 if r's URL carries a valid
 * signature for its method and path; otherwise answers the refusal (403
 * link_invalid or link_expired) and returns -1. Defined by files.c
 * (signed downloads, li_sign_check); without it (a weak default) every
 * signed URL is refused with a 500: a build that routes signed URLs must
 * link files.c.
 */
int li__http_signed_check(li_http_req *r);

/*
 * Called once at start, after the data dir is ready (o->data_dir set) and
 * before the server listens: files.c loads the secret of signed URLs here
 * (a bad secret file stops the start with its French error). A weak
 * default does nothing.
 */
li_status li__http_files_init(const li_http_opts *o, li_error *err);

/* Route handlers of auth.c: the session routes. */
int li__http_session_post(li_http_req *r);
int li__http_session_get(li_http_req *r);
int li__http_session_delete(li_http_req *r);
/* health.c: GET /healthz and GET /metrics. */
int li__http_healthz(li_http_req *r);
int li__http_metrics(li_http_req *r);
/* static.c: the web page (GET /, /assets/{name}) and its help pages (/aide/...). */
int li__http_page(li_http_req *r);
int li__http_asset(li_http_req *r);
int li__http_help(li_http_req *r);
int li__http_help_image(li_http_req *r);

/* --- inside the server (server.c) -------------------------------------------------- */

/* Counts an answer for /metrics: route index (li__http_route_count for none) and status. */
void li__http_count(li_http_server *srv, size_t route, unsigned status);
/* Writes the HTTP counters in Prometheus text to b. */
li_status li__http_counters(li_http_server *srv, li_buf *b);
/* The session policy of the server (timeouts, login limits). */
const li_session_policy *li__http_session_policy(const li_http_server *srv);
/* 1 if the session cookie must be marked Secure for r (TLS, X-Forwarded-Proto: https, --secure-cookies). */
int li__http_cookie_secure(const li_http_req *r);
/* Sets the request's session (auth.c, after li_session_check or a login). */
void li__http_set_session(li_http_req *r, const li_session *ss);

#endif
